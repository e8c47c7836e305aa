package io.nodeincidents.logs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One journal entry as printed by {@code journalctl -o json} (one JSON object per line). Every field is kept: strings,
 * byte arrays (values that are not valid UTF-8), repeated fields (arrays of values) and omitted oversized values
 * ({@code null}). Parsed with Jackson's streaming parser, no tree and no regex, because the journald shipper parses
 * every entry of {@code journalctl -o json --follow} with it.
 */
public final class JournalJsonEntry {

    public static final String CURSOR = "__CURSOR";
    public static final String REALTIME = "__REALTIME_TIMESTAMP";
    public static final String MONOTONIC = "__MONOTONIC_TIMESTAMP";
    public static final String SOURCE_MONOTONIC = "_SOURCE_MONOTONIC_TIMESTAMP";
    public static final String BOOT_ID = "_BOOT_ID";
    public static final String HOSTNAME = "_HOSTNAME";
    public static final String TRANSPORT = "_TRANSPORT";
    public static final String IDENTIFIER = "SYSLOG_IDENTIFIER";
    public static final String UNIT = "_SYSTEMD_UNIT";
    public static final String PID = "_PID";
    public static final String PRIORITY = "PRIORITY";
    public static final String FACILITY = "SYSLOG_FACILITY";
    public static final String COMM = "_COMM";
    /** Set by docker's (and podman's) journald log driver on a container's output. */
    public static final String CONTAINER_ID = "CONTAINER_ID";
    public static final String CONTAINER_NAME = "CONTAINER_NAME";
    public static final String MESSAGE = "MESSAGE";

    /** The fields {@link #toLogLine} maps; everything else is in {@link #otherFields()}. */
    public static final Set<String> WELL_KNOWN = Set.of(CURSOR, REALTIME, MONOTONIC, SOURCE_MONOTONIC, BOOT_ID,
            HOSTNAME, TRANSPORT, IDENTIFIER, UNIT, COMM, CONTAINER_ID, CONTAINER_NAME, PID, PRIORITY, FACILITY,
            MESSAGE);

