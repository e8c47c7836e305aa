package io.nodeincidents.kernel.memory;

/** Bounded, exception-free number parsing for untrusted log text. */
public final class Numbers {

    private Numbers() {
    }

    /** Parses {@code s[from,to)} as an unsigned decimal of at most 18 digits, or returns null. */
    public static Long parseUnsigned(String s, int from, int to) {
        int len = to - from;
        if (len <= 0 || len > 18) {
            return null;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Parses an optionally negative decimal of at most 18 digits, or returns null. */
    public static Long parseSigned(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        if (s.charAt(0) == '-') {
            Long v = parseUnsigned(s, 1, s.length());
            return v == null ? null : -v;
        }
        return parseUnsigned(s, 0, s.length());
    }

    /** Parses an int that fits, or returns null. */
    public static Integer parseInt(String s) {
        Long v = parseSigned(s);
        return v == null || v > Integer.MAX_VALUE || v < Integer.MIN_VALUE ? null : v.intValue();
    }

    /** Parses "0x1f"-style hex of at most 16 digits, or returns null. */
    public static Long parseHex(String s) {
        if (s == null || !s.startsWith("0x") || s.length() < 3 || s.length() > 18) {
            return null;
        }
        long v = 0;
        for (int i = 2; i < s.length(); i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0) {
                return null;
            }
            v = (v << 4) | d;
        }
        return v;
    }
}
