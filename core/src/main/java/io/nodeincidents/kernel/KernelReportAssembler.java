package io.nodeincidents.kernel;

import io.nodeincidents.kernel.oom.OomTaskTable;
import io.nodeincidents.logs.LineRef;
import io.nodeincidents.logs.LogLine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Assembles kernel log lines into {@link KernelReport}s, one host and boot at a time. Pure: all state is the
 * immutable {@link PendingReport} passed in and returned, so the streaming topology can keep it in a state store
 * per host and offline {@code analyze} in a map.
 *
 * <p>A report starts at a header (allocation failure, OOM killer invocation, kmem_cache_create or SLUB failure;
 * for OOM also at its "Kill process"/"oom-kill:"/"Killed process" lines when the header was lost) and ends at
 * its natural end ("N pages reserved" for an allocation failure, "Killed process" for an OOM, the end of the
 * stack dump or "Unable to create nf_conn slab cache" for a slab failure, the last cache/node line of a SLUB
 * failure), when another header starts, after an idle gap of event time, at a line bound, or when a line of
 * another boot arrives. Lines outside reports (including headerless fragments: lone buddy lines or call traces)
 * are dropped after a few substring checks. Memory per pending report is bounded by {@code maxLines} lines of at
 * most 2048 characters.
 *
 * <p>Kernels interleave what CPUs print at the same time, so a few groupings are kept together and split again
 * when decoded: allocation failure headers printed before any of their dumps (with the lone "comm:" lines a
 * 4.9-era header began with), an allocation failure header followed straight by the kmem_cache_create failure
 * it caused, and a SLUB warning with a few lines of another CPU's output between its own. An OOM selection or
 * summary of another kill than the pending one's starts a new report.
 */
public final class KernelReportAssembler {

    /** Default idle gap after which a pending report is complete. */
    public static final Duration DEFAULT_IDLE_GAP = Duration.ofSeconds(5);
    /** Default bound on the lines kept per report. */
    public static final int DEFAULT_MAX_LINES = 400;
    /** Extra lines an OOM report may keep past the bound for its selection and kill lines. */
    private static final int OOM_TAIL_SLACK = 16;
    /** Lines of other messages in a row a SLUB warning may be interleaved with and still continue. */
    private static final int MAX_SKIPPED = 6;
    /** Lone "comm:" lines kept while waiting for the header they begin. */
    private static final int MAX_COMM_FRAGMENTS = 4;
    /** Header lines of CPUs failing together that are read as one group. */
    private static final int MAX_GROUPED_HEADERS = 8;
    /** Task-table rows an OOM report may count past the bound (a global OOM on a big host lists every task). */
    private static final int MAX_OMITTED_ROWS = 1_000_000;

    private final long idleGapMicros;
    private final int maxLines;

    /** Result of one step: the pending report to keep (null when none) and the reports completed by this step. */
    public record Step(PendingReport pending, List<KernelReport> completed) {
        public Step {
            completed = List.copyOf(completed);
        }
    }

    /** An assembler with the default idle gap (5 s) and line bound (400). */
    public KernelReportAssembler() {
        this(DEFAULT_IDLE_GAP, DEFAULT_MAX_LINES);
    }

    public KernelReportAssembler(Duration idleGap, int maxLines) {
        if (idleGap.isNegative() || maxLines < 8) {
            throw new IllegalArgumentException("idle gap must be >= 0 and maxLines >= 8");
        }
        this.idleGapMicros = idleGap.toNanos() / 1000;
        this.maxLines = maxLines;
    }

    /**
     * Feeds the next line of a host (in log order). Non-kernel lines are not input and leave the state as it is.
     *
     * @param pending the host's pending report, or null
     * @param line    the next line
     */
    public Step step(PendingReport pending, LogLine line) {
        Objects.requireNonNull(line, "line");
        if (!line.isKernel()) {
            return new Step(pending, List.of());
        }
        List<KernelReport> completed = new ArrayList<>(2);
        PendingReport p = pending;
        if (p != null) {
            ReportEnd end = !p.host().equals(line.host()) || !Objects.equals(p.bootId(), line.bootId())
                    ? ReportEnd.BOOT_CHANGE : idle(p, line) ? ReportEnd.IDLE_GAP : null;
            if (end != null) {
                complete(p, end, completed);
                p = null;
            }
        }
        for (String piece : KernelLines.pieces(line.message())) {
            String text = KernelLines.normalize(piece);
            if (text.isEmpty()) {
                continue;
            }
            p = offer(p, text, line, completed);
        }
        return new Step(p, completed);
    }

