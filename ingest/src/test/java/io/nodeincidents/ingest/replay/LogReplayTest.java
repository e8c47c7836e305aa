package io.nodeincidents.ingest.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.ingest.produce.EntryProducerConfig;
import io.nodeincidents.logs.ReadOptions;
import io.nodeincidents.logs.RejectedLine;
import io.nodeincidents.registry.MockSchemaRegistry;
import io.nodeincidents.registry.SpecificAvroDeserializer;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.SourceKind;
import io.nodeincidents.testkit.KafkaBrokerExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** replay on the real broker: a months-old syslog file arrives whole, marked with file and line, not expired. */
class LogReplayTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    static final String REGISTRY = "mock://log-replay-test";

    @AfterAll
    static void dropRegistry() {
        MockSchemaRegistry.dropScope("log-replay-test");
    }

    @Test
    void anOldSyslogFileIsShippedWithFileLineAndEventTimeInThePayload(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("messages-20171112");
        Files.writeString(log, String.join("\n",
                "Nov 12 15:15:41 slave-138 kernel: exe: page allocation failure: order:6, mode:0x10c0d0",
                "Nov 12 15:15:41 slave-138 kernel: CPU: 1 PID: 18377 Comm: exe Not tainted 3.10.0-514.el7.x86_64 #1",
                "Nov 12 15:15:41 slave-138 dockerd: time=\"2017-11-12T15:15:41.523932697+08:00\" level=error"
                        + " msg=\"containerd: start container\"",
                "\u0000\u0001 binary garbage \u00ff",
                "Nov 12 15:15:42 slave-138 sshd[812]: Accepted publickey for ops",
                ""));
        String topic = KAFKA.uniqueTopic("journal.entries");
        KAFKA.createTopic(topic, 3);
        Map<String, Object> settings = new HashMap<>();
        settings.put("bootstrap.servers", KAFKA.bootstrapServers());
        settings.put("schema.registry.url", REGISTRY);
        List<RejectedLine> rejected = new ArrayList<>();
        Instant before = Instant.now();

        LogReplay.Summary summary;
        try (KafkaProducer<String, JournalEntry> producer =
                     new KafkaProducer<>(EntryProducerConfig.producerProperties(settings))) {
            summary = new LogReplay(producer, topic).replay(List.of(log),
                    ReadOptions.defaults().withYear(2017), rejected::add);
        }

        assertThat(summary.failedSends()).isZero();
        assertThat(summary.produced()).isEqualTo(4);
        assertThat(rejected).as("the garbage line is reported, with its line number").singleElement()
                .satisfies(r -> assertThat(r.line()).isEqualTo(4));

        List<ConsumerRecord<String, JournalEntry>> records = consume(topic, 4);
        assertThat(records).hasSize(4).allSatisfy(record -> {
            assertThat(record.key()).isEqualTo("slave-138");
            assertThat(record.value().getSource().getKind()).isEqualTo(SourceKind.SYSLOG);
            assertThat(record.value().getSource().getFile()).isEqualTo(log.toString());
            // the record time is the time of producing, so retention does not delete a months-old replay
            assertThat(record.timestamp()).isGreaterThanOrEqualTo(before.toEpochMilli() - 1000);
            assertThat(record.value().getRealtimeMicros())
                    .isEqualTo(Instant.parse("2017-11-12T15:15:41Z").toEpochMilli() * 1000
                            + (record.value().getMessage().startsWith("Accepted") ? 1_000_000 : 0));
        });
        assertThat(records).extracting(r -> r.value().getSource().getLine()).containsExactlyInAnyOrder(1L, 2L, 3L, 5L);
        assertThat(records).filteredOn(r -> r.value().getSource().getLine() == 1L).singleElement()
                .satisfies(r -> assertThat(r.value().getSyslogIdentifier()).isEqualTo("kernel"));
    }

    private static List<ConsumerRecord<String, JournalEntry>> consume(String topic, int expected) {
        Properties props = KAFKA.consumerProperties("replay-" + topic);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, SpecificAvroDeserializer.class.getName());
        props.put("schema.registry.url", REGISTRY);
        props.put("specific.avro.value.type", JournalEntry.class);
        List<ConsumerRecord<String, JournalEntry>> records = new ArrayList<>();
        try (KafkaConsumer<String, JournalEntry> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(250)).forEach(records::add);
            }
            // anything beyond what was expected would be a duplicate: give it a moment to show up
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        return records;
    }
}
