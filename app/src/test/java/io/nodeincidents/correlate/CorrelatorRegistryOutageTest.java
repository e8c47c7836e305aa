package io.nodeincidents.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.ingest.entries.JournalEntries;
import io.nodeincidents.logs.LogFileReader;
import io.nodeincidents.logs.LogFormat;
import io.nodeincidents.logs.ReadOptions;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.SourceKind;
import io.nodeincidents.testkit.ApicurioRegistryExtension;
import io.nodeincidents.testkit.KafkaBrokerExtension;
import io.nodeincidents.topology.CorrelatorSettings;
import io.nodeincidents.topology.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code correlate} against the real (Apicurio) registry while the registry hangs: what it has cached needs no
 * registry; what it has not (a restarted correlator knows no schema id yet) makes it stop with a clear error and no
 * dead letter, and started again once the registry answers, it goes on from its last commit to the incident.
 */
class CorrelatorRegistryOutageTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final ApicurioRegistryExtension REGISTRY = new ApicurioRegistryExtension();

    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private static List<JournalEntry> seed000(String host) throws Exception {
        List<JournalEntry> entries = new ArrayList<>();
        ReadOptions options = new ReadOptions(LogFormat.SYSLOG, host, 2017, ZoneId.of("Asia/Shanghai"));
        for (String resource : List.of("kernel/seed-000-centos7-order6-conntrack.log",
                "topology/seed-000-kubelet.log")) {
            Path file = Path.of(CorrelatorRegistryOutageTest.class.getResource("/" + resource).toURI());
            new LogFileReader().read(file, options, line -> entries.add(JournalEntry.newBuilder(
                    JournalEntries.fromLogLine(line, SourceKind.SYSLOG)).setHost(host).build()), rejected -> { });
        }
        return entries;
    }

    @Test
    void aHungRegistryNeitherStopsTheCorrelatorNorDeadLettersAnEntry() throws Exception {
        Map<String, String> config = new LinkedHashMap<>();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, KAFKA.uniqueTopic("outage-app"));
        config.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200");
        config.put(CorrelatorSettings.JOURNAL_ENTRIES_TOPIC, KAFKA.uniqueTopic("outage-entries"));
        config.put(CorrelatorSettings.INCIDENTS_TOPIC, KAFKA.uniqueTopic("outage-incidents"));
        config.put(CorrelatorSettings.FLEET_ALERTS_TOPIC, KAFKA.uniqueTopic("outage-alerts"));
        config.put(CorrelatorSettings.DEAD_LETTER_TOPIC, KAFKA.uniqueTopic("outage-dead"));
        config.put(CorrelatorSettings.TOPIC_PARTITIONS, "1");
        config.put(CorrelatorSettings.QUERY_PORT, "0");
        // a hung registry answers nothing: fail a request after 1 s, retry once
        config.put("http.read.timeout.ms", "1000");
        config.put("http.connect.timeout.ms", "1000");
        config.put("schema.registry.request.max.retries", "1");
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", KAFKA.bootstrapServers(),
                "--schema-registry-url", REGISTRY.confluentApiUrl()));
        config.forEach((k, v) -> {
            args.add("-X");
            args.add(k + "=" + v);
        });
        Map<String, Object> clientSettings = new LinkedHashMap<>(config);
        clientSettings.put("schema.registry.url", REGISTRY.confluentApiUrl());
        Topics topics = Topics.from(new CorrelatorSettings(clientSettings));
        String entriesTopic = topics.journalEntries().name();
        Properties reading = KAFKA.consumerProperties(KAFKA.uniqueTopic("outage-reader"));
        reading.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Set<String> hosts = new TreeSet<>();

        try (KafkaProducer<String, JournalEntry> producer = new KafkaProducer<>(KAFKA.producerProperties(),
                new StringSerializer(), topics.journalEntries().valueSerde().serializer());
             KafkaConsumer<String, Incident> incidents = new KafkaConsumer<>(reading, new StringDeserializer(),
                     topics.incidents().valueSerde().deserializer())) {
            incidents.subscribe(List.of(topics.incidents().name()));
            try (RunningCorrelate correlate = new RunningCorrelate(args)) {
                send(producer, entriesTopic, seed000("node-a"));
                awaitIncident(incidents, hosts, "node-a");

                // what every client has cached goes on without the registry
                REGISTRY.pause();
                try {
                    send(producer, entriesTopic, seed000("node-b"));
                    awaitIncident(incidents, hosts, "node-b");
                } catch (Throwable e) {
                    REGISTRY.resume();
                    throw e;
                }
            }

            // a restarted correlator has cached nothing: it stops, saying why, without a dead letter; (a process
            // shares one registry client per configuration; a timeout this JVM has not used stands in for a new one)
            List<String> restart = new ArrayList<>(args);
            restart.addAll(List.of("-X", "http.connect.timeout.ms=999"));
            try {
                send(producer, entriesTopic, seed000("node-c"));
                // it may stop before or after it says it runs: the partitions come to it, and then the hang
                RunningCorrelate restarted = new RunningCorrelate(restart, false);
                Awaitility.await().dontCatchUncaughtExceptions().atMost(WAIT).until(() -> !restarted.runner.isAlive());
                assertThat(restarted.exit.get()).isEqualTo(1);
                assertThat(restarted.err.toString()).contains("schema registry unavailable; stopping so that a"
                        + " restart retries from the last commit");
                incidents.poll(Duration.ofSeconds(1)).forEach(r -> hosts.add(r.value().getHost()));
                assertThat(hosts).doesNotContain("node-c");
            } finally {
                REGISTRY.resume();
            }
            // as its supervisor does: started again, it goes on from the last commit
            List<String> again = new ArrayList<>(args);
            again.addAll(List.of("-X", "http.connect.timeout.ms=998"));
            try (RunningCorrelate resumed = new RunningCorrelate(again)) {
                awaitIncident(incidents, hosts, "node-c");
                assertThat(resumed.runner.isAlive()).isTrue();
            }
        } finally {
            REGISTRY.resume();
        }
        // nothing was the records' fault
        Properties dead = KAFKA.consumerProperties(KAFKA.uniqueTopic("outage-dead-reader"));
        try (KafkaConsumer<byte[], byte[]> letters = new KafkaConsumer<>(dead, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            letters.subscribe(List.of(topics.deadLetters().name()));
            int count = 0;
            for (int i = 0; i < 5; i++) {
                count += letters.poll(Duration.ofMillis(500)).count();
            }
            assertThat(count).as("dead letters").isZero();
        }
    }

    private static void send(KafkaProducer<String, JournalEntry> producer, String topic, List<JournalEntry> entries) {
        for (JournalEntry e : entries) {
            producer.send(new ProducerRecord<>(topic, e.getHost(), e));
        }
        producer.flush();
    }

    private static void awaitIncident(KafkaConsumer<String, Incident> incidents, Set<String> hosts, String host) {
        Awaitility.await().dontCatchUncaughtExceptions().atMost(WAIT).until(() -> {
            incidents.poll(Duration.ofMillis(200)).forEach(r -> hosts.add(r.value().getHost()));
            return hosts.contains(host);
        });
    }

}
