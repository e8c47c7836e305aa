package io.nodeincidents.kernel.oom;

import io.nodeincidents.kernel.memory.Numbers;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses an OOM report's task table. The columns differ by era (2.6: "cpu oom_adj"; 3.10: "nr_ptes swapents";
 * 4.x: "nr_pmds"; 4.19+: "pgtables_bytes"), so values are found by the header's column names; rows before a
 * header are not parsed. Not thread-safe; use one per report.
 */
public final class OomTaskTable {

    private static final int MAX_COLUMNS = 16;

    private List<String> columns;
    private final List<OomTask> rows = new ArrayList<>();

    /** Whether {@code line} is a table header ("[ pid ]   uid  tgid total_vm      rss ... name"). */
    public static boolean isHeader(String line) {
        if (!line.startsWith("[")) {
            return false;
        }
        int close = line.indexOf(']');
        return close > 0 && close < 12 && line.substring(1, close).trim().equals("pid");
    }

    /** Whether {@code line} looks like a table row ("[26675]     0 26675 ..."), cheaply. */
    public static boolean isRow(String line) {
        if (!line.startsWith("[")) {
            return false;
        }
        int close = line.indexOf(']');
        if (close < 2 || close > 14) {
            return false;
        }
        String pid = line.substring(1, close).trim();
        return !pid.isEmpty() && Numbers.parseUnsigned(pid, 0, pid.length()) != null;
    }

    /** Offers one line; returns true when it was a header or a parsed row. */
    public boolean accept(String line) {
        if (isHeader(line)) {
            String[] names = line.substring(line.indexOf(']') + 1).trim().split("\\s+", MAX_COLUMNS + 1);
            columns = names.length > MAX_COLUMNS ? null : List.of(names);
            return columns != null;
        }
        if (columns == null || !isRow(line)) {
            return false;
        }
        int close = line.indexOf(']');
        Integer pid = Numbers.parseInt(line.substring(1, close).trim());
        int numeric = columns.size() - (columns.get(columns.size() - 1).equals("name") ? 1 : 0);
        String[] values = line.substring(close + 1).trim().split("\\s+", numeric + 1);
        if (pid == null || values.length < numeric) {
            return false;
        }
        rows.add(new OomTask(pid, value(values, "uid"), value(values, "tgid"), value(values, "total_vm"),
                value(values, "rss"), toInt(value(values, "oom_score_adj")),
                values.length > numeric ? values[numeric] : ""));
        return true;
    }

    /** The rows parsed, in printed order. */
    public List<OomTask> rows() {
        return List.copyOf(rows);
    }

    private Long value(String[] values, String column) {
        int idx = columns.indexOf(column);
        return idx < 0 || idx >= values.length ? null : Numbers.parseSigned(values[idx]);
    }

    private static Integer toInt(Long v) {
        return v == null || v > Integer.MAX_VALUE || v < Integer.MIN_VALUE ? null : v.intValue();
    }
}
