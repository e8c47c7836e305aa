package io.nodeincidents.nodememory;

import io.nodeincidents.nodememory.KernelText.Lines;
import io.nodeincidents.nodememory.KernelText.Problems;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the free pages and watermarks of each zone from {@code /proc/zoneinfo}. A zone starts at its
 * {@code Node 0, zone   Normal} line; the values come from its {@code pages free N}, {@code min N}, {@code low N},
 * {@code high N} and {@code present N} lines, in pages. That holds on every kernel since 2.6: 3.x prints
 * {@code pages free} on the line after the zone's, 4.8 and later may put a {@code per-node stats} block first, 5.x
 * adds {@code boost}, 6.x {@code promo}. Everything else (per-zone counters, the per-cpu {@code high:} of the
 * pagesets, which is no watermark) is skipped.
 */
public final class ZoneInfoFile {

    /** Far more zones than any machine has. */
    static final int MAX_ZONES = 4096;
    /** Per-cpu lines make zoneinfo long on big machines: a thousand CPUs print tens of thousands of lines. */
    static final int MAX_LINES = 2_000_000;

    /**
     * One zone's free memory and watermarks, in pages; a value the file did not hold is null.
     *
     * @param presentPages pages of memory in the zone; 0 for a zone the machine does not populate
     */
    public record Zone(int node, String zone, Long freePages, Long minPages, Long lowPages, Long highPages,
                       Long presentPages) {
    }

    private ZoneInfoFile() {
    }

    /** The zones in the file's order. */
    public static Parsed<List<Zone>> parse(String text) {
        Problems problems = new Problems();
        List<Zone> zones = new ArrayList<>();
        Lines lines = new Lines(text, MAX_LINES);
        Building current = null;
        for (String line; (line = lines.next(problems)) != null; ) {
            List<String> t = KernelText.tokens(line, 4);
            if (t.isEmpty()) {
                continue;
            }
            if (t.get(0).equals("Node")) {
                finish(current, zones, problems);
                current = null;
                if (zones.size() == MAX_ZONES) {
                    problems.add("more than " + MAX_ZONES + " zones; the rest was not read");
                    break;
                }
                int node = t.size() == 4 && t.get(2).equals("zone") ? KernelText.nodeNumber(t.get(1)) : -1;
                if (node < 0 || !KernelText.isName(t.get(3))) {
                    problems.at(lines.number(), "not a 'Node N, zone NAME' line", line);
                } else {
                    current = new Building(lines.number(), node, t.get(3));
                }
                continue;
            }
            if (current == null) {
                problems.at(lines.number(), "before the first zone", line);
                continue;
            }
            if (t.size() == 3 && t.get(0).equals("pages") && t.get(1).equals("free")) {
                current.free = value(current.free, t.get(2), lines, line, problems);
            } else if (t.size() == 2) {
                switch (t.get(0)) {
                    case "min" -> current.min = value(current.min, t.get(1), lines, line, problems);
                    case "low" -> current.low = value(current.low, t.get(1), lines, line, problems);
                    case "high" -> current.high = value(current.high, t.get(1), lines, line, problems);
                    case "present" -> current.present = value(current.present, t.get(1), lines, line, problems);
                    default -> {
                        // one of the many counters this reader has no use for
                    }
                }
            }
        }
        finish(current, zones, problems);
        return new Parsed<>(zones, problems.list());
    }

    /** The first value of a key in a zone counts; a repeat (no kernel prints one) is ignored. */
    private static Long value(Long already, String token, Lines lines, String line, Problems problems) {
        if (already != null) {
            return already;
        }
        long v = KernelText.unsigned(token);
        if (v < 0) {
            problems.at(lines.number(), "not a number", line);
            return null;
        }
        return v;
    }

    private static void finish(Building zone, List<Zone> zones, Problems problems) {
        if (zone == null) {
            return;
        }
        if (zone.free == null || zone.min == null || zone.low == null || zone.high == null) {
            problems.at(zone.line, "Node " + zone.node + ", zone " + zone.zone
                    + " lacks 'pages free', 'min', 'low' or 'high'", null);
        }
        zones.add(new Zone(zone.node, zone.zone, zone.free, zone.min, zone.low, zone.high, zone.present));
    }

    private static final class Building {
        final int line;
        final int node;
        final String zone;
        Long free;
        Long min;
        Long low;
        Long high;
        Long present;

        Building(int line, int node, String zone) {
            this.line = line;
            this.node = node;
            this.zone = zone;
        }
    }
}
