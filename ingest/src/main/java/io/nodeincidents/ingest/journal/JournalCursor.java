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
            for (String part : cursor.split(";", 8)) {
                if (part.startsWith("s=")) {
                    seqnumId = part.substring(2);
                } else if (part.startsWith("i=") && part.length() > 2 && part.length() <= 18) {
                    try {
                        seqnum = Long.parseUnsignedLong(part.substring(2), 16);
                    } catch (NumberFormatException e) {
                        seqnum = -1;
                    }
                }
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
        JournalCursor a = parse(earlier);
        JournalCursor b = parse(later);
        if (a.seqnumId == null || !a.seqnumId.equals(b.seqnumId) || a.seqnum < 0 || b.seqnum <= a.seqnum) {
            return 0;
        }
        return b.seqnum - a.seqnum - 1;
    }
}
