package io.nodeincidents.kernel.memory;

import java.util.List;

/**
 * One zone's state in an allocation failure report: free memory and watermarks from
 * {@code Node 0 Normal free:311184kB min:55536kB low:69420kB high:83304kB ...}, the following
 * {@code lowmem_reserve[]} line, and the zone's buddy free lists. Values in kB as printed; null when not printed.
 *
 * @param node                NUMA node, or null on kernels printed without "Node N"
 * @param zone                zone name as printed (DMA, DMA32, Normal, HighMem, Movable)
 * @param lowmemReservePages  pages this zone keeps back from allocations aimed at higher zones, indexed by the
 *                            higher zone's index; empty when not printed
 * @param buddy               buddy free lists, or null when the report had no buddy line for this zone
 */
public record ZoneCounters(Integer node, String zone, Long freeKb, Long minKb, Long lowKb, Long highKb,
                        List<Long> lowmemReservePages, BuddyFreeLists buddy) {

    public ZoneCounters {
        lowmemReservePages = List.copyOf(lowmemReservePages);
    }

    /** The zone type, or null for a name this code does not know. */
    public ZoneType type() {
        return ZoneType.fromPrinted(zone);
    }

    /** Largest order with a free block, -1 when none, null when the buddy line was missing. */
    public Integer largestFreeOrder() {
        return buddy == null ? null : buddy.largestFreeOrder();
    }

    ZoneCounters withWatermarks(Long free, Long min, Long low, Long high) {
        return new ZoneCounters(node, zone, free, min, low, high, lowmemReservePages, buddy);
    }

    ZoneCounters withReserve(List<Long> reserve) {
        return new ZoneCounters(node, zone, freeKb, minKb, lowKb, highKb, reserve, buddy);
    }

    ZoneCounters withBuddy(BuddyFreeLists lists) {
        return new ZoneCounters(node, zone, freeKb, minKb, lowKb, highKb, lowmemReservePages, lists);
    }
}
