package io.nodeincidents.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.nodeincidents.metrics.CorrelatorMetrics;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentCounts;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.Severity;
import io.nodeincidents.testkit.RequiredTools;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sender against a real Alertmanager (Debian's prometheus-alertmanager), started by the test. */
class AlertmanagerSenderTest {

    private static final Duration FAST = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @BeforeAll
    static void alertmanagerInstalled() {
        RequiredTools.alertmanager();
    }

    private static AlertmanagerSender.Options options(URI url, Duration resend) {
        return new AlertmanagerSender.Options(url, Duration.ofSeconds(2), resend, 100, 100, Duration.ofMillis(100),
                Duration.ofSeconds(1));
    }

    private static Incident incident(String id, int revision, IncidentStatus status, Severity severity,
            String diagnosis) {
        long first = Instant.now().minus(2, ChronoUnit.MINUTES).toEpochMilli() * 1000;
        return Incident.newBuilder().setIncidentId(id).setRevision(revision).setHost("node-7")
                .setKernelVersion("6.1.0-18-amd64").setStatus(status).setCause(IncidentCause.MEMORY_FRAGMENTATION)
                .setSeverity(severity).setFirstSeenMicros(first)
                .setLastSeenMicros(first + revision * 10_000_000L)
                .setCounts(IncidentCounts.newBuilder().setAllocationFailures(revision).setSandboxFailures(2).build())
                .setDiagnosis(diagnosis)
                .setRemediation(List.of("Drop the page cache: echo 1 > /proc/sys/vm/drop_caches",
                        "Compact memory: echo 1 > /proc/sys/vm/compact_memory"))
                .build();
    }

    private static JsonNode only(AlertmanagerProcess am, String id) throws Exception {
        List<JsonNode> alerts = am.alerts("incident_id", id);
        assertThat(alerts).hasSize(1);
        return alerts.get(0);
    }

    @Test
    void anIncidentFiresUpdatesAndResolvesInAlertmanager() throws Exception {
        try (AlertmanagerProcess am = AlertmanagerProcess.start(AlertmanagerProcess.freePort(), dir);
                CorrelatorMetrics metrics = new CorrelatorMetrics();
                AlertmanagerSender sender = AlertmanagerSender.start(options(am.url(), Duration.ofMinutes(1)),
                        new IncidentAlerts("http://correlator:8080/"), metrics.registry())) {
            Incident open = incident("node-7-frag-1", 1, IncidentStatus.OPEN, Severity.MEDIUM,
                    "Order-4 allocations fail with 2 GiB free: memory is fragmented.");
            sender.revision(open);

            await().atMost(FAST).untilAsserted(() -> assertThat(am.alerts("incident_id", "node-7-frag-1")).hasSize(1));
            JsonNode firing = only(am, "node-7-frag-1");
            assertThat(firing.path("labels").path("alertname").asText()).isEqualTo("MemoryFragmentation");
            assertThat(firing.path("labels").path("cause").asText()).isEqualTo("MEMORY_FRAGMENTATION");
            assertThat(firing.path("labels").path("host").asText()).isEqualTo("node-7");
            assertThat(firing.path("labels").path("severity").asText()).isEqualTo("medium");
            assertThat(firing.path("annotations").path("summary").asText()).isEqualTo("Memory fragmentation on"
                    + " node-7: 1 allocation failure, 2 pod sandbox failures (revision 1, open)");
            assertThat(firing.path("annotations").path("description").asText())
                    .isEqualTo("Order-4 allocations fail with 2 GiB free: memory is fragmented.");
            assertThat(firing.path("annotations").path("runbook").asText()).isEqualTo("1. Drop the page cache:"
                    + " echo 1 > /proc/sys/vm/drop_caches\n2. Compact memory: echo 1 > /proc/sys/vm/compact_memory");
            assertThat(firing.path("generatorURL").asText()).isEqualTo("http://correlator:8080/console/incidents/node-7-frag-1");
            assertThat(firing.path("status").path("state").asText()).isEqualTo("active");
            assertThat(Instant.parse(firing.path("startsAt").asText()))
                    .isEqualTo(Instant.ofEpochSecond(0, open.getFirstSeenMicros() * 1000));
            // an open incident ends 4 resend intervals ahead, and is posted again before that
            assertThat(Instant.parse(firing.path("endsAt").asText())).isAfter(Instant.now().plusSeconds(200));

            sender.revision(incident("node-7-frag-1", 2, IncidentStatus.UPDATED, Severity.MEDIUM,
                    "Order-4 allocations keep failing; pods cannot start."));
            await().atMost(FAST).untilAsserted(() -> assertThat(only(am, "node-7-frag-1").path("annotations")
                    .path("description").asText()).isEqualTo("Order-4 allocations keep failing; pods cannot start."));

            // a new severity is a new label set: the alert of the old one ends, the new one fires
            sender.revision(incident("node-7-frag-1", 3, IncidentStatus.UPDATED, Severity.CRITICAL,
                    "Pods cannot start."));
            await().atMost(FAST).untilAsserted(() -> {
                JsonNode critical = only(am, "node-7-frag-1");
                assertThat(critical.path("labels").path("severity").asText()).isEqualTo("critical");
                assertThat(critical.path("annotations").path("summary").asText()).endsWith("(revision 3, updated)");
            });

            sender.revision(incident("node-7-frag-1", 4, IncidentStatus.RESOLVED, Severity.CRITICAL,
                    "Resolved: no new evidence."));
            await().atMost(FAST).untilAsserted(() -> assertThat(am.alerts("incident_id", "node-7-frag-1")).isEmpty());

            assertThat(sender.sent()).isEqualTo(5);
            assertThat(sender.failures()).isZero();
            assertThat(sender.openAlerts()).isZero();
            assertThat(metrics.scrape())
                    .contains("nodeincidents_alertmanager_alerts_sent_total 5.0")
                    .contains("nodeincidents_alertmanager_send_failures_total 0.0")
                    .contains("nodeincidents_alertmanager_alerts_dropped_total{reason=\"queue_full\"} 0.0")
                    .contains("nodeincidents_alertmanager_queue_depth 0.0")
                    .contains("nodeincidents_alertmanager_open_alerts 0.0");
        }
    }

    @Test
    void anOpenIncidentKeepsFiringPastItsEndsAtBecauseItIsPostedAgain() throws Exception {
        try (AlertmanagerProcess am = AlertmanagerProcess.start(AlertmanagerProcess.freePort(), dir);
                CorrelatorMetrics metrics = new CorrelatorMetrics();
                AlertmanagerSender sender = AlertmanagerSender.start(options(am.url(), Duration.ofSeconds(1)),
                        new IncidentAlerts("http://correlator:8080"), metrics.registry())) {
            sender.revision(incident("node-7-frag-2", 1, IncidentStatus.OPEN, Severity.HIGH, "OOM kills."));
            await().atMost(FAST).untilAsserted(() -> assertThat(am.alerts("incident_id", "node-7-frag-2")).hasSize(1));
            Instant firstEnd = Instant.parse(only(am, "node-7-frag-2").path("endsAt").asText());

            // past the endsAt of the first post (4 s ahead): still firing, with a later endsAt
            Thread.sleep(Duration.between(Instant.now(), firstEnd).plusSeconds(2).toMillis());
            JsonNode still = only(am, "node-7-frag-2");
            assertThat(still.path("status").path("state").asText()).isEqualTo("active");
            assertThat(Instant.parse(still.path("endsAt").asText())).isAfter(firstEnd);
            assertThat(sender.sent()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void anIncidentHandedToAnotherInstanceKeepsFiringFromThereAndNoLongerFromHere() throws Exception {
        try (AlertmanagerProcess am = AlertmanagerProcess.start(AlertmanagerProcess.freePort(), dir);
                CorrelatorMetrics metricsA = new CorrelatorMetrics();
                CorrelatorMetrics metricsB = new CorrelatorMetrics();
                AlertmanagerSender a = AlertmanagerSender.start(options(am.url(), Duration.ofSeconds(1)),
                        new IncidentAlerts("http://a:8080"), metricsA.registry());
                AlertmanagerSender b = AlertmanagerSender.start(options(am.url(), Duration.ofSeconds(1)),
                        new IncidentAlerts("http://b:8080"), metricsB.registry())) {
            Incident open = incident("node-7-frag-5", 1, IncidentStatus.OPEN, Severity.MEDIUM, "Fragmented.");
            a.revision(open);
            await().atMost(FAST).untilAsserted(() -> assertThat(am.alerts("incident_id", "node-7-frag-5"))
                    .hasSize(1));

            // a rebalance: a's task is revoked, b's task is assigned and finds the incident open in its store
            a.forget(List.of("node-7-frag-5"));
            b.resume(open);
            await().atMost(FAST).untilAsserted(() -> assertThat(only(am, "node-7-frag-5").path("generatorURL")
                    .asText()).startsWith("http://b:8080/"));
            Thread.sleep(6_000);
            assertThat(only(am, "node-7-frag-5").path("generatorURL").asText()).startsWith("http://b:8080/");
            assertThat(a.openAlerts()).isZero();
            assertThat(b.openAlerts()).isEqualTo(1);

            b.revision(incident("node-7-frag-5", 2, IncidentStatus.RESOLVED, Severity.MEDIUM, "Resolved."));
            await().atMost(FAST).untilAsserted(() -> assertThat(am.alerts("incident_id", "node-7-frag-5"))
                    .isEmpty());
        }
    }

    @Test
    void alertsPostedWhileAlertmanagerIsDownAreDeliveredWhenItComesUp() throws Exception {
        int port = AlertmanagerProcess.freePort();
        try (CorrelatorMetrics metrics = new CorrelatorMetrics();
                AlertmanagerSender sender = AlertmanagerSender.start(
                        options(URI.create("http://127.0.0.1:" + port), Duration.ofMinutes(1)),
                        new IncidentAlerts("http://correlator:8080"), metrics.registry())) {
            sender.revision(incident("node-7-frag-3", 1, IncidentStatus.OPEN, Severity.MEDIUM, "Fragmented."));
            await().atMost(FAST).until(() -> sender.failures() >= 2);
            assertThat(sender.sent()).isZero();

            try (AlertmanagerProcess am = AlertmanagerProcess.start(port, dir)) {
                await().atMost(FAST).untilAsserted(() -> assertThat(am.alerts("incident_id", "node-7-frag-3"))
                        .hasSize(1));
                assertThat(sender.sent()).isEqualTo(1);
                assertThat(sender.queueDepth()).isZero();
                assertThat(metrics.scrape()).containsPattern("nodeincidents_alertmanager_send_failures_total [1-9]");
            }
        }
    }

    @Test
    void anAlertAlertmanagerRefusesIsDroppedAndCountedNotRetried() throws Exception {
        try (AlertmanagerProcess am = AlertmanagerProcess.start(AlertmanagerProcess.freePort(), dir);
                CorrelatorMetrics metrics = new CorrelatorMetrics();
                AlertmanagerSender sender = AlertmanagerSender.start(options(am.url(), Duration.ofMinutes(1)),
                        new IncidentAlerts("http://correlator:8080"), metrics.registry())) {
            Instant now = Instant.now();
            // ends before it starts: Alertmanager answers 400
            sender.submit(new Alert(Map.of("alertname", "Broken", "incident_id", "broken-1"), Map.of(), now,
                    now.minusSeconds(60), null));
            await().atMost(FAST).until(() -> sender.rejected() == 1);

            sender.revision(incident("node-7-frag-4", 1, IncidentStatus.OPEN, Severity.MEDIUM, "Fragmented."));
            await().atMost(FAST).untilAsserted(() -> assertThat(am.alerts("incident_id", "node-7-frag-4"))
                    .hasSize(1));
            assertThat(am.alerts("incident_id", "broken-1")).isEmpty();
            assertThat(sender.failures()).isZero();
            assertThat(sender.rejected()).isEqualTo(1);
            assertThat(metrics.scrape()).contains("nodeincidents_alertmanager_alerts_dropped_total{reason=\"rejected\"}"
                    + " 1.0");
        }
    }

    @Test
    void whileAlertmanagerIsDownTheQueueKeepsTheLatestRevisionAndDropsTheOldest() throws Exception {
        int port = AlertmanagerProcess.freePort();
        AlertmanagerSender.Options small = new AlertmanagerSender.Options(URI.create("http://127.0.0.1:" + port),
                Duration.ofSeconds(1), Duration.ofMinutes(1), 2, 100, Duration.ofMillis(100), Duration.ofMillis(200));
        try (CorrelatorMetrics metrics = new CorrelatorMetrics();
                AlertmanagerSender sender = AlertmanagerSender.start(small, new IncidentAlerts("http://c:8080"),
                        metrics.registry())) {
            sender.revision(incident("a", 1, IncidentStatus.OPEN, Severity.MEDIUM, "a1"));
            // the sender holds a's alert, retrying
            await().atMost(FAST).until(() -> sender.failures() >= 1 && sender.queueDepth() == 0);
            sender.revision(incident("b", 1, IncidentStatus.OPEN, Severity.MEDIUM, "b1"));
            sender.revision(incident("b", 2, IncidentStatus.UPDATED, Severity.MEDIUM, "b2"));
            assertThat(sender.queueDepth()).isEqualTo(1);
            sender.revision(incident("c", 1, IncidentStatus.OPEN, Severity.MEDIUM, "c1"));
            sender.revision(incident("d", 1, IncidentStatus.OPEN, Severity.MEDIUM, "d1"));
            assertThat(sender.queueDepth()).isEqualTo(2);
            assertThat(sender.droppedQueueFull()).isEqualTo(1);

            try (AlertmanagerProcess am = AlertmanagerProcess.start(port, dir)) {
                await().atMost(FAST).untilAsserted(() -> {
                    assertThat(am.alerts("incident_id", "a")).hasSize(1);
                    assertThat(am.alerts("incident_id", "c")).hasSize(1);
                    assertThat(am.alerts("incident_id", "d")).hasSize(1);
                });
                // b was the oldest queued when d came
                assertThat(am.alerts("incident_id", "b")).isEmpty();
                assertThat(metrics.scrape()).contains(
                        "nodeincidents_alertmanager_alerts_dropped_total{reason=\"queue_full\"} 1.0");
            }
        }
    }
}
