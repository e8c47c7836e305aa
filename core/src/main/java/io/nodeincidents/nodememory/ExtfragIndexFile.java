package io.nodeincidents.nodememory;

import io.nodeincidents.nodememory.KernelText.Lines;
import io.nodeincidents.nodememory.KernelText.Problems;
import io.nodeincidents.schemas.ZoneOrderIndex;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the per-order indices debugfs prints under {@code /sys/kernel/debug/extfrag/}: {@code extfrag_index} (the
 * fragmentation index: -1 when a block of the order is free, towards 0 lack of memory, towards 1 fragmentation) and
 * {@code unusable_index} (the share of free memory in blocks too small for the order), one line per zone:
 * {@code Node 0, zone   Normal -1.000 -1.000 0.975 ...}.
 *
 * <p>The kernel prints each value as {@code index / 1000} and {@code index % 1000} with {@code "%d.%03d"}, so a
 * negative index above -1000 comes out as {@code 0.-500} (the fragmentation index of a zone almost out of memory
 * can be negative); it is read as the index it is, -0.5.
 */
public final class ExtfragIndexFile {

    private ExtfragIndexFile() {
    }

    /** The zones in the file's order, each with its index per order. */
    public static Parsed<List<ZoneOrderIndex>> parse(String text) {
        Problems problems = new Problems();
        List<ZoneOrderIndex> zones = new ArrayList<>();
        Lines lines = new Lines(text, BuddyInfoFile.MAX_ZONES * 2);
        for (String line; (line = lines.next(problems)) != null; ) {
            List<String> t = KernelText.tokens(line, 4 + BuddyInfoFile.MAX_ORDERS);
            if (t.isEmpty()) {
                continue;
            }
            if (zones.size() == BuddyInfoFile.MAX_ZONES) {
                problems.add("more than " + BuddyInfoFile.MAX_ZONES + " zones; the rest was not read");
                break;
            }
            int node = t.size() > 4 && t.get(0).equals("Node") && t.get(2).equals("zone")
                    ? KernelText.nodeNumber(t.get(1)) : -1;
            if (node < 0 || !KernelText.isName(t.get(3)) || t.size() > 4 + BuddyInfoFile.MAX_ORDERS) {
                problems.at(lines.number(), "not a 'Node N, zone NAME values...' line", line);
                continue;
            }
            List<Double> values = new ArrayList<>(t.size() - 4);
            for (int i = 4; i < t.size(); i++) {
                double v = index(t.get(i));
                if (Double.isNaN(v)) {
                    values = null;
                    break;
                }
                values.add(v);
            }
            if (values == null) {
                problems.at(lines.number(), "a value that is not an index", line);
            } else {
                zones.add(ZoneOrderIndex.newBuilder().setNode(node).setZone(t.get(3)).setPerOrder(values).build());
            }
        }
        return new Parsed<>(zones, problems.list());
    }

    /** One printed index ({@code -1.000}, {@code 0.975}, {@code 0.-500}) as a number, or NaN. */
    static double index(String token) {
        int dot = token.indexOf('.');
        if (dot <= 0 || token.length() > 12) {
            return Double.NaN;
        }
        String whole = token.substring(0, dot);
        String fraction = token.substring(dot + 1);
        boolean negative = whole.startsWith("-");
        long units = KernelText.unsigned(negative ? whole.substring(1) : whole);
        if (units < 0) {
            return Double.NaN;
        }
        if (fraction.startsWith("-")) {
            // the remainder of a negative index: its digits are thousandths, whatever their number
            long thousandths = KernelText.unsigned(fraction.substring(1));
            return thousandths < 0 || thousandths >= 1000 || negative || units != 0 ? Double.NaN
                    : -thousandths / 1000.0;
        }
        long digits = KernelText.unsigned(fraction);
        if (digits < 0) {
            return Double.NaN;
        }
        double magnitude = units + digits / Math.pow(10, fraction.length());
        return negative ? -magnitude : magnitude;
    }
}
