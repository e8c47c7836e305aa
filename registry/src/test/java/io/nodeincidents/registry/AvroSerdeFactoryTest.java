package io.nodeincidents.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodeincidents.schemas.JournalEntry;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AvroSerdeFactoryTest {

    private final String scope = "factory-" + System.nanoTime();

    @AfterEach
    void drop() {
        MockSchemaRegistry.dropScope(scope);
    }

    private Map<String, Object> props(Object... extra) {
        Map<String, Object> props = new HashMap<>();
        props.put("schema.registry.url", "mock://" + scope);
        for (int i = 0; i < extra.length; i += 2) {
            props.put((String) extra[i], extra[i + 1]);
        }
        return props;
    }

    @Test
    void byDefaultItIsOurSerdeReadyToUse() {
        Serde<JournalEntry> serde = AvroSerdeFactory.specificSerde(JournalEntry.class, props(), false);
        JournalEntry entry = TestRecords.kernelEntry();

        assertThat(serde).isInstanceOf(SpecificAvroSerde.class);
        assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", entry))).isEqualTo(entry);
    }

    @Test
    void anotherSerdeClassIsCreatedByNameAndConfiguredWithTheSamePropertiesAndTheType() {
        Serde<JournalEntry> serde = AvroSerdeFactory.specificSerde(JournalEntry.class,
                props("avro.serde.class", RecordingSerde.class.getName(), "custom.setting", "42"), true);

        RecordingSerde recording = (RecordingSerde) (Serde<?>) serde;
        assertThat(recording.isKey).isTrue();
        assertThat(recording.configs).containsEntry("custom.setting", "42")
                .containsEntry("schema.registry.url", "mock://" + scope)
                .containsEntry("specific.avro.key.type", JournalEntry.class);
    }

    @Test
    void aMissingConfluentSerdeSaysWhereItComesFrom() {
        assertThatThrownBy(() -> AvroSerdeFactory.specificSerde(JournalEntry.class,
                props("avro.serde.class", "io.confluent.kafka.streams.serdes.avro.SpecificAvroSerde"), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("avro.serde.class")
                .hasMessageContaining("not on the classpath")
                .hasMessageContaining("kafka-streams-avro-serde");
    }

    @Test
    void aClassThatIsNotASerdeIsRejected() {
        assertThatThrownBy(() -> AvroSerdeFactory.specificSerde(JournalEntry.class,
                props("avro.serde.class", String.class.getName()), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not an org.apache.kafka.common.serialization.Serde");
    }

    /** Stands in for Confluent's serde: records how it was configured. */
    public static final class RecordingSerde implements Serde<Object> {
        Map<String, Object> configs;
        boolean isKey;

        @Override
        public void configure(Map<String, ?> configs, boolean isKey) {
            this.configs = new HashMap<>(configs);
            this.isKey = isKey;
        }

        @Override
        public Serializer<Object> serializer() {
            return (topic, data) -> null;
        }

        @Override
        public Deserializer<Object> deserializer() {
            return (topic, data) -> null;
        }
    }
}
