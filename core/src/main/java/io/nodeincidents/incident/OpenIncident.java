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
 * <p>A capped list keeps its first half (how the incident began) and, in the other half, the latest items (where it
 * stands): a storm of hours keeps both ends in a bounded state, and each cap's omitted count says how many items
 * between them were left out.
 *
 * @param incidentId      stable id, {@link #idFor(String, String)} of the host and the kernel event that opened it
 * @param host            the host
 * @param kernelVersion   kernel release from the first report that named one, or null
 * @param firstSeenMicros event time of the earliest evidence
 * @param lastSeenMicros  event time of the latest evidence
 * @param kernelMarks     time and kind of the most recent kernel events (at most {@link #MAX_MARKS}), for the join
 * @param exemplars       the first kernel report of each cause seen: what the diagnosis is written from
 * @param kernelEvents    kernel reports, at most {@code maxKernelEvents}: the first and the latest
 * @param runtimeFailures joined runtime failures, at most {@code maxRuntimeFailures}: the first and the latest
 * @param affectedPods    distinct pods named by the evidence, the first {@code maxAffectedPods}
 * @param evidence        evidence references, at most {@code maxEvidence}: the first and the latest
 * @param tally           uncapped counts
 * @param revision        revision of the last emission (1 after OPEN)
 * @param emittedAtMicros stream time of the last emission
 * @param emitted         materiality of the last emission
 * @param kernelEventsOmitted    kernel reports left out of {@code kernelEvents}
 * @param runtimeFailuresOmitted runtime failures left out of {@code runtimeFailures}
 * @param evidenceOmitted        evidence references left out of {@code evidence}
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
        Materiality emitted,
        long kernelEventsOmitted,
        long runtimeFailuresOmitted,
        long evidenceOmitted) {

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
                Long.MIN_VALUE, null, 0, 0, 0);
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
            // one per cause: as bounded as the causes
            newExemplars = new ArrayList<>(exemplars);
            newExemplars.add(event);
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
        Kept<EvidenceRef> refs = keepAll(evidence, evidenceOmitted, event.getEvidence(), settings.maxEvidence());
        return new OpenIncident(incidentId, host,
                kernelVersion != null ? kernelVersion : event.getKernelVersion(),
                Math.min(firstSeenMicros, timeMicros), Math.max(lastSeenMicros, timeMicros),
                marks, newExemplars,
                keep(kernelEvents, event, settings.maxKernelEvents()),
                runtimeFailures, pods,
                refs.items(),
                tally.plusKernel(event.getKind()),
                revision, emittedAtMicros, emitted,
                kernelEvents.size() >= settings.maxKernelEvents() ? kernelEventsOmitted + 1 : kernelEventsOmitted,
                runtimeFailuresOmitted, refs.omitted());
    }

    OpenIncident withRuntimeFailure(RuntimeFailureEvent failure, long timeMicros, boolean recognizedAsMemory,
            IncidentSettings settings) {
        PodRef pod = new PodRef(failure.getNamespace(), failure.getPod(), failure.getPodUid(),
                failure.getContainerId());
        Kept<EvidenceRef> refs = keepAll(evidence, evidenceOmitted, failure.getEvidence(), settings.maxEvidence());
        long lines = (failure.getEvidence() == null ? 0 : failure.getEvidence().size()) + failure.getEvidenceOmitted();
        return new OpenIncident(incidentId, host, kernelVersion,
                Math.min(firstSeenMicros, timeMicros), Math.max(lastSeenMicros, timeMicros),
                kernelMarks, exemplars, kernelEvents,
                keep(runtimeFailures, failure, settings.maxRuntimeFailures()),
                withPod(affectedPods, pod, settings.maxAffectedPods()),
                refs.items(),
                tally.plusRuntime(failure.getKind(), recognizedAsMemory, Math.max(1, lines)),
                revision, emittedAtMicros, emitted, kernelEventsOmitted,
                runtimeFailures.size() >= settings.maxRuntimeFailures() ? runtimeFailuresOmitted + 1
                        : runtimeFailuresOmitted,
                refs.omitted());
    }

    OpenIncident markEmitted(int newRevision, long atMicros) {
        return new OpenIncident(incidentId, host, kernelVersion, firstSeenMicros, lastSeenMicros, kernelMarks,
                exemplars, kernelEvents, runtimeFailures, affectedPods, evidence, tally, newRevision, atMicros,
                materiality(), kernelEventsOmitted, runtimeFailuresOmitted, evidenceOmitted);
    }

    /** Pods are a set: the first ones named stay, a pod is listed once. */
    private static List<PodRef> withPod(List<PodRef> pods, PodRef pod, int cap) {
        if (pod.isEmpty() || pods.size() >= cap || pods.stream().anyMatch(p -> p.sameAs(pod))) {
            return pods;
        }
        List<PodRef> copy = new ArrayList<>(pods.size() + 1);
        copy.addAll(pods);
        copy.add(pod);
        return copy;
    }

    /** A capped list and how many items were left out of it. */
    private record Kept<T>(List<T> items, long omitted) {
    }

    /** How many of a list's {@code cap} places hold its first items; the others hold the latest ones. */
    static int headOf(int cap) {
        return (cap + 1) / 2;
    }

    /**
     * {@code list} with {@code item} appended when there is room; when full, the oldest of its latest items makes way
     * (none when the cap leaves no room for latest items).
     */
    static <T> List<T> keep(List<T> list, T item, int cap) {
        List<T> copy = new ArrayList<>(Math.min(list.size() + 1, cap));
        copy.addAll(list);
        if (!makeRoom(copy, cap)) {
            return list;
        }
        copy.add(item);
        return copy;
    }

    /** {@link #keep} for each item not yet listed (an evidence reference is listed once). */
    private static <T> Kept<T> keepAll(List<T> list, long omitted, List<T> items, int cap) {
        if (items == null || items.isEmpty()) {
            return new Kept<>(list, omitted);
        }
        List<T> copy = new ArrayList<>(Math.min(list.size() + items.size(), cap));
        copy.addAll(list);
        long left = omitted;
        for (T item : items) {
            if (item == null || copy.contains(item)) {
                continue;
            }
            if (copy.size() >= cap) {
                left++;
            }
            if (makeRoom(copy, cap)) {
                copy.add(item);
            }
        }
        return new Kept<>(copy, left);
    }

    /** Makes room for one more item in a list of at most {@code cap}; false when the new item cannot be kept. */
    private static <T> boolean makeRoom(List<T> list, int cap) {
        int head = headOf(cap);
        if (list.size() >= cap && head >= cap) {
            return false;
        }
        while (list.size() >= cap) {
            list.remove(head); // more than once only after the cap was lowered
        }
        return true;
    }
}
