package io.nodeincidents.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentCounts;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.Severity;
import io.nodeincidents.topology.CorrelatorSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class IncidentAlertsTest {

    private static final Instant NOW = Instant.parse("2026-12-02T22:00:00Z");

    private static Incident incident(IncidentStatus status, Instant first, Instant last) {
        return Incident.newBuilder().setIncidentId("node-1 cgroup/1").setRevision(2).setHost("node-1")
                .setStatus(status).setCause(IncidentCause.CGROUP_OOM).setSeverity(Severity.HIGH)
                .setFirstSeenMicros(first.toEpochMilli() * 1000).setLastSeenMicros(last.toEpochMilli() * 1000)
                .setCounts(IncidentCounts.newBuilder().setOomKills(3).build()).setDiagnosis("d")
                .setRemediation(List.of()).build();
    }

    @Test
    void aHostClockAheadOfTheCorrelatorStillGivesAnAlertAlertmanagerAccepts() {
        IncidentAlerts alerts = new IncidentAlerts("https://console.example/");
        Incident future = incident(IncidentStatus.RESOLVED, NOW.plusSeconds(3600), NOW.plusSeconds(3700));

        Alert resolved = alerts.alert(future, NOW, Duration.ofMinutes(4));

        assertThat(resolved.startsAt()).isEqualTo(NOW);
        assertThat(resolved.endsAt()).isEqualTo(NOW);
        assertThat(resolved.generatorUrl()).isEqualTo("https://console.example/console/incidents/node-1%20cgroup%2F1");
        assertThat(resolved.labels()).isEqualTo(Map.of("alertname", "CgroupOom", "cause", "CGROUP_OOM",
                "host", "node-1", "severity", "high", "incident_id", "node-1 cgroup/1"));
        assertThat(resolved.annotations().get("summary")).isEqualTo("Cgroup oom on node-1: 3 OOM kills (revision 2,"
                + " resolved)");
    }

    @Test
    void aResolvedIncidentEndsAtItsLastEvidenceAndAnOpenOneAheadOfNow() {
        IncidentAlerts alerts = new IncidentAlerts("http://c:8080");
        Instant first = NOW.minusSeconds(600);

        assertThat(alerts.alert(incident(IncidentStatus.RESOLVED, first, NOW.minusSeconds(300)), NOW,
                Duration.ofMinutes(4)).endsAt()).isEqualTo(NOW.minusSeconds(300));
        assertThat(alerts.alert(incident(IncidentStatus.UPDATED, first, NOW.minusSeconds(300)), NOW,
                Duration.ofMinutes(4)).endsAt()).isEqualTo(NOW.plusSeconds(240));
    }

    @Test
    void everyCauseHasAnAlertName() {
        for (IncidentCause cause : IncidentCause.values()) {
            assertThat(IncidentAlerts.alertName(cause)).matches("[A-Z][A-Za-z]+");
        }
        assertThat(IncidentAlerts.alertName(IncidentCause.MEMORY_FRAGMENTATION)).isEqualTo("MemoryFragmentation");
    }

    @Test
    void alertmanagerIsOffByDefaultAndANonHttpUrlIsRefusedAtStart() {
        assertThat(new CorrelatorSettings(Map.of()).alertmanager()).isEmpty();
        assertThat(new CorrelatorSettings(Map.of("alertmanager.url", "http://am:9093")).alertmanager())
                .hasValueSatisfying(o -> assertThat(o.url().toString()).isEqualTo("http://am:9093"));
        assertThatThrownBy(() -> new CorrelatorSettings(Map.of("alertmanager.url", "am:9093")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("alertmanager.url");
    }
}
