package io.nodeincidents.correlation;

import io.nodeincidents.logs.LineRef;
import io.nodeincidents.logs.LogLine;

/**
 * What makes a journal entry the same as one seen before: its host, boot and journald cursor, as a shipper restart
 * re-sends them; or its host, boot, file and line for a replayed file.
 *
 * @param origin the host, boot and, for a replayed file, the file: where the cursor or line counts
 * @param cursor the journald cursor, or null for a replayed file's entry
 * @param line   the entry's line in the replayed file, or null for a cursor
 */
public record EntryIdentity(String origin, String cursor, Long line) {

    /**
     * The identity of the entry {@code line} was read back from, or null when it has neither cursor nor file and line
     * (it cannot be told apart).
     */
    public static EntryIdentity of(LogLine line) {
        String boot = String.valueOf(line.bootId());
        LineRef ref = line.ref();
        if (ref.cursor() != null) {
            return new EntryIdentity(line.host() + '\u0000' + boot, ref.cursor(), null);
        }
        if (ref.file() != null && ref.line() != null) {
            return new EntryIdentity(line.host() + '\u0000' + boot + "\u0000f\u0000" + ref.file(), null, ref.line());
        }
        return null;
    }

    /** The identity as one string (the streaming app's dedup store key). */
    public String key() {
        return cursor != null ? origin + "\u0000c\u0000" + cursor : origin + '\u0000' + line;
    }
}
