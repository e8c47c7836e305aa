package io.nodeincidents.events;

import io.nodeincidents.kernel.oom.OomScope;
import io.nodeincidents.runtime.FailureKind;
import io.nodeincidents.kernel.AllocationFailureReport;
import io.nodeincidents.kernel.KernelReport;
import io.nodeincidents.kernel.OomKillReport;
import io.nodeincidents.kernel.ReportContext;
import io.nodeincidents.kernel.SlabFailureReport;
import io.nodeincidents.kernel.memory.ZoneCounters;
import io.nodeincidents.kernel.oom.OomTask;
import io.nodeincidents.kernel.oom.TaskTableSummary;
import io.nodeincidents.logs.LineRef;
import io.nodeincidents.runtime.RuntimeFailure;
import io.nodeincidents.schemas.AllocationVerdict;
import io.nodeincidents.schemas.EvidenceRef;
import io.nodeincidents.schemas.KernelEventKind;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.OomConstraint;
import io.nodeincidents.schemas.OomTableRow;
import io.nodeincidents.schemas.OomTaskGroup;
import io.nodeincidents.schemas.RuntimeFailureEvent;
import io.nodeincidents.schemas.RuntimeFailureKind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The Avro records ({@link KernelMemoryEvent}, {@link RuntimeFailureEvent}) for decoded events: what incidents carry
 * as evidence and what the query API serves. Event ids are derived from host, boot, kind and the first line's
 * reference, so replaying the same log yields the same ids.
 */
public final class EventRecords {

    /** Task-name groups of an OOM task table carried in the event: enough to name who held the memory. */
    static final int TOP_CONSUMERS = 5;
    /** Task table rows carried in the event, largest rss first (the victim's row is added when not among them). */
    static final int TABLE_ROWS = 20;
    /**
     * A report's lines carried for people: the first ones (header, zones, buddy lists, trace) and the last ones (the
     * OOM killer's verdict follows the task table), each cut, so an incident of many reports stays well inside a
     * Kafka record.
     */
    static final int HEAD_LINES = 60;
    static final int TAIL_LINES = 20;
    static final int MAX_LINE_CHARS = 512;

    private EventRecords() {
    }

    public static KernelMemoryEvent kernelEvent(KernelReport report) {
        ReportContext context = report.context();
        KernelMemoryEvent.Builder builder = KernelMemoryEvent.newBuilder()
                .setEventId(eventId("kernel", context.host(), context.bootId(), kind(report).name(),
                        context.firstLine(), context.monotonicMicros(), context.realtimeMicros() + "\u0000"
                                + context.comm() + "\u0000" + context.pid() + "\u0000" + report.summary()))
                .setHost(context.host())
                .setBootId(context.bootId())
                .setTimeMicros(context.realtimeMicros())
                .setMonotonicMicros(context.monotonicMicros())
                .setKind(kind(report))
                .setKernelVersion(context.kernelVersion())
                .setComm(context.comm())
                .setPid(context.pid())
                .setCallTrace(context.callTrace())
                .setPointsAt(context.pointsAt() == null ? null : context.pointsAt().name())
                .setEvidence(evidence(context.host(), context.realtimeMicros(), distinct(context.firstLine(),
                        context.lastLine())))
                .setSummary(report.summary());
        List<String> lines = context.lines();
        List<String> kept = new ArrayList<>(Math.min(lines.size(), HEAD_LINES + TAIL_LINES));
        if (lines.size() <= HEAD_LINES + TAIL_LINES) {
            lines.forEach(line -> kept.add(cut(line)));
        } else {
            lines.subList(0, HEAD_LINES).forEach(line -> kept.add(cut(line)));
            lines.subList(lines.size() - TAIL_LINES, lines.size()).forEach(line -> kept.add(cut(line)));
        }
        builder.setLines(kept).setLinesOmitted(Math.max(0, context.lineCount() - kept.size()));
        if (report instanceof AllocationFailureReport failure) {
            builder.setAllocation(io.nodeincidents.schemas.AllocationFailure.newBuilder()
                    .setOrder(failure.order())
                    .setGfpMask(failure.gfp() == null ? null : failure.gfp().printed())
                    .setGfpFlags(failure.gfp() == null ? List.of() : failure.gfp().flags())
                    .setZones(failure.zones().stream().map(EventRecords::zone).toList())
                    .setVerdict(verdict(failure.verdict()))
                    .build());
        } else if (report instanceof OomKillReport oom) {
            builder.setOom(oom(oom));
        } else if (report instanceof SlabFailureReport slab) {
            builder.setSlab(io.nodeincidents.schemas.SlabFailure.newBuilder()
                    .setCache(slab.cache())
                    .setErrorCode(slab.errorCode())
                    .setGfpMask(slab.gfp() == null ? null : slab.gfp().printed())
                    .build());
        }
        return builder.build();
    }

