package io.nodeincidents.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.testkit.ApicurioRegistryExtension;
import io.nodeincidents.testkit.KafkaBrokerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole contract path with nothing faked: a JournalEntry serialized by our serde against the real Apicurio
 * registry (Confluent API), through the real in-process KRaft broker, and read back by a consumer that fetches the
 * writer schema by id.
 */
class JournalEntryBrokerRoundTripTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final ApicurioRegistryExtension REGISTRY = new ApicurioRegistryExtension();

    @Test
    void aJournalEntryGoesThroughTheBrokerAndComesBackEqual() {
        String topic = KAFKA.uniqueTopic("journal.entries");
        KAFKA.createTopic(topic, 1);
        JournalEntry entry = TestRecords.kernelEntry();

        Properties producerProps = KAFKA.producerProperties();
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, SpecificAvroSerializer.class.getName());
        producerProps.put("schema.registry.url", REGISTRY.confluentApiUrl());
        try (KafkaProducer<String, JournalEntry> producer = new KafkaProducer<>(producerProps)) {
            producer.send(new ProducerRecord<>(topic, entry.getHost(), entry));
            producer.flush();
        }

        List<ConsumerRecord<String, JournalEntry>> received = consume(topic, 1);
        assertThat(received).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo(entry.getHost());
            assertThat(record.value()).isEqualTo(entry);
        });
    }

    @Test
    void aCorruptValueFailsLoudlyAsADeserializationErrorNotAsARecord() {
        String topic = KAFKA.uniqueTopic("journal.entries");
        KAFKA.createTopic(topic, 1);
        Properties producerProps = KAFKA.producerProperties();
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps)) {
            producer.send(new ProducerRecord<>(topic, "node-a", new byte[] {0, 0, 7}));
            producer.flush();
        }

        assertThatThrownBy(() -> consume(topic, 1))
                .isInstanceOf(RecordDeserializationException.class)
                .hasCauseInstanceOf(org.apache.kafka.common.errors.SerializationException.class);
    }

    private static List<ConsumerRecord<String, JournalEntry>> consume(String topic, int expected) {
        Properties props = KAFKA.consumerProperties("round-trip-" + topic);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, SpecificAvroDeserializer.class.getName());
        props.put("schema.registry.url", REGISTRY.confluentApiUrl());
        props.put("specific.avro.value.type", JournalEntry.class);
        List<ConsumerRecord<String, JournalEntry>> records = new ArrayList<>();
        try (KafkaConsumer<String, JournalEntry> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(250)).forEach(records::add);
            }
        }
        return records;
    }
}
