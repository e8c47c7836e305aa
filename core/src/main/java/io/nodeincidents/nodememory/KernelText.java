package io.nodeincidents.nodememory;

import java.util.ArrayList;
import java.util.List;

/**
 * Bounded, regex-free reading of the kernel's text files: lines, whitespace-separated tokens, numbers. Every limit
 * is far above what a kernel prints, so only a damaged or foreign file reaches one, and it costs linear time.
 */
final class KernelText {

    /** Longer than any line of these files (a 32-order buddyinfo line is under 300 characters). */
    static final int MAX_LINE_CHARS = 4096;
    /** A count with more digits is no kernel counter (Long.MAX_VALUE has 19). */
    private static final int MAX_DIGITS = 18;

    private KernelText() {
    }

    /** The lines of a text, each at most {@link #MAX_LINE_CHARS} long, at most {@code maxLines} of them. */
    static final class Lines {
        private final String text;
        private final int maxLines;
        private int position;
        private int number;

        Lines(String text, int maxLines) {
            this.text = text;
            this.maxLines = maxLines;
        }

        /**
         * The next line without its end, or null at the end. A line over the length limit is skipped and noted; past
         * {@code maxLines} the rest is not read, and that is noted.
         */
        String next(Problems problems) {
            while (position < text.length()) {
                if (number == maxLines) {
                    problems.add("more than " + maxLines + " lines; the rest was not read");
                    position = text.length();
                    return null;
                }
                int end = text.indexOf('\n', position);
                if (end < 0) {
                    end = text.length();
                }
                int start = position;
                position = end + 1;
                number++;
                if (end - start > MAX_LINE_CHARS) {
                    problems.at(number, "longer than " + MAX_LINE_CHARS + " characters, not read",
                            text.substring(start, start + 40));
                    continue;
                }
                return end > start && text.charAt(end - 1) == '\r' ? text.substring(start, end - 1)
                        : text.substring(start, end);
            }
            return null;
        }

        /** The 1-based number of the line {@link #next} returned last. */
        int number() {
            return number;
        }
    }

    /**
     * The whitespace-separated tokens of {@code line}, at most {@code max + 1} of them: a result longer than
     * {@code max} means the line has more.
     */
    static List<String> tokens(String line, int max) {
        List<String> tokens = new ArrayList<>(Math.min(max + 1, 16));
        int n = line.length();
        int i = 0;
        while (i < n && tokens.size() <= max) {
            while (i < n && isSpace(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !isSpace(line.charAt(i))) {
                i++;
            }
            if (i > start) {
                tokens.add(line.substring(start, i));
            }
        }
        return tokens;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    /** {@code token} as an unsigned decimal of at most 18 digits, or -1. */
    static long unsigned(String token) {
        int len = token.length();
        if (len == 0 || len > MAX_DIGITS) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < len; i++) {
            char c = token.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** The node number of a {@code "0,"} token (node ids are below 2^16 in every kernel), or -1. */
    static int nodeNumber(String token) {
        if (token.length() < 2 || token.length() > 7 || token.charAt(token.length() - 1) != ',') {
            return -1;
        }
        long n = unsigned(token.substring(0, token.length() - 1));
        return n < 0 || n > 1_000_000 ? -1 : (int) n;
    }

    /** Whether {@code name} can be a zone or migrate type name: letters, digits, '_' or '-', 1 to 32 of them. */
    static boolean isName(String name) {
        if (name.isEmpty() || name.length() > 32) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** At most 60 characters of {@code text}, anything but printable ASCII as '?'. */
    static String excerpt(String text) {
        int n = Math.min(text.length(), 60);
        StringBuilder sb = new StringBuilder(n + 3);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return text.length() > n ? sb.append("...").toString() : sb.toString();
    }

    /** What a reader could not read, capped so a garbage file gives a few lines, not one per line. */
    static final class Problems {
        private static final int MAX = 8;
        private final List<String> kept = new ArrayList<>();
        private int dropped;

        void add(String problem) {
            if (kept.size() < MAX) {
                kept.add(problem);
            } else {
                dropped++;
            }
        }

        void at(int line, String what, String text) {
            add("line " + line + ": " + what + (text == null ? "" : " '" + excerpt(text) + "'"));
        }

        boolean isEmpty() {
            return kept.isEmpty();
        }

        List<String> list() {
            if (dropped == 0) {
                return kept;
            }
            List<String> all = new ArrayList<>(kept);
            all.add("and " + dropped + " more");
            return all;
        }
    }
}
