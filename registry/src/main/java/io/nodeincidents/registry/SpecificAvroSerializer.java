package io.nodeincidents.registry;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serializer of generated Avro classes in the Confluent wire format (magic byte 0x00, schema id, Avro
 * binary), configured with Confluent's property names (see {@link SchemaRegistryConfig}). Kafka can create it by
 * class name ({@code value.serializer=io.nodeincidents.registry.SpecificAvroSerializer}).
 *
 * <p>A {@code null} record is written as {@code null} (a tombstone). A schema the registry refuses or does not hold
 * fails with a {@link org.apache.kafka.common.errors.SerializationException}; an unreachable registry with a
 * {@link SchemaRegistryException}.
 *
 * @param <T> the generated record class
 */
public class SpecificAvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    private AvroRecordEncoder encoder;

    /** An unconfigured serializer; {@link #configure(Map, boolean)} must be called before use. */
    public SpecificAvroSerializer() {
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        SchemaRegistryConfig config = new SchemaRegistryConfig(configs);
        this.encoder = new AvroRecordEncoder(SchemaRegistryClient.create(config), config, isKey);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        if (encoder == null) {
            throw new IllegalStateException("SpecificAvroSerializer used before configure(...)");
        }
        return encoder.encode(topic, data);
    }
}
