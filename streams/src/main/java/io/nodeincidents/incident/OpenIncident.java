package io.nodeincidents.incident;

import io.nodeincidents.runtime.PodRef;
import io.nodeincidents.schemas.EvidenceRef;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.KernelEventKind;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.OomKill;
import io.nodeincidents.schemas.RuntimeFailureEvent;
import io.nodeincidents.schemas.Severity;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * One incident still open on a host: the evidence joined so far (lists capped, counts not) and what was last emitted.
 * Immutable; every change returns a copy.
 *
 * @param incidentId      stable id, {@link #idFor(String, String)} of the host and the kernel event that opened it
 * @param host            the host
 * @param kernelVersion   kernel release from the first report that named one, or null
 * @param firstSeenMicros event time of the earliest evidence
 * @param lastSeenMicros  event time of the latest evidence
 * @param kernelMarks     time and kind of the most recent kernel events (at most {@link #MAX_MARKS}), for the join
 * @param exemplars       the first kernel report of each cause seen: what the diagnosis is written from
 * @param kernelEvents    kernel reports, the first {@code maxKernelEvents}
 * @param runtimeFailures joined runtime failures, the first {@code maxRuntimeFailures}
 * @param affectedPods    distinct pods named by the evidence, the first {@code maxAffectedPods}
 * @param evidence        evidence references, the first {@code maxEvidence}
 * @param tally           uncapped counts
 * @param revision        revision of the last emission (1 after OPEN)
 * @param emittedAtMicros stream time of the last emission
 * @param emitted         materiality of the last emission
 */
public record OpenIncident(
        String incidentId,
        String host,
        String kernelVersion,
        long firstSeenMicros,
        long lastSeenMicros,
        List<KernelMark> kernelMarks,
        List<KernelMemoryEvent> exemplars,
        List<KernelMemoryEvent> kernelEvents,
        List<RuntimeFailureEvent> runtimeFailures,
        List<PodRef> affectedPods,
        List<EvidenceRef> evidence,
        IncidentTally tally,
        int revision,
        long emittedAtMicros,
        Materiality emitted) {

    /** Kernel marks kept per incident: the join only looks at kernel events within W, the most recent ones. */
    static final int MAX_MARKS = 64;

    public OpenIncident {
        Objects.requireNonNull(incidentId, "incidentId");
        Objects.requireNonNull(host, "host");
        kernelMarks = List.copyOf(kernelMarks);
        exemplars = List.copyOf(exemplars);
        kernelEvents = List.copyOf(kernelEvents);
        runtimeFailures = List.copyOf(runtimeFailures);
        affectedPods = List.copyOf(affectedPods);
        evidence = List.copyOf(evidence);
        Objects.requireNonNull(tally, "tally");
    }

    /**
     * The incident id for an episode opened by {@code kernelEventId} on {@code host}: a name-based (type 3) UUID, so a
     * replay of the same log, or a restart that reprocesses it, yields the same id.
     */
    public static String idFor(String host, String kernelEventId) {
        return UUID.nameUUIDFromBytes(("nodeincidents/incident\n" + host + "\n" + kernelEventId)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    static OpenIncident open(KernelMemoryEvent first, long timeMicros) {
        return new OpenIncident(idFor(first.getHost(), first.getEventId()), first.getHost(), null, timeMicros,
                timeMicros, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), IncidentTally.NONE, 0,
                Long.MIN_VALUE, null);
    }

    /** The winning cause of the evidence so far. */
    public IncidentCause cause() {
        Set<IncidentCause> seen = new LinkedHashSet<>();
        for (KernelMemoryEvent e : exemplars) {
            seen.add(IncidentCauseRules.causeOf(e));
        }
        return IncidentCauseRules.winning(seen);
    }

    /** Severity of the evidence so far. */
    public Severity severity() {
        return IncidentCauseRules.severity(tally);
    }

    /** The first kernel report of the winning cause: the one the diagnosis is about. */
    public KernelMemoryEvent primaryEvent() {
        IncidentCause cause = cause();
        for (KernelMemoryEvent e : exemplars) {
            if (IncidentCauseRules.causeOf(e) == cause) {
                return e;
            }
        }
        return exemplars.isEmpty() ? null : exemplars.get(0);
    }

    /** The first report of the given kind, if any was kept. */
    KernelMemoryEvent firstOfKind(KernelEventKind kind) {
        for (KernelMemoryEvent e : exemplars) {
            if (e.getKind() == kind) {
                return e;
            }
        }
        return null;
    }

    Materiality materiality() {
        return Materiality.of(cause(), severity(), affectedPods.size(), kernelVersion != null, tally);
    }

    /** True when an event time lies within the gap of this episode, so kernel evidence there belongs to it. */
    boolean coversEpisodeTime(long timeMicros, long gapMicros) {
        return timeMicros >= firstSeenMicros - gapMicros && timeMicros <= lastSeenMicros + gapMicros;
    }

    OpenIncident withKernelEvent(KernelMemoryEvent event, long timeMicros, IncidentSettings settings) {
        IncidentCause cause = IncidentCauseRules.causeOf(event);
        List<KernelMemoryEvent> newExemplars = exemplars;
        if (exemplars.stream().noneMatch(e -> IncidentCauseRules.causeOf(e) == cause)) {
            newExemplars = append(exemplars, event, Integer.MAX_VALUE);
        }
        int order = event.getKind() == KernelEventKind.ALLOC_FAILURE && event.getAllocation() != null
                ? event.getAllocation().getOrder() : -1;
        List<KernelMark> marks = new ArrayList<>(kernelMarks);
        marks.add(new KernelMark(event.getEventId(), timeMicros, event.getKind(), order));
        if (marks.size() > MAX_MARKS) {
            marks.remove(0);
        }
        List<PodRef> pods = affectedPods;
        OomKill oom = event.getOom();
        if (oom != null) {
            pods = withPod(pods, new PodRef(null, null, oom.getPodUid(), oom.getContainerId()),
                    settings.maxAffectedPods());
        }
        return new OpenIncident(incidentId, host,
                kernelVersion != null ? kernelVersion : event.getKernelVersion(),
                Math.min(firstSeenMicros, timeMicros), Math.max(lastSeenMicros, timeMicros),
                marks, newExemplars,
                append(kernelEvents, event, settings.maxKernelEvents()),
                runtimeFailures, pods,
                appendAll(evidence, event.getEvidence(), settings.maxEvidence()),
                tally.plusKernel(event.getKind()),
                revision, emittedAtMicros, emitted);
    }

    OpenIncident withRuntimeFailure(RuntimeFailureEvent failure, long timeMicros, boolean recognizedAsMemory,
            IncidentSettings settings) {
        PodRef pod = new PodRef(failure.getNamespace(), failure.getPod(), failure.getPodUid(),
                failure.getContainerId());
        return new OpenIncident(incidentId, host, kernelVersion,
                Math.min(firstSeenMicros, timeMicros), Math.max(lastSeenMicros, timeMicros),
                kernelMarks, exemplars, kernelEvents,
                append(runtimeFailures, failure, settings.maxRuntimeFailures()),
                withPod(affectedPods, pod, settings.maxAffectedPods()),
                appendAll(evidence, failure.getEvidence(), settings.maxEvidence()),
                tally.plusRuntime(failure.getKind(), recognizedAsMemory),
                revision, emittedAtMicros, emitted);
    }

    OpenIncident markEmitted(int newRevision, long atMicros) {
        return new OpenIncident(incidentId, host, kernelVersion, firstSeenMicros, lastSeenMicros, kernelMarks,
                exemplars, kernelEvents, runtimeFailures, affectedPods, evidence, tally, newRevision, atMicros,
                materiality());
    }

    private static List<PodRef> withPod(List<PodRef> pods, PodRef pod, int cap) {
        if (pod.isEmpty() || pods.size() >= cap || pods.stream().anyMatch(p -> p.sameAs(pod))) {
            return pods;
        }
        return append(pods, pod, cap);
    }

    private static <T> List<T> append(List<T> list, T item, int cap) {
        if (list.size() >= cap) {
            return list;
        }
        List<T> copy = new ArrayList<>(list.size() + 1);
        copy.addAll(list);
        copy.add(item);
        return copy;
    }

    private static <T> List<T> appendAll(List<T> list, List<T> items, int cap) {
        if (items == null || items.isEmpty() || list.size() >= cap) {
            return list;
        }
        List<T> copy = new ArrayList<>(list);
        for (T item : items) {
            if (copy.size() >= cap) {
                break;
            }
            if (item != null && !copy.contains(item)) {
                copy.add(item);
            }
        }
        return copy;
    }
}