    private static io.nodeincidents.schemas.OomKill oom(OomKillReport oom) {
        io.nodeincidents.schemas.OomKill.Builder b = io.nodeincidents.schemas.OomKill.newBuilder()
                .setConstraint(constraint(oom.constraint()))
                .setGfpMask(oom.gfp() == null ? null : oom.gfp().printed())
                .setOrder(oom.order())
                .setVictimPid(oom.victim() == null ? null : oom.victim().pid())
                .setVictimComm(oom.victim() == null ? null : oom.victim().comm())
                .setVictimRssKb(oom.victim() == null ? null : oom.victim().rssKb())
                .setVictimTotalVmKb(oom.victim() == null ? null : oom.victim().totalVmKb())
                .setMemcg(oom.oomMemcg() == null ? null : oom.oomMemcg().path())
                .setTaskMemcg(oom.taskMemcg() == null ? null : oom.taskMemcg().path())
                .setContainerId(oom.containerId())
                .setPodUid(oom.podUid())
                .setMemoryUsageKb(oom.memoryUsageKb())
                .setMemoryLimitKb(oom.memoryLimitKb())
                .setCandidatePid(oom.candidate() == null ? null : oom.candidate().pid())
                .setCandidateComm(oom.candidate() == null ? null : oom.candidate().comm())
                .setCandidateScore(oom.candidate() == null ? null : oom.candidate().score());
        TaskTableSummary table = TaskTableSummary.of(oom);
        if (table.tasks() > 0) {
            // the table is evidence of who held the memory: the diagnosis compares the victim with it
            b.setTaskCount(table.tasks())
                    .setTaskTableTruncated(table.truncated())
                    .setTableRssKb(table.rssKb())
                    .setTopConsumers(table.top(TOP_CONSUMERS).stream()
                            .map(g -> OomTaskGroup.newBuilder().setName(g.name()).setTasks(g.tasks())
                                    .setRssKb(g.rssKb()).setLargestRssKb(g.largestRssKb()).build())
                            .toList())
                    .setTasksOutweighingVictim(table.victimRssKb() == null ? null : table.outweighingVictim())
                    .setLargestTaskRssKb(table.largest() == null ? null : table.largest().rssKb())
                    .setTasksAtScoreFloor(table.tasksAtFloor())
                    .setTasks(tableRows(oom));
        }
        return b.build();
    }

    /** The task table's largest rows by rss, and the victim's row. */
    private static List<OomTableRow> tableRows(OomKillReport oom) {
        List<OomTask> rows = new ArrayList<>(oom.tasks());
        // stable: ties keep the printed order
        rows.sort(Comparator.comparingLong(
                (OomTask t) -> t.rssPages() == null ? -1 : t.rssPages()).reversed());
        List<OomTask> kept = new ArrayList<>(rows.subList(0,
                Math.min(TABLE_ROWS, rows.size())));
        if (oom.victim() != null && kept.stream().noneMatch(t -> t.pid() == oom.victim().pid())) {
            rows.stream().filter(t -> t.pid() == oom.victim().pid()).findFirst().ifPresent(kept::add);
        }
        return kept.stream().map(t -> OomTableRow.newBuilder()
                .setPid(t.pid())
                .setUid(t.uid())
                .setTotalVmKb(t.totalVmPages() == null ? null : t.totalVmPages() * OomTask.PAGE_KB)
                .setRssKb(t.rssKb())
                .setOomScoreAdj(t.oomScoreAdj())
                .setName(t.name() == null ? "" : t.name())
                .build()).toList();
    }

    private static String cut(String line) {
        return line.length() <= MAX_LINE_CHARS ? line : line.substring(0, MAX_LINE_CHARS);
    }

