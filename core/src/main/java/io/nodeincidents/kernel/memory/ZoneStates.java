package io.nodeincidents.kernel.memory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the per-zone lines of one show_free_areas dump (watermark lines, lowmem_reserve lines, buddy lines)
 * into {@link ZoneCounters}s. Recognises zones with and without the "Node N" prefix; ignores the per-node summary
 * lines of 4.8+ ("Node 0 active_anon:...kB") and everything else. Not thread-safe; use one per report.
 */
public final class ZoneStates {

    private static final int MAX_ZONES = 64;

    private final Map<String, ZoneCounters> zones = new LinkedHashMap<>();
    private String lastWatermarkZone;

    /** Offers one line; returns true when it was a zone line and was used. */
    public boolean accept(String line) {
        if (line.startsWith("lowmem_reserve[]:")) {
            if (lastWatermarkZone != null) {
                List<Long> reserve = new ArrayList<>();
                for (String t : line.substring("lowmem_reserve[]:".length()).trim().split(" +", 16)) {
                    Long v = Numbers.parseUnsigned(t, 0, t.length());
                    if (v == null) {
                        return true;
                    }
                    reserve.add(v);
                }
                zones.computeIfPresent(lastWatermarkZone, (k, z) -> z.withReserve(reserve));
            }
            return true;
        }
        Integer node = null;
        int pos = 0;
        if (line.startsWith("Node ")) {
            int s = 5;
            int e = s;
            while (e < line.length() && e - s < 5 && Character.isDigit(line.charAt(e))) {
                e++;
            }
            if (e == s || e >= line.length() || line.charAt(e) != ' ') {
                return false;
            }
            node = Numbers.parseUnsigned(line, s, e).intValue();
            pos = e + 1;
        }
        int nameEnd = pos;
        while (nameEnd < line.length() && nameEnd - pos < 8 && Character.isLetterOrDigit(line.charAt(nameEnd))) {
            nameEnd++;
        }
        ZoneType type = ZoneType.fromPrinted(line.substring(pos, nameEnd));
        if (type == null || nameEnd >= line.length()) {
            return false;
        }
        String key = (node == null ? "-" : node.toString()) + "/" + type.printed();
        if (line.startsWith(" free:", nameEnd)) {
            String rest = line.substring(nameEnd + 1);
            ZoneCounters z = zoneFor(key, node, type);
            if (z == null) {
                return false;
            }
            zones.put(key, z.withWatermarks(kb(rest, "free:"), kb(rest, "min:"), kb(rest, "low:"), kb(rest, "high:")));
            lastWatermarkZone = key;
            return true;
        }
        if (line.startsWith(": ", nameEnd)) {
            BuddyFreeLists lists = BuddyFreeLists.parseLists(line.substring(nameEnd + 2));
            if (lists == null) {
                return false;
            }
            ZoneCounters z = zoneFor(key, node, type);
            if (z == null) {
                return false;
            }
            zones.put(key, z.withBuddy(lists));
            return true;
        }
        return false;
    }

    /** The zones seen, in the order the kernel printed them. */
    public List<ZoneCounters> zones() {
        return List.copyOf(zones.values());
    }

    private ZoneCounters zoneFor(String key, Integer node, ZoneType type) {
        ZoneCounters z = zones.get(key);
        if (z == null && zones.size() < MAX_ZONES) {
            z = new ZoneCounters(node, type.printed(), null, null, null, null, List.of(), null);
        }
        return z;
    }

    /** Value of the first space-separated token "key NNNkB" (exact key at a token start), or null. */
    private static Long kb(String text, String key) {
        int from = 0;
        while (true) {
            int i = text.indexOf(key, from);
            if (i < 0) {
                return null;
            }
            if (i == 0 || text.charAt(i - 1) == ' ') {
                int s = i + key.length();
                int e = s;
                while (e < text.length() && e - s < 19 && Character.isDigit(text.charAt(e))) {
                    e++;
                }
                return text.startsWith("kB", e) ? Numbers.parseUnsigned(text, s, e) : null;
            }
            from = i + 1;
        }
    }
}
