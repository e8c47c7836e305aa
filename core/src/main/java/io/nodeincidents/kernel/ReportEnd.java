package io.nodeincidents.kernel;

/** Why the assembler considered a report complete; anything but {@link #NATURAL_END} may mean a partial report. */
public enum ReportEnd {
    /** The report's own last line was seen (e.g. "pages reserved", "Killed process", end of a stack dump). */
    NATURAL_END,
    /** Another report's header started before this one ended naturally. */
    NEXT_REPORT,
    /** No line arrived for longer than the idle gap. */
    IDLE_GAP,
    /** The report reached the line bound; later lines were not kept. */
    LINE_LIMIT,
    /** A line from another boot (or host) arrived: the machine rebooted mid-report. */
    BOOT_CHANGE,
    /** The input ended. */
    END_OF_INPUT
}
