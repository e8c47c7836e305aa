package io.nodeincidents.logs;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;

/**
 * Parses one text line of a given shape into a {@link PendingEntry}. Returns null for a line that does not start with
 * the shape's prefix: the reader treats it as a continuation of the previous entry. Stateful (year rollover, current
 * boot), so one instance per file pass.
 */
abstract class TextLineParser {

    /** Scratch space for the stamp of the line being parsed. */
    protected final Prefixes.Stamp st = new Prefixes.Stamp();

    abstract PendingEntry parse(String line, long lineNo) throws MalformedEntryException;

    /** Whether unprefixed lines continue the previous entry (false: each line is its own entry). */
    boolean continuations() {
        return true;
    }

    /** Text appended for a continuation line (rsyslog escapes decoded where the shape has them), null to skip it. */
    String continuationText(String line) {
        return line.strip();
    }

    static TextLineParser forFormat(LogFormat format, ReadOptions options, Clock clock) {
        return switch (format) {
            case SYSLOG -> new Syslog(options, clock);
            case DMESG -> new Dmesg(options.zone());
            case KMSG -> new Kmsg();
            case SHORT_MONOTONIC -> new ShortMonotonic();
            case BARE -> new Bare();
            default -> throw new IllegalArgumentException("not a text line format: " + format);
        };
    }

