package io.nodeincidents.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nodeincidents.alerting.AlertmanagerProcess;
import io.nodeincidents.ingest.entries.JournalEntries;
import io.nodeincidents.logs.LogFileReader;
import io.nodeincidents.logs.LogFormat;
import io.nodeincidents.logs.ReadOptions;
import io.nodeincidents.schemas.EntrySource;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.SourceKind;
import io.nodeincidents.testkit.KafkaBrokerExtension;
import io.nodeincidents.testkit.RequiredTools;
import io.nodeincidents.topology.CorrelatorSettings;
import io.nodeincidents.topology.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code correlate} with {@code alertmanager.url}: slave-138's kernel report and kubelet failures on a real broker
 * become an alert in a real Alertmanager that links to the incident on the query API; a restarted correlator
 * resumes it; the alert ends when the incident resolves.
 */
class CorrelateToAlertmanagerTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final Instant T0 = Instant.parse("2017-11-12T07:15:41Z");
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private static List<JournalEntry> seed000() throws Exception {
        List<JournalEntry> entries = new ArrayList<>();
        ReadOptions options = new ReadOptions(LogFormat.SYSLOG, "slave-138", 2017, ZoneId.of("Asia/Shanghai"));
        for (String resource : List.of("kernel/seed-000-centos7-order6-conntrack.log",
                "topology/seed-000-kubelet.log")) {
            Path file = Path.of(CorrelateToAlertmanagerTest.class.getResource("/" + resource).toURI());
            new LogFileReader().read(file, options,
                    line -> entries.add(JournalEntries.fromLogLine(line, SourceKind.SYSLOG)), rejected -> { });
        }
        return entries;
    }

    @Test
    void anIncidentFiresInAlertmanagerWithALinkToItKeepsFiringAcrossARestartAndEndsWhenItResolves()
            throws Exception {
        RequiredTools.alertmanager();
        try (AlertmanagerProcess am = AlertmanagerProcess.start(AlertmanagerProcess.freePort(), dir)) {
            String registry = "mock://alerting-" + UUID.randomUUID();
            Map<String, String> config = new LinkedHashMap<>();
            config.put(StreamsConfig.APPLICATION_ID_CONFIG, KAFKA.uniqueTopic("am-app"));
            config.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
            config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
            config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200");
            config.put(CorrelatorSettings.JOURNAL_ENTRIES_TOPIC, KAFKA.uniqueTopic("am-entries"));
            config.put(CorrelatorSettings.INCIDENTS_TOPIC, KAFKA.uniqueTopic("am-incidents"));
            config.put(CorrelatorSettings.FLEET_ALERTS_TOPIC, KAFKA.uniqueTopic("am-alerts"));
            config.put(CorrelatorSettings.DEAD_LETTER_TOPIC, KAFKA.uniqueTopic("am-dead"));
            config.put(CorrelatorSettings.TOPIC_PARTITIONS, "1");
            config.put(CorrelatorSettings.QUERY_PORT, "0");
            config.put("alertmanager.url", am.url().toString());
            // open alerts end 4 s after their last post: a stopped correlator's alert ends within the test
            config.put("alertmanager.resend.interval.ms", "1000");
            List<String> args = new ArrayList<>(List.of("--bootstrap-servers", KAFKA.bootstrapServers(),
                    "--schema-registry-url", registry));
            config.forEach((k, v) -> {
                args.add("-X");
                args.add(k + "=" + v);
            });
            Map<String, Object> clientSettings = new LinkedHashMap<>(config);
            clientSettings.put("schema.registry.url", registry);
            Topics topics = Topics.from(new CorrelatorSettings(clientSettings));
            String entriesTopic = topics.journalEntries().name();

            try (KafkaProducer<String, JournalEntry> producer = new KafkaProducer<>(KAFKA.producerProperties(),
                    new StringSerializer(), topics.journalEntries().valueSerde().serializer())) {
                try (RunningCorrelate correlate = new RunningCorrelate(args)) {
                    assertThat(correlate.out.toString()).contains("posting incident revisions to Alertmanager at "
                            + am.url());
                    for (JournalEntry e : seed000()) {
                        producer.send(new ProducerRecord<>(entriesTopic, e.getHost(), e));
                    }
                    producer.flush();

                    Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(am.alerts("host", "slave-138"))
                            .hasSize(1));
                    JsonNode alert = am.alerts("host", "slave-138").get(0);
                    assertThat(alert.path("labels").path("alertname").asText()).isEqualTo("MemoryFragmentation");
                    assertThat(alert.path("labels").path("cause").asText()).isEqualTo("MEMORY_FRAGMENTATION");
                    assertThat(alert.path("annotations").path("description").asText()).isNotBlank();
                    assertThat(alert.path("annotations").path("runbook").asText()).startsWith("1. ");
                    String incidentId = alert.path("labels").path("incident_id").asText();
                    // the alert links to the incident's console page on this correlator's query port
                    String link = alert.path("generatorURL").asText();
                    assertThat(link).startsWith(correlate.api + "/console/incidents/");
                    HttpClient http = HttpClient.newHttpClient();
                    Awaitility.await().atMost(WAIT).untilAsserted(() -> {
                        HttpResponse<String> incident = http.send(HttpRequest.newBuilder(URI.create(link)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        assertThat(incident.statusCode()).as(incident.body()).isEqualTo(200);
                        assertThat(incident.body()).contains(incidentId);
                    });
                    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(correlate.api.resolve(
                            "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(metrics.body()).containsPattern("nodeincidents_alertmanager_alerts_sent_total [1-9]")
                            .contains("nodeincidents_alertmanager_open_alerts 1.0");
                }

                // stopped: nobody re-sends it, so Alertmanager ends it
                Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(am.alerts("host", "slave-138"))
                        .isEmpty());

                try (RunningCorrelate again = new RunningCorrelate(args)) {
                    // the restarted correlator resumes the incident it holds open, with no new evidence
                    Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(am.alerts("host", "slave-138"))
                            .hasSize(1));

                    // stream time past the gap: the incident resolves, and its alert ends
                    for (Instant tick : List.of(T0.plus(Duration.ofMinutes(12)), T0.plus(Duration.ofMinutes(30)))) {
                        producer.send(new ProducerRecord<>(entriesTopic, 0, null, "clock",
                                JournalEntry.newBuilder().setHost("clock").setRealtimeMicros(tick.toEpochMilli() * 1000)
                                        .setMessage("-- MARK --")
                                        .setSource(EntrySource.newBuilder().setKind(SourceKind.BARE).build())
                                        .build()));
                        producer.flush();
                    }
                    Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(am.alerts("host", "slave-138"))
                            .isEmpty());
                    // and stays ended: nothing re-sends a resolved incident
                    Thread.sleep(6_000);
                    assertThat(am.alerts("host", "slave-138")).isEmpty();
                }
            }
        }
    }
}
