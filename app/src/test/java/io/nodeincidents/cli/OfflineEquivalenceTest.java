package io.nodeincidents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.correlation.OfflineCorrelator;
import io.nodeincidents.events.NodeEventExtractor;
import io.nodeincidents.logs.LogFormat;
import io.nodeincidents.logs.LogReadException;
import io.nodeincidents.logs.ReadOptions;
import io.nodeincidents.schemas.FleetAlert;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.topology.CorrelatorSettings;
import io.nodeincidents.topology.OfflineCorrelation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code analyze}'s in-memory run of the per-host steps ({@link OfflineCorrelator}) gives what the streaming app's
 * Kafka Streams topology gives: every sample, every seed and era test log and every corpus file (the files the golden
 * outputs are recorded from), read as {@code analyze} reads them, is run through both - the topology in a
 * TopologyTestDriver ({@link OfflineCorrelation.Session}) and the correlator - in the same order, and every incident
 * revision (id, status, counts, evidence: the whole record) and every fleet alert must be the same, in the same order.
 */
class OfflineEquivalenceTest {

    private static final ReadOptions ANALYZE_DEFAULTS = new ReadOptions(LogFormat.AUTO, null, null, ZoneId.of("UTC"));
    private static final AtomicInteger REVISIONS = new AtomicInteger();
    private static final AtomicInteger ALERTS = new AtomicInteger();
    private static final AtomicInteger FILES_WITH_INCIDENTS = new AtomicInteger();

    /** What one run gave. */
    private record Output(List<Incident> incidents, List<FleetAlert> alerts) {
    }

    private record Timed(JournalEntry entry, long timeMs) {
    }

