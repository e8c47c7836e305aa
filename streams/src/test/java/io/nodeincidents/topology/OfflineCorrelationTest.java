package io.nodeincidents.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodeincidents.schemas.AffectedPod;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.EntrySource;
import io.nodeincidents.schemas.JournalEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The streaming topology run over a finite list of entries, as offline analysis uses it. */
class OfflineCorrelationTest {

    @Test
    void seed000EndsAsOneResolvedFragmentationIncident() {
        OfflineCorrelation.Result result = OfflineCorrelation.run(Scenario.seed000());

        assertThat(result.latestRevisions()).singleElement().satisfies(incident -> {
            assertThat(incident.getStatus()).isEqualTo(IncidentStatus.RESOLVED);
            assertThat(incident.getCause()).isEqualTo(IncidentCause.MEMORY_FRAGMENTATION);
            assertThat(incident.getHost()).isEqualTo("slave-138");
            assertThat(incident.getAffectedPods()).extracting(AffectedPod::getPod)
                    .contains("matchdataserver-1255064836-t4b2w");
            assertThat(incident.getCounts().getAllocationFailures()).isEqualTo(1);
            assertThat(incident.getCounts().getSandboxFailures()).isEqualTo(1);
        });
        assertThat(result.incidents().get(0).getStatus()).isEqualTo(IncidentStatus.OPEN);
        assertThat(result.incidents()).extracting(Incident::getRevision).doesNotHaveDuplicates();
        assertThat(result.alerts()).isEmpty();
        assertThat(result.deadLetters()).isEmpty();
    }

    @Test
    void threeHostsWithinTheFleetWindowRaiseOneAlert() {
        List<JournalEntry> entries = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            entries.addAll(Scenario.onHost(Scenario.shifted(Scenario.seed000(), Duration.ofMinutes(3L * i)),
                    "node-" + i));
        }
        OfflineCorrelation.Result result = OfflineCorrelation.run(entries);

        assertThat(result.latestRevisions()).hasSize(3);
        assertThat(result.alerts()).singleElement()
                .satisfies(alert -> assertThat(alert.getHostCount()).isEqualTo(3));
    }

    @Test
    void logsOfSeveralHostsGivenOneAfterTheOtherCorrelateAsIfLive() {
        List<JournalEntry> entries = new ArrayList<>(
                Scenario.onHost(Scenario.shifted(Scenario.seed000(), Duration.ofHours(5)), "later-host"));
        entries.addAll(Scenario.onHost(Scenario.seed000(), "earlier-host"));

        List<Incident> incidents = OfflineCorrelation.run(entries).latestRevisions();

        assertThat(incidents).hasSize(2).allSatisfy(incident -> {
            assertThat(incident.getStatus()).isEqualTo(IncidentStatus.RESOLVED);
            assertThat(incident.getCounts().getSandboxFailures()).isEqualTo(1);
        });
        assertThat(incidents).extracting(Incident::getHost).containsExactly("earlier-host", "later-host");
    }

    @Test
    void settingsApply() {
        List<JournalEntry> entries = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            entries.addAll(Scenario.onHost(Scenario.shifted(Scenario.seed000(), Duration.ofMinutes(i)), "node-" + i));
        }
        assertThat(OfflineCorrelation.run(entries).alerts()).isEmpty();
        assertThat(OfflineCorrelation.run(entries, Map.of(CorrelatorSettings.FLEET_HOSTS, "2")).alerts()).hasSize(1);
        assertThatThrownBy(() -> OfflineCorrelation.run(entries, Map.of(CorrelatorSettings.FLEET_HOSTS, "1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(CorrelatorSettings.FLEET_HOSTS);
    }

    /** Seed 000 repeated {@code reports} times a second apart, then its dockerd line {@code repeats} times verbatim. */
    private static List<JournalEntry> storm(int reports, int repeats) {
        List<JournalEntry> entries = new ArrayList<>();
        for (int i = 0; i < reports; i++) {
            entries.addAll(Scenario.shifted(Scenario.seed000(), Duration.ofSeconds(i)));
        }
        JournalEntry dockerd = entries.stream().filter(e -> "dockerd".equals(e.getSyslogIdentifier())).reduce(
                (a, b) -> b).orElseThrow();
        for (int i = 1; i <= repeats; i++) {
            // the same line again and again, further down the file
            entries.add(JournalEntry.newBuilder(dockerd).setSource(EntrySource.newBuilder(dockerd.getSource())
                    .setLine(dockerd.getSource().getLine() + 100_000 + i).build()).build());
        }
        return entries;
    }

    private static Map<String, Long> largestStoredStates(List<JournalEntry> entries, List<Incident> incidents) {
        try (OfflineCorrelation.Session session = new OfflineCorrelation.Session(Map.of(), incidents::add,
                alert -> { }, dead -> { })) {
            entries.forEach(session::add);
            session.finish();
            Map<String, Long> sizes = new java.util.TreeMap<>();
            session.largestRecordBytes().forEach((topic, bytes) -> {
                for (String store : List.of(HostCorrelation.STORE, EventExtraction.STORE)) {
                    if (topic.endsWith(store + "-changelog")) {
                        sizes.put(store, bytes);
                    }
                }
            });
            return sizes;
        }
    }

    @Test
    void aStormOnOneHostWritesStateRecordsOfBoundedSize() {
        List<Incident> small = new ArrayList<>();
        // past 500 reports (two kernel events each) every list of the host's state is full, the 1,000 remembered
        // event ids too
        Map<String, Long> smallStorm = largestStoredStates(storm(510, 500), small);
        List<Incident> big = new ArrayList<>();
        Map<String, Long> bigStorm = largestStoredStates(storm(720, 3_000), big);

        assertThat(bigStorm.keySet()).containsExactlyInAnyOrder(HostCorrelation.STORE, EventExtraction.STORE);
        // more reports, six times the repeated line: the same largest records
        bigStorm.forEach((store, bytes) -> assertThat(bytes).as(store)
                .isLessThanOrEqualTo(smallStorm.get(store) + smallStorm.get(store) / 20));
        // 20 kept kernel events, each with its report's lines for people (about 2 kB here), dominate the record
        assertThat(bigStorm.get(HostCorrelation.STORE)).isLessThan(250_000L);
        assertThat(bigStorm.get(EventExtraction.STORE)).isLessThan(16_000L);

        Incident last = new OfflineCorrelation.Result(big, List.of(), List.of()).latestRevisions().get(0);
        assertThat(new OfflineCorrelation.Result(big, List.of(), List.of()).latestRevisions()).hasSize(1);
        assertThat(last.getStatus()).isEqualTo(IncidentStatus.RESOLVED);
        assertThat(last.getCounts().getAllocationFailures()).isEqualTo(720);
        assertThat(last.getCounts().getRuntimeFailureLines()).isGreaterThan(3_000L);
        assertThat(last.getKernelEvents()).hasSize(20);
        assertThat(last.getKernelEventsOmitted()).isEqualTo(2 * 720 - 20);
    }

    @Test
    void lookAlikesGiveNothing() {
        OfflineCorrelation.Result result = OfflineCorrelation.run(Scenario.negatives());
        assertThat(result.incidents()).isEmpty();
        assertThat(result.deadLetters()).isEmpty();
    }
}
