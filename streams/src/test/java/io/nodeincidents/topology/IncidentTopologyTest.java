package io.nodeincidents.topology;

import static io.nodeincidents.topology.Scenario.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.schemas.AffectedPod;
import io.nodeincidents.schemas.DeadLetter;
import io.nodeincidents.schemas.FleetAlert;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.KernelMemoryEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The correlator's topology, fed the seeds' real lines as JournalEntry records with explicit event times. */
class IncidentTopologyTest {

    private static final String POD = "matchdataserver-1255064836-t4b2w";

    @TempDir
    Path stateDir;

    /** Latest revision per incident. */
    private static List<Incident> latest(List<Incident> revisions) {
        return new OfflineCorrelation.Result(revisions, List.of(), List.of()).latestRevisions();
    }

    @Test
    void seed000YieldsOneFragmentationIncidentNamingTheFailedSandboxAndTheOrder6Block() {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            app.pipe(Scenario.seed000()).settle(T0);

            // OPEN at the order-6 report, UPDATED (rate-limited: once the update interval passed) with the slab
            // failure and the sandbox failures joined
            List<Incident> open = app.incidents();
            assertThat(open).extracting(Incident::getIncidentId).containsOnly(open.get(0).getIncidentId());
            assertThat(open.get(0).getStatus()).isEqualTo(IncidentStatus.OPEN);
            assertThat(open.subList(1, open.size())).extracting(Incident::getStatus)
                    .isNotEmpty().containsOnly(IncidentStatus.UPDATED);
            Incident incident = open.get(open.size() - 1);
            assertThat(incident.getHost()).isEqualTo("slave-138");
            assertThat(incident.getCause()).isEqualTo(IncidentCause.MEMORY_FRAGMENTATION);
            assertThat(incident.getKernelVersion()).isEqualTo("3.10.0-514.el7.x86_64");
            assertThat(incident.getAffectedPods()).extracting(AffectedPod::getPod).contains(POD);
            assertThat(incident.getKernelEvents()).anySatisfy(event -> {
                assertThat(event.getAllocation()).isNotNull();
                assertThat(event.getAllocation().getOrder()).isEqualTo(6);
            });
            assertThat(incident.getCounts().getSandboxFailures()).isEqualTo(1);
            assertThat(incident.getCounts().getSlabFailures()).isEqualTo(1);
            assertThat(incident.getFirstSeenMicros()).isEqualTo(T0.toEpochMilli() * 1000);
            assertThat(incident.getDiagnosis()).isNotBlank();
            assertThat(app.deadLetters()).isEmpty();

            // quiet for G + grace (event time): the incident resolves with the same id
            app.advanceStreamTime(T0.plus(Duration.ofMinutes(12)));
            List<Incident> all = app.incidents();
            assertThat(all).extracting(Incident::getIncidentId).containsOnly(incident.getIncidentId());
            assertThat(all.get(all.size() - 1).getStatus()).isEqualTo(IncidentStatus.RESOLVED);
            assertThat(all).extracting(Incident::getRevision).doesNotHaveDuplicates();
        }
    }

    @Test
    void aRuntimeFailureJoinsWithinTheWindowAndNotOutsideIt() {
        try (TopologyHarness inside = new TopologyHarness(stateDir.resolve("inside"))) {
            inside.pipe(Scenario.seed000KernelOnly())
                    .pipe(Scenario.shifted(Scenario.seed000RuntimeOnly(), Duration.ofSeconds(90)))
                    .settle(T0);
            assertThat(latest(inside.incidents())).singleElement()
                    .satisfies(i -> assertThat(i.getCounts().getSandboxFailures()).isEqualTo(1));
        }
        try (TopologyHarness outside = new TopologyHarness(stateDir.resolve("outside"))) {
            outside.pipe(Scenario.seed000KernelOnly())
                    .pipe(Scenario.shifted(Scenario.seed000RuntimeOnly(), Duration.ofMinutes(5)))
                    .settle(T0.plus(Duration.ofMinutes(4)));
            assertThat(latest(outside.incidents())).singleElement().satisfies(i -> {
                assertThat(i.getCounts().getSandboxFailures()).isZero();
                assertThat(i.getAffectedPods()).isEmpty();
            });
        }
    }

    @Test
    void theWindowIsAnOption() {
        Map<String, Object> wide = Map.of(CorrelatorSettings.WINDOW_MS, Duration.ofMinutes(6).toMillis());
        try (TopologyHarness app = new TopologyHarness(stateDir, wide)) {
            app.pipe(Scenario.seed000KernelOnly())
                    .pipe(Scenario.shifted(Scenario.seed000RuntimeOnly(), Duration.ofMinutes(5)))
                    .settle(T0.plus(Duration.ofMinutes(4)));
            assertThat(latest(app.incidents())).singleElement()
                    .satisfies(i -> assertThat(i.getCounts().getSandboxFailures()).isEqualTo(1));
        }
    }

    @Test
    void runtimeFailuresArrivingBeforeTheirKernelReportStillJoin() {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            app.pipe(Scenario.seed000RuntimeOnly()).pipe(Scenario.seed000KernelOnly())
                    .settle(T0);
            assertThat(latest(app.incidents())).singleElement().satisfies(i -> {
                assertThat(i.getCounts().getSandboxFailures()).isEqualTo(1);
                assertThat(i.getAffectedPods()).extracting(AffectedPod::getPod).contains(POD);
            });
        }
    }

    @Test
    void lateRuntimeEntriesWithinGraceJoin() {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            app.pipe(Scenario.seed000KernelOnly()).advanceStreamTime(T0.plusSeconds(20));
            // stream time is 20 s past them when the runtime lines (event time T0) arrive
            app.pipe(Scenario.seed000RuntimeOnly()).settle(T0);
            assertThat(latest(app.incidents())).singleElement()
                    .satisfies(i -> assertThat(i.getCounts().getSandboxFailures()).isEqualTo(1));
        }
    }

    @Test
    void runtimeFailuresWaitingLongerThanWindowPlusGraceForTheirKernelReportAreDropped() {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            app.pipe(Scenario.seed000RuntimeOnly())
                    .advanceStreamTime(T0.plus(Duration.ofMinutes(2)).plusSeconds(31 + 10));
            // the kernel report (event time T0) arrives beyond W + grace behind stream time
            app.pipe(Scenario.seed000KernelOnly()).settle(T0);
            assertThat(latest(app.incidents())).singleElement().satisfies(i -> {
                assertThat(i.getCounts().getSandboxFailures()).isZero();
                assertThat(i.getCounts().getAllocationFailures()).isEqualTo(1);
            });
        }
    }

    @Test
    void entriesSentTwiceAreCountedOnce() {
        List<JournalEntry> withCursors = new ArrayList<>();
        List<JournalEntry> seed = Scenario.seed000();
        List<JournalEntry> journald = Scenario.onHost(seed, "node-journald");
        for (int i = 0; i < journald.size(); i++) {
            withCursors.add(JournalEntry.newBuilder(journald.get(i)).setBootId("b0e4c0ffee").setCursor("s=0a1b;i=" + i)
                    .build());
        }
        int half = withCursors.size() / 2;
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            // a shipper restart re-sends from its last acknowledged position: the second half comes twice, and a
            // replay of the same file adds the whole file again, without cursors
            app.pipe(withCursors.subList(0, half + 10));
            for (JournalEntry entry : withCursors.subList(half, withCursors.size())) {
                app.pipe(entry, Scenario.millis(entry) + 5_000);
            }
            app.pipe(seed).pipe(seed).settle(T0);

            List<Incident> incidents = latest(app.incidents());
            assertThat(incidents).hasSize(2).allSatisfy(i -> {
                assertThat(i.getCounts().getAllocationFailures()).isEqualTo(1);
                assertThat(i.getCounts().getSlabFailures()).isEqualTo(1);
                assertThat(i.getCounts().getSandboxFailures()).isEqualTo(1);
            });
        }
    }

    @Test
    void hostsAreCorrelatedIndependently() {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            List<JournalEntry> a = Scenario.onHost(Scenario.seed000KernelOnly(), "node-a");
            List<JournalEntry> b = Scenario.onHost(Scenario.seed000RuntimeOnly(), "node-b");
            List<JournalEntry> c = Scenario.onHost(Scenario.seed000(), "node-c");
            List<JournalEntry> interleaved = new ArrayList<>();
            for (int i = 0; i < Math.max(a.size(), Math.max(b.size(), c.size())); i++) {
                for (List<JournalEntry> host : List.of(a, b, c)) {
                    if (i < host.size()) {
                        interleaved.add(host.get(i));
                    }
                }
            }
            app.pipe(interleaved).settle(T0);

            Map<String, Incident> byHost = latest(app.incidents()).stream()
                    .collect(Collectors.toMap(Incident::getHost, i -> i));
            assertThat(byHost.keySet()).as("node-b only has runtime failures, which never open an incident")
                    .containsExactlyInAnyOrder("node-a", "node-c");
            assertThat(byHost.get("node-a").getCounts().getSandboxFailures()).isZero();
            assertThat(byHost.get("node-c").getCounts().getSandboxFailures()).isEqualTo(1);
        }
    }

    @Test
    void lookAlikesMakeNoIncident() {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            app.pipe(Scenario.negatives()).advanceStreamTime(T0.plus(Duration.ofMinutes(15)));
            assertThat(app.incidents()).isEmpty();
            assertThat(app.alerts()).isEmpty();
            assertThat(app.deadLetters()).isEmpty();
        }
    }

    @Test
    void aFleetAlertNeedsNHosts() {
        try (TopologyHarness two = new TopologyHarness(stateDir.resolve("two"))) {
            two.pipe(Scenario.onHost(Scenario.seed000(), "node-1"))
                    .pipe(Scenario.onHost(Scenario.shifted(Scenario.seed000(), Duration.ofMinutes(4)), "node-2"))
                    .advanceStreamTime(T0.plus(Duration.ofMinutes(30)));
            assertThat(latest(two.incidents())).hasSize(2);
            assertThat(two.alerts()).isEmpty();
        }
        try (TopologyHarness three = new TopologyHarness(stateDir.resolve("three"))) {
            three.pipe(Scenario.onHost(Scenario.seed000(), "node-1"))
                    .pipe(Scenario.onHost(Scenario.shifted(Scenario.seed000(), Duration.ofMinutes(4)), "node-2"))
                    .pipe(Scenario.onHost(Scenario.shifted(Scenario.seed000(), Duration.ofMinutes(8)), "node-3"))
                    .advanceStreamTime(T0.plus(Duration.ofMinutes(30)));
            List<FleetAlert> alerts = three.alerts();
            assertThat(alerts).singleElement().satisfies(alert -> {
                assertThat(alert.getCause()).isEqualTo(IncidentCause.MEMORY_FRAGMENTATION);
                assertThat(alert.getHostCount()).isEqualTo(3);
                assertThat(alert.getWindowStartMicros()).isEqualTo(T0.toEpochMilli() * 1000);
            });
        }
    }

    @Test
    void aCorruptValueBecomesOneDeadLetterAndTheAppKeepsGoing() {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            byte[] garbage = "\u0000\u0000\u0000\u0000\u0007not avro at all".getBytes(StandardCharsets.ISO_8859_1);
            app.pipeRaw("slave-138", garbage, T0.toEpochMilli() - 1000);
            app.pipeRaw("slave-138", "plain text line".getBytes(StandardCharsets.UTF_8), T0.toEpochMilli() - 900);
            app.pipe(Scenario.seed000()).settle(T0);

            List<DeadLetter> dead = app.deadLetters();
            assertThat(dead).hasSize(2);
            DeadLetter first = dead.get(0);
            assertThat(first.getTopic()).isEqualTo("journal.entries");
            assertThat(first.getPartition()).isZero();
            assertThat(first.getOffset()).isZero();
            assertThat(first.getKey()).isEqualTo("slave-138");
            assertThat(first.getReason()).isNotBlank();
            assertThat(first.getValue().array()).isEqualTo(garbage);
            assertThat(first.getValueSize()).isEqualTo(garbage.length);
            assertThat(first.getValueTruncated()).isFalse();
            assertThat(dead.get(1).getOffset()).isEqualTo(1);
            assertThat(latest(app.incidents())).singleElement()
                    .satisfies(i -> assertThat(i.getCause()).isEqualTo(IncidentCause.MEMORY_FRAGMENTATION));
        }
    }

    @Test
    void deadLetterValuesAreBounded() {
        Map<String, Object> small = Map.of(CorrelatorSettings.DEAD_LETTER_MAX_BYTES, 16);
        try (TopologyHarness app = new TopologyHarness(stateDir, small)) {
            byte[] big = new byte[100_000];
            app.pipeRaw("h", big, T0.toEpochMilli());
            assertThat(app.deadLetters()).singleElement().satisfies(d -> {
                assertThat(d.getValue().remaining()).isEqualTo(16);
                assertThat(d.getValueSize()).isEqualTo(100_000);
                assertThat(d.getValueTruncated()).isTrue();
            });
        }
    }

    @Test
    void aReportCompletesOnTheWallClockWhenItsHostGoesQuiet() {
        Map<String, Object> immediateUpdates = Map.of(CorrelatorSettings.UPDATE_INTERVAL_MS, 0L);
        try (TopologyHarness app = new TopologyHarness(stateDir, immediateUpdates)) {
            // the slab failure report is the last thing the host logs: no later line tells it is complete
            app.pipe(Scenario.seed000KernelOnly().stream()
                    .filter(e -> !e.getMessage().contains("Unable to create nf_conn slab cache")).toList());
            assertThat(latest(app.incidents())).singleElement()
                    .satisfies(i -> assertThat(i.getCounts().getSlabFailures()).isZero());
            app.advanceWallClock(Duration.ofSeconds(6)).advanceWallClock(Duration.ofSeconds(6));
            assertThat(latest(app.incidents())).singleElement().satisfies(i -> {
                assertThat(i.getCounts().getSlabFailures()).isEqualTo(1);
                assertThat(i.getCounts().getAllocationFailures()).isEqualTo(1);
            });
        }
    }

    @Test
    void evidenceCompletedByAStreamTimeJumpStillJoinsTheIncidentTheJumpResolves() {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            // the partition goes quiet right after the kubelet lines; the next record is hours later
            app.pipe(Scenario.seed000()).advanceStreamTime(T0.plus(Duration.ofHours(5)));
            List<Incident> revisions = app.incidents();
            Incident last = revisions.get(revisions.size() - 1);
            assertThat(last.getStatus()).isEqualTo(IncidentStatus.RESOLVED);
            assertThat(last.getCounts().getSandboxFailures()).isEqualTo(1);
            assertThat(last.getAffectedPods()).extracting(AffectedPod::getPod).contains(POD);
            assertThat(latest(revisions)).hasSize(1);
        }
    }
}
