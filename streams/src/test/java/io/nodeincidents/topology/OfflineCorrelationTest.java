package io.nodeincidents.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodeincidents.schemas.AffectedPod;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentStatus;
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

    @Test
    void lookAlikesGiveNothing() {
        OfflineCorrelation.Result result = OfflineCorrelation.run(Scenario.negatives());
        assertThat(result.incidents()).isEmpty();
        assertThat(result.deadLetters()).isEmpty();
    }
}
