package io.nodeincidents.logs;

/**
 * Where a line can be found again: a journald cursor for live entries, a file and 1-based line for replayed logs.
 * Any of the parts may be null; {@link #none()} is the reference of a line with no known origin.
 */
public record LineRef(String cursor, String file, Long line) {

    private static final LineRef NONE = new LineRef(null, null, null);

    public static LineRef cursor(String cursor) {
        return new LineRef(cursor, null, null);
    }

    public static LineRef fileLine(String file, long line) {
        return new LineRef(null, file, line);
    }

    public static LineRef none() {
        return NONE;
    }

    @Override
    public String toString() {
        if (cursor != null) {
            return cursor;
        }
        if (file != null) {
            return line == null ? file : file + ":" + line;
        }
        return "-";
    }
}
