package io.nodeincidents.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A set of literal substrings tested against a line in one pass: an Aho-Corasick automaton compiled to a dense table
 * over the characters the needles use (every other character is one class). The cost per line is one table step per
 * character whatever the number of needles, so the runtime rules' cheap test stays cheap as an operator adds rules.
 * Needles with characters outside ASCII are few and rare; they are tested with {@link String#contains}. Needles may
 * belong to groups (up to 7): one pass tells which groups have a needle in the line.
 */
final class Needles {

    static final Needles NONE = new Needles(List.of());

    private final List<String> all;
    private final int[] groupOf;
    /** character (ASCII) to class; 0 is "a character no needle uses" */
    private final short[] classOf = new short[128];
    private final int classes;
    /** transitions[state * classes + class]: the target state, with the groups it completes in the top byte */
    private final int[] transitions;
    private final String[] nonAscii;
    private final int[] nonAsciiGroups;
    /** ASCII characters on which the root moves to another state (the needles' first characters) */
    private final boolean[] leavesRoot = new boolean[128];
    /** the group of the first needle: any found group satisfies {@link #foundIn} once they are all one group */
    private final int anyGroup;

    Needles(List<String> needles) {
        this(needles, new int[needles.size()]);
    }

    /** @param groups the group (0..6) of each needle, in order */
    Needles(List<String> needles, int[] groups) {
        this.all = List.copyOf(needles);
        this.groupOf = groups.clone();
        List<String> ascii = new ArrayList<>();
        List<Integer> asciiGroups = new ArrayList<>();
        List<String> other = new ArrayList<>();
        List<Integer> otherGroups = new ArrayList<>();
        for (int k = 0; k < all.size(); k++) {
            String n = all.get(k);
            boolean isAscii = n.chars().allMatch(c -> c < 128);
            (isAscii ? ascii : other).add(n);
            (isAscii ? asciiGroups : otherGroups).add(groups[k]);
        }
        this.nonAscii = other.toArray(String[]::new);
        this.nonAsciiGroups = otherGroups.stream().mapToInt(Integer::intValue).toArray();
        int next = 1;
        for (String n : ascii) {
            for (int i = 0; i < n.length(); i++) {
                char c = n.charAt(i);
                if (classOf[c] == 0) {
                    classOf[c] = (short) next++;
                }
            }
        }
        this.classes = next;
        this.transitions = build(ascii, asciiGroups);
        this.anyGroup = java.util.Arrays.stream(groups).distinct().count() <= 1 && groups.length > 0
                ? 1 << groups[0] : ~0;
        for (int ch = 0; ch < 128; ch++) {
            leavesRoot[ch] = transitions[classOf[ch]] != 0;
        }
    }

    /** The trie, then failure links folded in breadth-first so every state has a full row. */
    private int[] build(List<String> ascii, List<Integer> groups) {
        List<int[]> goTo = new ArrayList<>();
        List<Integer> accepting = new ArrayList<>();
        goTo.add(newRow());
        accepting.add(0);
        for (int k = 0; k < ascii.size(); k++) {
            String n = ascii.get(k);
            int state = 0;
            for (int i = 0; i < n.length(); i++) {
                int c = classOf[n.charAt(i)];
                if (goTo.get(state)[c] <= 0) {
                    goTo.add(newRow());
                    accepting.add(0);
                    goTo.get(state)[c] = goTo.size() - 1;
                }
                state = goTo.get(state)[c];
            }
            accepting.set(state, accepting.get(state) | (1 << groups.get(k)));
        }
        int states = goTo.size();
        if (states >= 1 << 24) {
            throw new IllegalArgumentException("too many needle characters: " + states);
        }
        int[] fail = new int[states];
        int[] table = new int[states * classes];
        int[] accepts = new int[states];
        for (int s = 0; s < states; s++) {
            accepts[s] = accepting.get(s);
        }
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int c = 0; c < classes; c++) {
            int t = goTo.get(0)[c];
            if (t > 0) {
                fail[t] = 0;
                table[c] = t;
                queue.add(t);
            } else {
                table[c] = 0;
            }
        }
        while (!queue.isEmpty()) {
            int s = queue.poll();
            accepts[s] |= accepts[fail[s]];
            for (int c = 0; c < classes; c++) {
                int t = goTo.get(s)[c];
                if (t > 0) {
                    fail[t] = table[fail[s] * classes + c];
                    table[s * classes + c] = t;
                    queue.add(t);
                } else {
                    table[s * classes + c] = table[fail[s] * classes + c];
                }
            }
        }
        // the groups a target completes go in its top byte, so the scan needs no second lookup
        for (int i = 0; i < table.length; i++) {
            table[i] |= accepts[table[i]] << 24;
        }
        return table;
    }

    private int[] newRow() {
        return new int[classes];
    }

    boolean isEmpty() {
        return all.isEmpty();
    }

    List<String> values() {
        return all;
    }

    /** True when {@code s} contains at least one needle: the scan stops at the first. */
    boolean foundIn(String s) {
        return groupsIn(s, anyGroup) != 0;
    }

    /**
     * The groups (bit g for group g) with a needle in {@code s}; the scan stops once every group of {@code wanted} is
     * found.
     */
    int groupsIn(String s, int wanted) {
        if (all.isEmpty()) {
            return 0;
        }
        int found = 0;
        for (int k = 0; k < nonAscii.length; k++) {
            if (s.contains(nonAscii[k])) {
                found |= 1 << nonAsciiGroups[k];
            }
        }
        if (classes <= 1 || (found & wanted) == wanted) {
            return found;
        }
        int state = 0;
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char ch = s.charAt(i);
            if (state == 0) {
                // most characters leave the automaton at its root: skip them without the table's dependency chain
                while (ch >= 128 || !leavesRoot[ch]) {
                    if (++i == len) {
                        return found;
                    }
                    ch = s.charAt(i);
                }
            }
            int e = transitions[state * classes + (ch < 128 ? classOf[ch] : 0)];
            state = e & 0xFFFFFF;
            if (e >>> 24 != 0) {
                found |= e >>> 24;
                if ((found & wanted) == wanted) {
                    return found;
                }
            }
        }
        return found;
    }

    static Needles union(List<Needles> sets) {
        List<String> all = new ArrayList<>();
        sets.forEach(n -> all.addAll(n.all));
        return new Needles(List.copyOf(new LinkedHashSet<>(all)));
    }

    /** One automaton for several sets: set i is group i. */
    static Needles grouped(List<Needles> sets) {
        List<String> all = new ArrayList<>();
        List<Integer> groups = new ArrayList<>();
        for (int g = 0; g < sets.size(); g++) {
            for (String n : sets.get(g).all) {
                all.add(n);
                groups.add(g);
            }
        }
        return new Needles(all, groups.stream().mapToInt(Integer::intValue).toArray());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Needles n && n.all.equals(all);
    }

    @Override
    public int hashCode() {
        return all.hashCode();
    }

    @Override
    public String toString() {
        return all.toString();
    }
}
