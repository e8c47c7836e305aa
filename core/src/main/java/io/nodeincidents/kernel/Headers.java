package io.nodeincidents.kernel;

import io.nodeincidents.kernel.memory.GfpMask;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Parses report header lines; every method returns null for a line that is not such a header. */
final class Headers {

    /** Headers of different CPUs printed into one line are read up to this many. */
    static final int MAX_HEADERS_PER_LINE = 8;
    private static final String ALLOCATION = "page allocation failure";
    /** Lines of a dump that look like a lone "comm:" but are section labels. */
    private static final Set<String> LABELS = Set.of("Call Trace", "Call trace", "Mem-Info", "Mem-info", "Code",
            "Stack", "Backtrace", "Modules linked in", "Exception stack", "Hardware name", "Tasks state");

    private Headers() {
    }

    /** "X: page allocation failure: order:6, mode:0x10c0d0[(FLAGS)][, nodemask=..][,cpuset=..,mems_allowed=..]". */
    record Allocation(String comm, int order, GfpMask gfp, String nodemask, String cpuset, String memsAllowed) {

        Allocation withComm(String newComm) {
            return new Allocation(newComm, order, gfp, nodemask, cpuset, memsAllowed);
        }
    }

    static Allocation allocation(String line) {
        int idx = line.indexOf(ALLOCATION);
        if (idx < 0) {
            return null;
        }
        String rest = line.substring(idx);
        Integer order = KernelLines.leadingInt(KernelLines.field(rest, "order:", ", "));
        if (order == null || order < 0 || order > 40) {
            return null;
        }
        String comm = null;
        if (idx >= 2 && line.startsWith(": ", idx - 2)) {
            comm = line.substring(0, idx - 2);
            if (comm.length() > 64) {
                comm = null;
            }
        }
        return new Allocation(comm, order, GfpMask.parse(KernelLines.field(rest, "mode:", ", ")),
                KernelLines.field(rest, "nodemask=", ", "), KernelLines.field(rest, "cpuset=", ", "),
                KernelLines.field(rest, "mems_allowed=", ", "));
    }

    /**
     * Every header in {@code line}: usually one, several when CPUs failing together had their pr_cont pieces
     * printed into one line ("page allocation failure: order:0page allocation failure: order:0, mode:.."). Only
     * the first can carry the comm; the others are headless (their comm was printed on a line of its own).
     */
    static List<Allocation> allocations(String line) {
        List<Allocation> out = new ArrayList<>(1);
        int idx = line.indexOf(ALLOCATION);
        int start = 0;
        while (idx >= 0 && out.size() < MAX_HEADERS_PER_LINE) {
            int next = line.indexOf(ALLOCATION, idx + ALLOCATION.length());
            Allocation a = allocation(line.substring(start, next < 0 ? line.length() : next));
            if (a != null) {
                out.add(a);
            }
            start = next;
            idx = next;
        }
        return out;
    }

    /**
     * The comm of a line holding only "comm:" - what 4.9-era warn_alloc() printed before continuing the header with
     * pr_cont, which another CPU's output can separate from it - or null.
     */
    static String commFragment(String line) {
        int n = line.length();
        if (n < 2 || n > 17 || line.charAt(n - 1) != ':' || line.indexOf(": ") >= 0) {
            return null;
        }
        String comm = line.substring(0, n - 1);
        return LABELS.contains(comm) ? null : comm;
    }

    /** "X invoked oom-killer: gfp_mask=0xd0[(FLAGS)][, nodemask=..], order=0[, oom_adj=0], oom_score_adj=0". */
    record Oom(String comm, GfpMask gfp, Integer order, Integer oomScoreAdj) {
    }

    /** Whether {@code line} is an OOM header: "X invoked oom-killer:", or 2.6.15's "oom-killer: gfp_mask=..". */
    static boolean isOom(String line) {
        return line.contains(" invoked oom-killer:") || oldOomAt(line) >= 0;
    }

    static Oom oom(String line) {
        int idx = line.indexOf(" invoked oom-killer:");
        String comm;
        if (idx >= 0) {
            comm = idx > 64 ? null : line.substring(0, idx);
        } else {
            idx = oldOomAt(line);
            if (idx < 0) {
                return null;
            }
            comm = null;
        }
        String rest = line.substring(idx);
        return new Oom(comm, GfpMask.parse(KernelLines.field(rest, "gfp_mask=", ", ")),
                KernelLines.leadingInt(KernelLines.field(rest, "order=", ", ")),
                KernelLines.leadingInt(KernelLines.field(rest, "oom_score_adj=", ", ")));
    }

    /** Where 2.6.15's task-less "oom-killer: gfp_mask=0xd1, order=0" starts, or -1. */
    private static int oldOomAt(String line) {
        int i = line.indexOf("oom-killer: gfp_mask=");
        return i == 0 || i > 0 && line.charAt(i - 1) == ' ' && !line.startsWith(" invoked ", i - 9) ? i : -1;
    }
}
