package io.nodeincidents.nodememory;

import io.nodeincidents.nodememory.KernelText.Lines;
import io.nodeincidents.nodememory.KernelText.Problems;
import io.nodeincidents.schemas.MigrateTypeFreeBlocks;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the free-page table of {@code /proc/pagetypeinfo} (root only since 5.x):
 * <pre>
 * Free pages count per migrate type at order       0      1      2 ...
 * Node    0, zone      DMA, type    Unmovable      0      0      0 ...
 * </pre>
 * until the blank line before the block-count table, which is not read. Since 5.5 the kernel stops counting a
 * list at 100,000 and prints {@code >100000}: that is read as 100000, a lower bound. Migrate type names are kept as
 * printed (Unmovable, Movable, Reclaimable, HighAtomic, CMA, Isolate; Reserve before 4.4).
 */
public final class PageTypeInfoFile {

    static final String TABLE_HEADER = "Free pages count per migrate type at order";
    /** Zones times at most eight migrate types, with room to spare. */
    static final int MAX_LINES = 40_000;

    private PageTypeInfoFile() {
    }

    /** The table's rows in the file's order. */
    public static Parsed<List<MigrateTypeFreeBlocks>> parse(String text) {
        Problems problems = new Problems();
        List<MigrateTypeFreeBlocks> rows = new ArrayList<>();
        Lines lines = new Lines(text, MAX_LINES);
        int orders = -1;
        for (String line; (line = lines.next(problems)) != null; ) {
            if (orders < 0) {
                if (line.startsWith(TABLE_HEADER)) {
                    orders = orders(line.substring(TABLE_HEADER.length()));
                    if (orders <= 0) {
                        problems.at(lines.number(), "the orders are not 0, 1, 2, ...", line);
                        break;
                    }
                }
                continue;
            }
            if (line.isBlank()) {
                break;
            }
            List<String> t = KernelText.tokens(line, 6 + BuddyInfoFile.MAX_ORDERS);
            MigrateTypeFreeBlocks row = row(t, orders);
            if (row == null) {
                problems.at(lines.number(), "not a 'Node N, zone NAME, type TYPE' line of " + orders
                        + " counts", line);
            } else {
                rows.add(row);
            }
        }
        if (orders < 0) {
            problems.add("no '" + TABLE_HEADER + "' table");
        }
        return new Parsed<>(rows, problems.list());
    }

    /** The number of orders of the header's {@code 0 1 2 ...}, or -1 when they are not that. */
    private static int orders(String rest) {
        List<String> t = KernelText.tokens(rest, BuddyInfoFile.MAX_ORDERS);
        if (t.isEmpty() || t.size() > BuddyInfoFile.MAX_ORDERS) {
            return -1;
        }
        for (int i = 0; i < t.size(); i++) {
            if (KernelText.unsigned(t.get(i)) != i) {
                return -1;
            }
        }
        return t.size();
    }

    private static MigrateTypeFreeBlocks row(List<String> t, int orders) {
        if (t.size() != 6 + orders || !t.get(0).equals("Node") || !t.get(2).equals("zone")
                || !t.get(4).equals("type")) {
            return null;
        }
        int node = KernelText.nodeNumber(t.get(1));
        String zone = t.get(3).endsWith(",") ? t.get(3).substring(0, t.get(3).length() - 1) : "";
        String type = t.get(5);
        if (node < 0 || !KernelText.isName(zone) || !KernelText.isName(type)) {
            return null;
        }
        List<Long> counts = new ArrayList<>(orders);
        for (int i = 6; i < t.size(); i++) {
            String token = t.get(i);
            long count = KernelText.unsigned(token.startsWith(">") ? token.substring(1) : token);
            if (count < 0) {
                return null;
            }
            counts.add(count);
        }
        return MigrateTypeFreeBlocks.newBuilder().setNode(node).setZone(zone).setMigrateType(type)
                .setFreeBlocks(counts).build();
    }
}
