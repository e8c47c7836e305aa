package io.nodeincidents.kernel;

import io.nodeincidents.kernel.oom.OomScope;
import io.nodeincidents.kernel.oom.OomTaskTable;

/**
 * Parses the OOM killer's one-line messages in the forms kernels printed from 2.6 to 6.x, by hand and bounded:
 * <ul>
 *   <li>the kill: "Killed process N (x)" with an era-dependent prefix ("Out of Memory:" 2.6.15, "Out of memory:",
 *   "No available memory in cpuset:", "No available memory (MPOL_BIND):", "Memory cgroup out of memory:",
 *   "Out of memory (oom_kill_allocating_task):") and tail (nothing, ".", "vsz:", "total-vm:.. UID:..");
 *   RHEL 6 "Killed process N, UID U, (x)";</li>
 *   <li>the selection: "Kill process N (x) score S and children." (2.6.1x), "kill process N (x) score S or a child"
 *   (2.6.2x), "Kill process N (x) score S or sacrifice child" (2.6.3x-5.0);</li>
 *   <li>the 4.19+ summary: "oom-kill:constraint=C,nodemask=..[,cpuset=..,mems_allowed=..][,oom_memcg=..|,global_oom]
 *   [,task_memcg=..],task=x,pid=N,uid=U".</li>
 * </ul>
 * A pasted line may carry runs of spaces where a mail client or terminal wrapped it and a reader joined it again,
 * so the kill and selection lines are read with space runs squeezed. A comm may itself hold parentheses
 * ("(sd-pam)" prints as "((sd-pam))"), spaces, colons, brackets or commas.
 */
final class OomLines {

    /** Longest comm kept: the kernel's is 15 bytes, a reader's decoding may widen it. */
    static final int MAX_COMM = 64;
    /** Longest line looked at; real OOM one-liners are well under this. */
    private static final int MAX_TEXT = 2048;
    /** How many "Killed process" occurrences in one (glued) line are tried. */
    private static final int MAX_TRIES = 4;
    /** Longest end of a line a wrap may have cut a kill line in: "Killed process N (" and a comm. */
    private static final int MAX_CUT_TAIL = 100;

    private OomLines() {
    }

    /** A kill line; {@code message} is the prefix before "Killed process" ("Out of memory"), or null. */
    record Killed(int pid, String comm, Long uid, Long totalVmKb, Long anonRssKb, Long fileRssKb, Long shmemRssKb,
                  String message) {
    }

    /** A selection line ("Kill process N (x) score S ..."); the victim may still be a child of it. */
    record Candidate(int pid, String comm, Long score, String message) {
    }

    /** The 4.19+ one-line summary; task, pid and uid are null when the line was cut before them. */
    record Summary(OomScope constraint, String oomMemcg, String taskMemcg, String task, Integer pid, Long uid) {
    }

    /** The kill named by {@code line}, or null (also for "Killed process N (x) sharing same memory"). */
    static Killed killed(String line) {
        if (line.indexOf("process") < 0 || line.indexOf("Killed") < 0) {
            return null;
        }
        String s = squeeze(line);
        int from = 0;
        for (int tries = 0; tries < MAX_TRIES; tries++) {
            int k = s.indexOf("Killed process ", from);
            if (k < 0) {
                return null;
            }
            Killed parsed = killedAt(s, k);
            if (parsed != null) {
                return parsed;
            }
            from = k + 1;
        }
        return null;
    }

    private static Killed killedAt(String s, int k) {
        int i = k + "Killed process ".length();
        int e = digits(s, i, 10);
        if (e == i) {
            return null;
        }
        Integer pid = toInt(s, i, e);
        Long uid = null;
        i = e;
        // RHEL 6: "Killed process 16944, UID 0, (mingetty)"
        if (s.startsWith(", UID ", i)) {
            int u = i + ", UID ".length();
            int ue = digits(s, u, 10);
            if (ue == u || !s.startsWith(",", ue)) {
                return null;
            }
            uid = toLong(s, u, ue);
            i = ue + 1;
        }
        if (!s.startsWith(" (", i)) {
            return null;
        }
        i += 2;
        int close = closeParen(s, i);
        if (pid == null || close < 0) {
            return null;
        }
        String tail = s.substring(close + 1, Math.min(s.length(), close + 1 + 320));
        if (tail.startsWith(" sharing same memory")) {
            return null;
        }
        Long totalVm = kb(tail, "total-vm:");
        return new Killed(pid, s.substring(i, close), uid != null ? uid : kb(tail, "UID:"),
                totalVm != null ? totalVm : kb(tail, "vsz:"), kb(tail, "anon-rss:"), kb(tail, "file-rss:"),
                kb(tail, "shmem-rss:"), message(s, k));
    }

