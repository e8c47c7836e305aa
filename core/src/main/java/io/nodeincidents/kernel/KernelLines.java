package io.nodeincidents.kernel;

import io.nodeincidents.kernel.memory.Numbers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small parsers for lines every kernel dump shares: stack frames, the task/version line, key=value fields. */
final class KernelLines {

    /** Longest line kept; real report lines are under ~1200 characters. */
    static final int MAX_LINE = 2048;
    static final int MAX_FRAMES = 64;

    // Bounded: "[ 1234.567890] " dmesg stamp some readers leave in.
    private static final Pattern DMESG_STAMP = Pattern.compile("^\\[ {0,12}\\d{1,12}\\.\\d{1,9}\\] ?");

    private KernelLines() {
    }

    /** One continuation piece as kept: no dmesg stamp, no surrounding whitespace, bounded length. */
    static String normalize(String piece) {
        String s = piece.length() > MAX_LINE ? piece.substring(0, MAX_LINE) : piece;
        if (s.startsWith("[") && s.length() > 3 && (s.charAt(1) == ' ' || Character.isDigit(s.charAt(1)))) {
            Matcher m = DMESG_STAMP.matcher(s);
            if (m.find()) {
                s = s.substring(m.end());
            }
        }
        return s.strip();
    }

    /**
     * Splits a message into its pieces: '\n' (rsyslog #012 decoded by the readers), a literal "#012", and the OOM
     * killer's one-line messages glued to what precedes them without a break ("Killed process 1 (a)Out of memory:
     * kill process 2 (b) score 3 or a childKilled process 2 (b)": old kernels' unlocked printk, or a paste).
     */
    static List<String> pieces(String message) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int n = message.length();
        for (int i = 0; i < n; i++) {
            char c = message.charAt(i);
            if (c == '\n') {
                unglue(message.substring(start, i), out);
                start = i + 1;
            } else if (c == '#' && message.startsWith("#012", i)) {
                unglue(message.substring(start, i), out);
                start = i + 4;
                i += 3;
            }
        }
        unglue(message.substring(start), out);
        return out;
    }

    // Messages that start a line of their own; glued when a character other than a space precedes them.
    private static final String[] OOM_MESSAGES = {"Killed process ", "Out of memory: ", "Out of Memory: ",
            "Memory cgroup out of memory: ", "oom-kill:constraint="};
    private static final int MAX_GLUED = 8;

    /** Adds {@code piece} to {@code out}, split before each glued OOM message (bounded). */
    private static void unglue(String piece, List<String> out) {
        if (piece.indexOf("process ") < 0 && piece.indexOf("emory: ") < 0 && piece.indexOf("oom-kill:") < 0) {
            out.add(piece);
            return;
        }
        int[] cuts = new int[MAX_GLUED];
        int count = 0;
        for (String m : OOM_MESSAGES) {
            for (int i = piece.indexOf(m, 1); i > 0 && count < MAX_GLUED; i = piece.indexOf(m, i + m.length())) {
                if (piece.charAt(i - 1) != ' ') {
                    cuts[count++] = i;
                }
            }
        }
        if (count == 0) {
            out.add(piece);
            return;
        }
        Arrays.sort(cuts, 0, count);
        int from = 0;
        for (int k = 0; k < count; k++) {
            out.add(piece.substring(from, cuts[k]));
            from = cuts[k];
        }
        out.add(piece.substring(from));
    }

    /**
     * The function name of a stack frame line ("[&lt;ffffffff81685fac&gt;] dump_stack+0x19/0x1b",
     * "dump_stack_lvl+0x48/0x70", "nf_conntrack_init_net+0x101/0x250 [nf_conntrack]"), with compiler clone
     * suffixes removed; prefixed with '?' for unreliable frames; null when the line is not a frame.
     */
    static String frame(String line) {
        int i = 0;
        int n = line.length();
        if (line.startsWith("<")) {
            // 2.6/3.x print "<IRQ>  [<addr>] ? fn+0x../0x.." and "<EOI>  [<addr>] fn.." on one line.
            int close = line.indexOf('>');
            if (close < 0 || close > 8) {
                return null;
            }
            i = close + 1;
            while (i < n && line.charAt(i) == ' ') {
                i++;
            }
        }
        if (line.startsWith("[<", i)) {
            int close = line.indexOf(">]", i);
            if (close < 0 || close - i > 24) {
                return null;
            }
            i = close + 2;
            while (i < n && line.charAt(i) == ' ') {
                i++;
            }
        }
        boolean unreliable = false;
        if (line.startsWith("? ", i)) {
            unreliable = true;
            i += 2;
        }
        int start = i;
        while (i < n && i - start <= 128) {
            char c = line.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '$')) {
                break;
            }
            i++;
        }
        if (i == start || !line.startsWith("+0x", i) || line.indexOf("/0x", i) < 0) {
            return null;
        }
        String name = line.substring(start, i);
        int dot = name.indexOf('.');
        if (dot > 0) {
            name = name.substring(0, dot);
        }
        return unreliable ? "?" + name : name;
    }

    /** "&lt;TASK&gt;", "&lt;/IRQ&gt;", "&lt;EOI&gt;" and similar markers inside a call trace. */
    static boolean isTraceMarker(String line) {
        return line.length() <= 12 && line.startsWith("<") && line.endsWith(">");
    }

    /** The first call trace of {@code lines}: reliable function names, innermost first, bounded. */
    static List<String> callTrace(List<String> lines) {
        List<String> trace = new ArrayList<>();
        boolean inTrace = false;
        for (String line : lines) {
            if (!inTrace) {
                inTrace = line.startsWith("Call Trace:");
                continue;
            }
            String f = frame(line);
            if (f == null) {
                if (isTraceMarker(line)) {
                    continue;
                }
                if (!trace.isEmpty()) {
                    break;
                }
                continue;
            }
            if (!f.startsWith("?") && trace.size() < MAX_FRAMES) {
                trace.add(f);
            }
        }
        return trace;
    }

    /** The task line of a dump ("CPU: 1 PID: 18377 Comm: exe Not tainted 3.10.0-514.el7.x86_64 #1"). */
    record TaskLine(Integer pid, String comm, String kernelVersion) {
    }

    /**
     * Parses the CPU/PID/Comm line of 3.x-6.x or the "Pid: N, comm: x" line of 2.6, or returns null. A CPU line cut
     * by a paste right after its pid ("CPU: 6 PID: 544614 Comm") gives the pid alone.
     */
    static TaskLine taskLine(String line) {
        int cpu = line.indexOf("CPU: ");
        String pidKey;
        String commKey;
        int base;
        if (cpu >= 0 && line.indexOf(" PID: ", cpu) > 0 && line.indexOf(" Comm: ", cpu) > 0) {
            base = cpu;
            pidKey = " PID: ";
            commKey = " Comm: ";
        } else if (line.startsWith("Pid: ") && line.contains(", comm: ")) {
            base = 0;
            pidKey = "Pid: ";
            commKey = ", comm: ";
        } else if (line.startsWith("CPU: ") && line.indexOf(" PID: ") >= 0 && line.indexOf(" PID: ") <= 32) {
            base = 0;
            pidKey = " PID: ";
            commKey = null;
        } else {
            return null;
        }
        int p = line.indexOf(pidKey, base) + pidKey.length();
        int pe = p;
        while (pe < line.length() && pe - p < 10 && Character.isDigit(line.charAt(pe))) {
            pe++;
        }
        Long pid = Numbers.parseUnsigned(line, p, pe);
        if (commKey == null) {
            // cut by a paste: only what could start " Comm:" may follow the pid
            String rest = line.substring(pe);
            return pid != null && pid <= Integer.MAX_VALUE && rest.length() <= " Comm:".length()
                    && " Comm:".startsWith(rest) ? new TaskLine(pid.intValue(), null, null) : null;
        }
        int c = line.indexOf(commKey, base) + commKey.length();
        int ce = line.length();
        for (String stop : new String[]{" Not tainted", " Tainted:", " Kdump:"}) {
            int s = line.indexOf(stop, c);
            if (s >= 0 && s < ce) {
                ce = s;
            }
        }
        String comm = ce - c > 64 ? null : line.substring(c, ce);
        String version = null;
        int t = line.indexOf("Not tainted ", c);
        int tl = "Not tainted ".length();
        if (t < 0) {
            t = line.indexOf("Tainted: ", c);
            tl = "Tainted: ".length();
        }
        if (t >= 0) {
            for (String token : line.substring(t + tl).trim().split(" +", 24)) {
                if (token.length() >= 3 && token.length() <= 96 && Character.isDigit(token.charAt(0))
                        && token.indexOf('.') > 0) {
                    version = token;
                    break;
                }
            }
        }
        return new TaskLine(pid == null || pid > Integer.MAX_VALUE ? null : pid.intValue(), comm, version);
    }

    /**
     * The value after {@code key} ("order:", "gfp_mask=") where the key starts the line or follows ' ', ',' or
     * ':', up to the first of {@code stops} (or the end), at most 512 characters; null when absent.
     */
    static String field(String line, String key, String stops) {
        int from = 0;
        while (true) {
            int i = line.indexOf(key, from);
            if (i < 0) {
                return null;
            }
            char before = i == 0 ? ' ' : line.charAt(i - 1);
            if (before == ' ' || before == ',' || before == ':') {
                int s = i + key.length();
                int e = s;
                while (e < line.length() && e - s < 512 && stops.indexOf(line.charAt(e)) < 0) {
                    e++;
                }
                return line.substring(s, e);
            }
            from = i + 1;
        }
    }

    /** Leading decimal digits (with an optional '-') of {@code value}, as an Integer, or null. */
    static Integer leadingInt(String value) {
        if (value == null) {
            return null;
        }
        int e = value.startsWith("-") ? 1 : 0;
        while (e < value.length() && e < 11 && Character.isDigit(value.charAt(e))) {
            e++;
        }
        return Numbers.parseInt(value.substring(0, e));
    }

    /** Whether {@code line} belongs to a dump_stack() printout (task line, hardware, hex words, trace, registers). */
    static boolean isDumpStackLine(String line) {
        if (line.isEmpty() || line.startsWith("Call Trace:") || line.startsWith("Hardware name:")
                || isTraceMarker(line) || frame(line) != null || taskLine(line) != null) {
            return true;
        }
        if (REGISTERS.matcher(line).lookingAt()) {
            return true;
        }
        return isHexWords(line);
    }

    // "RIP: 0033:0x7f..", "RSP: 002b:..", "RAX: ..", "R10: ..", "Code: ..": the user-space entry registers.
    private static final Pattern REGISTERS = Pattern.compile("(?:R[A-Z0-9]{1,3}|Code|CS|DS|ES|FS|GS|CR[0-4]): ");

    private static boolean isHexWords(String line) {
        int words = 0;
        int len = 0;
        for (int i = 0; i <= line.length(); i++) {
            char c = i < line.length() ? line.charAt(i) : ' ';
            if (c == ' ') {
                if (len > 0) {
                    if (len < 8 || len > 16) {
                        return false;
                    }
                    words++;
                }
                len = 0;
            } else if (Character.digit(c, 16) >= 0) {
                len++;
            } else {
                return false;
            }
        }
        return words > 0;
    }
}
