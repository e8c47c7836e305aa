package io.nodeincidents.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.schemas.DeadLetter;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentCounts;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.KernelEventKind;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.RuntimeFailureEvent;
import io.nodeincidents.schemas.RuntimeFailureKind;
import io.nodeincidents.schemas.Severity;
import org.junit.jupiter.api.Test;

/** The correlator's own counters, as Prometheus sees them. */
class CorrelatorMetricsTest {

    private final CorrelatorMetrics metrics = new CorrelatorMetrics();

    @Test
    void incidentsAreCountedByCauseAndStatus() {
        metrics.incidentEmitted(incident(IncidentCause.MEMORY_FRAGMENTATION, IncidentStatus.OPEN));
        metrics.incidentEmitted(incident(IncidentCause.MEMORY_FRAGMENTATION, IncidentStatus.UPDATED));
        metrics.incidentEmitted(incident(IncidentCause.MEMORY_FRAGMENTATION, IncidentStatus.UPDATED));
        metrics.incidentEmitted(incident(IncidentCause.CGROUP_OOM, IncidentStatus.RESOLVED));

        assertThat(metrics.incidents(IncidentCause.MEMORY_FRAGMENTATION, IncidentStatus.OPEN)).isEqualTo(1);
        assertThat(metrics.incidents(IncidentCause.MEMORY_FRAGMENTATION, IncidentStatus.UPDATED)).isEqualTo(2);
        assertThat(metrics.incidents(IncidentCause.MEMORY_FRAGMENTATION, IncidentStatus.RESOLVED)).isZero();
        assertThat(metrics.incidents(IncidentCause.CGROUP_OOM, IncidentStatus.RESOLVED)).isEqualTo(1);
        String scrape = metrics.scrape();
        assertThat(scrape)
                .contains("# TYPE nodeincidents_incidents_total counter")
                .contains("nodeincidents_incidents_total{cause=\"MEMORY_FRAGMENTATION\",status=\"UPDATED\"} 2.0")
                .contains("nodeincidents_incidents_total{cause=\"CGROUP_OOM\",status=\"RESOLVED\"} 1.0")
                // series that have not moved are there at zero, so rate() works from the first scrape
                .contains("nodeincidents_incidents_total{cause=\"GLOBAL_OOM\",status=\"OPEN\"} 0.0");
    }

    @Test
    void eventsAreCountedBySourceAndKind() {
        metrics.eventParsed(kernel(KernelEventKind.ALLOC_FAILURE));
        metrics.eventParsed(kernel(KernelEventKind.ALLOC_FAILURE));
        metrics.eventParsed(kernel(KernelEventKind.SLAB_FAILURE));
        metrics.eventParsed(kernel(KernelEventKind.OOM_KILL));
        metrics.eventParsed(runtime(RuntimeFailureKind.SANDBOX_FAILURE));

        assertThat(metrics.events(KernelEventKind.ALLOC_FAILURE)).isEqualTo(2);
        assertThat(metrics.events(KernelEventKind.SLAB_FAILURE)).isEqualTo(1);
        assertThat(metrics.events(KernelEventKind.OOM_KILL)).isEqualTo(1);
        assertThat(metrics.events(RuntimeFailureKind.SANDBOX_FAILURE)).isEqualTo(1);
        assertThat(metrics.events(RuntimeFailureKind.CONTAINER_OOM_KILLED)).isZero();
        assertThat(metrics.scrape())
                .contains("nodeincidents_events_parsed_total{kind=\"ALLOC_FAILURE\",source=\"kernel\"} 2.0")
                .contains("nodeincidents_events_parsed_total{kind=\"SANDBOX_FAILURE\",source=\"runtime\"} 1.0")
                .contains("nodeincidents_events_parsed_total{kind=\"OTHER\",source=\"runtime\"} 0.0");
    }

    @Test
    void deadLettersAreCountedByABoundedReason() {
        metrics.deadLetter(letter("null value (tombstone): journal.entries carries no deletes", null));
        metrics.deadLetter(letter("Unknown magic byte!", null));
        metrics.deadLetter(letter("Malformed data. Length is negative: -40", null));
        metrics.deadLetter(letter("event extraction failed: StringIndexOutOfBoundsException", "node-1"));
        metrics.deadLetter(letter("event record conversion failed: NullPointerException", "node-1"));
        metrics.deadLetter(letter("something new", "node-1"));

        assertThat(metrics.deadLetters(DeadLetterReason.TOMBSTONE)).isEqualTo(1);
        assertThat(metrics.deadLetters(DeadLetterReason.UNDECODABLE)).isEqualTo(2);
        assertThat(metrics.deadLetters(DeadLetterReason.EXTRACTION_FAILED)).isEqualTo(1);
        assertThat(metrics.deadLetters(DeadLetterReason.CONVERSION_FAILED)).isEqualTo(1);
        assertThat(metrics.deadLetters(DeadLetterReason.OTHER)).isEqualTo(1);
        String scrape = metrics.scrape();
        assertThat(scrape).contains("nodeincidents_dead_letters_total{reason=\"UNDECODABLE\"} 2.0");
        // the free-text reasons never become label values
        assertThat(scrape).doesNotContain("magic").doesNotContain("Malformed");
    }

    private static Incident incident(IncidentCause cause, IncidentStatus status) {
        return Incident.newBuilder().setIncidentId("i-1").setHost("node-1").setStatus(status).setCause(cause)
                .setSeverity(Severity.HIGH).setFirstSeenMicros(0).setLastSeenMicros(0)
                .setCounts(IncidentCounts.newBuilder().build()).setDiagnosis("").build();
    }

    private static KernelMemoryEvent kernel(KernelEventKind kind) {
        return KernelMemoryEvent.newBuilder().setEventId("k").setHost("node-1").setKind(kind).build();
    }

    private static RuntimeFailureEvent runtime(RuntimeFailureKind kind) {
        return RuntimeFailureEvent.newBuilder().setEventId("r").setHost("node-1").setKind(kind)
                .setComponent("kubelet").setErrorText("failed").build();
    }

    private static DeadLetter letter(String reason, String host) {
        return DeadLetter.newBuilder().setReason(reason).setTopic("journal.entries").setHost(host)
                .setRecordTimestampMillis(0).build();
    }
}
