package io.nodeincidents.kernel;

import io.nodeincidents.logs.LineRef;

import java.util.List;
import java.util.Objects;

/**
 * A kernel report still being collected for one host and boot: immutable, small, and easy to serialize (a few
 * scalars and the report's kept lines, each a continuation piece of a kernel message). The streaming topology
 * keeps one per host in a state store; {@link KernelReportAssembler} returns a new one for every line.
 *
 * @param kind                what is being collected
 * @param headerSeen          whether the report's header was seen: for an OOM report lines.get(0) is then the
 *                            header (false when picked up at its "Kill process"/"oom-kill:"/"Killed process"
 *                            lines); an allocation report's headers may follow lone "comm:" lines, and a report
 *                            of only such lines so far (false) makes no event unless a header follows
 * @param host                host of the report
 * @param bootId              boot of the report, or null
 * @param firstRealtimeMicros wall-clock time of the first line, or null
 * @param firstMonotonicMicros kernel timestamp of the first line, or null
 * @param lastRealtimeMicros  wall-clock time of the latest line, or null
 * @param lastMonotonicMicros kernel timestamp of the latest line, or null
 * @param firstLine           where the first line is
 * @param lastLine            where the latest line is
 * @param lines               the kept lines (bounded in count and length), normalized
 * @param omittedLines        task-table rows counted but not kept because the line bound was reached
 * @param skippedLines        lines of other messages met in a row since the report's latest own line (a SLUB
 *                            warning interleaved with another CPU's output), not kept
 */
public record PendingReport(
        ReportKind kind,
        boolean headerSeen,
        String host,
        String bootId,
        Long firstRealtimeMicros,
        Long firstMonotonicMicros,
        Long lastRealtimeMicros,
        Long lastMonotonicMicros,
        LineRef firstLine,
        LineRef lastLine,
        List<String> lines,
        int omittedLines,
        int skippedLines) {

    public PendingReport {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(host, "host");
        lines = List.copyOf(lines);
    }

    /** A report with no lines of other messages skipped (the form before SLUB interleaving was read). */
    public PendingReport(ReportKind kind, boolean headerSeen, String host, String bootId, Long firstRealtimeMicros,
                         Long firstMonotonicMicros, Long lastRealtimeMicros, Long lastMonotonicMicros,
                         LineRef firstLine, LineRef lastLine, List<String> lines, int omittedLines) {
        this(kind, headerSeen, host, bootId, firstRealtimeMicros, firstMonotonicMicros, lastRealtimeMicros,
                lastMonotonicMicros, firstLine, lastLine, lines, omittedLines, 0);
    }
}
