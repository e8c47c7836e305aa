package io.nodeincidents.ingest.entries;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.nodeincidents.logs.JournalJsonEntry;
import io.nodeincidents.logs.JournalValue;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.logs.MalformedEntryException;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.SourceKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one line of {@code journalctl -o json --all} into the {@link JournalEntry} the shipper produces, within
 * size limits: a message or field longer than {@code maxFieldBytes} is cut, fields beyond {@code maxFieldsBytes} in
 * total are dropped, and the record is marked {@code truncated}. A line the reader already cut (longer than its
 * line limit, so no longer valid JSON) is salvaged: every field that arrived whole is kept, and so is the start of
 * a message that was cut. Non-UTF-8 messages keep their exact bytes in {@code messageBytes}; repeated fields are
 * joined by newlines, as the schema documents.
 */
public final class JournalLineDecoder {

    private static final JsonFactory JSON = new JsonFactory();

    private final String fallbackHost;
    private final int maxFieldBytes;
    private final int maxFieldsBytes;

    /**
     * @param fallbackHost   host for entries without {@code _HOSTNAME}
     * @param maxFieldBytes  limit for the message and for each other field, in UTF-8 bytes
     * @param maxFieldsBytes limit for all other fields together, in UTF-8 bytes
     */
    public JournalLineDecoder(String fallbackHost, int maxFieldBytes, int maxFieldsBytes) {
        if (fallbackHost == null || fallbackHost.isBlank()) {
            throw new IllegalArgumentException("a fallback host is required");
        }
        if (maxFieldBytes < 16 || maxFieldsBytes < 0) {
            throw new IllegalArgumentException("field limits too small: " + maxFieldBytes + ", " + maxFieldsBytes);
        }
        this.fallbackHost = fallbackHost;
        this.maxFieldBytes = maxFieldBytes;
        this.maxFieldsBytes = maxFieldsBytes;
    }

    /** What a line gave: the record and its journal cursor (null when the line lost it). */
    public record Decoded(JournalEntry entry, String cursor) {
    }

    /**
     * Decodes one line.
     *
     * @param line        the line's bytes (without newline)
     * @param length      how many of them are valid
     * @param lineWasCut  the reader dropped the rest of the line (it was over the line limit)
     * @throws MalformedEntryException when the line is not a journal entry and nothing could be salvaged
     */
    public Decoded decode(byte[] line, int length, boolean lineWasCut) throws MalformedEntryException {
        JournalJsonEntry parsed;
        boolean truncated = lineWasCut;
        String cutMessage = null;
        if (lineWasCut) {
            Salvage salvage = salvage(line, length);
            parsed = salvage.entry();
            cutMessage = salvage.cutMessage();
        } else {
            parsed = JournalJsonEntry.parse(line, 0, length);
        }
        LogLine logLine = parsed.toLogLine(fallbackHost);
        String message = logLine.message();
        if (cutMessage != null && message.isEmpty()) {
            message = cutMessage;
        }
        byte[] messageBytes = null;
        List<JournalValue> messageValues = parsed.values(JournalJsonEntry.MESSAGE);
        if (messageValues.size() == 1 && messageValues.get(0) instanceof JournalValue.Bytes bytes) {
            messageBytes = bytes.value();
            if (messageBytes.length > maxFieldBytes) {
                messageBytes = Arrays.copyOf(messageBytes, maxFieldBytes);
                truncated = true;
            }
        }
        String cut = cutUtf8(message, maxFieldBytes);
        if (cut != message) {
            truncated = true;
            message = cut;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        // the fields' total in UTF-8 bytes; while 3 bytes per char (an upper bound) fits, exact sizes are not needed
        long fieldsBytes = 0;
        boolean exact = false;
        for (Map.Entry<String, List<JournalValue>> field : parsed.fields().entrySet()) {
            if (JournalJsonEntry.WELL_KNOWN.contains(field.getKey())) {
                continue;
            }
            String value = JournalValue.joinedText(field.getValue());
            if (value == null) {
                continue;
            }
            String limited = cutUtf8(value, maxFieldBytes);
            if (limited != value) {
                truncated = true;
            }
            long keyBytes = field.getKey().length(); // journald field names are ASCII
            if (!exact && fieldsBytes + keyBytes + limited.length() * 3L > maxFieldsBytes) {
                exact = true;
                fieldsBytes = 0;
                for (Map.Entry<String, String> kept : fields.entrySet()) {
                    fieldsBytes += kept.getKey().length() + utf8Length(kept.getValue());
                }
            }
            long size = keyBytes + (exact ? utf8Length(limited) : limited.length() * 3L);
            if (fieldsBytes + size > maxFieldsBytes) {
                truncated = true;
                continue;
            }
            fieldsBytes += size;
            fields.put(field.getKey(), limited);
        }
        LogLine withMessage = message.equals(logLine.message()) ? logLine : logLine.withMessage(message);
        // the promoted names a client may set (CONTAINER_NAME) are bounded like any field
        String comm = bounded(withMessage.comm());
        String containerId = bounded(withMessage.containerId());
        String containerName = bounded(withMessage.containerName());
        if (!java.util.Objects.equals(comm, withMessage.comm())
                || !java.util.Objects.equals(containerId, withMessage.containerId())
                || !java.util.Objects.equals(containerName, withMessage.containerName())) {
            truncated = true;
            withMessage = new LogLine(withMessage.host(), withMessage.bootId(), withMessage.realtimeMicros(),
                    withMessage.monotonicMicros(), withMessage.transport(), withMessage.identifier(),
                    withMessage.unit(), comm, containerId, containerName, withMessage.pid(), withMessage.priority(),
                    withMessage.facility(), withMessage.message(), withMessage.ref());
        }
        JournalEntry entry = JournalEntries.fromLogLine(withMessage, SourceKind.JOURNALD, fields, messageBytes,
                truncated);
        return new Decoded(entry, parsed.cursor());
    }

    private String bounded(String value) {
        return value == null ? null : cutUtf8(value, maxFieldBytes);
    }

    /** The longest prefix of {@code s} whose UTF-8 form fits in {@code maxBytes}; {@code s} itself when it fits. */
    static String cutUtf8(String s, int maxBytes) {
        if (s.length() * 3L <= maxBytes) {
            return s;
        }
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int size;
            if (c < 0x80) {
                size = 1;
            } else if (c < 0x800) {
                size = 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                size = 4;
            } else {
                size = 3;
            }
            if (bytes + size > maxBytes) {
                return s.substring(0, i);
            }
            bytes += size;
            if (size == 4) {
                i++;
            }
        }
        return s;
    }

