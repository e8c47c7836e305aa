package io.nodeincidents.nodememory;

import io.nodeincidents.nodememory.KernelText.Lines;
import io.nodeincidents.nodememory.KernelText.Problems;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code /proc/meminfo}: {@code Name:   value kB} lines. Values are kept as printed: in kB for the lines with
 * a unit, a plain count for the few without one ({@code HugePages_Total}, {@code HugePages_Free}, ...).
 */
public final class MemInfoFile {

    /** meminfo has about 55 lines on 6.x kernels. */
    static final int MAX_LINES = 1024;

    private MemInfoFile() {
    }

    /** Every line's value by name, in the file's order. */
    public static Parsed<Map<String, Long>> parse(String text) {
        Problems problems = new Problems();
        Map<String, Long> values = new LinkedHashMap<>();
        Lines lines = new Lines(text, MAX_LINES);
        for (String line; (line = lines.next(problems)) != null; ) {
            if (line.isBlank()) {
                continue;
            }
            int colon = line.indexOf(':');
            String name = colon < 0 ? "" : line.substring(0, colon).strip();
            List<String> t = KernelText.tokens(line.substring(colon + 1), 2);
            if (name.isEmpty() || name.length() > 64 || name.indexOf(' ') >= 0 || t.isEmpty() || t.size() > 2
                    || t.size() == 2 && !t.get(1).equals("kB")) {
                problems.at(lines.number(), "not a 'Name: value [kB]' line", line);
                continue;
            }
            long value = KernelText.unsigned(t.get(0));
            if (value < 0) {
                problems.at(lines.number(), "not a number", line);
            } else {
                values.putIfAbsent(name, value);
            }
        }
        return new Parsed<>(values, problems.list());
    }
}
