package io.nodeincidents.logs;

/**
 * A line the readers could not turn into a {@link LogLine}, with the reason: reported, never silently dropped.
 *
 * @param file    file the line came from
 * @param line    1-based line number
 * @param reason  why it was rejected, for a person to read
 * @param excerpt the start of the line with control characters escaped, at most {@value #MAX_EXCERPT} chars
 */
public record RejectedLine(String file, long line, String reason, String excerpt) {

    public static final int MAX_EXCERPT = 160;

    public LineRef ref() {
        return LineRef.fileLine(file, line);
    }

    /** A printable, bounded excerpt of raw text. */
    static String excerptOf(CharSequence text) {
        StringBuilder sb = new StringBuilder(MAX_EXCERPT + 8);
        int i = 0;
        for (; i < text.length() && sb.length() < MAX_EXCERPT; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (sb.length() > MAX_EXCERPT) {
            sb.setLength(MAX_EXCERPT);
        }
        if (i < text.length()) {
            sb.append("...");
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return file + ":" + line + ": " + reason + " [" + excerpt + "]";
    }
}
