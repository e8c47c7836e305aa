package io.nodeincidents.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.ingest.produce.EntryProducerConfig;
import io.nodeincidents.ingest.ship.NodeMemorySampling;
import io.nodeincidents.ingest.ship.ShipperMetrics;
import io.nodeincidents.nodememory.NodeMemorySampler;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.Severity;
import io.nodeincidents.testkit.KafkaBrokerExtension;
import io.nodeincidents.topology.CorrelatorSettings;
import io.nodeincidents.topology.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * From the node to the incident on a real broker: the shipper's memory sampling reads a node whose buddy allocator
 * is seed 000's failing one, produces to node.memory, and the correlator opens a FRAGMENTATION_RISK for that host
 * (exactly once to a read_committed reader) while a healthy node gets none.
 */
class MemoryForecastOnBrokerTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @TempDir
    Path dir;

    /** A /proc of a CentOS 7 node: seed 000's /proc/buddyinfo, failing or healthy. */
    private Path node(String host, String normal) throws Exception {
        Path proc = dir.resolve(host).resolve("proc");
        Files.createDirectories(proc.resolve("sys/kernel/random"));
        Files.writeString(proc.resolve("buddyinfo"), """
                Node 0, zone      DMA      1      0      0      1      2      1      1      0      1      1      3
                Node 0, zone    DMA32   8409   8079   1340     74      6      0      0      0      0      0      0
                Node 0, zone   Normal %s
                """.formatted(normal));
        Files.writeString(proc.resolve("sys/kernel/osrelease"), "3.10.0-514.el7.x86_64\n");
        Files.writeString(proc.resolve("sys/kernel/random/boot_id"), UUID.randomUUID() + "\n");
        Files.writeString(proc.resolve("sys/kernel/hostname"), host + "\n");
        return proc;
    }

    @Test
    void aSampledNodeWithoutHighOrderBlocksGetsOneFragmentationRiskAndAHealthyOneNone() throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        String registry = "mock://memory-" + UUID.randomUUID();
        config.put("schema.registry.url", registry);
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, KAFKA.uniqueTopic("memory-app"));
        config.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200");
        for (String name : List.of(CorrelatorSettings.JOURNAL_ENTRIES_TOPIC, CorrelatorSettings.INCIDENTS_TOPIC,
                CorrelatorSettings.FLEET_ALERTS_TOPIC, CorrelatorSettings.DEAD_LETTER_TOPIC,
                CorrelatorSettings.NODE_MEMORY_TOPIC, CorrelatorSettings.MEMORY_FORECASTS_TOPIC,
                CorrelatorSettings.INCIDENTS_ECS_TOPIC)) {
            config.put(name, KAFKA.uniqueTopic("memory-" + name.replace('.', '-')));
        }
        CorrelatorSettings settings = new CorrelatorSettings(config);
        Topics topics = Topics.from(settings);
        KAFKA.createTopic(topics.journalEntries().name(), 2);
        CorrelateCommand.createMissingTopics(settings.streamsProperties(), topics.all(), 3, (short) -1,
                topics.partitionedAlike());

        Properties streamsProps = new Properties();
        streamsProps.putAll(settings.streamsProperties());
        Properties readerProps = KAFKA.consumerProperties(KAFKA.uniqueTopic("risk-reader"));
        readerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Object> producer = EntryProducerConfig.producerProperties(Map.of(
                "bootstrap.servers", KAFKA.bootstrapServers(), "schema.registry.url", registry, "linger.ms", "5"));
        ShipperMetrics metrics = new ShipperMetrics();
        List<Incident> seen = new ArrayList<>();
        KafkaStreams streams = new KafkaStreams(CorrelateCommand.buildTopology(settings, topics, null), streamsProps);
        try (KafkaConsumer<String, Incident> incidents = new KafkaConsumer<>(readerProps, new StringDeserializer(),
                     topics.incidents().valueSerde().deserializer());
             NodeMemorySampling failing = NodeMemorySampling.create(producer, topics.nodeMemory().name(),
                     new NodeMemorySampler(node("slave-138", "40153  12774    302     17      0      0      0"
                             + "      0      0      0      0"), dir.resolve("sys"), 4), () -> "slave-138",
                     Duration.ofMillis(500), metrics);
             NodeMemorySampling healthy = NodeMemorySampling.create(producer, topics.nodeMemory().name(),
                     new NodeMemorySampler(node("slave-7", "  108   1708    952   1064    957    690    285"
                             + "    145     12      1      0"), dir.resolve("sys"), 4), () -> "slave-7",
                     Duration.ofMillis(500), metrics)) {
            incidents.subscribe(List.of(topics.incidents().name()));
            streams.start();
            failing.start();
            healthy.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                incidents.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.value()));
            }
            // a few more seconds of samples: neither a second OPEN nor a warning on the healthy node
            long settle = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            while (System.nanoTime() < settle) {
                incidents.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.value()));
            }
        } finally {
            CorrelateCommand.close(streams);
        }
        assertThat(seen).as("incidents read").isNotEmpty();
        assertThat(seen).allSatisfy(incident -> {
            assertThat(incident.getHost()).isEqualTo("slave-138");
            assertThat(incident.getCause()).isEqualTo(IncidentCause.FRAGMENTATION_RISK);
        });
        assertThat(seen).filteredOn(i -> i.getStatus() == IncidentStatus.OPEN).hasSize(1);
        Incident open = seen.get(0);
        assertThat(open.getSeverity()).isEqualTo(Severity.WARNING);
        assertThat(open.getKernelVersion()).isEqualTo("3.10.0-514.el7.x86_64");
        assertThat(open.getMemoryForecast().getRiskOrder()).isEqualTo(6);
        assertThat(open.getDiagnosis()).contains("below the threshold", "nf_conntrack");
        assertThat(metrics.memorySampleFailureCount()).isZero();
    }

    @Test
    void nodeMemoryIsCreatedWithTheJournalsPartitionCountAndAMismatchIsRefused() throws Exception {
        // many rounds: the check reads the topics back right after creating them, which a broker may not yet know
        for (int round = 0; round < 15; round++) {
            Map<String, Object> config = new HashMap<>();
            config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
            config.put("schema.registry.url", "mock://topics");
            config.put(CorrelatorSettings.JOURNAL_ENTRIES_TOPIC, KAFKA.uniqueTopic("alike-entries"));
            config.put(CorrelatorSettings.NODE_MEMORY_TOPIC, KAFKA.uniqueTopic("alike-memory"));
            Topics topics = Topics.from(new CorrelatorSettings(config));
            boolean journalFirst = round % 2 == 0;
            if (journalFirst) {
                KAFKA.createTopic(topics.journalEntries().name(), 2);
            }
            List<String> created = CorrelateCommand.createMissingTopics(config,
                    List.of(topics.journalEntries(), topics.nodeMemory()), 3, (short) -1,
                    topics.partitionedAlike());
            assertThat(created).contains(topics.nodeMemory().name());
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
                int memory = admin.describeTopics(List.of(topics.nodeMemory().name())).allTopicNames().get()
                        .get(topics.nodeMemory().name()).partitions().size();
                assertThat(memory).as("round %d", round).isEqualTo(journalFirst ? 2 : 3);
            }
        }
        Map<String, Object> config = new HashMap<>();
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        config.put("schema.registry.url", "mock://topics");
        config.put(CorrelatorSettings.JOURNAL_ENTRIES_TOPIC, KAFKA.createTopic(KAFKA.uniqueTopic("odd-entries"), 2));
        config.put(CorrelatorSettings.NODE_MEMORY_TOPIC, KAFKA.createTopic(KAFKA.uniqueTopic("odd-memory"), 3));
        Topics topics = Topics.from(new CorrelatorSettings(config));
        org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(() ->
                CorrelateCommand.createMissingTopics(config, List.of(topics.journalEntries(), topics.nodeMemory()),
                        3, (short) -1, topics.partitionedAlike()))
                .withMessageContaining("must be partitioned alike")
                .withMessageContaining("recreate " + topics.nodeMemory().name() + " with 2 partitions");
    }
}
