package io.nodeincidents.kernel.memory;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The global counters of a report's "Mem-Info:" block (show_free_areas), in pages, keyed as printed
 * ("free", "free_pcp", "slab_reclaimable", ...). Which keys exist depends on the kernel version.
 */
public record MemInfo(Map<String, Long> counters) {

    private static final int MAX_COUNTERS = 64;

    public MemInfo {
        counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
    }

    /** Free pages, or null when not printed. */
    public Long free() {
        return counters.get("free");
    }

    /** Pages on per-cpu free lists (not usable for high-order allocations), or null. */
    public Long freePcp() {
        return counters.get("free_pcp");
    }

    /** Reclaimable slab pages, or null. */
    public Long slabReclaimable() {
        return counters.get("slab_reclaimable");
    }

    /** Unreclaimable slab pages, or null. */
    public Long slabUnreclaimable() {
        return counters.get("slab_unreclaimable");
    }

    /**
     * Adds the {@code key:number} tokens of one Mem-Info line to {@code into} (first value wins, bounded count).
     * Tokens with units ("kB") or other shapes are skipped: those belong to per-node and per-zone lines.
     */
    public static void accumulate(String line, Map<String, Long> into) {
        int i = 0;
        int n = line.length();
        while (i < n && into.size() < MAX_COUNTERS) {
            while (i < n && line.charAt(i) == ' ') {
                i++;
            }
            int start = i;
            while (i < n && line.charAt(i) != ' ') {
                i++;
            }
            if (i > start) {
                addToken(line.substring(start, i), into);
            }
        }
    }

    private static void addToken(String token, Map<String, Long> into) {
        int colon = token.indexOf(':');
        if (colon <= 0 || colon == token.length() - 1 || colon > 40) {
            return;
        }
        for (int k = 0; k < colon; k++) {
            char c = token.charAt(k);
            if (!(c >= 'a' && c <= 'z' || c == '_' || c >= '0' && c <= '9')) {
                return;
            }
        }
        Long value = Numbers.parseUnsigned(token, colon + 1, token.length());
        if (value != null) {
            into.putIfAbsent(token.substring(0, colon), value);
        }
    }
}
