package io.nodeincidents.ingest.ship;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.ingest.testjournal.JournalFixture;
import io.nodeincidents.ingest.testjournal.RequiredTools;
import io.nodeincidents.registry.SpecificAvroDeserializer;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.NodeMemorySample;
import io.nodeincidents.testkit.ApicurioRegistryExtension;
import io.nodeincidents.testkit.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ship} as its own process following a journal: besides the entries it produces a NodeMemorySample of the
 * node every interval, under the host journald records, and SIGTERM still ends it with status 0.
 */
class ShipSamplesMemoryTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final ApicurioRegistryExtension REGISTRY = new ApicurioRegistryExtension();

    @TempDir
    Path dir;

    @Test
    void shipSamplesTheNodesMemoryWhileItShipsTheJournal() throws Exception {
        RequiredTools.journalFixture();
        String entriesTopic = KAFKA.createTopic(KAFKA.uniqueTopic("journal.entries"), 1);
        String memoryTopic = KAFKA.createTopic(KAFKA.uniqueTopic("node.memory"), 1);
        // the kernel's host name is the fixture journal's _HOSTNAME, as on a real node
        Path proc = NodeMemoryTrees.write(dir.resolve("node"), "node-a");
        Path journal = dir.resolve("journal/host.journal");
        List<JournalFixture.Entry> lines = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            lines.add(JournalFixture.kernel(i, "kernel line " + i));
        }
        JournalFixture.write(journal, lines);
        Path log = dir.resolve("ship.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process ship = new ProcessBuilder(java, "-Xmx96m", "-cp", System.getProperty("java.class.path"),
                "io.nodeincidents.ingest.cli.ShipCommand", "--directory", journal.getParent().toString(),
                "--cursor-file", dir.resolve("ship.cursor").toString(), "--from-beginning",
                "--bootstrap-servers", KAFKA.bootstrapServers(), "--schema-registry-url", REGISTRY.confluentApiUrl(),
                "-X", "journal.entries.topic=" + entriesTopic, "-X", "node.memory.topic=" + memoryTopic,
                "-X", "ship.proc.root=" + proc, "-X", "ship.sys.root=" + dir.resolve("node/sys"),
                "-X", "ship.memory.sample.interval.ms=1000", "-X", "ship.metrics.port=-1", "-X", "linger.ms=5",
                // as the DaemonSet sets it, from the node's Kubernetes name, which may differ from _HOSTNAME
                "-X", "ship.host=k8s-node-a")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        List<ConsumerRecord<String, NodeMemorySample>> samples;
        List<ConsumerRecord<String, JournalEntry>> entries;
        try {
            entries = consume(entriesTopic, JournalEntry.class, 50);
            // samples taken once the kernel entries went out
            samples = consume(memoryTopic, NodeMemorySample.class, 4);
        } finally {
            ship.destroy(); // SIGTERM
            if (!ship.waitFor(60, TimeUnit.SECONDS)) {
                ship.destroyForcibly();
            }
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);

        assertThat(ship.exitValue()).as("exit status after SIGTERM; log:%n%s", output).isZero();
        assertThat(entries).hasSize(50);
        assertThat(samples).as("log:%n%s", output).hasSizeGreaterThanOrEqualTo(3);
        // keyed like the journal entries (journald's _HOSTNAME), not by ship.host: samples and entries meet by host;
        // only a sample taken before the first kernel entry went out can carry ship.host
        assertThat(samples.get(samples.size() - 1).key()).isEqualTo("node-a");
        assertThat(samples).allSatisfy(r -> {
            assertThat(r.key()).isIn("node-a", "k8s-node-a");
            assertThat(r.value().getHost()).isEqualTo(r.key());
            assertThat(r.value().getZones()).hasSize(3);
            assertThat(r.value().getBootId()).isEqualTo("3f1a54c2-9a44-4bb8-a8a5-0d3e6c1d2b7e");
        });
        assertThat(entries.get(0).value().getHost()).isEqualTo("node-a");
        // three sources the node lacks, each said once however many samples went
        assertThat(output.lines().filter(l -> l.contains("memory samples lack")).toList()).hasSize(3)
                .anyMatch(l -> l.contains(proc.resolve("pagetypeinfo") + ": missing"));
    }

    private <T> List<ConsumerRecord<String, T>> consume(String topic, Class<T> type, int atLeast) {
        Properties props = KAFKA.consumerProperties("check-" + topic);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, SpecificAvroDeserializer.class.getName());
        props.put("schema.registry.url", REGISTRY.confluentApiUrl());
        props.put("specific.avro.value.type", type.getName());
        List<ConsumerRecord<String, T>> records = new ArrayList<>();
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (records.size() < atLeast && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
