package io.nodeincidents.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.schemas.JournalEntry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The same round trip against Confluent's own Schema Registry and an Apache Kafka broker in containers: the proof that
 * the client speaks the real Confluent API, not only Apicurio's rendering of it. Needs a Docker daemon, so it runs
 * with {@code ./mvnw verify -Pdocker} only (and fails there without one), never skipped in a plain run.
 */
@Tag("docker")
@Testcontainers
class ConfluentRegistryContainerTest {

    private static final Network NETWORK = Network.newNetwork();

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.0.0")
            .withNetwork(NETWORK)
            .withListener("kafka:19092");

    @Container
    static final GenericContainer<?> REGISTRY = new GenericContainer<>("confluentinc/cp-schema-registry:8.0.0")
            .withNetwork(NETWORK)
            .dependsOn(KAFKA)
            .withExposedPorts(8081)
            .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
            .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
            .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
            .waitingFor(Wait.forHttp("/subjects").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(2)));

    private static String registryUrl() {
        return "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8081);
    }

    @Test
    void registerReRegisterAndFetchOnConfluentsServer() {
        String subject = "journal.entries." + UUID.randomUUID() + "-value";
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(Map.of("schema.registry.url", registryUrl()));

        int id = client.register(subject, JournalEntry.getClassSchema());

        RestSchemaRegistryClient fresh = new RestSchemaRegistryClient(Map.of("schema.registry.url", registryUrl()));
        assertThat(fresh.register(subject, JournalEntry.getClassSchema())).isEqualTo(id);
        assertThat(fresh.schemaById(id)).isEqualTo(JournalEntry.getClassSchema());
        assertThat(fresh.globalCompatibility()).isEqualTo(CompatibilityLevel.BACKWARD);
    }

    @Test
    void aJournalEntryRoundTripsThroughTheBrokerAndTheRegistry() {
        String topic = "journal.entries." + UUID.randomUUID();
        JournalEntry entry = TestRecords.kernelEntry();
        Map<String, Object> producerProps = new HashMap<>();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers());
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, SpecificAvroSerializer.class.getName());
        producerProps.put("schema.registry.url", registryUrl());
        try (KafkaProducer<String, JournalEntry> producer = new KafkaProducer<>(producerProps)) {
            producer.send(new ProducerRecord<>(topic, entry.getHost(), entry));
            producer.flush();
        }

        Map<String, Object> consumerProps = new HashMap<>();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers());
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        consumerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, SpecificAvroDeserializer.class.getName());
        consumerProps.put("schema.registry.url", registryUrl());
        consumerProps.put("specific.avro.value.type", JournalEntry.class);
        try (KafkaConsumer<String, JournalEntry> consumer = new KafkaConsumer<>(consumerProps)) {
            consumer.subscribe(List.of(topic));
            JournalEntry received = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received == null && System.nanoTime() < deadline) {
                ConsumerRecords<String, JournalEntry> records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    received = records.iterator().next().value();
                }
            }
            assertThat(received).isEqualTo(entry);
        }
    }
}
