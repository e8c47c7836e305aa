package io.nodeincidents.topology;

import io.nodeincidents.config.Setting;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;

/**
 * One of the pipeline's topics, declared once: the setting that names it, how the broker keeps it (cleanup policy,
 * retention) and the serdes of its keys and values. {@code correlate} creates it from this (with the shared
 * {@link Topics#PARTITIONS} and {@link Topics#REPLICATION_FACTOR}); deploy/kafka/create-topics.sh is checked against
 * it by a test.
 *
 * @param nameSetting   the setting whose value is the topic's name
 * @param cleanupPolicy delete old records, or compact to the latest record per key
 * @param retention     how long records are kept ({@code retention.ms}); empty: the broker's default (for compacted
 *                      topics: kept until a newer record of the key replaces them)
 * @param timestamps    whose time the broker keeps with a record, which time retention counts from
 * @param keySerde      the keys' serde, from the Streams and registry properties
 * @param valueSerde    the values' serde, from the Streams and registry properties
 * @param <K>           key type
 * @param <V>           value type
 */
public record TopicDeclaration<K, V>(
        Setting<String> nameSetting,
        CleanupPolicy cleanupPolicy,
        Optional<Duration> retention,
        Timestamps timestamps,
        SerdeFactory<K> keySerde,
        SerdeFactory<V> valueSerde) {

    /** Kafka's {@code cleanup.policy} values we use. */
    public enum CleanupPolicy {
        DELETE, COMPACT;

        /** As written in {@code cleanup.policy}. */
        public String configValue() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Kafka's {@code message.timestamp.type}. */
    public enum Timestamps {
        /** The producer's: for the correlator's outputs, the event time of the log they came from. */
        CREATE_TIME("CreateTime"),
        /**
         * The broker's, at append: retention then counts from when a record was written, so the output of a log
         * replayed days or years after it was written is kept as long as any other, not deleted at the next check.
         */
        LOG_APPEND_TIME("LogAppendTime");

        private final String configValue;

        Timestamps(String configValue) {
            this.configValue = configValue;
        }

        public String configValue() {
            return configValue;
        }
    }

    /** Makes a serde configured with the application's properties. */
    @FunctionalInterface
    public interface SerdeFactory<T> {
        Serde<T> create(Map<String, Object> properties);
    }

    public TopicDeclaration {
        Objects.requireNonNull(nameSetting, "nameSetting");
        Objects.requireNonNull(cleanupPolicy, "cleanupPolicy");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(timestamps, "timestamps");
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
    }

    /**
     * The topic configuration a created topic gets: {@code cleanup.policy}, {@code retention.ms} if declared, and
     * {@code message.timestamp.type} when it is not the broker's default.
     */
    public Map<String, String> configs() {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("cleanup.policy", cleanupPolicy.configValue());
        retention.ifPresent(r -> configs.put("retention.ms", Long.toString(r.toMillis())));
        if (timestamps != Timestamps.CREATE_TIME) {
            configs.put("message.timestamp.type", timestamps.configValue());
        }
        return Map.copyOf(configs);
    }

    /** The topic called {@code name}, with serdes configured from {@code properties}. */
    public Topic<K, V> topic(String name, Map<String, Object> properties) {
        return new Topic<>(name, keySerde.create(properties), valueSerde.create(properties), configs());
    }
}
