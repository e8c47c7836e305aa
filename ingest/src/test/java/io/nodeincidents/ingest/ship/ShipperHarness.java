package io.nodeincidents.ingest.ship;

import io.nodeincidents.ingest.cursor.CursorStore;
import io.nodeincidents.ingest.entries.JournalLineDecoder;
import io.nodeincidents.ingest.journal.Journalctl;
import io.nodeincidents.ingest.journal.JournalctlInvocation.JournalSource;
import io.nodeincidents.ingest.produce.EntryProducerConfig;
import io.nodeincidents.registry.SpecificAvroDeserializer;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.testkit.KafkaBrokerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Runs a {@link JournalShipper} in this JVM against the test broker, and reads back what reached the topic. */
final class ShipperHarness implements AutoCloseable {

    final KafkaBrokerExtension kafka;
    final String topic;
    final String registry;
    final Map<String, String> registrySettings;
    final Path journalDir;
    final Path cursorFile;
    final String journalctlBinary;
    ShipperMetrics metrics;
    JournalShipper shipper;
    KafkaProducer<String, JournalEntry> producer;
    CompletableFuture<Void> running;

    ShipperHarness(KafkaBrokerExtension kafka, Path dir, String journalctlBinary) {
        this(kafka, dir, journalctlBinary, null, Map.of());
    }

    /**
     * @param registryUrl a real registry's URL, or null for an in-process one of this harness's own
     * @param registrySettings more registry client settings (timeouts, retries)
     */
    ShipperHarness(KafkaBrokerExtension kafka, Path dir, String journalctlBinary, String registryUrl,
            Map<String, String> registrySettings) {
        this.kafka = kafka;
        this.topic = kafka.createTopic(kafka.uniqueTopic("journal.entries"), 1);
        this.registry = registryUrl != null ? registryUrl : "mock://" + topic;
        this.registrySettings = Map.copyOf(registrySettings);
        this.journalDir = dir.resolve("journal");
        this.cursorFile = dir.resolve("state/ship.cursor");
        this.journalctlBinary = journalctlBinary;
    }

    Map<String, Object> producerProperties() {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", kafka.bootstrapServers());
        settings.put("schema.registry.url", registry);
        settings.putAll(registrySettings);
        settings.put("linger.ms", "5");
        return EntryProducerConfig.producerProperties(settings);
    }

    /** Starts the shipper in a thread. */
    JournalShipper start(JournalShipper.Options options, JournalShipper.StartupCheck check) {
        metrics = new ShipperMetrics();
        producer = new KafkaProducer<>(producerProperties());
        shipper = new JournalShipper(new Journalctl(journalctlBinary, new JournalSource.Directory(journalDir),
                Duration.ofSeconds(30)), options, producer, topic, new CursorStore(cursorFile),
                new JournalLineDecoder("fallback-host", 64 * 1024, 64 * 1024), metrics, check);
        JournalShipper s = shipper;
        running = CompletableFuture.runAsync(() -> {
            try {
                s.run();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        return shipper;
    }

    /** Runs a one-shot (no follow) shipper to its end. */
    void runToEnd(JournalShipper.Options options) throws Exception {
        start(options.withFollow(false), null);
        running.get(120, java.util.concurrent.TimeUnit.SECONDS);
        producer.close();
        producer = null;
    }

    void stop() throws Exception {
        if (shipper != null) {
            shipper.stop();
            running.get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }

    /**
     * The records in the topic from the start: at least {@code atLeast} (or what came within {@code timeout}), plus
     * whatever more arrives within a second after that.
     */
    List<JournalEntry> consume(int atLeast, Duration timeout) {
        Properties props = kafka.consumerProperties("check-" + UUID.randomUUID());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, SpecificAvroDeserializer.class.getName());
        props.put("schema.registry.url", registry);
        props.put("specific.avro.value.type", JournalEntry.class.getName());
        List<JournalEntry> entries = new ArrayList<>();
        try (KafkaConsumer<String, JournalEntry> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            long lastNew = System.nanoTime();
            while (System.nanoTime() < deadline
                    && (entries.size() < atLeast || System.nanoTime() - lastNew < 1_000_000_000L)) {
                for (ConsumerRecord<String, JournalEntry> record : consumer.poll(Duration.ofMillis(200))) {
                    entries.add(record.value());
                    lastNew = System.nanoTime();
                }
            }
        }
        return entries;
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