    static int skipIndent(String s) {
        int i = 0;
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    /** rsyslog writes control characters as {@code #ooo}: {@code #012} is an embedded newline, {@code #011} a tab. */
    static String decodeRsyslogEscapes(String s) {
        int i = s.indexOf("#01");
        if (i < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        int from = 0;
        while (i >= 0) {
            if (i + 3 < s.length() && (s.charAt(i + 3) == '2' || s.charAt(i + 3) == '1')) {
                sb.append(s, from, i).append(s.charAt(i + 3) == '2' ? '\n' : '\t');
                from = i + 4;
            }
            i = s.indexOf("#01", i + 3);
        }
        return sb.append(s, from, s.length()).toString();
    }

    /** Syslog text: RFC 3164 (with or without host, optional PRI), RFC 5424, RFC 3339 stamped lines. */
    static final class Syslog extends TextLineParser {
        private final ReadOptions options;
        private final Clock clock;
        private final int[] pri = new int[1];
        private Integer year;
        private int lastMonth;

        Syslog(ReadOptions options, Clock clock) {
            this.options = options;
            this.clock = clock;
        }

        @Override
        PendingEntry parse(String s, long lineNo) throws MalformedEntryException {
            int i = skipIndent(s);
            int p = Prefixes.pri(s, i, pri);
            Integer priority = p > 0 ? pri[0] & 7 : null;
            i += p;
            PendingEntry e;
            if (p > 0 && s.startsWith("1 ", i)) {
                e = rfc5424(s, i + 2, lineNo);
            } else if (Prefixes.bsdStamp(s, i, st) >= 0) {
                LocalDateTime ldt = Prefixes.checkedLocal(st, yearFor(st));
                e = new PendingEntry(lineNo, "");
                e.realtimeMicros = micros(ldt);
                e.message.append(decodeRsyslogEscapes(Prefixes.hostTagMessage(e, s, st.end)));
            } else if (Prefixes.rfc3339(s, i, st) >= 0) {
                e = new PendingEntry(lineNo, "");
                e.realtimeMicros = epochMicros();
                e.message.append(decodeRsyslogEscapes(Prefixes.hostTagMessage(e, s, st.end)));
            } else if (p > 0) {
                throw new MalformedEntryException("syslog priority without a timestamp");
            } else {
                return null;
            }
            if (priority != null) {
                e.priority = priority;
                e.facility = pri[0] >> 3;
            }
            if ("kernel".equals(e.identifier)) {
                kernelStamp(e);
            }
            return e;
        }

        /** {@code TS HOST APP PROCID MSGID SD [MSG]}, {@code -} for nil. */
        private PendingEntry rfc5424(String s, int i, long lineNo) throws MalformedEntryException {
            PendingEntry e = new PendingEntry(lineNo, "");
            String ts = Prefixes.token(s, i);
            if (!ts.equals("-")) {
                if (Prefixes.rfc3339(s, i, st) < 0) {
                    throw new MalformedEntryException("RFC 5424 line with invalid timestamp '" + ts + "'");
                }
                e.realtimeMicros = epochMicros();
            }
            i += ts.length() + 1;
            String[] header = new String[4];
            for (int h = 0; h < 4; h++) {
                if (i > s.length()) {
                    throw new MalformedEntryException("RFC 5424 header cut short");
                }
                header[h] = Prefixes.token(s, Math.min(i, s.length()));
                i += header[h].length() + 1;
            }
            e.host = nil(header[0]);
            e.identifier = nil(header[1]);
            String procId = nil(header[2]);
            if (procId != null && procId.length() <= 9 && procId.chars().allMatch(c -> c >= '0' && c <= '9')) {
                e.pid = Integer.parseInt(procId);
            }
            if (i > s.length()) {
                throw new MalformedEntryException("RFC 5424 line without structured data");
            }
            i = skipStructuredData(s, i);
            String msg = Prefixes.rest(s, i);
            if (msg.startsWith("\uFEFF")) {
                msg = msg.substring(1);
            }
            e.message.append(decodeRsyslogEscapes(msg));
            return e;
        }

        private static String nil(String v) {
            return v.isEmpty() || v.equals("-") ? null : v;
        }

        /** Index after the SD field: {@code -} or {@code [id k="v\]"]...}. Linear, escape-aware. */
        private static int skipStructuredData(String s, int i) throws MalformedEntryException {
            if (i < s.length() && s.charAt(i) == '-') {
                return i + 1;
            }
            while (i < s.length() && s.charAt(i) == '[') {
                boolean quoted = false;
                int k = i + 1;
                for (; k < s.length(); k++) {
                    char c = s.charAt(k);
                    if (quoted && c == '\\') {
                        k++;
                    } else if (c == '"') {
                        quoted = !quoted;
                    } else if (c == ']' && !quoted) {
                        break;
                    }
                }
                if (k >= s.length()) {
                    throw new MalformedEntryException("RFC 5424 structured data not closed");
                }
                i = k + 1;
            }
            return i;
        }

        private int yearFor(Prefixes.Stamp stamp) {
            if (year == null) {
                if (options.year() != null) {
                    year = options.year();
                } else {
                    Instant now = clock.instant();
                    int y = now.atZone(options.zone()).getYear();
                    try {
                        Instant at = Prefixes.local(stamp, y).atZone(options.zone()).toInstant();
                        if (at.isAfter(now.plusSeconds(86_400))) {
                            y--;
                        }
                    } catch (DateTimeException e) {
                        // Feb 29 in a non-leap year: the date check after this reports the line
                    }
                    year = y;
                }
            } else if (stamp.month < lastMonth - 6) {
                year++; // the log went over New Year (Dec -> Jan)
            }
            lastMonth = stamp.month;
            return year;
        }

        private long micros(LocalDateTime ldt) {
            return Prefixes.micros(ldt.atZone(options.zone()).toInstant());
        }

        private long epochMicros() throws MalformedEntryException {
            try {
                return Prefixes.epochMicros(st, options.zone());
            } catch (DateTimeException | ArithmeticException e) {
                throw new MalformedEntryException("invalid timestamp: " + e.getMessage());
            }
        }

        /** Older rsyslog/klogd keep the kernel's own {@code [  123.456]} stamp in the message: lift it out. */
        private void kernelStamp(PendingEntry e) {
            String m = e.message.toString();
            int end = Prefixes.monotonicBracket(m, 0, st);
            if (end > 0) {
                e.monotonicMicros = st.monotonicMicros;
                e.message.setLength(0);
                e.message.append(Prefixes.rest(m, end));
            }
        }

        @Override
        String continuationText(String line) {
            return decodeRsyslogEscapes(line.strip());
        }
    }

    /** {@code dmesg}: {@code [  123.456789] msg}; {@code dmesg -T}: {@code [Tue Nov 12 15:15:41 2017] msg}. */
    static final class Dmesg extends TextLineParser {
        private final ZoneId zone;

        Dmesg(ZoneId zone) {
            this.zone = zone;
        }

        @Override
        PendingEntry parse(String s, long lineNo) throws MalformedEntryException {
            int i = skipIndent(s);
            PendingEntry e;
            int end;
            if ((end = Prefixes.monotonicBracket(s, i, st)) > 0) {
                e = kernelEntry(lineNo);
                e.monotonicMicros = st.monotonicMicros;
            } else if ((end = Prefixes.ctimeBracket(s, i, st)) > 0) {
                e = kernelEntry(lineNo);
                st.offsetSeconds = null;
                try {
                    e.realtimeMicros = Prefixes.epochMicros(st, zone);
                } catch (DateTimeException | ArithmeticException ex) {
                    throw new MalformedEntryException("invalid date: " + ex.getMessage());
                }
            } else {
                return null;
            }
            int from = end < s.length() && s.charAt(end) == ' ' ? end + 1 : end;
            from = Prefixes.skipCallerId(s, from);
            // journalctl -o short-monotonic --no-hostname: "[  123.4] kernel: msg", "[  123.4] earlyoom[847]: msg"
            if (s.startsWith("kernel: ", from)) {
                from += "kernel: ".length();
            } else {
                String tag = Prefixes.token(s, from);
                if (isProcessTag(tag)) {
                    e.transport = null;
                    e.identifier = null;
                    Prefixes.applyTag(e, tag);
                    from += tag.length() + 1;
                }
            }
            e.message.append(from >= s.length() ? "" : s.substring(from));
            return e;
        }
    }

    /** {@code name[1234]:}: a user-space process, never the kernel (whose "runc:[1:CHILD]:" holds no pid). */
    static boolean isProcessTag(String tag) {
        int open = tag.lastIndexOf('[');
        if (open <= 0 || !tag.endsWith("]:") || tag.length() - open < 4 || !Prefixes.isTag(tag)) {
            return false;
        }
        for (int k = open + 1; k < tag.length() - 2; k++) {
            if (!Prefixes.isDigit(tag.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    static PendingEntry kernelEntry(long lineNo) {
        PendingEntry e = new PendingEntry(lineNo, "");
        e.transport = "kernel";
        e.identifier = "kernel";
        return e;
    }

    /** Raw kernel ring buffer: {@code <4>[  123.456] [ T2438] msg} and /dev/kmsg records {@code 4,1234,123456789,-;msg}. */
    static final class Kmsg extends TextLineParser {
        private final int[] pri = new int[1];
        private boolean inRecord;

        @Override
        PendingEntry parse(String s, long lineNo) throws MalformedEntryException {
            if (inRecord && !s.isEmpty() && s.charAt(0) == ' ') {
                return null; // a /dev/kmsg dictionary line (" SUBSYSTEM=pci"): see continuationText
            }
            int p = Prefixes.pri(s, 0, pri);
            if (p > 0) {
                int end = Prefixes.monotonicBracket(s, p, st);
                if (end < 0) {
                    throw new MalformedEntryException("kernel priority without a [seconds] stamp");
                }
                inRecord = false;
                PendingEntry e = kernelEntry(lineNo);
                e.priority = pri[0] & 7;
                e.facility = pri[0] >> 3;
                e.monotonicMicros = st.monotonicMicros;
                int from = end < s.length() && s.charAt(end) == ' ' ? end + 1 : end;
                e.message.append(s.substring(Prefixes.skipCallerId(s, from)));
                return e;
            }
            return record(s, lineNo);
        }

        /** {@code prio,seq,usec,flags[,more];message} as read from /dev/kmsg. */
        private PendingEntry record(String s, long lineNo) throws MalformedEntryException {
            int semi = s.indexOf(';');
            if (semi <= 0 || semi > 256 || !Prefixes.isDigit(s.charAt(0))) {
                inRecord = false;
                return null;
            }
            String[] head = s.substring(0, semi).split(",", 6);
            if (head.length < 3) {
                inRecord = false;
                return null;
            }
            long prio = number(head[0]);
            long usec = number(head[2]);
            if (prio < 0 || number(head[1]) < 0 || usec < 0) {
                inRecord = false;
                return null;
            }
            inRecord = true;
            PendingEntry e = kernelEntry(lineNo);
            e.priority = (int) (prio & 7);
            e.facility = (int) Math.min(prio >> 3, Integer.MAX_VALUE);
            e.monotonicMicros = usec;
            e.message.append(unescapeKmsg(s.substring(semi + 1)));
            return e;
        }

        private static long number(String t) {
            if (t.isEmpty() || t.length() > 18) {
                return -1;
            }
            long v = 0;
            for (int i = 0; i < t.length(); i++) {
                char c = t.charAt(i);
                if (!Prefixes.isDigit(c)) {
                    return -1;
                }
                v = v * 10 + (c - '0');
            }
            return v;
        }

        /** /dev/kmsg escapes non-printable bytes (and backslash) as {@code \xNN}. */
        static String unescapeKmsg(String s) {
            if (s.indexOf("\\x") < 0) {
                return s;
            }
            StringBuilder sb = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\\' && i + 3 < s.length() && s.charAt(i + 1) == 'x' && hex(s.charAt(i + 2)) >= 0
                        && hex(s.charAt(i + 3)) >= 0) {
                    sb.append((char) (hex(s.charAt(i + 2)) * 16 + hex(s.charAt(i + 3))));
                    i += 3;
                } else {
                    sb.append(c);
                }
            }
            return sb.toString();
        }

        private static int hex(char c) {
            return Character.digit(c, 16);
        }

        /** Dictionary lines of a /dev/kmsg record are metadata (device, subsystem), not message text: null. */
        @Override
        String continuationText(String line) {
            return inRecord && line.startsWith(" ") ? null : line.strip();
        }
    }

    /** {@code journalctl -o short-monotonic}: {@code [  123.456789] host ident[pid]: msg}. */
    static final class ShortMonotonic extends TextLineParser {
        @Override
        PendingEntry parse(String s, long lineNo) {
            int i = skipIndent(s);
            int end = Prefixes.monotonicBracket(s, i, st);
            if (end < 0) {
                return null;
            }
            PendingEntry e = new PendingEntry(lineNo, "");
            e.monotonicMicros = st.monotonicMicros;
            e.message.append(Prefixes.hostTagMessage(e, s, end));
            if ("kernel".equals(e.identifier)) {
                e.transport = "kernel";
            }
            return e;
        }
    }

    /** Message bodies with no prefix: every non-empty line is an entry. */
    static final class Bare extends TextLineParser {
        @Override
        PendingEntry parse(String s, long lineNo) {
            return new PendingEntry(lineNo, s);
        }

        @Override
        boolean continuations() {
            return false;
        }
    }
}
