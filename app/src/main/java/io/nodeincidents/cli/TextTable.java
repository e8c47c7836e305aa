package io.nodeincidents.cli;

import java.util.ArrayList;
import java.util.List;

/** Rows of text in aligned columns, headed, two spaces apart; the last column is left ragged. */
final class TextTable {

    private final List<String[]> rows = new ArrayList<>();

    TextTable(String... header) {
        rows.add(header);
    }

    TextTable row(String... cells) {
        String[] clean = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            // one line per row, whatever a log line held
            clean[i] = cells[i] == null ? "-" : cells[i].replaceAll("[\\p{Cntrl}]", " ");
        }
        rows.add(clean);
        return this;
    }

    int size() {
        return rows.size() - 1;
    }

    String render() {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns - 1; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(i < columns - 1 ? String.format("%-" + widths[i] + "s  ", row[i]) : row[i]);
            }
            out.append(line.toString().stripTrailing()).append(System.lineSeparator());
        }
        return out.toString();
    }
}