    /**
     * Whether {@code line} starts a report (or is one on its own) when nothing is pending; a kernel line for which this
     * is false can only continue a report under way.
     */
    public boolean startsReport(LogLine line) {
        Step step = step(null, line);
        return step.pending() != null || !step.completed().isEmpty();
    }

    /**
     * Completes {@code pending} when its latest line is older than the idle gap at {@code nowMicros} (event time:
     * wall-clock µs when the report's lines carry it, else the kernel's monotonic µs).
     */
    public Step expire(PendingReport pending, long nowMicros) {
        if (pending == null) {
            return new Step(null, List.of());
        }
        Long last = pending.lastRealtimeMicros() != null ? pending.lastRealtimeMicros() : pending.lastMonotonicMicros();
        if (last == null || nowMicros - last <= idleGapMicros) {
            return new Step(pending, List.of());
        }
        List<KernelReport> completed = new ArrayList<>(1);
        complete(pending, ReportEnd.IDLE_GAP, completed);
        return new Step(null, completed);
    }

    /** Completes {@code pending} at the end of input. */
    public List<KernelReport> flush(PendingReport pending) {
        List<KernelReport> completed = new ArrayList<>(1);
        if (pending != null) {
            complete(pending, ReportEnd.END_OF_INPUT, completed);
        }
        return completed;
    }

    /**
     * Convenience for offline use: assembles every report in {@code lines} (any hosts and boots, each host's lines
     * in log order) and flushes what is pending at the end.
     */
    public List<KernelReport> assembleAll(Iterable<LogLine> lines) {
        Map<String, PendingReport> pending = new LinkedHashMap<>();
        List<KernelReport> out = new ArrayList<>();
        for (LogLine line : lines) {
            if (!line.isKernel()) {
                continue;
            }
            Step s = step(pending.get(line.host()), line);
            out.addAll(s.completed());
            if (s.pending() == null) {
                pending.remove(line.host());
            } else {
                pending.put(line.host(), s.pending());
            }
        }
        for (PendingReport p : pending.values()) {
            out.addAll(flush(p));
        }
        return out;
    }

    private boolean idle(PendingReport p, LogLine line) {
        if (p.lastRealtimeMicros() != null && line.realtimeMicros() != null) {
            return line.realtimeMicros() - p.lastRealtimeMicros() > idleGapMicros;
        }
        if (p.lastMonotonicMicros() != null && line.monotonicMicros() != null) {
            return line.monotonicMicros() - p.lastMonotonicMicros() > idleGapMicros;
        }
        return false;
    }

