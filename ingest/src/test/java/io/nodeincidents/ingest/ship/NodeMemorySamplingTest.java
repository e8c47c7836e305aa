package io.nodeincidents.ingest.ship;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.nodeincidents.nodememory.NodeMemorySampler;
import io.nodeincidents.schemas.NodeMemorySample;
import io.nodeincidents.schemas.ZoneState;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The sampling task against a fixture node and Kafka's MockProducer: what it sends, counts and logs. */
class NodeMemorySamplingTest {

    private static final Instant T0 = Instant.parse("2017-11-12T07:15:41.523932Z");

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(NodeMemorySampling.class);
    private final ShipperMetrics metrics = new ShipperMetrics();
    private NodeMemorySampler sampler;

    @BeforeEach
    void tree() throws Exception {
        Path proc = NodeMemoryTrees.write(dir, "slave-138");
        sampler = new NodeMemorySampler(proc, dir.resolve("sys"), 4);
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(log);
    }

    private MockProducer<String, NodeMemorySample> producer(boolean autoComplete) {
        // a serializer is needed for MockProducer to accept records; none is called with a null one in 4.x
        return new MockProducer<>(autoComplete, null, new StringSerializer(), (topic, value) -> new byte[0]);
    }

    private NodeMemorySampling sampling(MockProducer<String, NodeMemorySample> producer, Duration interval) {
        return new NodeMemorySampling(sampler, producer, false, "node.memory", () -> "slave-138", interval, metrics,
                Clock.fixed(T0, ZoneOffset.UTC));
    }

    private List<String> warnings() {
        return log.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    @Test
    void aSampleIsProducedKeyedByHostAtItsReadTime() {
        MockProducer<String, NodeMemorySample> producer = producer(true);
        sampling(producer, Duration.ofSeconds(30)).sampleOnce();

        assertThat(producer.history()).hasSize(1);
        ProducerRecord<String, NodeMemorySample> record = producer.history().get(0);
        assertThat(record.topic()).isEqualTo("node.memory");
        assertThat(record.key()).isEqualTo("slave-138");
        assertThat(record.timestamp()).isEqualTo(T0.toEpochMilli());
        NodeMemorySample sample = record.value();
        assertThat(sample.getHost()).isEqualTo("slave-138");
        assertThat(sample.getSampledAtMicros()).isEqualTo(1_510_470_941_523_932L);
        assertThat(sample.getZones()).extracting(z -> z.getNode() + " " + z.getZone())
                .containsExactly("0 DMA", "0 Normal", "1 Normal");
        ZoneState normal = sample.getZones().get(1);
        assertThat(normal.getLargestFreeOrder()).isEqualTo(3);
        assertThat(normal.getMinKb()).isEqualTo(55536L);
        assertThat(sample.getVmstat()).containsEntry("compact_stall", 42L).doesNotContainKey("pgfault");
        assertThat(sample.getKernelVersion()).isEqualTo("3.10.0-514.el7.x86_64");
        assertThat(metrics.memorySampleCount()).isEqualTo(1);
        assertThat(metrics.lastMemorySampleMicros()).hasValue(1_510_470_941_523_932L);
        assertThat(metrics.scrape()).contains("nodeincidents_ship_memory_samples_total 1.0")
                .contains("nodeincidents_ship_memory_sources_unreadable 3.0")
                .contains("nodeincidents_ship_memory_sample_last_timestamp_seconds 1.51047094152");
    }

    @Test
    void eachUnreadableSourceIsLoggedOnceWithItsReason() {
        NodeMemorySampling sampling = sampling(producer(true), Duration.ofSeconds(30));
        for (int i = 0; i < 5; i++) {
            sampling.sampleOnce();
        }

        assertThat(warnings()).containsExactlyInAnyOrder(
                "ship: memory samples lack " + dir.resolve("proc/pagetypeinfo") + ": missing (logged once)",
                "ship: memory samples lack " + dir.resolve("sys/kernel/debug/extfrag/extfrag_index")
                        + ": missing (logged once)",
                "ship: memory samples lack " + dir.resolve("sys/kernel/debug/extfrag/unusable_index")
                        + ": missing (logged once)");
        assertThat(metrics.memorySampleCount()).isEqualTo(5);
    }

    @Test
    void aDeliveryKafkaRefusesIsCountedAndLoggedNotThrown() {
        MockProducer<String, NodeMemorySample> producer = producer(false);
        NodeMemorySampling sampling = sampling(producer, Duration.ofSeconds(30));
        sampling.sampleOnce();
        producer.errorNext(new TimeoutException("Topic node.memory not present in metadata after 60000 ms."));

        assertThat(metrics.memorySampleFailureCount()).isEqualTo(1);
        assertThat(metrics.memorySampleCount()).isZero();
        assertThat(metrics.lastMemorySampleMicros()).isEmpty();
        assertThat(warnings()).anyMatch(w -> w.startsWith("ship: Kafka did not take a memory sample")
                && w.contains("not present in metadata"));
    }

    @Test
    void aSendThatThrowsIsCountedAndTheScheduleGoesOn() {
        MockProducer<String, NodeMemorySample> producer = producer(true);
        producer.sendException = new SerializationException("schema registry http://registry:8081 unreachable");
        try (NodeMemorySampling sampling = sampling(producer, Duration.ofSeconds(1))) {
            sampling.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> metrics.memorySampleFailureCount() >= 1);
            producer.sendException = null;
            await().atMost(Duration.ofSeconds(10)).until(() -> metrics.memorySampleCount() >= 1);
        }
        assertThat(warnings()).anyMatch(w -> w.startsWith("ship: cannot send a memory sample")
                && w.contains("unreachable"));
    }

    @Test
    void closeStopsSampling() throws Exception {
        MockProducer<String, NodeMemorySample> producer = producer(true);
        NodeMemorySampling sampling = sampling(producer, Duration.ofSeconds(1));
        sampling.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() >= 2);
        sampling.close();
        int sent = producer.history().size();
        Thread.sleep(2500);

        assertThat(producer.history()).hasSize(sent);
        // the producer belongs to the caller here
        assertThat(producer.closed()).isFalse();
    }

    @Test
    void theConfiguredHostWinsThenTheKernelsThenTheFallback() {
        assertThat(NodeMemorySampling.host("node-7", sampler, () -> "fallback")).isEqualTo("node-7");
        assertThat(NodeMemorySampling.host("", sampler, () -> "fallback")).isEqualTo("slave-138");
        NodeMemorySampler nowhere = new NodeMemorySampler(dir.resolve("absent"), dir.resolve("absent"), 4);
        assertThat(NodeMemorySampling.host("", nowhere, () -> "fallback")).isEqualTo("fallback");
    }
}
