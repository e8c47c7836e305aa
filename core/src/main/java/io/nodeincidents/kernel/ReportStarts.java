package io.nodeincidents.kernel;

import io.nodeincidents.kernel.oom.OomTaskTable;

/**
 * Decides whether a kernel line can start (or, for OOM, carry) a report. Cheap substring checks come first so
 * the ordinary kernel line costs a handful of {@code indexOf} calls and no regex.
 */
final class ReportStarts {

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
        if (line.contains("oom-killer:") && Headers.isOom(line)) {
            return new Start(ReportKind.OOM_KILL, true);
        }
        if (line.contains("kmem_cache_create(") && line.contains(") failed with error")) {
            return new Start(ReportKind.SLAB_CACHE_CREATE, true);
        }
        if (isSlubHeader(line)) {
            return new Start(ReportKind.SLUB_ALLOCATION, true);
        }
        if (line.contains("Unable to create nf_conn slab cache")) {
            return new Start(ReportKind.NF_CONN_CACHE, true);
        }
        if (isOomTail(line)) {
            return new Start(ReportKind.OOM_KILL, false);
        }
        if (OomTaskTable.isHeader(line)) {
            // a paste that kept the task table and the kill but not the header: the table is the evidence
            return new Start(ReportKind.OOM_KILL, false);
        }
        return null;
    }

    /**
     * How many reports {@code line} can start: 0 for an ordinary line, more than one for page allocation failure
     * headers of several CPUs printed into one line.
     */
    static int count(String line) {
        Start s = classify(line);
        if (s == null) {
            return 0;
        }
        return s.kind() == ReportKind.ALLOCATION_FAILURE ? Math.max(1, Headers.allocations(line).size()) : 1;
    }

    /**
     * "SLUB: Unable to allocate memory on node -1 (gfp=0x20)" (3.x-4.x), "..on node -1, gfp=0x900(GFP_NOWAIT)"
     * (4.6+), "..on CPU 3 (of node 0) on node -1, gfp=.." (6.x), and SLAB's "SLAB: Unable to allocate memory on
     * node 0 (gfp=0xd0)"; a prefix left by a reader is allowed, and so is a wrap right after "on". Not boot's
     * "SLUB: Unable to allocate memory from node N".
     */
    static boolean isSlubHeader(String line) {
        int i = line.indexOf(": Unable to allocate memory on");
        int end = i + ": Unable to allocate memory on".length();
        return i >= 4 && (line.startsWith("SLUB", i - 4) || line.startsWith("SLAB", i - 4))
                && (end == line.length() || line.charAt(end) == ' ');
    }

    /** The lines that end an OOM report: the selection, the oom-kill summary, the kill (also one a wrap cut). */
    static boolean isOomTail(String line) {
        if (OomLines.summaryAt(line) >= 0) {
            return true;
        }
        return OomLines.killed(line) != null || OomLines.candidate(line) != null || OomLines.isCutKill(line);
    }

    /** Whether {@code line} is a "Killed process" line (the report's natural end). */
    static boolean isKilled(String line) {
        return OomLines.killed(line) != null;
    }
}
