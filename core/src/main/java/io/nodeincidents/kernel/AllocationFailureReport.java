package io.nodeincidents.kernel;

import io.nodeincidents.kernel.memory.GfpMask;
import io.nodeincidents.kernel.memory.MemInfo;
import io.nodeincidents.kernel.memory.Verdict;
import io.nodeincidents.kernel.memory.ZoneCounters;

import java.util.List;

/**
 * A page allocation failure ({@code X: page allocation failure: order:6, mode:0x10c0d0} and its dump):
 * what was asked for and what the buddy allocator had.
 *
 * @param order         requested order: 2^order contiguous pages
 * @param gfp           GFP mask as printed, with flag names when printed
 * @param nodemask      "nodemask=" value when printed ("(null)" included as printed), else null
 * @param cpuset        cpuset of the failing task when printed, else null
 * @param memsAllowed   mems_allowed when printed, else null
 * @param memInfo       the Mem-Info counters (pages), or null when the report had none
 * @param zones         per-zone watermarks, lowmem reserves and buddy free lists, in printed order
 * @param verdict       fragmentation, exhaustion or undetermined; see {@link io.nodeincidents.kernel.memory.VerdictRule}
 * @param verdictReason one line saying why
 */
public record AllocationFailureReport(ReportContext context, int order, GfpMask gfp, String nodemask, String cpuset,
                                String memsAllowed, MemInfo memInfo, List<ZoneCounters> zones, Verdict verdict,
                                String verdictReason) implements KernelReport {

    public AllocationFailureReport {
        zones = List.copyOf(zones);
    }

    /** The zone named {@code zone} ("Normal") on any node, the first printed, or null. */
    public ZoneCounters zone(String zone) {
        return zones.stream().filter(z -> z.zone().equals(zone)).findFirst().orElse(null);
    }

    @Override
    public String summary() {
        return (context.comm() == null ? "?" : context.comm()) + ": order-" + order
                + " page allocation failure (mode " + gfp.printed() + ") -> " + verdict + ": " + verdictReason
                + (context.pointsAt() == PointsAt.UNKNOWN ? "" : " [" + context.pointsAt() + "]");
    }
}
