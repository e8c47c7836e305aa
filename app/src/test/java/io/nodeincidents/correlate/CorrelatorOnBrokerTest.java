package io.nodeincidents.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.ingest.entries.JournalEntries;
import io.nodeincidents.logs.LogFileReader;
import io.nodeincidents.logs.LogFormat;
import io.nodeincidents.logs.ReadOptions;
import io.nodeincidents.schemas.EntrySource;
import io.nodeincidents.schemas.FleetAlert;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.SourceKind;
import io.nodeincidents.testkit.KafkaBrokerExtension;
import io.nodeincidents.topology.CorrelatorSettings;
import io.nodeincidents.topology.Topics;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The correlator on a real broker: exactly-once across a restart, and the correlate command's life cycle. */
class CorrelatorOnBrokerTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final Instant T0 = Instant.parse("2017-11-12T07:15:41Z");
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path stateDir;

    /** Seed 000 (kernel report, dockerd line, kubelet sandbox lines) on {@code host}, {@code shift} later. */
    private static List<JournalEntry> seed000(String host, Duration shift) {
        List<JournalEntry> entries = new ArrayList<>();
        ReadOptions options = new ReadOptions(LogFormat.SYSLOG, "slave-138", 2017, ZoneId.of("Asia/Shanghai"));
        for (String resource : List.of("kernel/seed-000-centos7-order6-conntrack.log",
                "topology/seed-000-kubelet.log")) {
            try {
                Path file = Path.of(CorrelatorOnBrokerTest.class.getResource("/" + resource).toURI());
                new LogFileReader().read(file, options, line -> {
                    JournalEntry e = JournalEntries.fromLogLine(line, SourceKind.SYSLOG);
                    entries.add(JournalEntry.newBuilder(e).setHost(host)
                            .setRealtimeMicros(e.getRealtimeMicros() + shift.toMillis() * 1000).build());
                }, rejected -> { });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return entries;
    }

    private static JournalEntry clockTick(Instant time) {
        return JournalEntry.newBuilder().setHost("clock").setRealtimeMicros(time.toEpochMilli() * 1000)
                .setMessage("-- MARK --").setSource(EntrySource.newBuilder().setKind(SourceKind.BARE).build()).build();
    }

    private Map<String, Object> settings(String prefix, String guarantee) {
        Map<String, Object> s = new HashMap<>();
        s.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        s.put("schema.registry.url", "mock://" + prefix + "-" + UUID.randomUUID());
        s.put(StreamsConfig.APPLICATION_ID_CONFIG, KAFKA.uniqueTopic(prefix + "-app"));
        s.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        s.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        s.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200");
        s.put(CorrelatorSettings.JOURNAL_ENTRIES_TOPIC, KAFKA.uniqueTopic(prefix + "-entries"));
        s.put(CorrelatorSettings.INCIDENTS_TOPIC, KAFKA.uniqueTopic(prefix + "-incidents"));
        s.put(CorrelatorSettings.FLEET_ALERTS_TOPIC, KAFKA.uniqueTopic(prefix + "-alerts"));
        s.put(CorrelatorSettings.DEAD_LETTER_TOPIC, KAFKA.uniqueTopic(prefix + "-dead"));
        s.put(CorrelatorSettings.TOPIC_PARTITIONS, "3");
        return s;
    }

    private static <V> List<ConsumerRecord<String, V>> readUntil(KafkaConsumer<String, V> consumer,
            List<ConsumerRecord<String, V>> seen, Predicate<List<ConsumerRecord<String, V>>> done) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.test(seen)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting; records so far: " + seen.size());
            }
            consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
        }
        return seen;
    }

    private static long distinctIds(List<ConsumerRecord<String, Incident>> records, IncidentStatus status) {
        return records.stream().filter(r -> status == null || r.value().getStatus() == status)
                .map(ConsumerRecord::key).distinct().count();
    }

    @Test
    void everyIncidentRevisionIsReadExactlyOnceAcrossARestart() throws Exception {
        Map<String, Object> config = settings("eos", StreamsConfig.EXACTLY_ONCE_V2);
        CorrelatorSettings settings = new CorrelatorSettings(config);
        Topics topics = Topics.from(settings);
        // with its leaders in place before the first send: an idempotent producer whose very first batch meets
        // NOT_LEADER on a partition still being created can retry out of sequence until its delivery timeout
        KAFKA.createTopic(topics.journalEntries().name(), 3);
        CorrelateCommand.createMissingTopics(settings.streamsProperties(), topics.all(), 3, (short) -1);
        // created as declared, as deploy/kafka/create-topics.sh creates them: revisions compacted per incident,
        // dead letters deleted after a week
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            ConfigResource incidents = new ConfigResource(ConfigResource.Type.TOPIC, topics.incidents().name());
            ConfigResource deadLetters = new ConfigResource(ConfigResource.Type.TOPIC, topics.deadLetters().name());
            Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(incidents, deadLetters)).all().get();
            assertThat(configs.get(incidents).get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(configs.get(deadLetters).get("cleanup.policy").value()).isEqualTo("delete");
            assertThat(configs.get(deadLetters).get("message.timestamp.type").value()).isEqualTo("LogAppendTime");
            assertThat(configs.get(deadLetters).get("retention.ms").value())
                    .isEqualTo(Long.toString(Duration.ofDays(7).toMillis()));
        }
        Properties streamsProps = new Properties();
        streamsProps.putAll(settings.streamsProperties());

        Properties consumerProps = KAFKA.consumerProperties(KAFKA.uniqueTopic("reader"));
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Properties alertConsumerProps = KAFKA.consumerProperties(KAFKA.uniqueTopic("alert-reader"));
        alertConsumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaProducer<String, JournalEntry> producer = new KafkaProducer<>(KAFKA.producerProperties(),
                new StringSerializer(), topics.journalEntries().valueSerde().serializer());
             KafkaConsumer<String, Incident> incidents = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                     topics.incidents().valueSerde().deserializer());
             KafkaConsumer<String, FleetAlert> alerts = new KafkaConsumer<>(alertConsumerProps, new StringDeserializer(),
                     topics.fleetAlerts().valueSerde().deserializer())) {
            incidents.subscribe(List.of(topics.incidents().name()));
            alerts.subscribe(List.of(topics.fleetAlerts().name()));
            String entriesTopic = topics.journalEntries().name();
            for (int host = 0; host < 2; host++) {
                for (JournalEntry e : seed000("node-" + host, Duration.ofMinutes(2L * host))) {
                    producer.send(new ProducerRecord<>(entriesTopic, e.getHost(), e));
                }
            }
            producer.flush();

            List<ConsumerRecord<String, Incident>> seen = new ArrayList<>();
            KafkaStreams first = new KafkaStreams(CorrelateCommand.buildTopology(settings, topics, null), streamsProps);
            first.start();
            try {
                readUntil(incidents, seen, s -> distinctIds(s, IncidentStatus.OPEN) >= 2);
            } finally {
                CorrelateCommand.close(first); // stopped mid-stream: two more hosts are still to come
            }

            for (int host = 2; host < 4; host++) {
                for (JournalEntry e : seed000("node-" + host, Duration.ofMinutes(2L * host))) {
                    producer.send(new ProducerRecord<>(entriesTopic, e.getHost(), e));
                }
            }
            producer.flush();
            KafkaStreams second = new KafkaStreams(CorrelateCommand.buildTopology(settings, topics, null), streamsProps);
            second.start();
            try {
                // stream time is per partition: move every partition's past G + grace so all incidents resolve
                for (Instant tick : List.of(T0.plus(Duration.ofMinutes(12)), T0.plus(Duration.ofMinutes(30)))) {
                    for (int partition = 0; partition < 3; partition++) {
                        producer.send(new ProducerRecord<>(entriesTopic, partition, null, "clock", clockTick(tick)));
                    }
                    producer.flush();
                }
                readUntil(incidents, seen, s -> distinctIds(s, IncidentStatus.RESOLVED) >= 4);
                // a little longer: a duplicate would show up right behind
                long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                while (System.nanoTime() < until) {
                    incidents.poll(Duration.ofMillis(200)).forEach(seen::add);
                }
                List<ConsumerRecord<String, FleetAlert>> alertRecords = readUntil(alerts, new ArrayList<>(),
                        s -> !s.isEmpty());

                assertThat(distinctIds(seen, null)).isEqualTo(4);
                Set<String> revisions = new HashSet<>();
                Map<String, List<Integer>> byIncident = new TreeMap<>();
                for (ConsumerRecord<String, Incident> r : seen) {
                    assertThat(r.key()).isEqualTo(r.value().getIncidentId());
                    assertThat(revisions.add(r.key() + "#" + r.value().getRevision()))
                            .as("revision %s of %s read once", r.value().getRevision(), r.key()).isTrue();
                    byIncident.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value().getRevision());
                }
                byIncident.values().forEach(list -> {
                    List<Integer> expected = new ArrayList<>();
                    for (int i = 1; i <= list.size(); i++) {
                        expected.add(i);
                    }
                    assertThat(list).as("revisions in order, none missing").isEqualTo(expected);
                });
                assertThat(alertRecords).first().satisfies(a -> assertThat(a.value().getHostCount())
                        .isGreaterThanOrEqualTo(3));
            } finally {
                CorrelateCommand.close(second);
            }
        }
    }

    @Test
    void theCommandCreatesItsTopicsRunsAndStopsCleanly() throws Exception {
        Map<String, Object> config = settings("cmd", StreamsConfig.AT_LEAST_ONCE);
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", KAFKA.bootstrapServers(),
                "--schema-registry-url", (String) config.remove("schema.registry.url")));
        config.remove(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
        config.put(CorrelatorSettings.TOPIC_PARTITIONS, "2");
        config.put(CorrelatorSettings.QUERY_PORT, "0");
        config.forEach((k, v) -> {
            args.add("-X");
            args.add(k + "=" + v);
        });
        CorrelateCommand command = new CorrelateCommand();
        command.environment = Map.of();
        CommandLine cli = new CommandLine(command);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        AtomicInteger exit = new AtomicInteger(-1);
        Thread runner = new Thread(() -> exit.set(cli.execute(args.toArray(String[]::new))), "correlate-under-test");
        runner.start();
        try {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!out.toString().contains("correlate: running") && System.nanoTime() < deadline && runner.isAlive()) {
                Thread.sleep(100);
            }
            assertThat(out.toString()).as(err.toString()).contains("correlate: running", "created topics");
            // the query API runs with it, on the free port it was given, and answers once Streams runs
            Matcher api = Pattern.compile("query API on (http://\\S+) ")
                    .matcher(out.toString());
            assertThat(api.find()).as(out.toString()).isTrue();
            HttpClient http = HttpClient.newHttpClient();
            URI base = URI.create(api.group(1));
            Awaitility.await().atMost(WAIT).until(() -> http.send(HttpRequest
                    .newBuilder(base.resolve("/ready")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode() == 200);
            HttpResponse<String> incidents = http.send(HttpRequest
                    .newBuilder(base.resolve("/incidents")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(incidents.statusCode()).as(incidents.body()).isEqualTo(200);
            assertThat(incidents.body()).isEqualTo("{\"incidents\":[],\"nextCursor\":null}");
            String incidentsTopic = (String) config.get(CorrelatorSettings.INCIDENTS_TOPIC);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
                Map<String, TopicDescription> described = admin.describeTopics(List.of(incidentsTopic,
                        (String) config.get(CorrelatorSettings.DEAD_LETTER_TOPIC))).allTopicNames().get();
                assertThat(described.values()).allSatisfy(d -> assertThat(d.partitions()).hasSize(2));
            }
        } finally {
            command.stop();
            runner.join(Duration.ofSeconds(60).toMillis());
        }
        assertThat(runner.isAlive()).isFalse();
        assertThat(exit.get()).as(err.toString()).isZero();
        assertThat(out.toString()).contains("correlate: stopped.");
    }
}
