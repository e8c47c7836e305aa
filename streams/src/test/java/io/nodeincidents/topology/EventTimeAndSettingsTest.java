package io.nodeincidents.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodeincidents.config.Setting;
import io.nodeincidents.fleet.FleetSettings;
import io.nodeincidents.incident.IncidentSettings;
import io.nodeincidents.query.QueryServer;
import io.nodeincidents.schemas.EntrySource;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.SourceKind;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** Where an entry is placed in event time, and what the settings hand to Kafka Streams. */
class EventTimeAndSettingsTest {

    private static final long PRODUCED = 1_700_000_000_000L;
    private final EventTimeExtractor extractor = new EventTimeExtractor(Duration.ofDays(1).toMillis());

    private static ConsumerRecord<Object, Object> record(Object value) {
        return new ConsumerRecord<>("journal.entries", 0, 0, PRODUCED, TimestampType.CREATE_TIME, 0, 0, "h", value,
                new RecordHeaders(), Optional.empty());
    }

    private static SourceEntry entryAt(Long realtimeMicros) {
        return new SourceEntry.Decoded(JournalEntry.newBuilder().setHost("h").setMessage("m")
                .setRealtimeMicros(realtimeMicros)
                .setSource(EntrySource.newBuilder().setKind(SourceKind.JOURNALD).build()).build());
    }

    @Test
    void anEntryIsPlacedAtItsOwnTimeNotWhenItArrived() {
        long weeksAgo = PRODUCED - Duration.ofDays(30).toMillis();
        assertThat(extractor.extract(record(entryAt(weeksAgo * 1000 + 999)), 0)).isEqualTo(weeksAgo);
    }

    @Test
    void withoutATrustworthyTimeTheRecordTimestampIsUsed() {
        assertThat(extractor.extract(record(entryAt(null)), 0)).as("dmesg without wall-clock time")
                .isEqualTo(PRODUCED);
        assertThat(extractor.extract(record(entryAt(-5L)), 0)).as("before 1970").isEqualTo(PRODUCED);
        long nextYear = PRODUCED + Duration.ofDays(365).toMillis();
        assertThat(extractor.extract(record(entryAt(nextYear * 1000)), 0)).as("a clock a year ahead")
                .isEqualTo(PRODUCED);
        assertThat(extractor.extract(record(new SourceEntry.Undecodable(new byte[] {1}, "bad")), 0))
                .isEqualTo(PRODUCED);
    }