    /** The selection named by {@code line}, or null. */
    static Candidate candidate(String line) {
        if (line.indexOf("process") < 0 || line.indexOf("ill") < 0) {
            return null;
        }
        String s = squeeze(line);
        int from = 0;
        for (int tries = 0; tries < MAX_TRIES; tries++) {
            int k = s.indexOf("ill process ", from);
            if (k < 1) {
                return null;
            }
            from = k + 1;
            char c = s.charAt(k - 1);
            if (c != 'K' && c != 'k') {
                continue;
            }
            int i = k + "ill process ".length();
            int e = digits(s, i, 10);
            if (e == i || !s.startsWith(" (", e)) {
                continue;
            }
            Integer pid = toInt(s, i, e);
            int close = closeParen(s, e + 2);
            if (pid == null || close < 0 || !s.startsWith(" score ", close + 1)) {
                continue;
            }
            int sc = close + 1 + " score ".length();
            int sd = s.startsWith("-", sc) ? sc + 1 : sc;
            int se = digits(s, sd, 10);
            if (se == sd) {
                continue;
            }
            return new Candidate(pid, s.substring(e + 2, close), toLong(s, sc, se), message(s, k - 1));
        }
        return null;
    }

    /**
     * Whether {@code line} ends in a kill or selection line a wrap cut short ("Out of memory: Killed", "..Killed
     * process", "..Killed process 1968", "..Killed process 1968 (memk", "..Kill process 1848 (named) score"), so
     * that the next line may continue it.
     */
    static boolean isCut(String line) {
        int n = line.length();
        if (n > MAX_TEXT) {
            return false;
        }
        int k = Math.max(line.lastIndexOf("Kill"), line.lastIndexOf("kill"));
        if (k < 0 || n - k > MAX_CUT_TAIL || k > 0 && line.charAt(k - 1) != ' ' || killed(line) != null
                || candidate(line) != null) {
            return false;
        }
        String tail = squeeze(line.substring(k));
        boolean kill = !tail.startsWith("Killed");
        int i = kill ? 4 : 6;
        if (i == tail.length()) {
            return true;
        }
        if (!tail.startsWith(" process", i)) {
            return false;
        }
        i += " process".length();
        if (i == tail.length()) {
            return true;
        }
        int d = digits(tail, i + 1, 10);
        if (tail.charAt(i) != ' ' || d == i + 1) {
            return false;
        }
        if (d == tail.length()) {
            return true;
        }
        if (!tail.startsWith(" (", d)) {
            return false;
        }
        int close = closeParen(tail, d + 2);
        if (close < 0) {
            return true;
        }
        String after = tail.substring(close + 1);
        return kill && (after.isEmpty() || after.equals(" score"));
    }

    /**
     * Whether a cut kill or selection line can start a report on its own: the kernel's message before it says an
     * OOM kill happened, so the line is one even if the paste lost the rest.
     */
    static boolean isCutKill(String line) {
        if (line.indexOf("emory") < 0 || !isCut(line)) {
            return false;
        }
        int k = Math.max(line.lastIndexOf("Kill"), line.lastIndexOf("kill"));
        String before = line.substring(Math.max(0, k - 80), k);
        return before.endsWith(": ") && constraintOf(before) != null;
    }

