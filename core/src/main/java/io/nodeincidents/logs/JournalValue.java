package io.nodeincidents.logs;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One value of a journal field as {@code journalctl -o json} prints it: a string, the raw bytes of a value that is
 * not valid UTF-8 (printed as an array of byte numbers), or omitted (printed as {@code null} because it was over
 * 4096 bytes and journalctl did not get {@code --all}).
 */
public sealed interface JournalValue permits JournalValue.Text, JournalValue.Bytes, JournalValue.Omitted {

    /** The value as text (bytes decoded as UTF-8 with replacement characters), or null when omitted. */
    String asText();

    /**
     * A field's values as one text: a repeated field's values joined by newlines, omitted values left out; null when
     * there is no text at all.
     */
    static String joinedText(java.util.List<JournalValue> values) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() == 1) {
            return values.get(0).asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JournalValue value : values) {
            String text = value.asText();
            if (text != null) {
                if (sb.length() > 0) {
                    sb.append('\n');
                }
                sb.append(text);
            }
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    /** A UTF-8 string value. */
    record Text(String value) implements JournalValue {
        @Override
        public String asText() {
            return value;
        }
    }

    /** A value that is not valid UTF-8, kept byte for byte. */
    record Bytes(byte[] value) implements JournalValue {
        public Bytes {
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public String asText() {
            return new String(value, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && Arrays.equals(value, b.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Bytes" + Arrays.toString(value);
        }
    }

    /** A value journalctl left out because it was over 4096 bytes (rerun journalctl with {@code --all}). */
    record Omitted() implements JournalValue {
        static final Omitted INSTANCE = new Omitted();

        @Override
        public String asText() {
            return null;
        }
    }
}
