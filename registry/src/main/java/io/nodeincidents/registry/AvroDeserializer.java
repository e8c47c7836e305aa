package io.nodeincidents.registry;

import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer of Confluent-framed Avro records of any schema, like Confluent's {@code KafkaAvroDeserializer}:
 * {@link org.apache.avro.generic.GenericRecord}s by default, generated classes when {@code specific.avro.reader=true}.
 * Useful for tools that inspect topics whose record types they do not know. Errors as in
 * {@link SpecificAvroDeserializer}.
 */
public class AvroDeserializer implements Deserializer<Object> {

    private AvroRecordDecoder decoder;

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        SchemaRegistryConfig config = new SchemaRegistryConfig(configs);
        this.decoder = new AvroRecordDecoder(SchemaRegistryClient.create(config), config.specificAvroReader(),
                config.specificAvroReader() ? config.specificType(isKey) : null);
    }

    @Override
    public Object deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (decoder == null) {
            throw new IllegalStateException("AvroDeserializer used before configure(...)");
        }
        return decoder.decode(topic, data);
    }
}