    /**
     * {@code cut} continued by {@code next} when {@code next} continues the kill or selection line {@code cut}
     * ends in, else null. A cut inside the parenthesized comm is a terminal's and is joined as is; any other a
     * mail client's, made at a space.
     */
    static String continueCut(String cut, String next) {
        // a line that is a message of its own (or a task table row) is no continuation, nor continued
        if (next.isEmpty() || next.length() > MAX_TEXT || !isCut(cut) || OomTaskTable.isRow(cut)
                || ReportStarts.classify(next) != null) {
            return null;
        }
        int k = Math.max(cut.lastIndexOf("Kill"), cut.lastIndexOf("kill"));
        int open = cut.indexOf('(', k);
        boolean inComm = open >= 0 && cut.indexOf(')', open) < 0;
        String joined = inComm ? cut + next : cut + " " + next;
        return killed(joined) != null || candidate(joined) != null || isCut(joined) ? joined : null;
    }

    /** Where the 4.19+ summary starts in {@code line} (a prefix left by a reader is allowed), or -1. */
    static int summaryAt(String line) {
        int i = line.indexOf("oom-kill:");
        if (i < 0) {
            return -1;
        }
        return i == 0 || line.startsWith("constraint=", i + "oom-kill:".length()) ? i : -1;
    }

    /** The summary in {@code line}, or null when there is none. */
    static Summary summary(String line) {
        int at = summaryAt(line);
        if (at < 0) {
            return null;
        }
        String s = line.length() - at > MAX_TEXT ? line.substring(at, at + MAX_TEXT) : line.substring(at);
        OomScope constraint = OomScope.fromKernel(KernelLines.field(s, "constraint=", ","));
        // ",task=%s,pid=%d,uid=%d" ends the line; the comm may hold commas, so it is found from the end
        int pidAt = -1;
        int pidEnd = -1;
        for (int p = s.lastIndexOf(",pid="); p > 0 && pidAt < 0; p = s.lastIndexOf(",pid=", p - 1)) {
            int d = p + ",pid=".length();
            int e = digits(s, d, 10);
            if (e > d && (e == s.length() || s.startsWith(",uid=", e))) {
                pidAt = p;
                pidEnd = e;
            }
        }
        int taskAt = pidAt > 0 ? s.lastIndexOf(",task=", pidAt) : -1;
        if (taskAt > 0 && pidAt - taskAt - ",task=".length() > MAX_COMM) {
            taskAt = -1;
        }
        if (taskAt < 0 && s.indexOf(' ') > 0) {
            // a line wrapped mid-field and joined again with a space: the summary itself holds no spaces
            // outside odd cgroup or task names, which such a join would have broken anyway
            Summary joined = summary(s.replace(" ", ""));
            if (joined != null && joined.pid() != null) {
                return joined;
            }
        }
        // the memcg paths come in this order right before ",task=" and may hold commas themselves (a wrap joined
        // again may have left a space after the comma before a field)
        int end = taskAt > 0 ? taskAt : s.length();
        int taskMemcgAt = fieldBefore(s, "task_memcg=", end);
        String taskMemcg = taskMemcgAt < 0 ? null : s.substring(taskMemcgAt + "task_memcg=".length(), end);
        int oomEnd = taskMemcgAt < 0 ? end : taskMemcgAt;
        int oomMemcgAt = fieldBefore(s, "oom_memcg=", oomEnd);
        String oomMemcg = oomMemcgAt < 0 ? null : s.substring(oomMemcgAt + "oom_memcg=".length(), oomEnd);
        oomMemcg = oomMemcg == null ? null : oomMemcg.stripTrailing();
        oomMemcg = oomMemcg != null && oomMemcg.endsWith(",") ? oomMemcg.substring(0, oomMemcg.length() - 1) : oomMemcg;
        if (taskAt < 0) {
            // cut before the task: the paths end at the next field
            return new Summary(constraint, cut(oomMemcg), cut(taskMemcg), null, null, null);
        }
        String task = s.substring(taskAt + ",task=".length(), pidAt);
        Integer pid = toInt(s, pidAt + ",pid=".length(), pidEnd);
        Long uid = null;
        if (s.startsWith(",uid=", pidEnd)) {
            int u = pidEnd + ",uid=".length();
            uid = toLong(s, u, digits(s, u, 10));
        }
        return new Summary(constraint, oomMemcg, taskMemcg, task, pid, uid);
    }

