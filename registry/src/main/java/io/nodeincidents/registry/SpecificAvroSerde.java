package io.nodeincidents.registry;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A {@link Serde} of a generated Avro class over a Confluent-compatible schema registry: a
 * {@link SpecificAvroSerializer} and a {@link SpecificAvroDeserializer}. In code,
 * {@code new SpecificAvroSerde<>(JournalEntry.class)} then {@code configure(props, false)}; by class name (e.g. Kafka
 * Streams' {@code default.value.serde}) through the no-argument constructor. To let users swap in Confluent's serde
 * by configuration, create serdes with {@link AvroSerdeFactory}.
 *
 * @param <T> the generated record class
 */
public class SpecificAvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final SpecificAvroSerializer<T> serializer = new SpecificAvroSerializer<>();
    private final SpecificAvroDeserializer<T> deserializer;

    /** A serde whose reader class comes from {@code specific.avro.value.type} or the writer schema's name. */
    public SpecificAvroSerde() {
        this.deserializer = new SpecificAvroDeserializer<>();
    }

    /** A serde of {@code type}. */
    public SpecificAvroSerde(Class<T> type) {
        this.deserializer = new SpecificAvroDeserializer<>(type);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        serializer.configure(configs, isKey);
        deserializer.configure(configs, isKey);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
