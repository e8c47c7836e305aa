package io.nodeincidents.registry;

import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer of Confluent-framed Avro records into a generated class. The writer schema is fetched from the
 * registry by the record's schema id and resolved against the class's schema, so records written with an older
 * compatible schema get the newer class's defaults.
 *
 * <p>The class is the one given to {@link #SpecificAvroDeserializer(Class)}, else {@code specific.avro.value.type} /
 * {@code specific.avro.key.type}, else the generated class named like the writer schema.
 *
 * <p>{@code null} data (a tombstone) gives {@code null}. Bytes that are not a valid record of a known schema
 * (wrong magic byte, truncated, unknown schema id, undecodable, unreadable as the class) fail with a
 * {@link org.apache.kafka.common.errors.SerializationException} saying which; an unreachable registry fails with a
 * {@link SchemaRegistryException}, which is not about the record.
 *
 * @param <T> the generated record class
 */
public class SpecificAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    private final Class<T> type;
    private final Set<String> undecoded;
    private AvroRecordDecoder decoder;

    /** An unconfigured deserializer whose class comes from the configuration or the writer schema's name. */
    public SpecificAvroDeserializer() {
        this(null, Set.of());
    }

    /** An unconfigured deserializer into {@code type}. */
    public SpecificAvroDeserializer(Class<T> type) {
        this(type, Set.of());
    }

    /**
     * An unconfigured deserializer into {@code type} that leaves the fields named in {@code undecoded} at their
     * defaults (each must have one): for a reader that never looks at a large field, whose bytes are then skipped
     * instead of decoded.
     */
    public SpecificAvroDeserializer(Class<T> type, Set<String> undecoded) {
        if (type == null && !undecoded.isEmpty()) {
            throw new IllegalArgumentException("fields can be left undecoded only when reading into a given class");
        }
        this.type = type;
        this.undecoded = Set.copyOf(undecoded);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        SchemaRegistryConfig config = new SchemaRegistryConfig(configs);
        Class<?> target = type != null ? type : config.specificType(isKey);
        this.decoder = new AvroRecordDecoder(SchemaRegistryClient.create(config), true, target, undecoded);
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (decoder == null) {
            throw new IllegalStateException("SpecificAvroDeserializer used before configure(...)");
        }
        return (T) decoder.decode(topic, data);
    }
}