    /** The last "key" before {@code end} that follows a ',' (or ", "), or -1. */
    private static int fieldBefore(String s, String key, int end) {
        int i = s.lastIndexOf(key, end - key.length());
        if (i <= 0) {
            return -1;
        }
        char before = s.charAt(i - 1);
        return before == ',' || before == ' ' && i >= 2 && s.charAt(i - 2) == ',' ? i : -1;
    }

    private static String cut(String path) {
        if (path == null) {
            return null;
        }
        int comma = path.indexOf(',');
        return comma < 0 ? path : path.substring(0, comma);
    }

    /**
     * The constraint a kill or selection message names: the message is the kernel's own choice of words per
     * constraint, so "Out of memory" (any case) is system-wide even on kernels that printed no constraint.
     */
    static OomScope constraintOf(String message) {
        if (message == null) {
            return null;
        }
        if (message.contains("Memory cgroup out of memory")) {
            return OomScope.MEMCG;
        }
        if (message.contains("(MPOL_BIND)")) {
            return OomScope.MEMORY_POLICY;
        }
        if (message.contains("No available memory in cpuset")) {
            return OomScope.CPUSET;
        }
        if (isOutOfMemory(message)) {
            return OomScope.GLOBAL;
        }
        return null;
    }

    /** "Out of memory" or 2.6's "Out of Memory" (not TCP's lower-case "out of memory"). */
    static boolean isOutOfMemory(String text) {
        return text.contains("Out of memory") || text.contains("Out of Memory");
    }

    /**
     * The index of the parenthesis closing a comm that starts at {@code from}: the first ')' that balances the
     * comm's own parentheses ("((sd-pam))" holds "(sd-pam)"; "(x)Out of memory: .." glued holds "x"), taken past
     * any ')' right after it; else the first ')'. -1 when none lies within {@link #MAX_COMM}.
     */
    static int closeParen(String s, int from) {
        int limit = Math.min(s.length(), from + MAX_COMM + 1);
        int depth = 0;
        int first = -1;
        for (int i = from; i < limit; i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                if (first < 0) {
                    first = i;
                }
                if (depth == 0) {
                    int close = i;
                    while (close + 1 < limit && s.charAt(close + 1) == ')') {
                        close++;
                    }
                    return close;
                }
                depth--;
            }
        }
        return first;
    }

    /** The message before "Killed"/"Kill" at {@code k} ("Out of memory: Killed .."), bounded, or null. */
    private static String message(String s, int k) {
        if (k < 2 || !s.startsWith(": ", k - 2)) {
            return null;
        }
        return s.substring(Math.max(0, k - 80), k - 2);
    }

    /** {@code line} with tabs as spaces and runs of spaces as one, at most {@link #MAX_TEXT} characters. */
    static String squeeze(String line) {
        int n = Math.min(line.length(), MAX_TEXT);
        if (line.indexOf("  ") < 0 && line.indexOf('\t') < 0) {
            return n == line.length() ? line : line.substring(0, n);
        }
        StringBuilder b = new StringBuilder(n);
        char prev = 'x';
        for (int i = 0; i < n; i++) {
            char c = line.charAt(i) == '\t' ? ' ' : line.charAt(i);
            if (c != ' ' || prev != ' ') {
                b.append(c);
            }
            prev = c;
        }
        return b.toString();
    }

    private static Long kb(String tail, String key) {
        String v = KernelLines.field(tail, key, "k ,");
        if (v == null) {
            return null;
        }
        int e = digits(v, 0, 18);
        return e == 0 ? null : toLong(v, 0, e);
    }

    private static int digits(String s, int from, int max) {
        int e = from;
        while (e < s.length() && e - from < max && Character.isDigit(s.charAt(e))) {
            e++;
        }
        return e;
    }

    private static Integer toInt(String s, int from, int to) {
        Long v = toLong(s, from, to);
        return v == null || v > Integer.MAX_VALUE ? null : v.intValue();
    }

    private static Long toLong(String s, int from, int to) {
        if (to <= from) {
            return null;
        }
        try {
            return Long.parseLong(s.substring(from, to));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
