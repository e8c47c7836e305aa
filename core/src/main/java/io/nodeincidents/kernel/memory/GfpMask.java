package io.nodeincidents.kernel.memory;

import java.util.List;

/**
 * A GFP mask as printed ("0x10c0d0"), with the flag names when the kernel printed them
 * ("0x40dc0(GFP_KERNEL|__GFP_COMP|__GFP_ZERO)").
 *
 * @param printed the hex mask as printed, e.g. "0x10c0d0", or null
 * @param flags   flag names, empty when not printed
 */
public record GfpMask(String printed, List<String> flags) {

    // The four zone modifier bits have kept these values from 2.6 through 6.x (include/linux/gfp*.h).
    private static final long GFP_DMA = 0x01;
    private static final long GFP_HIGHMEM = 0x02;
    private static final long GFP_DMA32 = 0x04;
    private static final long GFP_MOVABLE = 0x08;

    public GfpMask {
        flags = List.copyOf(flags);
    }

    /**
     * Parses "0x24040c0(GFP_KERNEL|__GFP_COMP)" or "0x10c0d0"; the mask is whatever precedes '(' and the flags
     * are the '|'-separated names inside the parentheses.
     */
    public static GfpMask parse(String text) {
        if (text == null) {
            return new GfpMask(null, List.of());
        }
        int paren = text.indexOf('(');
        if (paren < 0) {
            return new GfpMask(text, List.of());
        }
        String inside = text.substring(paren + 1, text.endsWith(")") ? text.length() - 1 : text.length());
        List<String> names = inside.isEmpty() ? List.of() : List.of(inside.split("\\|", 32));
        return new GfpMask(text.substring(0, paren), names);
    }

    /** The numeric mask, or null when unparseable. */
    public Long value() {
        return Numbers.parseHex(printed);
    }

    /**
     * The highest zone this allocation may use (the kernel's gfp_zone()): __GFP_DMA -> DMA, __GFP_DMA32 -> DMA32,
     * __GFP_HIGHMEM|__GFP_MOVABLE -> Movable, __GFP_HIGHMEM -> HighMem, otherwise Normal. Null when the mask is
     * unknown.
     */
    public ZoneType highestZone() {
        Long v = value();
        if (v == null) {
            return null;
        }
        if ((v & GFP_DMA) != 0) {
            return ZoneType.DMA;
        }
        if ((v & GFP_DMA32) != 0) {
            return ZoneType.DMA32;
        }
        if ((v & GFP_HIGHMEM) != 0) {
            return (v & GFP_MOVABLE) != 0 ? ZoneType.MOVABLE : ZoneType.HIGHMEM;
        }
        return ZoneType.NORMAL;
    }
}
