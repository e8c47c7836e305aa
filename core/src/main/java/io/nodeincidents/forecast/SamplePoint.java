package io.nodeincidents.forecast;

import io.nodeincidents.schemas.NodeMemorySample;
import io.nodeincidents.schemas.ZoneState;
import java.util.ArrayList;
import java.util.List;

/**
 * One memory sample reduced to what the forecast follows: the free blocks per order of the zones that serve kernel
 * allocations, and the compaction counters.
 *
 * @param timeMicros     when the sample was read
 * @param freeBlocks     free blocks per order (index = order), summed over every zone but DMA
 * @param compactSuccess vmstat compact_success, null when not sampled
 * @param compactStall   vmstat compact_stall, null when not sampled
 */
public record SamplePoint(long timeMicros, List<Long> freeBlocks, Long compactSuccess, Long compactStall) {

    /** Most orders a kernel prints (MAX_ORDER is 11 on x86_64, up to ~20 elsewhere). */
    static final int MAX_ORDERS = 32;

    public SamplePoint {
        freeBlocks = List.copyOf(freeBlocks);
    }

    /**
     * The point of {@code sample}. DMA is left out: it is a few MB that kernel allocations use only as the last
     * resort, and its always-free high-order blocks would hide a fragmented Normal zone.
     */
    public static SamplePoint of(NodeMemorySample sample) {
        return new SamplePoint(sample.getSampledAtMicros(), summedFreeBlocks(sample.getZones()),
                sample.getVmstat().get("compact_success"), sample.getVmstat().get("compact_stall"));
    }

    /** Free blocks per order summed over the zones that serve kernel allocations (every zone but DMA). */
    static List<Long> summedFreeBlocks(List<ZoneState> zones) {
        List<Long> sum = new ArrayList<>();
        for (ZoneState zone : zones) {
            if (String.valueOf(zone.getZone()).equals("DMA")) {
                continue;
            }
            List<Long> blocks = zone.getFreeBlocks();
            for (int order = 0; order < Math.min(blocks.size(), MAX_ORDERS); order++) {
                long count = Math.max(0, blocks.get(order));
                if (sum.size() <= order) {
                    sum.add(0L);
                }
                sum.set(order, saturatedAdd(sum.get(order), count));
            }
        }
        return sum;
    }

    /**
     * Blocks of {@code order} the free lists could give: larger free blocks split into 2^(i - order) each.
     */
    public long blocksAtLeast(int order) {
        return blocksAtLeast(freeBlocks, order);
    }

    /** Blocks of {@code order} that free lists of {@code freeBlocks} (index = order) could give. */
    public static long blocksAtLeast(List<Long> freeBlocks, int order) {
        long total = 0;
        for (int i = Math.max(order, 0); i < freeBlocks.size(); i++) {
            int shift = i - order;
            long count = freeBlocks.get(i);
            total = saturatedAdd(total, shift >= 62 || count > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE
                    : count << shift);
        }
        return total;
    }

    /**
     * Gorman's unusable free space index at {@code order}: the share of free pages in blocks smaller than the order
     * (0: every free page usable, 1: none; 1 too when nothing is free).
     */
    public double unusableIndex(int order) {
        return unusableIndex(freeBlocks, order);
    }

    static double unusableIndex(List<Long> freeBlocks, int order) {
        double total = 0;
        double usable = 0;
        for (int i = 0; i < freeBlocks.size(); i++) {
            double pages = freeBlocks.get(i) * Math.pow(2, i);
            total += pages;
            if (i >= order) {
                usable += pages;
            }
        }
        return total <= 0 ? 1.0 : (total - usable) / total;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
