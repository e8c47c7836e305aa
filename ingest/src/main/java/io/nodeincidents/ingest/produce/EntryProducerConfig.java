package io.nodeincidents.ingest.produce;

import io.nodeincidents.config.Setting;
import io.nodeincidents.config.SettingsConfigDef;
import io.nodeincidents.ingest.cli.KafkaClientSettings;
import io.nodeincidents.registry.SpecificAvroSerializer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The producer settings every path into {@code journal.entries} uses (the live shipper and replay), declared once.
 * Safe defaults first (idempotence, acks=all, compression, batching, long delivery timeout), then whatever the user
 * configured: any Kafka producer or schema registry property passes through and wins, so SASL/TLS settings or
 * Confluent's own {@code value.serializer} can be swapped in by configuration alone.
 */
public final class EntryProducerConfig {

    /** The topic's name setting; the topic itself (cleanup, retention, serdes) is declared in the correlator. */
    public static final Setting<String> JOURNAL_ENTRIES_TOPIC = Setting.string("journal.entries.topic",
            "journal.entries", Setting.Validator.nonEmpty(), Setting.Importance.HIGH,
            "Topic of JournalEntry records keyed by host, as the shipper and replay produce them.");

    /** The topic of the shipper's memory samples; declared in the correlator like journal.entries. */
    public static final Setting<String> NODE_MEMORY_TOPIC = Setting.string("node.memory.topic", "node.memory",
            Setting.Validator.nonEmpty(), Setting.Importance.MEDIUM,
            "Topic of NodeMemorySample records keyed by host: the shipper's readings of each node's buddy allocator,"
                    + " zone watermarks and compaction counters, from which the correlator forecasts fragmentation.");

    public static final String TOPIC = JOURNAL_ENTRIES_TOPIC.name();
    public static final String TOPIC_DEFAULT = JOURNAL_ENTRIES_TOPIC.defaultValue();

    /** The options of ours that ship and replay share; Kafka's own pass through undeclared. */
    public static final List<Setting<?>> SETTINGS = Stream.concat(Stream.of(JOURNAL_ENTRIES_TOPIC),
            KafkaClientSettings.ALL.stream()).toList();

    public static final ConfigDef DEFINITION = SettingsConfigDef.of(SETTINGS);

    private EntryProducerConfig() {
    }

    /** Producer properties: our defaults under the user's settings. */
    public static Map<String, Object> producerProperties(Map<String, ?> userSettings) {
        Map<String, Object> props = new HashMap<>();
        props.put(KafkaClientSettings.BOOTSTRAP_SERVERS.name(),
                KafkaClientSettings.joined(KafkaClientSettings.BOOTSTRAP_SERVERS.defaultValue()));
        props.put(KafkaClientSettings.SCHEMA_REGISTRY_URL.name(),
                KafkaClientSettings.joined(KafkaClientSettings.SCHEMA_REGISTRY_URL.defaultValue()));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, SpecificAvroSerializer.class.getName());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // a produce request costs the producer's thread about 0.5 ms of CPU (C1-compiled client): following a
        // node at a steady 1,000 entries/s in 50 appends a second, linger 20 ms made 2.5% of a core on requests
        // alone, 200 ms makes 0.6%; an entry still reaches Kafka within about 0.2 s, and a full batch (batch.size)
        // goes at once, so full-speed shipping is unaffected
        props.put(ProducerConfig.LINGER_MS_CONFIG, 200);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        // ride out broker outages of many minutes without giving up on a record; the shipper's own bounded
        // in-flight window is what keeps memory bounded meanwhile
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30 * 60 * 1000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60 * 1000);
        props.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 200);
        props.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 10_000);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "nodeincidents-ingest");
        userSettings.forEach((key, value) -> {
            if (!key.equals(TOPIC)) {
                props.put(key, value);
            }
        });
        return props;
    }

    /** The topic to produce to. */
    public static String topic(Map<String, ?> userSettings) {
        Object topic = userSettings.get(TOPIC);
        return topic == null ? TOPIC_DEFAULT : topic.toString();
    }
}