    private static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return n;
    }

    private record Salvage(JournalJsonEntry entry, String cutMessage) {
    }

    /**
     * The fields of a cut JSON object that arrived whole, re-parsed as an entry, plus the readable start of the
     * message when the cut fell inside it. journalctl prints fields in no fixed order, so a cut line may have lost
     * its cursor: the entry then ships without one (it never becomes the saved position).
     */
    private static Salvage salvage(byte[] line, int length) throws MalformedEntryException {
        int lastComplete = -1;
        String cutField = null;
        int cutValueStart = -1;
        try (JsonParser p = JSON.createParser(line, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedEntryException("cut line is not a JSON object");
            }
            lastComplete = (int) p.currentLocation().getByteOffset();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                cutField = p.currentName();
                JsonToken value = p.nextToken();
                if (value == null) {
                    break;
                }
                cutValueStart = (int) p.currentTokenLocation().getByteOffset();
                if (value == JsonToken.START_ARRAY || value == JsonToken.START_OBJECT) {
                    p.skipChildren();
                } else {
                    p.finishToken();
                }
                lastComplete = (int) p.currentLocation().getByteOffset();
                cutField = null;
            }
        } catch (IOException e) {
            // the cut: everything before lastComplete is whole
        }
        if (lastComplete < 1) {
            throw new MalformedEntryException("cut line has no complete field");
        }
        byte[] whole = Arrays.copyOf(line, lastComplete + 1);
        // lastComplete is just after '{' or after a value; close the object there
        whole[lastComplete] = '}';
        String text = new String(whole, StandardCharsets.UTF_8);
        JournalJsonEntry entry = JournalJsonEntry.parse(text);
        String cutMessage = null;
        if (JournalJsonEntry.MESSAGE.equals(cutField) && cutValueStart >= 0 && cutValueStart < length
                && line[cutValueStart] == '"') {
            cutMessage = partialString(line, cutValueStart + 1, length);
        }
        return new Salvage(entry, cutMessage);
    }

    /** Decodes the JSON string content in line[from, to) that lost its end, dropping a cut escape sequence. */
    private static String partialString(byte[] line, int from, int to) {
        for (int drop = 0; drop <= 8 && to - drop > from; drop++) {
            byte[] quoted = new byte[to - drop - from + 2];
            quoted[0] = '"';
            System.arraycopy(line, from, quoted, 1, to - drop - from);
            quoted[quoted.length - 1] = '"';
            try (JsonParser p = JSON.createParser(quoted)) {
                if (p.nextToken() == JsonToken.VALUE_STRING) {
                    return p.getText();
                }
            } catch (IOException e) {
                // cut inside an escape or a UTF-8 sequence: drop one more byte
            }
        }
        return null;
    }
}