    private PendingReport offer(PendingReport p, String text, LogLine line, List<KernelReport> completed) {
        if (p != null && p.kind() == ReportKind.OOM_KILL) {
            String last = p.lines().get(p.lines().size() - 1);
            String joined = last.indexOf("ill") < 0 ? null : OomLines.continueCut(last, text);
            if (joined != null) {
                // a kill or selection line a mail client or terminal wrapped: read it whole
                return offer(withoutLast(p), joined, line, completed);
            }
        }
        ReportStarts.Start start = ReportStarts.classify(text);
        if (p != null && p.kind() == ReportKind.ALLOCATION_FAILURE && !p.headerSeen()) {
            // only lone "comm:" lines so far: more of them, or the header they begin, continue it
            if (start == null && Headers.commFragment(text) != null && p.lines().size() < MAX_COMM_FRAGMENTS) {
                return append(p, text, line, false);
            }
            if (start != null && start.kind() == ReportKind.ALLOCATION_FAILURE) {
                return append(p, text, line, true);
            }
            p = null; // they began no failure report
        }
        if (p != null) {
            if (start != null && start.kind() == ReportKind.SLAB_CACHE_CREATE
                    && p.kind() == ReportKind.ALLOCATION_FAILURE && headersOnly(p)) {
                // the failed allocation was kmem_cache_create's own: both reports share the dump that follows
                List<String> carried = new ArrayList<>(p.lines().size() + 1);
                carried.addAll(p.lines());
                carried.add(text);
                return new PendingReport(ReportKind.SLAB_CACHE_CREATE, true, p.host(), p.bootId(),
                        p.firstRealtimeMicros(), p.firstMonotonicMicros(), orElse(line.realtimeMicros(),
                        p.lastRealtimeMicros()), orElse(line.monotonicMicros(), p.lastMonotonicMicros()),
                        p.firstLine(), line.ref(), carried, 0, 0);
            }
            if (start != null && startsNew(p, start, text)) {
                complete(p, ReportEnd.NEXT_REPORT, completed);
                p = null;
            } else if (p.lines().size() >= maxLines) {
                if (p.kind() == ReportKind.OOM_KILL && OomTaskTable.isRow(text) && p.omittedLines() < MAX_OMITTED_ROWS) {
                    return withOmitted(p, line);
                }
                boolean oomTail = p.kind() == ReportKind.OOM_KILL && start != null && !start.header();
                if (!(oomTail && p.lines().size() < maxLines + OOM_TAIL_SLACK)) {
                    complete(p, ReportEnd.LINE_LIMIT, completed);
                    p = null;
                }
            }
        }
        if (p != null) {
            if (belongs(p, text)) {
                PendingReport next = append(p, text, line);
                if (endsAt(next, text)) {
                    complete(next, ReportEnd.NATURAL_END, completed);
                    return null;
                }
                return next;
            }
            if (p.kind() == ReportKind.SLUB_ALLOCATION && start == null && p.skippedLines() < MAX_SKIPPED
                    && !slubComplete(p)) {
                // another CPU's lines (a stack dump, a driver message) interleave with the SLUB warning's
                return withSkipped(p);
            }
            // A stack-dump or SLUB report ended at the first line that is not its own.
            complete(p, ReportEnd.NATURAL_END, completed);
        }
        if (start == null) {
            if (Headers.commFragment(text) != null) {
                // 4.9-era warn_alloc() printed "comm: " and continued the header with pr_cont
                return new PendingReport(ReportKind.ALLOCATION_FAILURE, false, line.host(), line.bootId(),
                        line.realtimeMicros(), line.monotonicMicros(), line.realtimeMicros(), line.monotonicMicros(),
                        line.ref(), line.ref(), List.of(text), 0, 0);
            }
            return null;
        }
        PendingReport fresh = new PendingReport(start.kind(), start.header(), line.host(), line.bootId(),
                line.realtimeMicros(), line.monotonicMicros(), line.realtimeMicros(), line.monotonicMicros(),
                line.ref(), line.ref(), List.of(text), 0, 0);
        if (start.kind() == ReportKind.NF_CONN_CACHE || endsAt(fresh, text)) {
            complete(fresh, ReportEnd.NATURAL_END, completed);
            return null;
        }
        return fresh;
    }

    /** Whether a starting line begins a new report rather than continuing {@code p}. */
    private static boolean startsNew(PendingReport p, ReportStarts.Start start, String text) {
        if (p.kind() == ReportKind.OOM_KILL && start.kind() == ReportKind.OOM_KILL && !start.header()) {
            return startsAnotherKill(p, text);
        }
        if (p.kind() == ReportKind.ALLOCATION_FAILURE && start.kind() == ReportKind.ALLOCATION_FAILURE
                && headersOnly(p)) {
            // CPUs failing together print their headers before their dumps: one group, decoded per header
            return false;
        }
        return !(p.kind() == ReportKind.SLAB_CACHE_CREATE && start.kind() == ReportKind.NF_CONN_CACHE);
    }

    /**
     * Whether an OOM tail line belongs to another kill than {@code p}'s: a summary after a summary or after a
     * selection (4.19-5.0 print the summary first), or the selection of another task. The kill line itself ends
     * a report, so it always belongs.
     */
    private static boolean startsAnotherKill(PendingReport p, String text) {
        boolean summary = OomLines.summaryAt(text) >= 0;
        OomLines.Candidate candidate = summary ? null : OomLines.candidate(text);
        if (!summary && candidate == null) {
            return false;
        }
        List<String> lines = p.lines();
        for (int i = lines.size() - 1; i >= 0; i--) {
            String l = lines.get(i);
            if (summary && OomLines.summaryAt(l) >= 0) {
                return true;
            }
            OomLines.Candidate before = l.indexOf("process") < 0 ? null : OomLines.candidate(l);
            if (before != null) {
                return summary || before.pid() != candidate.pid();
            }
        }
        return false;
    }

