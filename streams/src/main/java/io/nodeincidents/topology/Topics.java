package io.nodeincidents.topology;

import io.nodeincidents.config.Setting;
import io.nodeincidents.config.Setting.Importance;
import io.nodeincidents.config.Setting.Validator;
import io.nodeincidents.ingest.produce.EntryProducerConfig;
import io.nodeincidents.registry.AvroSerdeFactory;
import io.nodeincidents.schemas.DeadLetter;
import io.nodeincidents.schemas.FleetAlert;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.MemoryForecast;
import io.nodeincidents.schemas.NodeMemorySample;
import io.nodeincidents.siem.EcsIncidentSerde;
import io.nodeincidents.topology.TopicDeclaration.CleanupPolicy;
import io.nodeincidents.topology.TopicDeclaration.Timestamps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The pipeline's topics, declared once, together (the confluentinc/kafka-streams-examples style): the setting naming
 * each, how the broker keeps it and its serdes ({@link TopicDeclaration}), and the settings of topic creation. The
 * topology, the {@code correlate} command's topic creation and the tests take them from here, and a test holds
 * deploy/kafka/create-topics.sh to them. Avro values go through {@link AvroSerdeFactory}, so
 * {@code avro.serde.class} can swap the serde implementation by configuration.
 *
 * @param journalEntries host -> JournalEntry: what the shipper and replay produce
 * @param incidents      incidentId -> Incident revision
 * @param fleetAlerts    alertId -> FleetAlert
 * @param deadLetters    host (or the record's key) -> DeadLetter
 * @param incidentsEcs   incidentId -> the Incident revision as an ECS JSON document ({@link EcsIncidentSerde}): the
 *                       SIEM feed; empty when it is off
 * @param nodeMemory     host -> NodeMemorySample: what the shipper samples; partitioned like journalEntries, since a
 *                       host's samples and entries meet in one task
 * @param memoryForecasts host -> the host's latest MemoryForecast
 */
public record Topics(
        Topic<String, JournalEntry> journalEntries,
        Topic<String, Incident> incidents,
        Topic<String, FleetAlert> fleetAlerts,
        Topic<String, DeadLetter> deadLetters,
        Optional<Topic<String, Incident>> incidentsEcs,
        Topic<String, NodeMemorySample> nodeMemory,
        Topic<String, MemoryForecast> memoryForecasts) {

    public static final Setting<String> INCIDENTS_NAME = Setting.string("incidents.topic", "incidents",
            Validator.nonEmpty(), Importance.HIGH, "Topic the Incident revisions are written to, keyed by incidentId.");
    public static final Setting<String> FLEET_ALERTS_NAME = Setting.string("fleet.alerts.topic", "fleet.alerts",
            Validator.nonEmpty(), Importance.HIGH, "Topic the FleetAlert records are written to, keyed by alertId.");
    public static final Setting<String> DEAD_LETTERS_NAME = Setting.string("deadletter.topic", "journal.deadletter",
            Validator.nonEmpty(), Importance.HIGH, "Topic of DeadLetter records: journal entries that could not be"
                    + " decoded or processed, with the reason and where they were read.");
    public static final Setting<String> INCIDENTS_ECS_NAME = Setting.string("incidents.ecs.topic", "incidents.ecs",
            null, Importance.MEDIUM, "Topic of the SIEM feed: every Incident revision again as a JSON document with"
                    + " Elastic Common Schema field names (event.id = incidentId, for upserts), keyed by incidentId,"
                    + " for Logstash, Kafka Connect sinks and Splunk without Avro. Empty: no SIEM feed.");
    public static final Setting<String> MEMORY_FORECASTS_NAME = Setting.string("node.memory.forecast.topic",
            "node.memory.forecast", Validator.nonEmpty(), Importance.MEDIUM, "Topic of each host's latest"
                    + " MemoryForecast, keyed by host (compacted): free high-order blocks, their trend and when they"
                    + " run out. Every instance reads it whole, for the fleet's figures.");
    public static final Setting<Boolean> CREATE = Setting.bool("topics.create", true, Importance.MEDIUM,
            "correlate creates the topics above when they are missing (existing topics are left as they are).");
    public static final Setting<Integer> PARTITIONS = Setting.integer("topics.partitions", 6,
            Validator.between(1, 10_000), Importance.MEDIUM, "Partitions of topics correlate creates."
                    + " journal.entries is keyed by host, so this bounds how many instances can share the work.");
    public static final Setting<Short> REPLICATION_FACTOR = Setting.shortInt("topics.replication.factor",
            (short) -1, Validator.between(-1, 100), Importance.MEDIUM, "Replication factor of topics correlate"
                    + " creates; -1 takes the broker's default.replication.factor, which suits both a one-broker test"
                    + " setup and a cluster.");

    /** Raw journal entries: a replay buffer, not an archive; the hosts' journals stay the source of truth. */
    public static final TopicDeclaration<String, JournalEntry> JOURNAL_ENTRIES = new TopicDeclaration<>(
            EntryProducerConfig.JOURNAL_ENTRIES_TOPIC, CleanupPolicy.DELETE, Optional.of(Duration.ofDays(2)),
            Timestamps.CREATE_TIME,
            props -> Serdes.String(), props -> AvroSerdeFactory.specificSerde(JournalEntry.class, props, false));
    /** One record per incident revision, keyed by incidentId: compaction keeps each incident's latest state. */
    public static final TopicDeclaration<String, Incident> INCIDENTS = new TopicDeclaration<>(INCIDENTS_NAME,
            CleanupPolicy.COMPACT, Optional.empty(), Timestamps.CREATE_TIME,
            props -> Serdes.String(), props -> AvroSerdeFactory.specificSerde(Incident.class, props, false));
    /** Fleet-wide alerts: a month of history, from when they were written (an old log's alerts carry its time). */
    public static final TopicDeclaration<String, FleetAlert> FLEET_ALERTS = new TopicDeclaration<>(
            FLEET_ALERTS_NAME, CleanupPolicy.DELETE, Optional.of(Duration.ofDays(30)), Timestamps.LOG_APPEND_TIME,
            props -> Serdes.String(), props -> AvroSerdeFactory.specificSerde(FleetAlert.class, props, false));
    /** Entries the pipeline could not read, kept a week from when they were set aside for someone to look at. */
    public static final TopicDeclaration<String, DeadLetter> DEAD_LETTERS = new TopicDeclaration<>(
            DEAD_LETTERS_NAME, CleanupPolicy.DELETE, Optional.of(Duration.ofDays(7)), Timestamps.LOG_APPEND_TIME,
            props -> Serdes.String(), props -> AvroSerdeFactory.specificSerde(DeadLetter.class, props, false));
    /** The SIEM feed: like incidents, keyed by incidentId and compacted. */
    public static final TopicDeclaration<String, Incident> INCIDENTS_ECS = new TopicDeclaration<>(
            INCIDENTS_ECS_NAME, CleanupPolicy.COMPACT, Optional.empty(), Timestamps.CREATE_TIME,
            props -> Serdes.String(), props -> new EcsIncidentSerde());

    /** Memory samples: the forecast needs the last hour; two days leave room to replay an outage. */
    public static final TopicDeclaration<String, NodeMemorySample> NODE_MEMORY = new TopicDeclaration<>(
            EntryProducerConfig.NODE_MEMORY_TOPIC, CleanupPolicy.DELETE, Optional.of(Duration.ofDays(2)),
            Timestamps.CREATE_TIME,
            props -> Serdes.String(), props -> AvroSerdeFactory.specificSerde(NodeMemorySample.class, props, false));
    /** Each host's latest forecast: compaction keeps one record per host. */
    public static final TopicDeclaration<String, MemoryForecast> MEMORY_FORECASTS = new TopicDeclaration<>(
            MEMORY_FORECASTS_NAME, CleanupPolicy.COMPACT, Optional.empty(), Timestamps.CREATE_TIME,
            props -> Serdes.String(), props -> AvroSerdeFactory.specificSerde(MemoryForecast.class, props, false));

    /** Every topic, input first. */
    public static final List<TopicDeclaration<?, ?>> DECLARED = List.of(JOURNAL_ENTRIES, NODE_MEMORY, INCIDENTS,
            FLEET_ALERTS, DEAD_LETTERS, INCIDENTS_ECS, MEMORY_FORECASTS);

    /** The topic settings, in the order {@code --help} shows them. */
    public static final List<Setting<?>> SETTINGS = List.of(JOURNAL_ENTRIES.nameSetting(), NODE_MEMORY.nameSetting(),
            INCIDENTS_NAME, FLEET_ALERTS_NAME, DEAD_LETTERS_NAME, INCIDENTS_ECS_NAME, MEMORY_FORECASTS_NAME, CREATE,
            PARTITIONS, REPLICATION_FACTOR);

    public Topics {
        Objects.requireNonNull(incidentsEcs, "incidentsEcs");
        Objects.requireNonNull(nodeMemory, "nodeMemory");
        Objects.requireNonNull(memoryForecasts, "memoryForecasts");
    }

    /** The topics named by {@code settings}, with serdes configured from its Streams and registry properties. */
    public static Topics from(CorrelatorSettings settings) {
        Map<String, Object> props = settings.streamsProperties();
        return new Topics(
                JOURNAL_ENTRIES.topic(settings.get(JOURNAL_ENTRIES.nameSetting()), props),
                INCIDENTS.topic(settings.get(INCIDENTS_NAME), props),
                FLEET_ALERTS.topic(settings.get(FLEET_ALERTS_NAME), props),
                DEAD_LETTERS.topic(settings.get(DEAD_LETTERS_NAME), props),
                settings.incidentsEcsTopic().map(name -> INCIDENTS_ECS.topic(name, props)),
                NODE_MEMORY.topic(settings.get(NODE_MEMORY.nameSetting()), props),
                MEMORY_FORECASTS.topic(settings.get(MEMORY_FORECASTS_NAME), props));
    }

    /** Every topic, input first. */
    public List<Topic<?, ?>> all() {
        List<Topic<?, ?>> all = new ArrayList<>(List.of(journalEntries, nodeMemory, incidents, fleetAlerts,
                deadLetters));
        incidentsEcs.ifPresent(all::add);
        all.add(memoryForecasts);
        return List.copyOf(all);
    }

    /**
     * Topics that must have as many partitions as another (topic -> the other): a host's memory samples and journal
     * entries share a task, and so its state.
     */
    public Map<String, String> partitionedAlike() {
        return Map.of(nodeMemory.name(), journalEntries.name());
    }

    /** Every topic name, input first. */
    public List<String> names() {
        return all().stream().map(Topic::name).toList();
    }
}
