package io.nodeincidents.logs;

/**
 * What copying a log into a mail, a ticket or a Markdown page adds in front of its lines: mail quote markers
 * ({@code > }, {@code >> }, {@code > > }) and a code fence glued to the first line ({@code ```text [ 12.3] ...}).
 * Logs themselves never start a line with {@code >} or a backtick, so removing them loses nothing.
 */
final class PasteMarks {

    /** Quote markers are removed up to this depth; deeper nesting is left as text. */
    static final int MAX_QUOTE_DEPTH = 16;

    private PasteMarks() {
    }

    /** The line without leading quote markers and code fence, or the line itself when it has none. */
    static String strip(String s) {
        if (s.isEmpty()) {
            return s;
        }
        char first = s.charAt(TextLineParser.skipIndent(s) < s.length() ? TextLineParser.skipIndent(s) : 0);
        if (first != '>' && first != '`') {
            return s;
        }
        int i = TextLineParser.skipIndent(s);
        int depth = 0;
        while (i < s.length() && s.charAt(i) == '>' && depth < MAX_QUOTE_DEPTH) {
            depth++;
            i++;
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                i++;
            }
        }
        if (s.startsWith("```", i)) {
            int j = i + 3;
            while (j < s.length() && s.charAt(j) == '`') {
                j++;
            }
            // a language tag (```text, ```console) belongs to the fence
            int tag = j;
            while (tag < s.length() && Character.isLetterOrDigit(s.charAt(tag)) && tag - j < 16) {
                tag++;
            }
            if (tag == s.length() || s.charAt(tag) == ' ') {
                j = tag;
            }
            while (j < s.length() && s.charAt(j) == ' ') {
                j++;
            }
            i = j;
        }
        return s.substring(i);
    }
}
