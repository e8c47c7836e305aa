package io.nodeincidents.kernel;

import io.nodeincidents.logs.LineRef;

import java.util.List;

/**
 * Context common to all kernel reports.
 *
 * @param host            host whose kernel printed the report
 * @param bootId          boot id, or null when the log did not carry one
 * @param realtimeMicros  wall-clock time of the first line (µs since the epoch), or null (plain dmesg)
 * @param monotonicMicros kernel timestamp of the first line (µs since boot), or null
 * @param kernelVersion   kernel release from the "CPU: .. Comm: .. Not tainted VERSION" line, or null
 * @param comm            the task that hit the failure or invoked the OOM killer (may hold spaces, colons,
 *                        brackets), or null when the header was not seen
 * @param pid             that task's pid (from the "CPU: N PID: P" line), or null
 * @param callTrace       function names of the first call trace, innermost first, without offsets, compiler clone
 *                        suffixes (.constprop.N, .isra.N) or unreliable '?' frames
 * @param pointsAt        what the call trace shows the kernel was doing
 * @param firstLine       where the report's first line is
 * @param lastLine        where the report's last kept line is
 * @param lineCount       lines that belonged to the report, including task-table rows not kept past the bound
 * @param end             why the report was considered complete
 * @param lines           the report's kept lines as printed (bounded by the assembler), for people to read
 */
public record ReportContext(
        String host,
        String bootId,
        Long realtimeMicros,
        Long monotonicMicros,
        String kernelVersion,
        String comm,
        Integer pid,
        List<String> callTrace,
        PointsAt pointsAt,
        LineRef firstLine,
        LineRef lastLine,
        int lineCount,
        ReportEnd end,
        List<String> lines) {

    public ReportContext {
        callTrace = List.copyOf(callTrace);
        lines = List.copyOf(lines);
    }
}