    // Generous but bounded: journald caps a field at 64 MiB by default (--all prints it whole).
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(64 * 1024 * 1024).maxNestingDepth(4).build())
            .build();

    private final Map<String, List<JournalValue>> fields;

    private JournalJsonEntry(Map<String, List<JournalValue>> fields) {
        this.fields = fields;
    }

    /**
     * Parses one line of {@code journalctl -o json} output.
     *
     * @throws MalformedEntryException when the line is not one JSON object of journal fields
     */
    public static JournalJsonEntry parse(String line) throws MalformedEntryException {
        try (JsonParser p = JSON.createParser(line)) {
            return parse(p);
        } catch (MalformedEntryException e) {
            throw e;
        } catch (IOException e) {
            throw new MalformedEntryException("invalid JSON: " + firstLine(e.getMessage()));
        }
    }

    /**
     * Parses one line of {@code journalctl -o json} output from its UTF-8 bytes, without first decoding them into a
     * String (the shipper's hot path). Bytes that are not valid UTF-8 (journalctl prints such values as byte arrays,
     * so only other producers write them) are parsed as {@link #parse(String)} does, with replacement characters.
     *
     * @throws MalformedEntryException when the line is not one JSON object of journal fields
     */
    public static JournalJsonEntry parse(byte[] line, int offset, int length) throws MalformedEntryException {
        try (JsonParser p = JSON.createParser(line, offset, length)) {
            return parse(p);
        } catch (IOException e) {
            // the same verdict (or the same entry, for invalid UTF-8) as the String form gives
            return parse(new String(line, offset, length, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static JournalJsonEntry parse(JsonParser p) throws MalformedEntryException {
        Map<String, List<JournalValue>> fields = new LinkedHashMap<>(32);
        try {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedEntryException("not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                List<JournalValue> values = readValue(p, p.nextToken(), name);
                if (values == null) {
                    continue;
                }
                List<JournalValue> previous = fields.putIfAbsent(name, values);
                if (previous != null) {
                    // Not what journalctl prints, but a duplicated key must not lose the earlier value.
                    List<JournalValue> merged = new ArrayList<>(previous);
                    merged.addAll(values);
                    fields.put(name, List.copyOf(merged));
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new MalformedEntryException("unexpected " + t + " in journal entry");
            }
            if (p.nextToken() != null) {
                throw new MalformedEntryException("text after the JSON object");
            }
        } catch (MalformedEntryException e) {
            throw e;
        } catch (IOException e) {
            throw new MalformedEntryException("invalid JSON: " + firstLine(e.getMessage()));
        }
        return new JournalJsonEntry(fields);
    }

    private static List<JournalValue> readValue(JsonParser p, JsonToken t, String name) throws IOException {
        if (t == null) {
            throw new MalformedEntryException("truncated entry at field " + name);
        }
        switch (t) {
            case VALUE_STRING:
                return List.of(new JournalValue.Text(p.getText()));
            case VALUE_NULL:
                return List.of(JournalValue.Omitted.INSTANCE);
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
            case VALUE_TRUE:
            case VALUE_FALSE:
                // journalctl prints strings only; accept scalars from other producers as their text
                return List.of(new JournalValue.Text(p.getText()));
            case START_ARRAY:
                return readArray(p, name);
            case START_OBJECT:
                // journald never writes one: a JSON logger's nested value (kubelet's "pod":{"name":..}), whose text
                // stays in the line the reader falls back to
                p.skipChildren();
                return null;
            default:
                throw new MalformedEntryException("field " + name + " has unexpected " + t);
        }
    }

    /**
     * An array is either one byte-array value ({@code [98,97]}) or repeated values ({@code ["a",[255],null]}); null
     * when it held nothing but objects.
     */
    private static List<JournalValue> readArray(JsonParser p, String name) throws IOException {
        JsonToken t = p.nextToken();
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.END_ARRAY) {
            return List.of(new JournalValue.Bytes(readBytes(p, t, name)));
        }
        List<JournalValue> values = new ArrayList<>(4);
        for (; t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t == null) {
                throw new MalformedEntryException("truncated array in field " + name);
            }
            switch (t) {
                case VALUE_STRING -> values.add(new JournalValue.Text(p.getText()));
                case VALUE_NULL -> values.add(JournalValue.Omitted.INSTANCE);
                case START_ARRAY -> values.add(new JournalValue.Bytes(readBytes(p, p.nextToken(), name)));
                case START_OBJECT -> p.skipChildren();
                default -> throw new MalformedEntryException("field " + name + " has unexpected " + t + " in array");
            }
        }
        // an array of objects only is no journal field either
        return values.isEmpty() ? null : Collections.unmodifiableList(values);
    }

    private static byte[] readBytes(JsonParser p, JsonToken first, String name) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        for (JsonToken t = first; t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw new MalformedEntryException("field " + name + " has a byte array with " + t);
            }
            int b = p.getIntValue();
            if (b < 0 || b > 255) {
                throw new MalformedEntryException("field " + name + " has byte value " + b + " out of range");
            }
            out.write(b);
        }
        return out.toByteArray();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** All values of a field (one for most fields, several for a repeated field), empty when absent. */
    public List<JournalValue> values(String name) {
        return fields.getOrDefault(name, List.of());
    }

    /**
     * The field as text: a single value as is (bytes decoded as UTF-8 with replacement characters), repeated values
     * joined with newlines, null when absent or omitted.
     */
    public String text(String name) {
        return JournalValue.joinedText(fields.get(name));
    }

    /** True when the field is present but journalctl printed null for (one of) its values: it was over 4096 bytes. */
    public boolean isOmitted(String name) {
        for (JournalValue v : values(name)) {
            if (v instanceof JournalValue.Omitted) {
                return true;
            }
        }
        return false;
    }

    /** All fields in the order journalctl printed them. */
    public Map<String, List<JournalValue>> fields() {
        return Collections.unmodifiableMap(fields);
    }

    /** The fields that {@link #toLogLine} does not map (_UID, _COMM, CONTAINER_NAME, ...). */
    public Map<String, List<JournalValue>> otherFields() {
        Map<String, List<JournalValue>> other = new LinkedHashMap<>();
        fields.forEach((k, v) -> {
            if (!WELL_KNOWN.contains(k)) {
                other.put(k, v);
            }
        });
        return other;
    }

    public String cursor() {
        return text(CURSOR);
    }

    public Long realtimeMicros() {
        return number(REALTIME);
    }

    public Long monotonicMicros() {
        return number(MONOTONIC);
    }

    /** The kernel's own stamp of a kernel message, when journald recorded it. */
    public Long sourceMonotonicMicros() {
        return number(SOURCE_MONOTONIC);
    }

    public String bootId() {
        return text(BOOT_ID);
    }

    public String hostname() {
        return text(HOSTNAME);
    }

    public String transport() {
        return text(TRANSPORT);
    }

    public String identifier() {
        return text(IDENTIFIER);
    }

    public String unit() {
        return text(UNIT);
    }

    public Integer pid() {
        Long n = number(PID);
        return n == null || n > Integer.MAX_VALUE ? null : n.intValue();
    }

    public Integer priority() {
        Long n = number(PRIORITY);
        return n == null || n > 7 ? null : n.intValue();
    }

    /** {@code SYSLOG_FACILITY}, or null when absent or not a facility (0-23). */
    public Integer facility() {
        Long n = number(FACILITY);
        return n == null || n > 23 ? null : n.intValue();
    }

    public String comm() {
        return text(COMM);
    }

    public String containerId() {
        return text(CONTAINER_ID);
    }

    public String containerName() {
        return text(CONTAINER_NAME);
    }

    /** The message, or null when absent or omitted (see {@link #isOmitted}). */
    public String message() {
        return text(MESSAGE);
    }

    /** A decimal field, or null when absent or not a plain non-negative number. */
    private Long number(String name) {
        String s = text(name);
        if (s == null || s.isEmpty() || s.length() > 18) {
            return null;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /**
     * The format-neutral line. The kernel's own stamp ({@code _SOURCE_MONOTONIC_TIMESTAMP}) is preferred as the
     * monotonic time because it is when the kernel printed the line, not when journald read it.
     *
     * @param fallbackHost host when the entry has no {@code _HOSTNAME} (may be null when it has one)
     * @param ref          where the entry can be found again (typically {@link LineRef#cursor})
     * @throws IllegalArgumentException when the entry has no host and no fallback was given
     */
    public LogLine toLogLine(String fallbackHost, LineRef ref) {
        String host = hostname();
        if (host == null || host.isEmpty()) {
            host = fallbackHost;
        }
        if (host == null) {
            throw new IllegalArgumentException("journal entry " + ref + " has no _HOSTNAME and no host was given");
        }
        Long mono = sourceMonotonicMicros();
        if (mono == null) {
            mono = monotonicMicros();
        }
        String message = message();
        return new LogLine(host, bootId(), realtimeMicros(), mono, transport(), identifier(), unit(), comm(),
                containerId(), containerName(), pid(), priority(), facility(), message == null ? "" : message, ref);
    }

    /** {@link #toLogLine(String, LineRef)} with the entry's cursor as the reference. */
    public LogLine toLogLine(String fallbackHost) {
        String cursor = cursor();
        return toLogLine(fallbackHost, cursor == null ? LineRef.none() : LineRef.cursor(cursor));
    }

    @Override
    public String toString() {
        return "JournalJsonEntry" + fields;
    }
}
