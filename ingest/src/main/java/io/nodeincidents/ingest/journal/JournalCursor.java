package io.nodeincidents.ingest.journal;

/**
 * The parts of a journald cursor the shipper reasons about: the sequence number id ({@code s=}, one per journal
 * writer sequence) and the sequence number ({@code i=}, hex). Within one sequence number id, entries are numbered
 * without gaps, so the distance between two cursors read in a row is how many entries journalctl's filter skipped.
 *
 * @param seqnumId the {@code s=} part, or null
 * @param seqnum   the {@code i=} part, or -1 when absent or unreadable
 */
public record JournalCursor(String seqnumId, long seqnum) {

    /** Parses the parts it knows; never fails (an unknown shape gives nulls and -1). */
    public static JournalCursor parse(String cursor) {
        String seqnumId = null;
        long seqnum = -1;
        if (cursor != null) {
            // scanned in place, no split: the shipper parses two cursors per entry; the first 8 parts count
            int start = 0;
            for (int part = 0; part < 8 && start <= cursor.length(); part++) {
                int end = part == 7 ? cursor.length() : cursor.indexOf(';', start);
                if (end < 0) {
                    end = cursor.length();
                }
                if (cursor.startsWith("s=", start)) {
                    seqnumId = cursor.substring(start + 2, end);
                } else if (cursor.startsWith("i=", start) && end - start > 2 && end - start <= 18) {
                    try {
                        seqnum = Long.parseUnsignedLong(cursor, start + 2, end, 16);
                    } catch (NumberFormatException e) {
                        seqnum = -1;
                    }
                }
                start = end + 1;
            }
        }
        return new JournalCursor(seqnumId, seqnum);
    }

    /** True when both cursors name the same entry. */
    public static boolean sameEntry(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        if (a.equals(b)) {
            return true;
        }
        JournalCursor x = parse(a);
        JournalCursor y = parse(b);
        return x.seqnumId != null && x.seqnum >= 0 && x.equals(y);
    }

    /**
     * How many entries lie strictly between {@code earlier} and {@code later} in the same sequence, or 0 when that
     * cannot be told (different sequences, unreadable cursors, or not in order).
     */
    public static long entriesBetween(String earlier, String later) {
        if (earlier == null || later == null) {
            return 0;
        }
        return entriesBetween(parse(earlier), parse(later));
    }

    /** {@link #entriesBetween(String, String)} of cursors already parsed (the shipper parses each cursor once). */
    public static long entriesBetween(JournalCursor a, JournalCursor b) {
        if (a.seqnumId == null || !a.seqnumId.equals(b.seqnumId) || a.seqnum < 0 || b.seqnum <= a.seqnum) {
            return 0;
        }
        return b.seqnum - a.seqnum - 1;
    }
}