    @Test
    void defaultsAreExactlyOnceUnderTheCorrelatorsApplicationIdAndOtherPropertiesPassThrough() {
        CorrelatorSettings settings = new CorrelatorSettings(Map.of("security.protocol", "SSL",
                CorrelatorSettings.WINDOW_MS, "60000", "schema.registry.url", "mock://x"));
        Map<String, Object> props = settings.streamsProperties();
        assertThat(props).containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "nodeincidents-correlate")
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                .containsEntry("security.protocol", "SSL")
                .containsEntry("schema.registry.url", "mock://x")
                .containsEntry(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class.getName())
                .containsEntry(CorrelatorSettings.ROCKSDB_MEMORY.name(), 128L << 20)
                .doesNotContainKey(CorrelatorSettings.WINDOW_MS);
        assertThatThrownBy(() -> new CorrelatorSettings(Map.of("rocksdb.memory.bytes", "1g")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("rocksdb.memory.bytes");
        assertThatThrownBy(() -> new CorrelatorSettings(Map.of("rocksdb.memory.bytes", "4096")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("rocksdb.memory.bytes");
        assertThat(new CorrelatorSettings(Map.of("rocksdb.memory.bytes", "268435456")).streamsProperties())
                .containsEntry("rocksdb.memory.bytes", 268435456L);
        assertThat(settings.incidentSettings().window()).isEqualTo(Duration.ofMinutes(1));
        assertThat(settings.incidentSettings().gap()).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.fleetSettings().hostThreshold()).isEqualTo(3);
        assertThat(settings.fleetSettings().window()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void theCorrelatorsDefaultsAreTheDomainsDeclaredDefaults() {
        CorrelatorSettings defaults = new CorrelatorSettings(Map.of());
        assertThat(defaults.incidentSettings()).isEqualTo(IncidentSettings.defaults());
        assertThat(defaults.fleetSettings()).isEqualTo(FleetSettings.defaults());
        assertThat(IncidentSettings.defaults().window()).isEqualTo(Duration.ofMinutes(2));
        assertThat(FleetSettings.defaults().hostThreshold()).isEqualTo(3);
        for (Setting<?> setting : CorrelatorSettings.SETTINGS) {
            assertThat(defaults.get(setting)).as(setting.name()).isEqualTo(setting.defaultValue());
        }
        assertThat(CorrelatorSettings.DEFINITION.names()).hasSameSizeAs(CorrelatorSettings.SETTINGS);
    }

    @Test
    void everyTopicIsCreatedWithItsDeclaredConfiguration() {
        Topics topics = Topics.from(new CorrelatorSettings(Map.of("schema.registry.url", "mock://topics")));
        assertThat(topics.incidents().configs()).containsExactlyEntriesOf(Map.of("cleanup.policy", "compact"));
        assertThat(topics.incidentsEcs().orElseThrow().configs()).containsEntry("cleanup.policy", "compact");
        assertThat(topics.journalEntries().configs()).containsEntry("cleanup.policy", "delete")
                .containsEntry("retention.ms", Long.toString(Duration.ofDays(2).toMillis()));
        assertThat(topics.fleetAlerts().configs()).containsEntry("retention.ms",
                Long.toString(Duration.ofDays(30).toMillis()));
        // outputs stamped with an old log's event time would otherwise be deleted at the broker's next check
        assertThat(topics.fleetAlerts().configs()).containsEntry("message.timestamp.type", "LogAppendTime");
        assertThat(topics.deadLetters().configs()).containsEntry("message.timestamp.type", "LogAppendTime");
        assertThat(topics.journalEntries().configs()).doesNotContainKey("message.timestamp.type");
        assertThat(topics.nodeMemory().configs()).containsEntry("cleanup.policy", "delete");
        assertThat(topics.memoryForecasts().configs()).containsExactlyEntriesOf(Map.of("cleanup.policy", "compact"));
        assertThat(topics.names()).containsExactly("journal.entries", "node.memory", "incidents", "fleet.alerts",
                "journal.deadletter", "incidents.ecs", "node.memory.forecast");
        assertThat(topics.partitionedAlike()).containsExactlyEntriesOf(Map.of("node.memory", "journal.entries"));
    }

    @Test
    void invalidValuesAreRefusedNamingTheOption() {
        assertThatThrownBy(() -> new CorrelatorSettings(Map.of(CorrelatorSettings.GRACE_MS, "-1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(CorrelatorSettings.GRACE_MS);
        assertThatThrownBy(() -> new CorrelatorSettings(Map.of(CorrelatorSettings.TOPIC_PARTITIONS, "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(CorrelatorSettings.TOPIC_PARTITIONS);
        assertThatThrownBy(() -> new CorrelatorSettings(Map.of(CorrelatorSettings.QUERY_READ_TIMEOUT_MS, "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(CorrelatorSettings.QUERY_READ_TIMEOUT_MS);
    }

    @Test
    void theQueryApiLimitsComeFromTheirSettings() {
        assertThat(new CorrelatorSettings(Map.of()).queryLimits()).isEqualTo(QueryServer.Limits.defaults());
        QueryServer.Limits limits = new CorrelatorSettings(Map.of(CorrelatorSettings.QUERY_THREADS, "2",
                CorrelatorSettings.QUERY_MAX_QUEUED, "0", CorrelatorSettings.QUERY_MAX_CONNECTIONS, "3",
                CorrelatorSettings.QUERY_READ_TIMEOUT_MS, "2500", CorrelatorSettings.QUERY_IDLE_TIMEOUT_MS, "60000"))
                .queryLimits();
        assertThat(limits).isEqualTo(new QueryServer.Limits(2, 0, 3, Duration.ofMillis(2500), Duration.ofMinutes(1)));
        // connections waiting on a query are never closed to make room: the bound must leave room beside them
        assertThatThrownBy(() -> new CorrelatorSettings(Map.of(CorrelatorSettings.QUERY_THREADS, "2",
                CorrelatorSettings.QUERY_MAX_QUEUED, "0", CorrelatorSettings.QUERY_MAX_CONNECTIONS, "2")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(CorrelatorSettings.QUERY_MAX_CONNECTIONS);
    }
}
