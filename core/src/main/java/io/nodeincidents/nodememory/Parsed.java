package io.nodeincidents.nodememory;

import java.util.List;

/**
 * What a reader got out of one kernel file: the values it could read, and one line for each part it could not (none
 * when the file read cleanly). Readers never throw on what a file holds: it is untrusted input (another kernel's
 * layout, a read cut short, something else mounted there), and a sample goes on without the part that failed.
 *
 * @param value    what was read; empty, never null, when nothing was
 * @param problems what was not read and why, at most a few lines (the last one counts the rest)
 */
public record Parsed<T>(T value, List<String> problems) {

    public Parsed {
        problems = List.copyOf(problems);
    }

    /** Whether every line was read. */
    public boolean clean() {
        return problems.isEmpty();
    }
}