    static Path repository() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("corpus")) && Files.isRegularFile(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
    }

    /** The files the golden outputs are recorded from (one by one). */
    static Stream<Path> files() throws IOException {
        Path root = repository();
        List<Path> files = new ArrayList<>();
        for (String dir : List.of("app/src/main/resources/samples", "core/src/test/resources/logs",
                "core/src/test/resources/kernel", "core/src/test/resources/runtime",
                "streams/src/test/resources/topology")) {
            try (Stream<Path> in = Files.list(root.resolve(dir))) {
                in.filter(Files::isRegularFile).forEach(files::add);
            }
        }
        try (Stream<Path> in = Files.walk(root.resolve("corpus"))) {
            in.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals("README.md"))
                    .forEach(files::add);
        }
        return files.stream().sorted().map(root::relativize);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void eachFileGivesTheSameRevisionsAndAlertsAsTheTopology(Path file) throws IOException {
        assertSame(List.of(repository().resolve(file)));
    }

    @Test
    void allSamplesTogetherGiveTheSameAsTheTopology() throws IOException {
        List<Path> samples;
        try (Stream<Path> in = Files.list(repository().resolve("app/src/main/resources/samples"))) {
            samples = in.sorted().toList();
        }
        Output output = assertSame(samples);
        assertThat(output.incidents()).extracting(Incident::getHost).as("two hosts").contains("slave-138",
                "ip-10-1-2-125");
    }

    /**
     * The files hold no fleet (no cause on three hosts): seed 000's two sample logs are copied onto four hosts, a few
     * minutes apart, once within the fleet window and once spread past it, so alerts are raised and re-emitted.
     */
    @Test
    void aFleetOfHostsGivesTheSameAlertsAsTheTopology() throws IOException {
        Path samples = repository().resolve("app/src/main/resources/samples");
        List<Timed> seed = entries(List.of(samples.resolve("seed-000-kernel.log"),
                samples.resolve("seed-000-runtime.log")));
        for (long apartMinutes : List.of(2L, 4L)) {
            List<Timed> fleet = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                long shiftMs = i * apartMinutes * 60_000L;
                for (Timed t : seed) {
                    JournalEntry.Builder copy = JournalEntry.newBuilder(t.entry()).setHost("fleet-node-" + i);
                    if (t.entry().getRealtimeMicros() != null) {
                        copy.setRealtimeMicros(t.entry().getRealtimeMicros() + shiftMs * 1000);
                    }
                    fleet.add(new Timed(copy.build(), t.timeMs() + shiftMs));
                }
            }
            fleet.sort(java.util.Comparator.comparingLong(Timed::timeMs));
            Output output = assertSame(fleet, "seed 000 on four hosts " + apartMinutes + " minutes apart");
            // within the window the fourth host joins the alert (re-emitted); spread out, it comes too late
            assertThat(output.alerts()).hasSize(apartMinutes == 2 ? 2 : 1);
        }
    }

    @Test
    void aFileGivenTwiceIsReadOnceAsTheTopologyDropsRepeats() throws IOException {
        List<Path> samples;
        try (Stream<Path> in = Files.list(repository().resolve("app/src/main/resources/samples"))) {
            samples = in.sorted().toList();
        }
        for (Path sample : samples) {
            Output once = run(entries(List.of(sample)));
            Output twice = assertSame(List.of(sample, sample));
            assertThat(twice.incidents()).as("%s twice", sample).isEqualTo(once.incidents());
        }
    }

    @AfterAll
    static void theComparisonWasNotEmpty() {
        // the files hold incidents and fleet alerts; were none made, the comparison would prove nothing
        assertThat(FILES_WITH_INCIDENTS.get()).isGreaterThan(20);
        assertThat(REVISIONS.get()).isGreaterThan(100);
        assertThat(ALERTS.get()).isPositive();
    }

    private static Output assertSame(List<Path> files) throws IOException {
        return assertSame(entries(files), files.toString());
    }

    private static Output assertSame(List<Timed> entries, String what) {
        Output topology = topology(entries);
        Output driver = run(entries);
        assertThat(driver.incidents()).as("incident revisions of %s", what).isEqualTo(topology.incidents());
        assertThat(driver.alerts()).as("fleet alerts of %s", what).isEqualTo(topology.alerts());
        if (!topology.incidents().isEmpty()) {
            FILES_WITH_INCIDENTS.incrementAndGet();
        }
        REVISIONS.addAndGet(topology.incidents().size());
        ALERTS.addAndGet(topology.alerts().size());
        return driver;
    }

    /** The entries as analyze hands them on, in its order. */
    private static List<Timed> entries(List<Path> files) throws IOException {
        List<Timed> entries = new ArrayList<>();
        try {
            new MergedReading(ANALYZE_DEFAULTS, new NodeEventExtractor(), rejected -> { })
                    .read(files, (entry, timeMs) -> entries.add(new Timed(entry, timeMs)));
        } catch (LogReadException e) {
            // a file analyze refuses whole (none of its lines is a log line): nothing to correlate
            return List.of();
        }
        return entries;
    }

    private static Output topology(List<Timed> entries) {
        List<Incident> incidents = new ArrayList<>();
        List<FleetAlert> alerts = new ArrayList<>();
        try (OfflineCorrelation.Session session = new OfflineCorrelation.Session(Map.of(), incidents::add,
                alerts::add, dead -> { })) {
            for (Timed timed : entries) {
                session.add(timed.entry(), timed.timeMs());
            }
            session.finish();
        }
        return new Output(incidents, alerts);
    }

    private static Output run(List<Timed> entries) {
        List<Incident> incidents = new ArrayList<>();
        List<FleetAlert> alerts = new ArrayList<>();
        NodeEventExtractor extractor = new NodeEventExtractor();
        OfflineCorrelator correlator = new OfflineCorrelator(new CorrelatorSettings(Map.of()).driverSettings(),
                extractor, new OfflineCorrelator.Sink() {
                    @Override
                    public void incident(Incident incident) {
                        incidents.add(incident);
                    }

                    @Override
                    public void alert(FleetAlert alert) {
                        alerts.add(alert);
                    }

                    @Override
                    public void setAside(String host, String reason) {
                    }
                });
        for (Timed timed : entries) {
            correlator.add(AnalyzeCommand.offlineEntry(extractor, timed.entry(), timed.timeMs()));
        }
        correlator.finish();
        return new Output(incidents, alerts);
    }
}
