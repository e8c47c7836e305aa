package io.nodeincidents.kernel.memory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads an allocation failure's zone and buddy lines the way a kernel engineer would.
 *
 * <ol>
 *   <li>Zones the allocation could use: on each node, the printed zones up to the highest zone its GFP mask
 *       allows (gfp_zone(): Normal for GFP_KERNEL, DMA32 for __GFP_DMA32, ...; all zones when the mask is
 *       unknown). Device zones never count.</li>
 *   <li>A usable zone has headroom when its free memory exceeds its min watermark plus the lowmem_reserve it
 *       keeps back from allocations aimed at a higher zone (the slow path's ALLOC_WMARK_MIN check). The
 *       reserve is in pages; this code assumes 4 kB pages. The reserve index is the position of the
 *       allocation's highest zone among the node's printed zones; if that zone's own reserve entry is not 0 the
 *       guess is wrong and reserves are ignored.</li>
 *   <li>No usable zone with a watermark line: UNDETERMINED (the report was cut or ratelimited).</li>
 *   <li>No usable zone with headroom: EXHAUSTION.</li>
 *   <li>Some zone with headroom but a buddy line missing for one of them: UNDETERMINED.</li>
 *   <li>No zone with headroom has a free block of the requested order or larger: FRAGMENTATION (free memory
 *       exists, but only in pieces too small).</li>
 *   <li>Otherwise a suitable block existed when the report was printed: UNDETERMINED (a transient or
 *       context-restricted failure, e.g. an atomic allocation racing with others).</li>
 * </ol>
 */
public final class VerdictRule {

    private static final long PAGE_KB = 4;

    private VerdictRule() {
    }

    /**
     * The verdict, a one-line reason, and the zones considered.
     *
     * @param usableZones "Node 0 Normal"-style names of the zones the allocation could use
     */
    public record Assessment(Verdict verdict, String reason, List<String> usableZones) {
        public Assessment {
            usableZones = List.copyOf(usableZones);
        }
    }

    /** Assesses an order-{@code order} allocation with {@code gfp} against the printed {@code zones}. */
    public static Assessment assess(int order, GfpMask gfp, List<ZoneCounters> zones) {
        ZoneType highest = gfp == null ? null : gfp.highestZone();
        ZoneType limit = highest == null ? ZoneType.MOVABLE : highest;
        Map<Integer, List<ZoneCounters>> byNode = new LinkedHashMap<>();
        for (ZoneCounters z : zones) {
            if (z.type() != null && z.type() != ZoneType.DEVICE) {
                byNode.computeIfAbsent(z.node() == null ? -1 : z.node(), k -> new ArrayList<>()).add(z);
            }
        }
        List<String> usable = new ArrayList<>();
        List<String> headroomNotes = new ArrayList<>();
        List<ZoneCounters> withHeadroom = new ArrayList<>();
        int withWatermarks = 0;
        for (List<ZoneCounters> nodeZones : byNode.values()) {
            int classIdx = -1;
            for (int i = 0; i < nodeZones.size(); i++) {
                if (nodeZones.get(i).type().ordinal() <= limit.ordinal()) {
                    classIdx = i;
                }
            }
            if (classIdx < 0) {
                continue;
            }
            List<Long> classReserve = nodeZones.get(classIdx).lowmemReservePages();
            boolean reservesUsable = classReserve.size() > classIdx && classReserve.get(classIdx) == 0;
            for (int i = 0; i <= classIdx; i++) {
                ZoneCounters z = nodeZones.get(i);
                if (z.type().ordinal() > limit.ordinal()) {
                    continue;
                }
                usable.add(name(z));
                if (z.freeKb() == null || z.minKb() == null) {
                    continue;
                }
                withWatermarks++;
                long reserveKb = reservesUsable && z.lowmemReservePages().size() > classIdx
                        ? z.lowmemReservePages().get(classIdx) * PAGE_KB : 0;
                if (z.freeKb() > z.minKb() + reserveKb) {
                    withHeadroom.add(z);
                    headroomNotes.add(name(z) + " " + z.freeKb() + " kB free > min " + z.minKb() + " kB"
                            + (reserveKb > 0 ? " + reserve " + reserveKb + " kB" : "")
                            + ", largest free block order "
                            + (z.buddy() == null ? "unknown" : String.valueOf(z.buddy().largestFreeOrder())));
                }
            }
        }
        if (withWatermarks == 0) {
            return new Assessment(Verdict.UNDETERMINED, "no zone watermark lines for the zones an order-" + order
                    + " allocation could use", usable);
        }
        if (withHeadroom.isEmpty()) {
            return new Assessment(Verdict.EXHAUSTION, "every usable zone (" + String.join(", ", usable)
                    + ") is at or below its min watermark (+ lowmem reserve)", usable);
        }
        if (withHeadroom.stream().map(ZoneCounters::buddy).anyMatch(Objects::isNull)) {
            return new Assessment(Verdict.UNDETERMINED, "buddy free lists missing for a zone with free memory: "
                    + String.join("; ", headroomNotes), usable);
        }
        boolean blockExists = withHeadroom.stream().anyMatch(z -> z.buddy().hasBlockOfOrderAtLeast(order));
        if (!blockExists) {
            return new Assessment(Verdict.FRAGMENTATION, "no free block of order >= " + order + " although "
                    + String.join("; ", headroomNotes), usable);
        }
        return new Assessment(Verdict.UNDETERMINED, "a free block of order >= " + order
                + " existed when the report was printed: " + String.join("; ", headroomNotes), usable);
    }

    private static String name(ZoneCounters z) {
        return z.node() == null ? z.zone() : "Node " + z.node() + " " + z.zone();
    }
}
