package io.nodeincidents.incident;

import static io.nodeincidents.incident.Seeds.MINUTE;
import static io.nodeincidents.incident.Seeds.SECOND;
import static io.nodeincidents.incident.Seeds.SLAVE_138;
import static io.nodeincidents.incident.Seeds.T0;
import static io.nodeincidents.incident.Seeds.sandboxFailure;
import static io.nodeincidents.incident.Seeds.seed000Allocation;
import static io.nodeincidents.incident.Seeds.seed000Slab;
import static io.nodeincidents.incident.Seeds.seed004MemcgOom;
import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.schemas.AllocationFailure;
import io.nodeincidents.schemas.AllocationVerdict;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.OomConstraint;
import io.nodeincidents.schemas.OomKill;
import io.nodeincidents.schemas.RuntimeFailureEvent;
import io.nodeincidents.schemas.RuntimeFailureKind;
import io.nodeincidents.schemas.Severity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IncidentAggregatorTest {

    private final IncidentAggregator aggregator = new IncidentAggregator(IncidentSettings.defaults());

    /** Feeds events like the topology would: one state per host, stream time = max event time seen so far. */
    private final class Host {
        HostIncidentState state = HostIncidentState.empty();
        long streamTime = Long.MIN_VALUE;
        final List<Incident> emitted = new ArrayList<>();

        List<Incident> kernel(KernelMemoryEvent event) {
            streamTime = Math.max(streamTime, event.getTimeMicros());
            return take(aggregator.onKernelEvent(state, event, streamTime));
        }

        /** A kernel event that arrives when stream time is already {@code streamTime}. */
        List<Incident> kernelLate(KernelMemoryEvent event, long streamTimeNow) {
            streamTime = Math.max(streamTime, streamTimeNow);
            return take(aggregator.onKernelEvent(state, event, streamTime));
        }

        List<Incident> runtime(RuntimeFailureEvent failure) {
            streamTime = Math.max(streamTime, failure.getTimeMicros());
            return take(aggregator.onRuntimeFailure(state, failure, streamTime));
        }

        List<Incident> time(long now) {
            streamTime = Math.max(streamTime, now);
            return take(aggregator.onTime(state, streamTime));
        }

        private List<Incident> take(IncidentAggregator.Step step) {
            state = step.state();
            emitted.addAll(step.emitted());
            return step.emitted();
        }
    }

    private static KernelMemoryEvent alloc(long time) {
        return seed000Allocation(SLAVE_138, time).build();
    }

    private static RuntimeFailureEvent sandbox(long time, String pod) {
        return sandboxFailure(SLAVE_138, time, "basic", pod).build();
    }

    @Test
    void anAllocationFailureAloneOpensAMediumIncident() {
        Host host = new Host();

        List<Incident> out = host.kernel(alloc(T0));

        assertThat(out).singleElement().satisfies(incident -> {
            assertThat(incident.getStatus()).isEqualTo(IncidentStatus.OPEN);
            assertThat(incident.getRevision()).isEqualTo(1);
            assertThat(incident.getCause()).isEqualTo(IncidentCause.MEMORY_FRAGMENTATION);
            assertThat(incident.getSeverity()).isEqualTo(Severity.MEDIUM);
            assertThat(incident.getHost()).isEqualTo(SLAVE_138);
            assertThat(incident.getKernelVersion()).isEqualTo(Seeds.RHEL7_514);
            assertThat(incident.getCounts().getAllocationFailures()).isEqualTo(1);
            assertThat(incident.getFirstSeenMicros()).isEqualTo(T0);
            assertThat(incident.getEvidence()).hasSize(2);
            assertThat(incident.getIncidentId()).isEqualTo(OpenIncident.idFor(SLAVE_138, alloc(T0).getEventId()));
        });
    }

    @Test
    void anOomKillAloneOpensAHighIncident() {
        Host host = new Host();

        assertThat(host.kernel(seed004MemcgOom(SLAVE_138, T0).build())).singleElement().satisfies(incident -> {
            assertThat(incident.getCause()).isEqualTo(IncidentCause.CGROUP_OOM);
            assertThat(incident.getSeverity()).isEqualTo(Severity.HIGH);
            assertThat(incident.getAffectedPods()).singleElement()
                    .satisfies(pod -> assertThat(pod.getContainerId()).startsWith("0ead341e639c"));
        });
    }

    @Test
    void runtimeFailuresAloneNeverOpenAnIncident() {
        Host host = new Host();

        host.runtime(sandbox(T0, "a"));
        host.runtime(RuntimeFailureEvent.newBuilder(sandbox(T0 + SECOND, "b")).setMemoryRelated(false)
                .setErrorText("network plugin is not ready: cni config uninitialized").build());
        host.runtime(RuntimeFailureEvent.newBuilder(sandbox(T0 + 2 * SECOND, "c")).setKind(RuntimeFailureKind.OTHER)
                .setMemoryRelated(false).setErrorText("ErrImagePull").build());
        host.time(T0 + 30 * MINUTE);

        assertThat(host.emitted).isEmpty();
        assertThat(host.state.isIdle()).isTrue();
    }

    @Test
    void aFailureAfterTheKernelEventWithinTheWindowJoinsAndEscalatesToCritical() {
        Host host = new Host();
        host.kernel(alloc(T0));

        // within the update interval of OPEN: remembered, not yet emitted
        assertThat(host.runtime(sandbox(T0 + 30 * SECOND, "matchdataserver-1255064836-t4b2w"))).isEmpty();
        assertThat(host.time(T0 + 59 * SECOND)).isEmpty();

        assertThat(host.time(T0 + 60 * SECOND)).singleElement().satisfies(incident -> {
            assertThat(incident.getStatus()).isEqualTo(IncidentStatus.UPDATED);
            assertThat(incident.getRevision()).isEqualTo(2);
            assertThat(incident.getSeverity()).isEqualTo(Severity.CRITICAL);
            assertThat(incident.getCounts().getSandboxFailures()).isEqualTo(1);
            assertThat(incident.getAffectedPods()).extracting(p -> p.getNamespace() + "/" + p.getPod())
                    .containsExactly("basic/matchdataserver-1255064836-t4b2w");
            assertThat(incident.getRuntimeFailures()).hasSize(1);
            assertThat(incident.getLastSeenMicros()).isEqualTo(T0 + 30 * SECOND);
        });
    }

    @Test
    void aFailureBeforeTheKernelEventJoinsWhenTheKernelEventArrives() {
        Host host = new Host();
        host.runtime(sandbox(T0 - 90 * SECOND, "early"));
        assertThat(host.emitted).isEmpty();

        assertThat(host.kernel(alloc(T0))).singleElement().satisfies(incident -> {
            assertThat(incident.getStatus()).isEqualTo(IncidentStatus.OPEN);
            assertThat(incident.getSeverity()).isEqualTo(Severity.CRITICAL);
            assertThat(incident.getFirstSeenMicros()).isEqualTo(T0 - 90 * SECOND);
            assertThat(incident.getAffectedPods()).extracting(p -> p.getPod()).containsExactly("early");
        });
        assertThat(host.state.pendingFailures()).isEmpty();
    }

    @Test
    void failuresOutsideTheWindowDoNotJoin() {
        Host host = new Host();
        host.runtime(sandbox(T0 - 2 * MINUTE - SECOND, "too-early"));
        host.kernel(alloc(T0));
        host.runtime(sandbox(T0 + 2 * MINUTE + SECOND, "too-late"));

        List<Incident> resolved = host.time(T0 + 20 * MINUTE);

        assertThat(resolved).singleElement().satisfies(incident -> {
            assertThat(incident.getStatus()).isEqualTo(IncidentStatus.RESOLVED);
            assertThat(incident.getSeverity()).isEqualTo(Severity.MEDIUM);
            assertThat(incident.getCounts().getSandboxFailures()).isZero();
            assertThat(incident.getAffectedPods()).isEmpty();
        });
        assertThat(host.emitted).extracting(Incident::getStatus)
                .containsExactly(IncidentStatus.OPEN, IncidentStatus.RESOLVED);
    }

    @Test
    void aKernelEventLateWithinGraceStillTakesTheFailuresLoggedBeforeIt() {
        Host host = new Host();
        host.runtime(sandbox(T0 - 100 * SECOND, "waiting"));

        // the kernel report's time is T0, but it arrives when stream time is already 25 s later (grace is 30 s)
        assertThat(host.kernelLate(alloc(T0), T0 + 25 * SECOND)).singleElement()
                .satisfies(incident -> assertThat(incident.getAffectedPods()).extracting(p -> p.getPod())
                        .containsExactly("waiting"));
    }

    @Test
    void aKernelEventLaterThanGraceNoLongerFindsTheBufferedFailure() {
        Host host = new Host();
        host.runtime(sandbox(T0 - 100 * SECOND, "waiting"));

        // stream time 60 s past the kernel event: the failure (160 s old) fell out of the W + grace buffer
        assertThat(host.kernelLate(alloc(T0), T0 + 60 * SECOND)).singleElement()
                .satisfies(incident -> assertThat(incident.getAffectedPods()).isEmpty());
    }

    @Test
    void evidenceBeyondTheGapOpensASecondIncidentAndResolvesTheFirst() {
        Host host = new Host();
        String first = host.kernel(alloc(T0)).get(0).getIncidentId();
        assertThat(host.kernel(alloc(T0 + 9 * MINUTE))).as("within G: the same episode, updated")
                .singleElement().satisfies(i -> {
                    assertThat(i.getIncidentId()).isEqualTo(first);
                    assertThat(i.getStatus()).isEqualTo(IncidentStatus.UPDATED);
                });

        List<Incident> out = host.kernel(alloc(T0 + 9 * MINUTE + 11 * MINUTE));

        assertThat(out).extracting(Incident::getStatus).containsExactly(IncidentStatus.RESOLVED, IncidentStatus.OPEN);
        assertThat(out.get(0).getIncidentId()).isEqualTo(first);
        assertThat(out.get(0).getCounts().getAllocationFailures()).isEqualTo(2);
        assertThat(out.get(0).getRevision()).isEqualTo(3);
        assertThat(out.get(0).getLastSeenMicros()).isEqualTo(T0 + 9 * MINUTE);
        assertThat(out.get(1).getIncidentId()).isNotEqualTo(first);
        assertThat(out.get(1).getRevision()).isEqualTo(1);
    }

    @Test
    void anIncidentResolvesAfterTheGapPlusGraceWithoutNewEvidence() {
        Host host = new Host();
        host.kernel(alloc(T0));

        assertThat(host.time(T0 + 10 * MINUTE + 29 * SECOND)).isEmpty();
        assertThat(host.time(T0 + 10 * MINUTE + 30 * SECOND)).singleElement().satisfies(incident -> {
            assertThat(incident.getStatus()).isEqualTo(IncidentStatus.RESOLVED);
            assertThat(incident.getRevision()).isEqualTo(2);
        });
        assertThat(host.state.openIncidents()).isEmpty();
        assertThat(host.time(T0 + 60 * MINUTE)).isEmpty();
    }

    @Test
    void updatesAreRateLimitedAndOnlyForMaterialChanges() {
        Host host = new Host();
        host.kernel(alloc(T0));
        // two material changes inside one interval: a slab failure (count 0 -> 1) and a first sandbox failure
        host.kernel(seed000Slab(SLAVE_138, T0 + SECOND).build());
        host.runtime(sandbox(T0 + 2 * SECOND, "p1"));
        assertThat(host.emitted).hasSize(1);

        assertThat(host.time(T0 + MINUTE)).singleElement().satisfies(incident -> {
            assertThat(incident.getRevision()).isEqualTo(2);
            assertThat(incident.getCounts().getSlabFailures()).isEqualTo(1);
            assertThat(incident.getCounts().getSandboxFailures()).isEqualTo(1);
        });

        // more of the same, within a count band (2 -> 3 -> 4 sandbox failures of one pod after crossing 2)
        host.runtime(sandbox(T0 + 70 * SECOND, "p1"));
        assertThat(host.time(T0 + 2 * MINUTE)).as("2 crosses a threshold").hasSize(1);
        host.runtime(sandbox(T0 + 100 * SECOND, "p1"));
        host.runtime(sandbox(T0 + 110 * SECOND, "p1"));
        assertThat(host.state.openIncidents().get(0).tally().sandboxFailures()).isEqualTo(4);
        assertThat(host.time(T0 + 5 * MINUTE)).as("nothing material: same pod, counts in the same band").isEmpty();

        // a new pod is material, even when its failure arrives late; the interval has passed: emitted at once
        assertThat(host.runtime(sandbox(T0 + 115 * SECOND, "p2"))).singleElement().satisfies(incident -> {
            assertThat(incident.getRevision()).isEqualTo(4);
            assertThat(incident.getAffectedPods()).extracting(p -> p.getPod()).containsExactly("p1", "p2");
            assertThat(incident.getCounts().getSandboxFailures()).isEqualTo(5);
            assertThat(incident.getDiagnosis()).contains("5 pod sandboxes failed to start within 2 minutes,"
                    + " retries for 2 pods: basic/p1, basic/p2.");
        });
    }

    @Test
    void theCauseIsUpgradedWhenTheExplainingReportArrivesLater() {
        Host host = new Host();
        assertThat(host.kernel(seed000Slab(SLAVE_138, T0).build())).singleElement()
                .satisfies(i -> assertThat(i.getCause()).isEqualTo(IncidentCause.SLAB_ALLOCATION_FAILURE));

        host.kernel(alloc(T0 + SECOND));

        assertThat(host.time(T0 + MINUTE)).singleElement()
                .satisfies(i -> assertThat(i.getCause()).isEqualTo(IncidentCause.MEMORY_FRAGMENTATION));
    }

    @Test
    void aHostWideOomOutranksACgroupOomAndAnExhaustedAllocationIsHighOrder() {
        Host host = new Host();
        KernelMemoryEvent exhausted = KernelMemoryEvent.newBuilder(alloc(T0)).setEventId("exhausted").setAllocation(
                AllocationFailure.newBuilder(alloc(T0).getAllocation()).setVerdict(AllocationVerdict.EXHAUSTION).build()).build();
        assertThat(host.kernel(exhausted)).singleElement()
                .satisfies(i -> assertThat(i.getCause()).isEqualTo(IncidentCause.HIGH_ORDER_ALLOCATION_FAILURE));
        host.kernel(seed004MemcgOom(SLAVE_138, T0 + SECOND).build());
        KernelMemoryEvent.Builder global = seed004MemcgOom(SLAVE_138, T0 + 2 * SECOND).setEventId("global");
        global.setOom(OomKill.newBuilder(global.getOom()).setConstraint(OomConstraint.GLOBAL).setMemoryLimitKb(null)
                .build());
        host.kernel(global.build());

        assertThat(host.time(T0 + MINUTE)).singleElement().satisfies(i -> {
            assertThat(i.getCause()).isEqualTo(IncidentCause.GLOBAL_OOM);
            assertThat(i.getSeverity()).isEqualTo(Severity.HIGH);
            assertThat(i.getCounts().getOomKills()).isEqualTo(2);
        });
    }

    @Test
    void aSandboxFailureWithoutAMemoryErrorJoinsAnAllocationFailureButNotAnOomKill() {
        RuntimeFailureEvent unrecognized = RuntimeFailureEvent.newBuilder(sandbox(T0 + 10 * SECOND, "quiet")).setMemoryRelated(false)
                .setErrorText("failed to start sandbox container").build();

        Host fragmented = new Host();
        fragmented.kernel(alloc(T0));
        fragmented.runtime(unrecognized);
        Incident afterAlloc = fragmented.time(T0 + MINUTE).get(0);
        assertThat(afterAlloc.getCounts().getSandboxFailures()).isEqualTo(1);
        assertThat(afterAlloc.getSeverity()).isEqualTo(Severity.CRITICAL);
        assertThat(afterAlloc.getDiagnosis()).contains("One of these failures carried no memory error");

        Host killed = new Host();
        killed.kernel(seed004MemcgOom(SLAVE_138, T0).build());
        killed.runtime(unrecognized);
        assertThat(killed.time(T0 + MINUTE)).isEmpty();
        assertThat(killed.state.openIncidents().get(0).tally().sandboxFailures()).isZero();
    }

    @Test
    void aRedeliveredEventIsCountedOnce() {
        Host host = new Host();
        host.kernel(alloc(T0));
        host.kernel(alloc(T0));
        host.runtime(sandbox(T0 + SECOND, "p"));
        host.runtime(sandbox(T0 + SECOND, "p"));

        Incident resolved = host.time(T0 + 30 * MINUTE).get(0);

        assertThat(resolved.getCounts().getAllocationFailures()).isEqualTo(1);
        assertThat(resolved.getCounts().getSandboxFailures()).isEqualTo(1);
    }

    @Test
    void aReplayOfTheSameLogYieldsTheSameIncidentsAndIds() {
        Host first = new Host();
        Host second = new Host();
        for (Host host : List.of(first, second)) {
            host.runtime(sandbox(T0 - 5 * SECOND, "a"));
            host.kernel(alloc(T0));
            host.kernel(seed000Slab(SLAVE_138, T0).build());
            host.runtime(sandbox(T0 + 5 * SECOND, "b"));
            host.time(T0 + 2 * MINUTE);
            host.kernel(alloc(T0 + 15 * MINUTE));
            host.time(T0 + 40 * MINUTE);
        }

        assertThat(first.emitted).hasSize(5).isEqualTo(second.emitted);
        assertThat(first.emitted).extracting(Incident::getIncidentId).containsExactly(
                OpenIncident.idFor(SLAVE_138, alloc(T0).getEventId()),
                OpenIncident.idFor(SLAVE_138, alloc(T0).getEventId()),
                OpenIncident.idFor(SLAVE_138, alloc(T0).getEventId()),
                OpenIncident.idFor(SLAVE_138, alloc(T0 + 15 * MINUTE).getEventId()),
                OpenIncident.idFor(SLAVE_138, alloc(T0 + 15 * MINUTE).getEventId()));
        assertThat(first.emitted).extracting(Incident::getRevision).containsExactly(1, 2, 3, 1, 2);
    }

    @Test
    void hostsAreCorrelatedIndependently() {
        Map<String, Host> hosts = new HashMap<>();
        hosts.computeIfAbsent("node-a", h -> new Host()).kernel(seed000Allocation("node-a", T0).build());
        hosts.computeIfAbsent("node-b", h -> new Host())
                .runtime(sandboxFailure("node-b", T0 + SECOND, "ns", "on-b").build());
        hosts.computeIfAbsent("node-a", h -> new Host()).time(T0 + 2 * MINUTE);
        hosts.computeIfAbsent("node-b", h -> new Host()).time(T0 + 2 * MINUTE);

        assertThat(hosts.get("node-a").emitted).singleElement()
                .satisfies(i -> assertThat(i.getSeverity()).isEqualTo(Severity.MEDIUM));
        assertThat(hosts.get("node-b").emitted).isEmpty();
    }

    @Test
    void listsAreCappedAndCountsAreNot() {
        IncidentAggregator small = new IncidentAggregator(IncidentSettings.defaults().withListCaps(5));
        HostIncidentState state = small.onKernelEvent(null, alloc(T0), T0).state();
        for (int i = 0; i < 30; i++) {
            long t = T0 + i * SECOND;
            state = small.onRuntimeFailure(state, sandbox(t, "pod-" + i), t).state();
            state = small.onKernelEvent(state, KernelMemoryEvent.newBuilder(alloc(t)).setEventId("k" + i).build(), t).state();
        }

        Incident resolved = small.onTime(state, T0 + 30 * MINUTE).emitted().get(0);

        assertThat(resolved.getCounts().getSandboxFailures()).isEqualTo(30);
        assertThat(resolved.getCounts().getAllocationFailures()).isEqualTo(31);
        assertThat(resolved.getCounts().getRuntimeFailureLines()).isEqualTo(30);
        // the first three of each list and the latest two, and how many were left out between them
        assertThat(resolved.getRuntimeFailures()).extracting(RuntimeFailureEvent::getPod)
                .containsExactly("pod-0", "pod-1", "pod-2", "pod-28", "pod-29");
        assertThat(resolved.getRuntimeFailuresOmitted()).isEqualTo(25);
        assertThat(resolved.getKernelEvents()).extracting(KernelMemoryEvent::getEventId)
                .containsExactly(alloc(T0).getEventId(), "k0", "k1", "k28", "k29");
        assertThat(resolved.getKernelEventsOmitted()).isEqualTo(26);
        assertThat(resolved.getAffectedPods()).hasSize(5);
        assertThat(resolved.getEvidence()).hasSize(5);
        assertThat(resolved.getEvidenceOmitted()).isPositive();
        assertThat(resolved.getEvidence().get(4).getTimeMicros()).isEqualTo(T0 + 29 * SECOND);
        assertThat(resolved.getDiagnosis()).contains("30 pod sandboxes failed to start");
    }

    @Test
    void aFailureFoldedFromARepeatedLineCountsEveryLineOfIt() {
        HostIncidentState state = aggregator.onKernelEvent(null, alloc(T0), T0).state();
        RuntimeFailureEvent storm = sandboxFailure(SLAVE_138, T0, "basic", "web-0").setEvidenceOmitted(19_999).build();
        state = aggregator.onRuntimeFailure(state, storm, T0).state();
        state = aggregator.onRuntimeFailure(state, sandbox(T0 + SECOND, "web-1"), T0 + SECOND).state();

        Incident resolved = aggregator.onTime(state, T0 + 30 * MINUTE).emitted().get(0);

        assertThat(resolved.getCounts().getSandboxFailures()).isEqualTo(2);
        assertThat(resolved.getCounts().getRuntimeFailureLines()).isEqualTo(20_001);
        assertThat(resolved.getRuntimeFailures().get(0).getEvidenceOmitted()).isEqualTo(19_999);
    }

    @Test
    void theBufferOfUnjoinedFailuresIsBoundedAndCountsWhatItDrops() {
        IncidentAggregator small = new IncidentAggregator(IncidentSettings.defaults().withListCaps(5));
        HostIncidentState state = null;
        for (int i = 0; i < 12; i++) {
            state = small.onRuntimeFailure(state, sandbox(T0 + i, "pod-" + i), T0 + i).state();
        }

        assertThat(state.pendingFailures()).hasSize(5);
        assertThat(state.pendingFailures().get(0).failure().getPod()).isEqualTo("pod-7");
        assertThat(state.droppedFailures()).isEqualTo(7);
    }

    @Test
    void aTickInTheQuietSpanChangesNothingAndOneAtItsEndDoes() {
        List<HostIncidentState> states = new ArrayList<>();
        Host host = new Host();
        host.runtime(sandbox(T0 - 20 * SECOND, "web-1")); // waits for a kernel event
        states.add(host.state);
        host.kernel(alloc(T0));
        states.add(host.state);
        host.runtime(sandbox(T0 + 10 * SECOND, "web-2")); // joins: an update becomes due an interval later
        states.add(host.state);
        host.time(T0 + 2 * MINUTE);
        states.add(host.state);

        for (HostIncidentState state : states) {
            IncidentAggregator.Quiet quiet = aggregator.quietSpan(state);
            assertThat(quiet.untilMicros()).isGreaterThan(T0);
            int quietTicks = 0;
            for (long now = T0 - MINUTE; now <= T0 + 20 * MINUTE; now += SECOND) {
                if (quiet.includes(now)) {
                    quietTicks++;
                    IncidentAggregator.Step step = aggregator.onTime(state, now);
                    assertThat(step.emitted()).as("at %d", now).isEmpty();
                    assertThat(step.state()).as("at %d", now).isEqualTo(state);
                }
            }
            assertThat(quietTicks).as("most ticks are quiet").isGreaterThan(30);
            IncidentAggregator.Step atEnd = aggregator.onTime(state, quiet.untilMicros());
            assertThat(!atEnd.emitted().isEmpty() || !atEnd.state().equals(state))
                    .as("the span ends where a tick changes the state").isTrue();
        }
        assertThat(aggregator.quietSpan(HostIncidentState.empty()).includes(T0)).isFalse();
    }
}
