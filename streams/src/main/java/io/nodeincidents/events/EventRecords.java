package io.nodeincidents.events;

import io.nodeincidents.kernel.AllocationFailure;
import io.nodeincidents.kernel.KernelReport;
import io.nodeincidents.kernel.OomKill;
import io.nodeincidents.kernel.ReportContext;
import io.nodeincidents.kernel.SlabFailure;
import io.nodeincidents.kernel.memory.ZoneState;
import io.nodeincidents.logs.LineRef;
import io.nodeincidents.runtime.RuntimeFailure;
import io.nodeincidents.schemas.AllocationVerdict;
import io.nodeincidents.schemas.EvidenceRef;
import io.nodeincidents.schemas.KernelEventKind;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.OomConstraint;
import io.nodeincidents.schemas.RuntimeFailureEvent;
import io.nodeincidents.schemas.RuntimeFailureKind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The Avro records ({@link KernelMemoryEvent}, {@link RuntimeFailureEvent}) for decoded events: what incidents carry
 * as evidence and what the query API serves. Event ids are derived from host, boot, kind and the first line's
 * reference, so replaying the same log yields the same ids.
 */
public final class EventRecords {

    private EventRecords() {
    }

    public static KernelMemoryEvent kernelEvent(KernelReport report) {
        ReportContext context = report.context();
        KernelMemoryEvent.Builder builder = KernelMemoryEvent.newBuilder()
                .setEventId(eventId("kernel", context.host(), context.bootId(), kind(report).name(),
                        context.firstLine(), context.monotonicMicros()))
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
        if (report instanceof AllocationFailure failure) {
            builder.setAllocation(io.nodeincidents.schemas.AllocationFailure.newBuilder()
                    .setOrder(failure.order())
                    .setGfpMask(failure.gfp() == null ? null : failure.gfp().printed())
                    .setGfpFlags(failure.gfp() == null ? List.of() : failure.gfp().flags())
                    .setZones(failure.zones().stream().map(EventRecords::zone).toList())
                    .setVerdict(AllocationVerdict.valueOf(failure.verdict().name()))
                    .build());
        } else if (report instanceof OomKill oom) {
            builder.setOom(io.nodeincidents.schemas.OomKill.newBuilder()
                    .setConstraint(OomConstraint.valueOf(oom.constraint().name()))
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
                    .build());
        } else if (report instanceof SlabFailure slab) {
            builder.setSlab(io.nodeincidents.schemas.SlabFailure.newBuilder()
                    .setCache(slab.cache())
                    .setErrorCode(slab.errorCode())
                    .setGfpMask(slab.gfp() == null ? null : slab.gfp().printed())
                    .build());
        }
        return builder.build();
    }

    public static RuntimeFailureEvent runtimeEvent(RuntimeFailure failure) {
        LineRef first = failure.refs().isEmpty() ? LineRef.none() : failure.refs().get(0);
        return RuntimeFailureEvent.newBuilder()
                .setEventId(eventId("runtime", failure.host(), null, failure.kind().name(), first, failure.timeMicros()))
                .setHost(failure.host())
                .setTimeMicros(failure.timeMicros())
                .setKind(RuntimeFailureKind.valueOf(failure.kind().name()))
                .setComponent(failure.component().wireName())
                .setMemoryRelated(failure.memoryRelated())
                .setPod(failure.pod())
                .setNamespace(failure.namespace())
                .setPodUid(failure.podUid())
                .setContainerId(failure.containerId())
                .setErrorText(failure.errorText() == null ? "" : failure.errorText())
                .setEvidence(evidence(failure.host(), failure.timeMicros(), failure.refs()))
                .build();
    }

    public static KernelEventKind kind(KernelReport report) {
        if (report instanceof AllocationFailure) {
            return KernelEventKind.ALLOC_FAILURE;
        }
        if (report instanceof OomKill) {
            return KernelEventKind.OOM_KILL;
        }
        return KernelEventKind.SLAB_FAILURE;
    }

    private static io.nodeincidents.schemas.ZoneState zone(ZoneState zone) {
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

    /** A stable id: the same report read again (a replay, a restart) gets the same id. */
    static String eventId(String source, String host, String bootId, String kind, LineRef first, Long time) {
        String identity = String.join("\u0000", source, host, String.valueOf(bootId), kind,
                first == null ? "-" : String.valueOf(first.cursor()) + '\u0000' + first.file() + '\u0000' + first.line(),
                String.valueOf(time));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
