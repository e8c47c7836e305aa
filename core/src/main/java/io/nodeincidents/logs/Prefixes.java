package io.nodeincidents.logs;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Hand-written, linear-time scanners for the prefixes of text log lines (stamps, hosts, tags). No regex: these run on
 * every line of large files and on untrusted input.
 */
final class Prefixes {

    private static final String MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";
    private static final String DAYS = "MonTueWedThuFriSatSun";

    private Prefixes() {
    }

    /** Result of scanning a stamp: where it ended and what it said. */
    static final class Stamp {
        int end;
        int year;
        int month;
        int day;
        int hour;
        int minute;
        int second;
        int nanos;
        /** Offset in seconds, or null when the stamp carried none. */
        Integer offsetSeconds;
        long monotonicMicros;
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static int digits(String s, int i, int n) {
        if (i + n > s.length()) {
            return -1;
        }
        int v = 0;
        for (int k = 0; k < n; k++) {
            char c = s.charAt(i + k);
            if (!isDigit(c)) {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** 1..12 for a three-letter English month name at i, else 0. */
    static int month(String s, int i) {
        if (i + 3 > s.length()) {
            return 0;
        }
        for (int m = 0; m < 12; m++) {
            if (s.regionMatches(i, MONTHS, m * 3, 3)) {
                return m + 1;
            }
        }
        return 0;
    }

    static boolean isDay(String s, int i) {
        if (i + 3 > s.length()) {
            return false;
        }
        for (int d = 0; d < 7; d++) {
            if (s.regionMatches(i, DAYS, d * 3, 3)) {
                return true;
            }
        }
        return false;
    }

    /** Length of an optional {@code <PRI>} at i (0 when absent); the value goes to out[0]. */
    static int pri(String s, int i, int[] out) {
        if (i >= s.length() || s.charAt(i) != '<') {
            return 0;
        }
        int v = 0;
        int k = i + 1;
        while (k < s.length() && k - i <= 3 && isDigit(s.charAt(k))) {
            v = v * 10 + (s.charAt(k) - '0');
            k++;
        }
        if (k == i + 1 || k >= s.length() || s.charAt(k) != '>' || v > 191) {
            return 0;
        }
        out[0] = v;
        return k + 1 - i;
    }

    /** {@code hh:mm:ss[.fraction]} at i into st; returns the end index or -1. */
    static int clock(String s, int i, Stamp st) {
        int h = digits(s, i, 2);
        if (h < 0 || i + 8 > s.length() || s.charAt(i + 2) != ':' || s.charAt(i + 5) != ':') {
            return -1;
        }
        int m = digits(s, i + 3, 2);
        int sec = digits(s, i + 6, 2);
        if (m < 0 || sec < 0) {
            return -1;
        }
        st.hour = h;
        st.minute = m;
        st.second = sec;
        st.nanos = 0;
        int k = i + 8;
        if (k < s.length() && (s.charAt(k) == '.' || s.charAt(k) == ',')) {
            int start = ++k;
            int nanos = 0;
            while (k < s.length() && isDigit(s.charAt(k)) && k - start < 9) {
                nanos = nanos * 10 + (s.charAt(k) - '0');
                k++;
            }
            if (k == start) {
                return -1;
            }
            for (int pad = k - start; pad < 9; pad++) {
                nanos *= 10;
            }
            while (k < s.length() && isDigit(s.charAt(k))) {
                k++; // digits beyond nanoseconds
            }
            st.nanos = nanos;
        }
        return k;
    }

    /** RFC 3164 stamp {@code Mmm dd hh:mm:ss} (day space-padded or not) at i; end index or -1. No year. */
    static int bsdStamp(String s, int i, Stamp st) {
        int mon = month(s, i);
        if (mon == 0 || i + 3 >= s.length() || s.charAt(i + 3) != ' ') {
            return -1;
        }
        int k = i + 4;
        if (k < s.length() && s.charAt(k) == ' ') {
            k++;
        }
        int day;
        if (digits(s, k, 2) >= 0) {
            day = digits(s, k, 2);
            k += 2;
        } else if (digits(s, k, 1) >= 0) {
            day = digits(s, k, 1);
            k += 1;
        } else {
            return -1;
        }
        if (k >= s.length() || s.charAt(k) != ' ') {
            return -1;
        }
        int end = clock(s, k + 1, st);
        if (end < 0 || (end < s.length() && s.charAt(end) != ' ')) {
            return -1;
        }
        st.month = mon;
        st.day = day;
        st.end = end;
        return end;
    }

    /** RFC 3339 stamp {@code yyyy-mm-ddThh:mm:ss[.f][Z|+hh:mm]} at i; end index or -1. */
    static int rfc3339(String s, int i, Stamp st) {
        int y = digits(s, i, 4);
        if (y < 0 || i + 19 > s.length() || s.charAt(i + 4) != '-' || s.charAt(i + 7) != '-'
                || (s.charAt(i + 10) != 'T' && s.charAt(i + 10) != 't')) {
            return -1;
        }
        int mo = digits(s, i + 5, 2);
        int d = digits(s, i + 8, 2);
        if (mo < 0 || d < 0) {
            return -1;
        }
        int k = clock(s, i + 11, st);
        if (k < 0) {
            return -1;
        }
        st.year = y;
        st.month = mo;
        st.day = d;
        st.offsetSeconds = null;
        if (k < s.length()) {
            char c = s.charAt(k);
            if (c == 'Z' || c == 'z') {
                st.offsetSeconds = 0;
                k++;
            } else if ((c == '+' || c == '-') && k + 6 <= s.length() && s.charAt(k + 3) == ':') {
                int oh = digits(s, k + 1, 2);
                int om = digits(s, k + 4, 2);
                if (oh < 0 || om < 0 || oh > 18 || om > 59) {
                    return -1;
                }
                int off = oh * 3600 + om * 60;
                st.offsetSeconds = c == '-' ? -off : off;
                k += 6;
            }
        }
        if (k < s.length() && s.charAt(k) != ' ') {
            return -1;
        }
        st.end = k;
        return k;
    }

    /** {@code [  123.456789]} at i: kernel seconds since boot; end index (after ']') or -1. */
    static int monotonicBracket(String s, int i, Stamp st) {
        if (i >= s.length() || s.charAt(i) != '[') {
            return -1;
        }
        int k = i + 1;
        while (k < s.length() && s.charAt(k) == ' ' && k - i < 16) {
            k++;
        }
        long secs = 0;
        int start = k;
        while (k < s.length() && isDigit(s.charAt(k)) && k - start < 12) {
            secs = secs * 10 + (s.charAt(k) - '0');
            k++;
        }
        if (k == start || k >= s.length() || s.charAt(k) != '.') {
            return -1;
        }
        k++;
        int fstart = k;
        long micros = 0;
        while (k < s.length() && isDigit(s.charAt(k)) && k - fstart < 9) {
            if (k - fstart < 6) {
                micros = micros * 10 + (s.charAt(k) - '0');
            }
            k++;
        }
        if (k == fstart || k >= s.length() || s.charAt(k) != ']') {
            return -1;
        }
        for (int pad = k - fstart; pad < 6; pad++) {
            micros *= 10;
        }
        st.monotonicMicros = secs * 1_000_000L + micros;
        st.end = k + 1;
        return k + 1;
    }

    /** {@code [Tue Nov 12 15:15:41 2017]} ({@code dmesg -T}) at i; end index (after ']') or -1. */
    static int ctimeBracket(String s, int i, Stamp st) {
        if (i >= s.length() || s.charAt(i) != '[' || !isDay(s, i + 1) || i + 5 > s.length()
                || s.charAt(i + 4) != ' ') {
            return -1;
        }
        int k = bsdStamp(s, i + 5, st);
        if (k < 0 || k + 6 > s.length() || s.charAt(k) != ' ') {
            return -1;
        }
        int y = digits(s, k + 1, 4);
        if (y < 0 || s.charAt(k + 5) != ']') {
            return -1;
        }
        st.year = y;
        st.end = k + 6;
        return k + 6;
    }

    /** Skips a kernel caller id ({@code [ T2438]}, {@code [    C1]}) at i: index after it and one space, else i. */
    static int skipCallerId(String s, int i) {
        if (i >= s.length() || s.charAt(i) != '[') {
            return i;
        }
        int k = i + 1;
        while (k < s.length() && s.charAt(k) == ' ' && k - i < 12) {
            k++;
        }
        if (k >= s.length() || (s.charAt(k) != 'T' && s.charAt(k) != 'C')) {
            return i;
        }
        int start = ++k;
        while (k < s.length() && isDigit(s.charAt(k)) && k - start < 10) {
            k++;
        }
        if (k == start || k >= s.length() || s.charAt(k) != ']') {
            return i;
        }
        k++;
        return k < s.length() && s.charAt(k) == ' ' ? k + 1 : k;
    }

    static LocalDateTime local(Stamp st, int year) {
        return LocalDateTime.of(year, st.month, st.day, st.hour, st.minute, st.second, st.nanos);
    }

    /** Microseconds since the epoch of a stamp that carries its own year and maybe an offset. */
    static long epochMicros(Stamp st, java.time.ZoneId zone) {
        LocalDateTime ldt = local(st, st.year);
        java.time.Instant at = st.offsetSeconds != null
                ? ldt.toInstant(ZoneOffset.ofTotalSeconds(st.offsetSeconds))
                : ldt.atZone(zone).toInstant();
        return micros(at);
    }

    static long micros(java.time.Instant at) {
        return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1000);
    }

    /** A syslog tag: {@code dockerd:}, {@code dockerd[977]:}, {@code kernel:}. */
    static boolean isTag(String token) {
        int n = token.length();
        return n >= 2 && n <= 128 && token.charAt(n - 1) == ':' && token.charAt(0) != ':' && token.charAt(0) != '['
                && token.charAt(0) != '"';
    }

    /** A DNS-ish host name or address as syslog writers print it. */
    static boolean isHostname(String token) {
        int n = token.length();
        if (n == 0 || n > 253 || token.endsWith(":")) {
            return false;
        }
        char first = token.charAt(0);
        if (!Character.isLetterOrDigit(first)) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = token.charAt(i);
            if (!(c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_' || c == ':'))) {
                return false;
            }
        }
        return true;
    }

    /** Next space-delimited token at i (i not at a space), or empty. */
    static String token(String s, int i) {
        int e = s.indexOf(' ', i);
        return s.substring(i, e < 0 ? s.length() : e);
    }

    /** Sets identifier and pid from a tag like {@code dockerd[977]:}. */
    static void applyTag(PendingEntry e, String tag) {
        String t = tag.substring(0, tag.length() - 1);
        int lb = t.lastIndexOf('[');
        if (lb > 0 && t.endsWith("]")) {
            String pid = t.substring(lb + 1, t.length() - 1);
            if (!pid.isEmpty() && pid.length() <= 9 && pid.chars().allMatch(c -> c >= '0' && c <= '9')) {
                e.pid = Integer.parseInt(pid);
                t = t.substring(0, lb);
            }
        }
        e.identifier = t;
    }

    /**
     * Splits {@code [host] [tag:] message} (what follows the stamp) into the entry. A first token that is a tag means
     * there is no host ({@code kernel: ...}); otherwise a host name, then an optional tag.
     */
    static String hostTagMessage(PendingEntry e, String s, int i) {
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        String t1 = token(s, i);
        if (isTag(t1)) {
            applyTag(e, t1);
            return rest(s, i + t1.length());
        }
        if (isDockerEvent(s, i, t1)) {
            return s.substring(i); // `docker events`: "TIME container oom ID (attrs)" names no host
        }
        if (isHostname(t1) && i + t1.length() < s.length()) {
            int j = i + t1.length() + 1;
            String t2 = token(s, j);
            e.host = t1;
            if (isTag(t2)) {
                applyTag(e, t2);
                return rest(s, j + t2.length());
            }
            return rest(s, j - 1);
        }
        return s.substring(i);
    }

    private static final java.util.Set<String> DOCKER_EVENT_TYPES = java.util.Set.of("container", "image", "volume",
            "network", "daemon", "plugin", "node", "service", "secret", "config");

    /** {@code container oom 29d7...}: an object type, then an action (a tag would end with a colon). */
    private static boolean isDockerEvent(String s, int i, String t1) {
        if (!DOCKER_EVENT_TYPES.contains(t1) || i + t1.length() + 1 >= s.length()) {
            return false;
        }
        String t2 = token(s, i + t1.length() + 1);
        if (t2.isEmpty() || t2.endsWith(":") || t2.length() > 32) {
            return false;
        }
        for (int k = 0; k < t2.length(); k++) {
            char c = t2.charAt(k);
            if (!((c >= 'a' && c <= 'z') || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** What follows position i, without the single separating space. */
    static String rest(String s, int i) {
        if (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        return i >= s.length() ? "" : s.substring(i);
    }

    /** Validates a date; DateTimeException becomes a malformed line. */
    static LocalDateTime checkedLocal(Stamp st, int year) throws MalformedEntryException {
        try {
            return local(st, year);
        } catch (DateTimeException e) {
            throw new MalformedEntryException("invalid date: " + e.getMessage());
        }
    }
}