    /** Whether a SLUB report has its cache line and a node line, so that a line of another message ends it. */
    private static boolean slubComplete(PendingReport p) {
        boolean cache = false;
        boolean node = false;
        for (String l : p.lines()) {
            cache |= l.startsWith("cache: ");
            node |= l.startsWith("node ");
        }
        return cache && node;
    }

    /** Whether {@code p} holds nothing but headers and lone "comm:" lines (bounded). */
    private static boolean headersOnly(PendingReport p) {
        if (p.lines().size() >= MAX_GROUPED_HEADERS) {
            return false;
        }
        for (String l : p.lines()) {
            if (Headers.commFragment(l) == null && !(l.contains("page allocation failure")
                    && Headers.allocation(l) != null)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code text} continues {@code p}: anything for the long dumps, only their own lines for slab ones. */
    private static boolean belongs(PendingReport p, String text) {
        return switch (p.kind()) {
            case ALLOCATION_FAILURE, OOM_KILL -> true;
            case SLAB_CACHE_CREATE -> KernelLines.isDumpStackLine(text)
                    || text.contains("Unable to create nf_conn slab cache");
            case SLUB_ALLOCATION -> text.startsWith("cache: ") || text.startsWith("node ")
                    || text.contains("debugging increased min order");
            case NF_CONN_CACHE -> false;
        };
    }

    private static boolean endsAt(PendingReport p, String text) {
        return switch (p.kind()) {
            case ALLOCATION_FAILURE -> text.endsWith(" pages reserved") && Character.isDigit(text.charAt(0));
            case OOM_KILL -> ReportStarts.isKilled(text) || text.startsWith("Out of memory and no killable processes");
            case SLAB_CACHE_CREATE -> text.contains("Unable to create nf_conn slab cache");
            case SLUB_ALLOCATION, NF_CONN_CACHE -> false;
        };
    }

    private static PendingReport append(PendingReport p, String text, LogLine line) {
        return append(p, text, line, p.headerSeen());
    }

    private static PendingReport append(PendingReport p, String text, LogLine line, boolean headerSeen) {
        List<String> lines = new ArrayList<>(p.lines().size() + 1);
        lines.addAll(p.lines());
        lines.add(text);
        return new PendingReport(p.kind(), headerSeen, p.host(), p.bootId(), p.firstRealtimeMicros(),
                p.firstMonotonicMicros(), orElse(line.realtimeMicros(), p.lastRealtimeMicros()),
                orElse(line.monotonicMicros(), p.lastMonotonicMicros()), p.firstLine(), line.ref(), lines,
                p.omittedLines(), 0);
    }

    /** {@code p} without its latest line, or null when that was its only one. */
    private static PendingReport withoutLast(PendingReport p) {
        if (p.lines().size() <= 1) {
            return null;
        }
        return new PendingReport(p.kind(), p.headerSeen(), p.host(), p.bootId(), p.firstRealtimeMicros(),
                p.firstMonotonicMicros(), p.lastRealtimeMicros(), p.lastMonotonicMicros(), p.firstLine(),
                p.lastLine(), p.lines().subList(0, p.lines().size() - 1), p.omittedLines(), p.skippedLines());
    }

    /** {@code p} with one more line of another message met and not kept. */
    private static PendingReport withSkipped(PendingReport p) {
        return new PendingReport(p.kind(), p.headerSeen(), p.host(), p.bootId(), p.firstRealtimeMicros(),
                p.firstMonotonicMicros(), p.lastRealtimeMicros(), p.lastMonotonicMicros(), p.firstLine(),
                p.lastLine(), p.lines(), p.omittedLines(), p.skippedLines() + 1);
    }

    private static PendingReport withOmitted(PendingReport p, LogLine line) {
        LineRef ref = line.ref();
        return new PendingReport(p.kind(), p.headerSeen(), p.host(), p.bootId(), p.firstRealtimeMicros(),
                p.firstMonotonicMicros(), orElse(line.realtimeMicros(), p.lastRealtimeMicros()),
                orElse(line.monotonicMicros(), p.lastMonotonicMicros()), p.firstLine(), ref, p.lines(),
                p.omittedLines() + 1, p.skippedLines());
    }

    private static void complete(PendingReport p, ReportEnd end, List<KernelReport> out) {
        out.addAll(ReportDecoder.decode(p, end));
    }

    private static Long orElse(Long a, Long b) {
        return a != null ? a : b;
    }
}
