package io.nodeincidents.kernel.memory;

import java.util.ArrayList;
import java.util.List;

/**
 * A zone's buddy allocator free lists as printed by show_free_areas:
 * {@code Node 0 Normal: 34178*4kB (UEM) 20118*8kB (UEM) ... 0*4096kB = 311640kB}. Order i is the i-th entry;
 * a block of order i is 2^i contiguous pages.
 *
 * @param blocksPerOrder free blocks per order, index = order
 * @param blockSizeKb    block size in kB per order, as printed (4kB, 8kB, ... with 4 kB pages)
 * @param migrateTypes   migrate type letters per order as printed ("UEM"), "" when not printed
 * @param totalKb        the printed total after '=', or null
 */
public record BuddyFreeLists(List<Long> blocksPerOrder, List<Long> blockSizeKb, List<String> migrateTypes,
                             Long totalKb) {

    /** More orders than any kernel has (MAX_ORDER is 11 on x86, at most ~20 elsewhere): a line with more is not a buddy line. */
    static final int MAX_ORDERS = 32;

    public BuddyFreeLists {
        blocksPerOrder = List.copyOf(blocksPerOrder);
        blockSizeKb = List.copyOf(blockSizeKb);
        migrateTypes = List.copyOf(migrateTypes);
    }

    /** The highest order with at least one free block, or -1 when every list is empty. */
    public int largestFreeOrder() {
        for (int order = blocksPerOrder.size() - 1; order >= 0; order--) {
            if (blocksPerOrder.get(order) > 0) {
                return order;
            }
        }
        return -1;
    }

    /** Whether a free block of {@code order} or larger exists. */
    public boolean hasBlockOfOrderAtLeast(int order) {
        return largestFreeOrder() >= order;
    }

    /**
     * Parses the lists part of a buddy line: the text after "ZONE:" ({@code "1*4kB (U) 0*8kB ... = 15908kB"}).
     * Returns null when the text is not a well-formed buddy list. Linear, no regex.
     */
    public static BuddyFreeLists parseLists(String text) {
        List<Long> blocks = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        List<String> types = new ArrayList<>();
        Long total = null;
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && text.charAt(i) == ' ') {
                i++;
            }
            int start = i;
            while (i < n && text.charAt(i) != ' ') {
                i++;
            }
            if (i == start) {
                break;
            }
            String token = text.substring(start, i);
            if (token.equals("=")) {
                while (i < n && text.charAt(i) == ' ') {
                    i++;
                }
                int s = i;
                while (i < n && text.charAt(i) != ' ') {
                    i++;
                }
                String t = text.substring(s, i);
                if (t.endsWith("kB")) {
                    total = Numbers.parseUnsigned(t, 0, t.length() - 2);
                }
                break;
            }
            if (token.startsWith("(") && token.endsWith(")")) {
                if (types.isEmpty() || token.length() > 10) {
                    return null;
                }
                types.set(types.size() - 1, token.substring(1, token.length() - 1));
                continue;
            }
            int star = token.indexOf('*');
            if (star <= 0 || !token.endsWith("kB")) {
                return null;
            }
            Long count = Numbers.parseUnsigned(token, 0, star);
            Long size = Numbers.parseUnsigned(token, star + 1, token.length() - 2);
            if (count == null || size == null || blocks.size() >= MAX_ORDERS) {
                return null;
            }
            blocks.add(count);
            sizes.add(size);
            types.add("");
        }
        return blocks.isEmpty() ? null : new BuddyFreeLists(blocks, sizes, types, total);
    }
}
