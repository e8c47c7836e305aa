package io.nodeincidents.nodememory;

import io.nodeincidents.nodememory.KernelText.Lines;
import io.nodeincidents.nodememory.KernelText.Problems;
import io.nodeincidents.schemas.ZoneState;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code /proc/buddyinfo}: one line per NUMA node and zone, then the number of free blocks of each order
 * ({@code Node 0, zone   Normal   4381   1093    185 ...}). The number of orders is counted, not assumed: 11 on most
 * x86_64 kernels, 14 on arm64 with 64 kB pages, other counts elsewhere. Zone names are kept as printed. Also takes
 * the table as people paste it: indented, single-spaced, or wrapped by a terminal (a line of counts alone continues
 * the zone before it).
 */
public final class BuddyInfoFile {

    /** More orders than any kernel has; a line with more is not a buddyinfo line. */
    public static final int MAX_ORDERS = 32;
    /** Far more zones than any machine has (nodes times at most six zones). */
    static final int MAX_ZONES = 4096;

    private BuddyInfoFile() {
    }

    /**
     * The zones of the file in its order, each with its node, name, free blocks per order and largest free order
     * (the rest of {@link ZoneState} is left for the sampler, which knows the page size and the watermarks).
     */
    public static Parsed<List<ZoneState>> parse(String text) {
        Problems problems = new Problems();
        List<ZoneState> zones = new ArrayList<>();
        Lines lines = new Lines(text, MAX_ZONES * 4);
        Pending pending = null;
        for (String line; (line = lines.next(problems)) != null; ) {
            List<String> t = KernelText.tokens(line, 4 + MAX_ORDERS);
            if (t.isEmpty()) {
                continue;
            }
            if (pending != null && allCounts(t)) {
                if (!pending.add(t, 0)) {
                    problems.at(lines.number(), "more than " + MAX_ORDERS + " orders", line);
                    pending = null;
                }
                continue;
            }
            flush(pending, zones, problems);
            pending = null;
            if (zones.size() == MAX_ZONES) {
                problems.add("more than " + MAX_ZONES + " zones; the rest was not read");
                break;
            }
            if (t.size() < 4 || !t.get(0).equals("Node") || !t.get(2).equals("zone")) {
                problems.at(lines.number(), "not a 'Node N, zone NAME counts...' line", line);
                continue;
            }
            int node = KernelText.nodeNumber(t.get(1));
            String zone = t.get(3);
            if (node < 0 || !KernelText.isName(zone)) {
                problems.at(lines.number(), "no node number or zone name", line);
                continue;
            }
            Pending next = new Pending(lines.number(), node, zone);
            if (t.size() > 4 + MAX_ORDERS) {
                problems.at(lines.number(), "more than " + MAX_ORDERS + " orders", line);
            } else if (!allCounts(t.subList(4, t.size()))) {
                problems.at(lines.number(), "a count that is not a number", line);
            } else {
                next.add(t, 4);
                pending = next;
            }
        }
        flush(pending, zones, problems);
        return new Parsed<>(zones, problems.list());
    }

    private static void flush(Pending pending, List<ZoneState> zones, Problems problems) {
        if (pending == null) {
            return;
        }
        if (pending.counts.isEmpty()) {
            problems.at(pending.line, "no counts after the zone name", null);
        } else {
            zones.add(pending.zone());
        }
    }

    /**
     * The free memory of the lists in kB: the sum of 2^order x blocks x page size; null when it does not fit in a
     * long (only a damaged file gets there).
     */
    public static Long totalKb(List<Long> freeBlocks, int pageSizeKb) {
        try {
            long total = 0;
            for (int order = 0; order < freeBlocks.size(); order++) {
                long blocks = freeBlocks.get(order);
                total = Math.addExact(total, Math.multiplyExact(Math.multiplyExact(blocks, 1L << order), pageSizeKb));
            }
            return total;
        } catch (ArithmeticException e) {
            return null;
        }
    }

    /** The highest order with a free block, -1 when every list is empty. */
    public static int largestFreeOrder(List<Long> freeBlocks) {
        for (int order = freeBlocks.size() - 1; order >= 0; order--) {
            if (freeBlocks.get(order) > 0) {
                return order;
            }
        }
        return -1;
    }

    private static boolean allCounts(List<String> tokens) {
        for (String token : tokens) {
            if (KernelText.unsigned(token) < 0) {
                return false;
            }
        }
        return true;
    }

    /** A zone line whose counts may continue on the next lines (a wrapped paste). */
    private static final class Pending {
        private final int line;
        private final int node;
        private final String zone;
        private final List<Long> counts = new ArrayList<>();

        Pending(int line, int node, String zone) {
            this.line = line;
            this.node = node;
            this.zone = zone;
        }

        /** Adds the counts of {@code tokens} from {@code from}; false when that makes too many orders. */
        boolean add(List<String> tokens, int from) {
            if (counts.size() + tokens.size() - from > MAX_ORDERS) {
                return false;
            }
            for (int i = from; i < tokens.size(); i++) {
                counts.add(KernelText.unsigned(tokens.get(i)));
            }
            return true;
        }

        ZoneState zone() {
            return ZoneState.newBuilder().setNode(node).setZone(zone).setFreeBlocks(List.copyOf(counts))
                    .setLargestFreeOrder(largestFreeOrder(counts)).build();
        }
    }
}
