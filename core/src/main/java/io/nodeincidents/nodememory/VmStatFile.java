package io.nodeincidents.nodememory;

import io.nodeincidents.nodememory.KernelText.Lines;
import io.nodeincidents.nodememory.KernelText.Problems;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the compaction, reclaim and OOM counters of {@code /proc/vmstat} ({@code name value} lines): compact_*,
 * allocstall* (per zone since 4.x, one {@code allocstall} on 3.x), pgscan*, pgsteal*, drop_pagecache, drop_slab,
 * oom_kill, pgmajfault and nr_free_pages. The other counters are skipped unread: some are gauges a racing per-cpu
 * update can print as a 20-digit wrapped value, which would be a false problem.
 */
public final class VmStatFile {

    private static final List<String> KEPT_PREFIXES = List.of("compact_", "allocstall", "pgscan", "pgsteal");
    private static final Set<String> KEPT = Set.of("drop_pagecache", "drop_slab", "oom_kill", "pgmajfault",
            "nr_free_pages");
    /** vmstat has about 200 lines on 6.x kernels. */
    static final int MAX_LINES = 4096;

    private VmStatFile() {
    }

    /** The kept counters, in the file's order. */
    public static Parsed<Map<String, Long>> parse(String text) {
        Problems problems = new Problems();
        Map<String, Long> counters = new LinkedHashMap<>();
        Lines lines = new Lines(text, MAX_LINES);
        for (String line; (line = lines.next(problems)) != null; ) {
            List<String> t = KernelText.tokens(line, 2);
            if (t.isEmpty()) {
                continue;
            }
            if (t.size() != 2 || !isCounterName(t.get(0))) {
                problems.at(lines.number(), "not a 'name value' line", line);
                continue;
            }
            String name = t.get(0);
            if (!kept(name)) {
                continue;
            }
            long value = KernelText.unsigned(t.get(1));
            if (value < 0) {
                problems.at(lines.number(), "not a number", line);
            } else {
                counters.putIfAbsent(name, value);
            }
        }
        return new Parsed<>(counters, problems.list());
    }

    /** Whether {@code name} is one of the counters a sample keeps. */
    public static boolean kept(String name) {
        if (KEPT.contains(name)) {
            return true;
        }
        for (String prefix : KEPT_PREFIXES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isCounterName(String name) {
        if (name.length() > 64) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')) {
                return false;
            }
        }
        return true;
    }
}