    public static RuntimeFailureEvent runtimeEvent(RuntimeFailure failure) {
        LineRef first = failure.refs().isEmpty() ? LineRef.none() : failure.refs().get(0);
        return RuntimeFailureEvent.newBuilder()
                .setEventId(eventId("runtime", failure.host(), null, failure.kind().name(), first, failure.timeMicros(),
                        failure.component().wireName() + "\u0000" + failure.pod() + "\u0000" + failure.namespace()
                                + "\u0000" + failure.containerId() + "\u0000" + failure.errorText()))
                .setHost(failure.host())
                .setTimeMicros(failure.timeMicros())
                .setKind(kind(failure.kind()))
                .setComponent(failure.component().wireName())
                .setMemoryRelated(failure.memoryRelated())
                .setPod(failure.pod())
                .setNamespace(failure.namespace())
                .setPodUid(failure.podUid())
                .setContainerId(failure.containerId())
                .setErrorText(failure.errorText() == null ? "" : failure.errorText())
                .setEvidence(evidence(failure.host(), failure.timeMicros(), failure.refs()))
                .setEvidenceOmitted(failure.omittedRefs())
                .setLine(failure.firstLine())
                .build();
    }

    // The domain enums and the record enums are mapped by exhaustive switches: a constant added to one side is a
    // compile error here, not an IllegalArgumentException in a stream thread.
    static AllocationVerdict verdict(io.nodeincidents.kernel.memory.Verdict verdict) {
        return switch (verdict) {
            case FRAGMENTATION -> AllocationVerdict.FRAGMENTATION;
            case EXHAUSTION -> AllocationVerdict.EXHAUSTION;
            case UNDETERMINED -> AllocationVerdict.UNDETERMINED;
        };
    }

    static OomConstraint constraint(OomScope constraint) {
        return switch (constraint) {
            case MEMCG -> OomConstraint.MEMCG;
            case GLOBAL -> OomConstraint.GLOBAL;
            case CPUSET -> OomConstraint.CPUSET;
            case MEMORY_POLICY -> OomConstraint.MEMORY_POLICY;
            case UNKNOWN -> OomConstraint.UNKNOWN;
        };
    }

    static RuntimeFailureKind kind(FailureKind kind) {
        return switch (kind) {
            case SANDBOX_FAILURE -> RuntimeFailureKind.SANDBOX_FAILURE;
            case CONTAINER_START_FAILURE -> RuntimeFailureKind.CONTAINER_START_FAILURE;
            case CONTAINER_OOM_KILLED -> RuntimeFailureKind.CONTAINER_OOM_KILLED;
        };
    }

    public static KernelEventKind kind(KernelReport report) {
        if (report instanceof AllocationFailureReport) {
            return KernelEventKind.ALLOC_FAILURE;
        }
        if (report instanceof OomKillReport) {
            return KernelEventKind.OOM_KILL;
        }
        return KernelEventKind.SLAB_FAILURE;
    }

    private static io.nodeincidents.schemas.ZoneState zone(ZoneCounters zone) {
        return io.nodeincidents.schemas.ZoneState.newBuilder()
                .setNode(zone.node())
                .setZone(zone.zone())
                .setFreeKb(zone.freeKb())
                .setMinKb(zone.minKb())
                .setLowKb(zone.lowKb())
                .setHighKb(zone.highKb())
                .setFreeBlocks(zone.buddy() == null ? List.of() : zone.buddy().blocksPerOrder())
                .setBuddyTotalKb(zone.buddy() == null ? null : zone.buddy().totalKb())
                .setLargestFreeOrder(zone.largestFreeOrder())
                .build();
    }

    private static List<LineRef> distinct(LineRef first, LineRef last) {
        List<LineRef> refs = new ArrayList<>();
        if (first != null) {
            refs.add(first);
        }
        if (last != null && !last.equals(first)) {
            refs.add(last);
        }
        return refs;
    }

    private static List<EvidenceRef> evidence(String host, Long timeMicros, List<LineRef> refs) {
        List<EvidenceRef> evidence = new ArrayList<>(refs.size());
        for (LineRef ref : refs) {
            evidence.add(EvidenceRef.newBuilder().setHost(host).setTimeMicros(timeMicros).setCursor(ref.cursor())
                    .setFile(ref.file()).setLine(ref.line()).build());
        }
        return evidence;
    }

    /**
     * A stable id: the same report read again (a replay, a restart) gets the same id. A journal entry is named by its
     * cursor; a line of a saved file by what it says ({@code content}: its time, task and decoded facts), never by the
     * file's name or line number, so a renamed, rotated or re-prepended copy of a log gives the same ids and a SIEM
     * upsert does not duplicate.
     */
    static String eventId(String source, String host, String bootId, String kind, LineRef first, Long time,
                          String content) {
        String where = first != null && first.cursor() != null ? "cursor\u0000" + first.cursor() : "content\u0000" + content;
        String identity = String.join("\u0000", source, host, String.valueOf(bootId), kind, where,
                String.valueOf(time));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
