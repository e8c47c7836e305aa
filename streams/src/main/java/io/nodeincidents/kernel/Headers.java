package io.nodeincidents.kernel;

import io.nodeincidents.kernel.memory.GfpMask;

/** Parses report header lines; every method returns null for a line that is not such a header. */
final class Headers {

    private Headers() {
    }

    /** "X: page allocation failure: order:6, mode:0x10c0d0[(FLAGS)][, nodemask=..][,cpuset=..,mems_allowed=..]". */
    record Allocation(String comm, int order, GfpMask gfp, String nodemask, String cpuset, String memsAllowed) {
    }

    static Allocation allocation(String line) {
        int idx = line.indexOf("page allocation failure");
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

    /** "X invoked oom-killer: gfp_mask=0xd0[(FLAGS)][, nodemask=..], order=0[, oom_adj=0], oom_score_adj=0". */
    record Oom(String comm, GfpMask gfp, Integer order, Integer oomScoreAdj) {
    }

    static Oom oom(String line) {
        int idx = line.indexOf(" invoked oom-killer:");
        if (idx < 0) {
            return null;
        }
        String rest = line.substring(idx);
        String comm = idx > 64 ? null : line.substring(0, idx);
        return new Oom(comm, GfpMask.parse(KernelLines.field(rest, "gfp_mask=", ", ")),
                KernelLines.leadingInt(KernelLines.field(rest, "order=", ", ")),
                KernelLines.leadingInt(KernelLines.field(rest, "oom_score_adj=", ", ")));
    }
}
