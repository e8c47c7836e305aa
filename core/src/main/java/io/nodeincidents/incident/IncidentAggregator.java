package io.nodeincidents.incident;

import io.nodeincidents.runtime.PodRef;
import io.nodeincidents.schemas.AffectedPod;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.KernelEventKind;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.RuntimeFailureEvent;
import io.nodeincidents.schemas.RuntimeFailureKind;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * Correlates one host's kernel memory events with its runtime failures into incidents. Pure functions of (state,
 * event, time): no clock, no I/O, so the topology can keep {@link HostIncidentState} in a state store keyed by host and
 * call these from a processor (per event) and a punctuator ({@link #onTime}).
 *
 * <p>Rules:
 * <ul>
 * <li>Episodes. A kernel event (allocation failure, OOM kill, slab failure) opens an incident, or joins the open one
 * when its event time is within the gap G of that incident's evidence. Kernel events of kind OTHER are ignored.</li>
 * <li>Runtime failures never open an incident. One joins when its event time is within W (before or after) of a kernel
 * event of an open incident and: it is memoryRelated, or the runtime reported an OOM-killed container, or it is a pod
 * sandbox / container start failure next to a multi-page allocation failure or slab failure (creating a sandbox needs
 * exactly such allocations, so pods failing while memory is fragmented are counted even when the runtime's error text
 * does not say "memory"; the diagnosis says how many such failures were not recognised as memory errors). Failures
 * of other kinds that are not memoryRelated (image pulls, CNI not ready, ...) never join.</li>
 * <li>Order. A runtime failure that arrives before its kernel event waits in a bounded per-host buffer for W + grace
 * behind the time passed in; a kernel event takes every buffered failure within W of it. A late runtime failure still
 * joins an open incident it matches, however late.</li>
 * <li>Lifecycle. OPEN (revision 1) on the first kernel event; UPDATED (revision + 1) when the incident's
 * {@link Materiality} changed and at least the update interval passed since the last emission (changes made sooner are
 * emitted by a later event or {@link #onTime}); RESOLVED when the host's time is G + grace past the last evidence (the
 * grace lets late evidence of the episode still arrive). RESOLVED carries all evidence, material or not.</li>
 * <li>Ids. incidentId is {@link OpenIncident#idFor} of the host and the opening kernel event id: a replay yields the
 * same ids. Events whose id the host saw recently (redelivery after a restart) are ignored.</li>
 * <li>Time. Events without an event time are placed at the time passed in. All times are microseconds since the Unix
 * epoch, in event time: pass the host's event time (stream time, as seen by that host), not wall-clock time, or a
 * replayed log would resolve at once.</li>
 * </ul>
 */
public final class IncidentAggregator {

    /** What one call produced: the host's new state and the incident revisions to emit, in order. */
    public record Step(HostIncidentState state, List<Incident> emitted) {
        public Step {
            Objects.requireNonNull(state, "state");
            emitted = List.copyOf(emitted);
        }
    }

    private final IncidentSettings settings;

    public IncidentAggregator(IncidentSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public IncidentSettings settings() {
        return settings;
    }

    /** A decoded kernel report arrived for the host; {@code state} may be null (unknown host). */
    public Step onKernelEvent(HostIncidentState state, KernelMemoryEvent event, long streamTimeMicros) {
        Objects.requireNonNull(event, "event");
        Pass pass = new Pass(HostIncidentState.orEmpty(state), streamTimeMicros);
        pass.expire();
        if (event.getKind() == null || event.getKind() == KernelEventKind.OTHER || !pass.firstSighting(event.getEventId())) {
            return pass.step();
        }
        long time = event.getTimeMicros() != null ? event.getTimeMicros() : streamTimeMicros;
        int index = -1;
        for (int i = 0; i < pass.open.size(); i++) {
            if (pass.open.get(i).coversEpisodeTime(time, settings.gapMicros())) {
                index = i;
                break;
            }
        }
        boolean opened = index < 0;
        OpenIncident incident;
        if (opened) {
            if (pass.open.size() >= settings.maxOpenIncidents()) {
                pass.resolve(0);
            }
            incident = OpenIncident.open(event, time);
        } else {
            incident = pass.open.get(index);
        }
        incident = incident.withKernelEvent(event, time, settings);
        KernelMark mark = incident.kernelMarks().get(incident.kernelMarks().size() - 1);
        for (var it = pass.pending.iterator(); it.hasNext(); ) {
            PendingFailure waiting = it.next();
            if (Math.abs(waiting.timeMicros() - time) <= settings.windowMicros() && joins(waiting.failure(), mark)) {
                incident = incident.withRuntimeFailure(waiting.failure(), waiting.timeMicros(),
                        recognizedAsMemory(waiting.failure()), settings);
                it.remove();
            }
        }
        if (opened) {
            pass.open.add(incident);
            pass.emit(pass.open.size() - 1, IncidentStatus.OPEN);
        } else {
            pass.open.set(index, incident);
            pass.updateIfDue(index);
        }
        return pass.step();
    }

    /** A runtime or kubelet failure arrived for the host; {@code state} may be null (unknown host). */
    public Step onRuntimeFailure(HostIncidentState state, RuntimeFailureEvent failure, long streamTimeMicros) {
        Objects.requireNonNull(failure, "failure");
        Pass pass = new Pass(HostIncidentState.orEmpty(state), streamTimeMicros);
        pass.expire();
        if (!pass.firstSighting(failure.getEventId())) {
            return pass.step();
        }
        long time = failure.getTimeMicros() != null ? failure.getTimeMicros() : streamTimeMicros;
        for (int i = 0; i < pass.open.size(); i++) {
            OpenIncident incident = pass.open.get(i);
            if (matchesAnyMark(incident, failure, time)) {
                pass.open.set(i, incident.withRuntimeFailure(failure, time, recognizedAsMemory(failure), settings));
                pass.updateIfDue(i);
                return pass.step();
            }
        }
        if (!mayEverJoin(failure)) {
            return pass.step();
        }
        if (time < streamTimeMicros - settings.windowMicros() - settings.graceMicros()) {
            // too late for any kernel event still allowed to arrive
            pass.dropped++;
            return pass.step();
        }
        if (pass.pending.size() >= settings.maxPendingFailures()) {
            pass.pending.remove(0);
            pass.dropped++;
        }
        pass.pending.add(new PendingFailure(failure, time));
        return pass.step();
    }

    /**
     * Time moved on (punctuation): resolve incidents G + grace past their last evidence, emit rate-limited updates
     * that became due, and forget buffered failures too old to join anything.
     */
    public Step onTime(HostIncidentState state, long nowMicros) {
        Pass pass = new Pass(HostIncidentState.orEmpty(state), nowMicros);
        pass.expire();
        return pass.step();
    }

    /**
     * The host times at which {@link #onTime} changes nothing in {@code state} (emits nothing, returns it as it is):
     * from {@code fromMicros} inclusive to {@code untilMicros} exclusive. A tick can skip such a host without reading
     * its state. Kept next to {@code Pass.expire}, whose conditions it inverts.
     */
    public Quiet quietSpan(HostIncidentState state) {
        if (state == null || state.isIdle()) {
            return Quiet.NEVER; // the tick deletes an idle state
        }
        long from = Long.MIN_VALUE;
        long until = Long.MAX_VALUE;
        long quiet = settings.gapMicros() + settings.graceMicros();
        for (OpenIncident incident : state.openIncidents()) {
            until = Math.min(until, saturatedAdd(incident.lastSeenMicros(), quiet));
            if (!incident.materiality().equals(incident.emitted())) {
                // an update is due an interval after the last emission, or at once should the host's time go back
                from = Math.max(from, incident.emittedAtMicros());
                until = Math.min(until, saturatedAdd(incident.emittedAtMicros(), settings.updateIntervalMicros()));
            }
        }
        long keep = settings.windowMicros() + settings.graceMicros();
        for (PendingFailure pending : state.pendingFailures()) {
            until = Math.min(until, saturatedAdd(saturatedAdd(pending.timeMicros(), keep), 1));
        }
        return new Quiet(from, until);
    }

    /** Host times {@code [fromMicros, untilMicros)} at which a tick changes nothing. */
    public record Quiet(long fromMicros, long untilMicros) {
        static final Quiet NEVER = new Quiet(0, 0);

        public boolean includes(long nowMicros) {
            return nowMicros >= fromMicros && nowMicros < untilMicros;
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : sum;
    }

    private boolean matchesAnyMark(OpenIncident incident, RuntimeFailureEvent failure, long time) {
        for (KernelMark mark : incident.kernelMarks()) {
            if (Math.abs(time - mark.timeMicros()) <= settings.windowMicros() && joins(failure, mark)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a runtime failure within W of this kernel event belongs to the same incident (see class doc). */
    static boolean joins(RuntimeFailureEvent failure, KernelMark mark) {
        if (recognizedAsMemory(failure)) {
            return true;
        }
        return isStartFailure(failure.getKind()) && mark.mayBlockPodStart();
    }

    private static boolean mayEverJoin(RuntimeFailureEvent failure) {
        return recognizedAsMemory(failure) || isStartFailure(failure.getKind());
    }

    static boolean recognizedAsMemory(RuntimeFailureEvent failure) {
        return failure.getMemoryRelated() || failure.getKind() == RuntimeFailureKind.CONTAINER_OOM_KILLED;
    }

    private static boolean isStartFailure(RuntimeFailureKind kind) {
        return kind == RuntimeFailureKind.SANDBOX_FAILURE || kind == RuntimeFailureKind.CONTAINER_START_FAILURE;
    }

    private static AffectedPod affectedPod(PodRef pod) {
        return AffectedPod.newBuilder().setNamespace(pod.namespace()).setPod(pod.pod()).setPodUid(pod.podUid())
                .setContainerId(pod.containerId()).build();
    }

    /** Builds the emitted record for an incident at a revision. */
    static Incident toIncident(OpenIncident incident, IncidentStatus status, int revision) {
        List<AffectedPod> pods = new ArrayList<>(incident.affectedPods().size());
        for (PodRef pod : incident.affectedPods()) {
            pods.add(affectedPod(pod));
        }
        return Incident.newBuilder()
                .setIncidentId(incident.incidentId())
                .setRevision(revision)
                .setHost(incident.host())
                .setKernelVersion(incident.kernelVersion())
                .setStatus(status)
                .setCause(incident.cause())
                .setSeverity(incident.severity())
                .setFirstSeenMicros(incident.firstSeenMicros())
                .setLastSeenMicros(incident.lastSeenMicros())
                .setCounts(incident.tally().toAvro())
                .setKernelEvents(new ArrayList<>(incident.kernelEvents()))
                .setRuntimeFailures(new ArrayList<>(incident.runtimeFailures()))
                .setAffectedPods(pods)
                .setDiagnosis(Diagnosis.write(incident))
                .setRemediation(Remediation.steps(incident))
                .setEvidence(new ArrayList<>(incident.evidence()))
                .setKernelEventsOmitted(incident.kernelEventsOmitted())
                .setRuntimeFailuresOmitted(incident.runtimeFailuresOmitted())
                .setEvidenceOmitted(incident.evidenceOmitted())
                .build();
    }

    /** Scratch space for one call: mutable copies of the state's lists, turned back into a state at the end. */
    private final class Pass {
        final List<OpenIncident> open;
        final List<PendingFailure> pending;
        final LinkedHashSet<String> ids;
        final List<Incident> emitted = new ArrayList<>();
        final long now;
        long dropped;

        Pass(HostIncidentState state, long now) {
            this.open = new ArrayList<>(state.openIncidents());
            this.pending = new ArrayList<>(state.pendingFailures());
            this.ids = new LinkedHashSet<>(state.recentEventIds());
            this.dropped = state.droppedFailures();
            this.now = now;
        }

        /** Records an event id; false when it was seen recently (a redelivery). */
        boolean firstSighting(String eventId) {
            if (!ids.add(eventId)) {
                return false;
            }
            if (ids.size() > settings.maxRememberedIds()) {
                ids.remove(ids.iterator().next());
            }
            return true;
        }

        void expire() {
            long quiet = settings.gapMicros() + settings.graceMicros();
            for (int i = 0; i < open.size(); ) {
                if (now - open.get(i).lastSeenMicros() >= quiet) {
                    resolve(i);
                } else {
                    updateIfDue(i);
                    i++;
                }
            }
            long oldest = now - settings.windowMicros() - settings.graceMicros();
            pending.removeIf(p -> p.timeMicros() < oldest);
        }

        void resolve(int index) {
            emit(index, IncidentStatus.RESOLVED);
            open.remove(index);
        }

        void updateIfDue(int index) {
            OpenIncident incident = open.get(index);
            boolean changed = !incident.materiality().equals(incident.emitted());
            boolean due = now - incident.emittedAtMicros() >= settings.updateIntervalMicros()
                    || incident.emittedAtMicros() > now; // stream time cannot go back; a wall-clock jump can
            if (changed && due) {
                emit(index, IncidentStatus.UPDATED);
            }
        }

        void emit(int index, IncidentStatus status) {
            OpenIncident incident = open.get(index);
            int revision = incident.revision() + 1;
            emitted.add(toIncident(incident, status, revision));
            open.set(index, incident.markEmitted(revision, now));
        }

        Step step() {
            return new Step(new HostIncidentState(open, pending, new ArrayList<>(ids), dropped), emitted);
        }
    }
}
