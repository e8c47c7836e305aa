package io.nodeincidents.topology;

import static io.nodeincidents.topology.Scenario.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.logs.LineRef;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.schemas.AffectedPod;
import io.nodeincidents.schemas.EntrySource;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.SourceKind;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hosts sharing a partition whose entries run far apart in time: a host replayed behind the others (its files after
 * theirs, or last month's log into a live system) is correlated on its own clock, as if it had been live.
 */
class HostClockTopologyTest {

    private static final String POD = "matchdataserver-1255064836-t4b2w";
    private static final String LIVE = "node-a";
    private static final String BEHIND = "slave-141";
    /** Host A logs from 02:00 to 02:40; stream time is 02:40 when B's entries come. */
    private static final Instant A_START = Instant.parse("2026-11-20T02:00:00Z");
    private static final Instant A_END = A_START.plus(Duration.ofMinutes(40));
    private static final Duration QUIET = Duration.ofMinutes(10).plusSeconds(30); // G + grace

    @TempDir
    Path stateDir;

    /** Host A: its own seed-000 episode at 02:00, then a line a minute up to 02:40. */
    private static List<JournalEntry> hostA() {
        List<JournalEntry> a = new ArrayList<>(
                Scenario.onHost(Scenario.shifted(Scenario.seed000(), Duration.between(T0, A_START)), LIVE));
        for (int minute = 1; minute <= 40; minute++) {
            Instant at = A_START.plus(Duration.ofMinutes(minute));
            a.add(JournalEntry.newBuilder().setHost(LIVE).setRealtimeMicros(at.toEpochMilli() * 1000)
                    .setTransport("syslog").setSyslogIdentifier("systemd").setMessage("Started Session " + minute)
                    .setSource(EntrySource.newBuilder().setKind(SourceKind.SYSLOG).setFile("node-a.log")
                            .setLine((long) minute).build())
                    .build());
        }
        return a;
    }

    /** Host B's seed-000 episode (kernel report, dockerd and kubelet lines) with its report at {@code at}. */
    private static List<JournalEntry> hostB(Instant at) {
        List<JournalEntry> b = Scenario.onHost(Scenario.seed000(), BEHIND);
        return at.equals(T0) ? b : Scenario.shifted(b, Duration.between(T0, at));
    }

    /** Latest revision per incident. */
    private static List<Incident> latest(List<Incident> revisions) {
        return new OfflineCorrelation.Result(revisions, List.of(), List.of()).latestRevisions();
    }

    private static List<Incident> of(String host, List<Incident> revisions) {
        return revisions.stream().filter(i -> host.equals(i.getHost())).toList();
    }

    @Test
    void aHostReplayedBehindTheOthersOnItsPartitionCorrelatesOnItsOwnClock() {
        behindHostGetsOneFragmentationIncidentResolvedOnItsOwnTime(Instant.parse("2026-11-20T02:15:41Z"));
    }

    @Test
    void anOldLogReplayedIntoALivePartitionCorrelatesOnItsOwnClock() {
        behindHostGetsOneFragmentationIncidentResolvedOnItsOwnTime(T0);
    }

    private void behindHostGetsOneFragmentationIncidentResolvedOnItsOwnTime(Instant bReport) {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            app.pipe(hostA()).pipe(hostB(bReport));
            // stream time moves on 3 and 5 min; B logs nothing more, so its clock is 5 min past its report
            app.settle(A_END);

            List<Incident> revisions = of(BEHIND, app.incidents());
            assertThat(revisions).as("B's kernel report and slab failure are one episode")
                    .extracting(Incident::getIncidentId).containsOnly(revisions.get(0).getIncidentId());
            assertThat(revisions).extracting(Incident::getStatus).doesNotContain(IncidentStatus.RESOLVED);
            Incident incident = revisions.get(revisions.size() - 1);
            assertThat(incident.getCause()).isEqualTo(IncidentCause.MEMORY_FRAGMENTATION);
            assertThat(incident.getAffectedPods()).extracting(AffectedPod::getPod).contains(POD);
            assertThat(incident.getCounts().getAllocationFailures()).isEqualTo(1);
            assertThat(incident.getCounts().getSlabFailures()).isEqualTo(1);
            assertThat(incident.getCounts().getSandboxFailures()).isEqualTo(1);
            long lastSeen = bReport.toEpochMilli() * 1000;
            assertThat(incident.getFirstSeenMicros()).isEqualTo(lastSeen);
            assertThat(incident.getLastSeenMicros()).isEqualTo(lastSeen);

            // B's clock at lastSeen + 10 min: not quiet for G + grace yet
            app.advanceStreamTime(A_END.plus(Duration.ofMinutes(10)));
            assertThat(of(BEHIND, app.incidents())).extracting(Incident::getStatus)
                    .doesNotContain(IncidentStatus.RESOLVED);
            // B's clock at lastSeen + 11 min: resolved, with everything it had
            app.advanceStreamTime(A_END.plus(QUIET).plusSeconds(30));
            List<Incident> all = of(BEHIND, app.incidents());
            Incident resolved = all.get(all.size() - 1);
            assertThat(resolved.getIncidentId()).isEqualTo(incident.getIncidentId());
            assertThat(resolved.getStatus()).isEqualTo(IncidentStatus.RESOLVED);
            assertThat(resolved.getCounts().getSlabFailures()).isEqualTo(1);
            assertThat(resolved.getAffectedPods()).extracting(AffectedPod::getPod).contains(POD);
            assertThat(all).extracting(Incident::getRevision).doesNotHaveDuplicates();

            // the live host is correlated as before: its own episode, resolved on its own (stream) time
            List<Incident> live = latest(of(LIVE, app.incidents()));
            assertThat(live).singleElement().satisfies(i -> {
                assertThat(i.getStatus()).isEqualTo(IncidentStatus.RESOLVED);
                assertThat(i.getCounts().getSandboxFailures()).isEqualTo(1);
                assertThat(i.getCounts().getSlabFailures()).isEqualTo(1);
            });
            assertThat(app.deadLetters()).isEmpty();
        }
    }

    @Test
    void anOldLogReplayedIntoALivePartitionIsRememberedForDedup() {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            app.pipe(hostA());
            List<JournalEntry> old = hostB(T0);
            app.pipe(old);
            JournalEntry header = old.stream().filter(e -> e.getMessage().contains("page allocation failure"))
                    .findFirst().orElseThrow();
            String identity = io.nodeincidents.correlation.EntryIdentity.of(
                    io.nodeincidents.ingest.entries.JournalEntries.toLogLine(header)).key();
            try (WindowStoreIterator<Long> seen = app.dedupStore().fetch(identity,
                    A_END.minus(Duration.ofMinutes(1)), A_END)) {
                assertThat(seen.hasNext()).as("remembered at its arrival, not at its 2017 event time").isTrue();
            }
        }
    }

    @Test
    void onlyEntriesThatStartOrContinueSomethingAreRememberedForDedup() {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            long t = A_END.toEpochMilli() * 1000;
            JournalEntry noise = entry(new LogLine("node-d", "b0e4", t, null, "stdout", "nginx", "nginx.service", 80, 6,
                    "GET / 200", LineRef.cursor("s=1;i=1")));
            JournalEntry ordinaryKernel = entry(new LogLine("node-d", "b0e4", t, null, "kernel", "kernel", null, null,
                    6, "IPVS: rr: TCP 10.96.0.10:53 - no destination available", LineRef.cursor("s=1;i=2")));
            JournalEntry header = entry(new LogLine("node-d", "b0e4", t + 1, null, "kernel", "kernel", null, null, 4,
                    "exe: page allocation failure: order:6, mode:0x10c0d0", LineRef.cursor("s=1;i=3")));
            JournalEntry continuation = entry(new LogLine("node-d", "b0e4", t + 2, null, "kernel", "kernel", null,
                    null, 4, "CPU: 3 PID: 1234 Comm: exe Not tainted 3.10.0-957.el7.x86_64 #1",
                    LineRef.cursor("s=1;i=4")));
            app.pipe(List.of(noise, ordinaryKernel, header, continuation));
            assertThat(remembered(app, noise)).as("a repeated nginx line changes nothing: not stored").isFalse();
            assertThat(remembered(app, ordinaryKernel))
                    .as("a kernel line that starts no report, with none under way, changes nothing: not stored")
                    .isFalse();
            assertThat(remembered(app, header)).as("a repeated report header would start a second report: stored")
                    .isTrue();
            assertThat(remembered(app, continuation))
                    .as("a repeated line of a report under way would corrupt it: stored").isTrue();
        }
    }

    private static JournalEntry entry(LogLine line) {
        return io.nodeincidents.ingest.entries.JournalEntries.fromLogLine(line,
                io.nodeincidents.schemas.SourceKind.JOURNALD);
    }

    private static boolean remembered(TopologyHarness app, JournalEntry entry) {
        String identity = io.nodeincidents.correlation.EntryIdentity.of(
                io.nodeincidents.ingest.entries.JournalEntries.toLogLine(entry)).key();
        try (WindowStoreIterator<Long> seen = app.dedupStore().fetch(identity, A_END.minus(Duration.ofMinutes(1)),
                A_END.plus(Duration.ofMinutes(1)))) {
            return seen.hasNext();
        }
    }

    @Test
    void aBehindHostsLastReportCompletesOnTheWallClockAtItsOwnTime() {
        Map<String, Object> immediateUpdates = Map.of(CorrelatorSettings.UPDATE_INTERVAL_MS, 0L);
        try (TopologyHarness app = new TopologyHarness(stateDir, immediateUpdates)) {
            // B's slab failure report is the last thing it logs, and the partition goes quiet
            app.pipe(hostA()).pipe(Scenario.onHost(Scenario.seed000KernelOnly().stream()
                    .filter(e -> !e.getMessage().contains("Unable to create nf_conn slab cache")).toList(), BEHIND));
            assertThat(latest(of(BEHIND, app.incidents()))).singleElement()
                    .satisfies(i -> assertThat(i.getCounts().getSlabFailures()).isZero());
            app.advanceWallClock(Duration.ofSeconds(6)).advanceWallClock(Duration.ofSeconds(6));
            assertThat(latest(of(BEHIND, app.incidents()))).singleElement().satisfies(i -> {
                assertThat(i.getStatus()).isNotEqualTo(IncidentStatus.RESOLVED);
                assertThat(i.getCounts().getAllocationFailures()).isEqualTo(1);
                assertThat(i.getCounts().getSlabFailures()).isEqualTo(1);
            });
        }
    }

    @Test
    void aHostQuietForADayLosesItsClockAndStartsAfreshFromItsNextEntry() {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            app.pipe(hostA()).pipe(hostB(T0));
            assertThat(app.clocks().get(BEHIND).now(A_END.toEpochMilli())).isEqualTo(T0.toEpochMilli());
            app.advanceStreamTime(A_END.plus(Duration.ofHours(12)));
            assertThat(app.clocks().get(BEHIND)).as("kept while quiet for less than a day").isNotNull();
            app.advanceStreamTime(A_END.plus(Duration.ofDays(2)));
            assertThat(app.clocks().get(BEHIND)).isNull();
            assertThat(app.clocks().get("clock")).as("the host that moved stream time logged just now").isNotNull();

            // back with last month's log again: its clock starts from that log, not from today
            app.pipe(hostB(T0.plus(Duration.ofDays(30))));
            assertThat(app.clocks().get(BEHIND).now(A_END.plus(Duration.ofDays(2)).toEpochMilli()))
                    .isEqualTo(T0.plus(Duration.ofDays(30)).toEpochMilli());
        }
    }
}
