package io.nodeincidents.kernel;

import java.util.regex.Pattern;

/**
 * Decides whether a kernel line can start (or, for OOM, carry) a report. Cheap substring checks come first so
 * the ordinary kernel line costs a handful of {@code indexOf} calls and no regex.
 */
final class ReportStarts {

    // "Memory cgroup out of memory: Kill process 26675 (java) score 988 or sacrifice child" (and "Out of memory:",
    // "Out of memory (oom_kill_allocating_task):"). Bounded comm and score.
    static final Pattern CANDIDATE = Pattern.compile(
            "(?:Memory cgroup out of memory|Out of memory)(?: \\([a-z_]{1,40}\\))?: Kill process (\\d{1,10}) "
                    + "\\((.{0,64}?)\\) score (-?\\d{1,10})");

    // "Killed process 26675 (java) total-vm:2754556kB, anon-rss:258308kB, file-rss:0kB[, shmem-rss:0kB][, UID:0
    // pgtables:1234kB oom_score_adj:0]", RHEL 6 "Killed process 16944, UID 0, (mingetty) total-vm:..", 2.6 "vsz:".
    static final Pattern KILLED = Pattern.compile(
            "Killed process (\\d{1,10})(?:, UID (\\d{1,10}),)? \\((.{0,64}?)\\)"
                    + "(?: (?:total-vm|vsz):(\\d{1,18})kB)?(?:, anon-rss:(\\d{1,18})kB)?(?:, file-rss:(\\d{1,18})kB)?"
                    + "(?:, shmem-rss:(\\d{1,18})kB)?(?:, UID:(\\d{1,10}))?");

    private ReportStarts() {
    }

    /** A line that starts a report: its kind and whether it is that report's header. */
    record Start(ReportKind kind, boolean header) {
    }

    /** The report {@code line} starts, or null for an ordinary line. */
    static Start classify(String line) {
        if (line.length() < 12) {
            return null;
        }
        if (line.contains("page allocation failure") && Headers.allocation(line) != null) {
            return new Start(ReportKind.ALLOCATION_FAILURE, true);
        }
        if (line.contains(" invoked oom-killer:")) {
            return new Start(ReportKind.OOM_KILL, true);
        }
        if (line.contains("kmem_cache_create(") && line.contains(") failed with error")) {
            return new Start(ReportKind.SLAB_CACHE_CREATE, true);
        }
        if (line.startsWith("SLUB: Unable to allocate memory")) {
            return new Start(ReportKind.SLUB_ALLOCATION, true);
        }
        if (line.contains("Unable to create nf_conn slab cache")) {
            return new Start(ReportKind.NF_CONN_CACHE, true);
        }
        if (isOomTail(line)) {
            return new Start(ReportKind.OOM_KILL, false);
        }
        return null;
    }

    /** The lines that end an OOM report: the selection, the oom-kill summary, the kill. */
    static boolean isOomTail(String line) {
        if (line.startsWith("oom-kill:")) {
            return true;
        }
        if (line.contains("Killed process ")) {
            return !line.contains("sharing same memory") && isKilled(line);
        }
        return line.contains("Kill process ") && CANDIDATE.matcher(line).find();
    }

    /** Whether {@code line} is a "Killed process" line (the report's natural end). */
    static boolean isKilled(String line) {
        return line.contains("Killed process ") && !line.contains("sharing same memory")
                && KILLED.matcher(line).find();
    }
}
