package io.nodeincidents.ingest.ship;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.ingest.produce.EntryProducerConfig;
import io.nodeincidents.nodememory.NodeMemorySampler;
import io.nodeincidents.registry.SpecificAvroDeserializer;
import io.nodeincidents.schemas.NodeMemorySample;
import io.nodeincidents.schemas.ZoneState;
import io.nodeincidents.testkit.KafkaBrokerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Memory sampling with its own producer against a real broker; a consumer decodes what arrived. */
class NodeMemorySamplingBrokerTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @TempDir
    Path dir;

    static List<ConsumerRecord<String, NodeMemorySample>> consume(KafkaBrokerExtension kafka, String topic,
                                                                   String registry, int atLeast, Duration timeout) {
        Properties props = kafka.consumerProperties("check-" + UUID.randomUUID());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, SpecificAvroDeserializer.class.getName());
        props.put("schema.registry.url", registry);
        props.put("specific.avro.value.type", NodeMemorySample.class.getName());
        List<ConsumerRecord<String, NodeMemorySample>> records = new ArrayList<>();
        try (KafkaConsumer<String, NodeMemorySample> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < atLeast && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    @Test
    void samplesOfTheNodeArriveEveryIntervalKeyedByHost() throws Exception {
        String topic = KAFKA.createTopic(KAFKA.uniqueTopic("node.memory"), 1);
        String registry = "mock://" + topic;
        Path proc = NodeMemoryTrees.write(dir, "node-a");
        Map<String, Object> producerProps = EntryProducerConfig.producerProperties(Map.of(
                "bootstrap.servers", KAFKA.bootstrapServers(), "schema.registry.url", registry, "linger.ms", "5"));
        ShipperMetrics metrics = new ShipperMetrics();
        NodeMemorySampler sampler = new NodeMemorySampler(proc, dir.resolve("sys"), 4);

        List<ConsumerRecord<String, NodeMemorySample>> records;
        try (NodeMemorySampling sampling = NodeMemorySampling.create(producerProps, topic, sampler, () -> "node-a",
                Duration.ofSeconds(1), metrics)) {
            sampling.start();
            records = consume(KAFKA, topic, registry, 4, Duration.ofSeconds(60));
        }

        assertThat(records).hasSizeGreaterThanOrEqualTo(4);
        assertThat(records).allSatisfy(r -> {
            assertThat(r.key()).isEqualTo("node-a");
            assertThat(r.value().getHost()).isEqualTo("node-a");
            assertThat(r.timestamp()).isEqualTo(r.value().getSampledAtMicros() / 1000);
            assertThat(r.value().getZones()).extracting(z -> z.getNode() + " " + z.getZone())
                    .containsExactly("0 DMA", "0 Normal", "1 Normal");
        });
        ZoneState node1 = records.get(0).value().getZones().get(2);
        assertThat(node1.getLargestFreeOrder()).isEqualTo(9);
        assertThat(node1.getFreeKb()).isEqualTo(215200L * 4);
        assertThat(node1.getBuddyTotalKb()).isEqualTo(4L * (108 + 1708 * 2 + 952 * 4 + 1064 * 8 + 957 * 16 + 690 * 32
                + 285 * 64 + 145 * 128 + 12 * 256 + 512));
        // about a second apart: generous bounds, the machine may be busy
        List<Long> times = records.stream().map(ConsumerRecord::timestamp).toList();
        for (int i = 1; i < times.size(); i++) {
            assertThat(times.get(i) - times.get(i - 1)).as("gap %d", i).isBetween(400L, 5_000L);
        }
        double meanGap = (times.get(times.size() - 1) - times.get(0)) / (double) (times.size() - 1);
        assertThat(meanGap).isBetween(700.0, 2_500.0);
        assertThat(metrics.memorySampleCount()).isGreaterThanOrEqualTo(records.size());
        assertThat(metrics.memorySampleFailureCount()).isZero();
    }
}
