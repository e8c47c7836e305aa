package io.nodeincidents.topology;

import io.nodeincidents.alerting.AlertSink;
import io.nodeincidents.events.NodeEventExtractor;
import io.nodeincidents.kernel.KernelReportAssembler;
import io.nodeincidents.runtime.RuntimeFailureClassifier;
import io.nodeincidents.fleet.FleetRollup;
import io.nodeincidents.incident.IncidentAggregator;
import io.nodeincidents.query.QueryStores;
import io.nodeincidents.metrics.CorrelatorMetrics;
import io.nodeincidents.trust.SourceTrust;
import io.nodeincidents.schemas.DeadLetter;
import io.nodeincidents.schemas.FleetAlert;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.MemoryForecast;
import io.nodeincidents.schemas.NodeMemorySample;
import io.nodeincidents.forecast.FragmentationForecast;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueStore;
import io.nodeincidents.registry.AvroSerdeFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The correlator's Kafka Streams topology. It only wires the domain steps together; all parsing and correlation
 * lives in plain Java ({@link io.nodeincidents.events.NodeEventExtractor}, {@link IncidentAggregator},
 * {@link FleetRollup}).
 *
 * <pre>
 * journal.entries (host -> JournalEntry, at the entry's event time)
 *   -> event extraction per host (HostLogState store, HostClock store: each host's own event time;
 *      stream-time and wall-clock punctuation; dedup window store of the entries that went to the decoders)
 *        -> undecodable or unprocessable entries, failures -> journal.deadletter
 *        -> repeat (host, boot, cursor | file+line) of an entry that went to the decoders -> dropped
 *   -> correlation per host at the host's time (HostIncidentState store; stream-time punctuation)
 *        -> incidents (incidentId -> Incident), incidents.ecs (incidentId -> ECS JSON, optional)
 *   -> re-keyed by cause (repartition) -> fleet rollup per cause (FleetCauseState store)
 *        -> fleet.alerts (alertId -> FleetAlert)
 * for the query API ({@link QueryStores}):
 *   extracted events -> per-host event log (window store, host -> event JSON at its event time)
 *   incidents (read back from their topic, partitioned by incidentId) -> latest revision per incidentId
 *     -> optional {@link AlertFeed}: each revision to an AlertSink (Alertmanager), open ones resumed on assignment
 * </pre>
 *
 * All stores are persistent and changelogged; with {@code processing.guarantee=exactly_once_v2} (the default) each
 * incident revision and alert is written exactly once.
 */
public final class IncidentTopology {

    /**
     * The JournalEntry fields no step of the correlator reads (the log line, its identity and dead letters come from
     * the others): left undecoded, their bytes skipped. The other journal fields are most of an entry's bytes, and
     * building their map was the largest single cost of reading an entry.
     */
    static final Set<String> UNREAD_ENTRY_FIELDS = Set.of("fields", "messageBytes");

    /** The global store of every host's latest forecast (node.memory.forecast), for the fleet's figures. */
    public static final String MEMORY_FORECASTS_STORE = QueryStores.MEMORY_FORECASTS;

    /** Name of the internal repartition topic (suffix) of incidents keyed by cause. */
    public static final String BY_CAUSE = "incidents-by-cause";

    private IncidentTopology() {
    }

    /** Adds the correlator to {@code builder}, with the topics and serdes of {@link Topics#from}. */
    public static void build(StreamsBuilder builder, CorrelatorSettings settings) {
        build(builder, settings, Topics.from(settings));
    }

    /** Adds the correlator to {@code builder}, reading and writing {@code topics}, counting nothing. */
    public static void build(StreamsBuilder builder, CorrelatorSettings settings, Topics topics) {
        build(builder, settings, topics, null);
    }

    /**
     * Adds the correlator to {@code builder}, reading and writing {@code topics}; {@code metrics} (or null) counts the
     * events, incidents and dead letters as they pass.
     */
    public static void build(StreamsBuilder builder, CorrelatorSettings settings, Topics topics,
            CorrelatorMetrics metrics) {
        build(builder, settings, topics, metrics, true);
    }

    /**
     * {@link #build(StreamsBuilder, CorrelatorSettings, Topics, CorrelatorMetrics)}, with or without the query API's
     * stores: offline analysis asks them nothing, and each store costs a write per commit.
     */
    static void build(StreamsBuilder builder, CorrelatorSettings settings, Topics topics, CorrelatorMetrics metrics,
            boolean queryStores) {
        build(builder, settings, topics, metrics, queryStores, null);
    }

    /**
     * {@link #build(StreamsBuilder, CorrelatorSettings, Topics, CorrelatorMetrics)}, and every incident revision also
     * handed to {@code alerts} (or null), e.g. an {@link io.nodeincidents.alerting.AlertmanagerSender}, by
     * {@link AlertFeed}.
     */
    public static void build(StreamsBuilder builder, CorrelatorSettings settings, Topics topics,
            CorrelatorMetrics metrics, AlertSink alerts) {
        build(builder, settings, topics, metrics, true, alerts);
    }

    private static void build(StreamsBuilder builder, CorrelatorSettings settings, Topics topics,
            CorrelatorMetrics metrics, boolean queryStores, AlertSink alertSink) {
        String entriesTopic = topics.journalEntries().name();
        Duration dedupRetention = settings.dedupRetention();
        builder.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(EventExtraction.SEEN, dedupRetention, dedupRetention, false),
                Serdes.String(), Serdes.Long()));
        // a storm rewrites a host's state with every line (extraction) or event (correlation), and a cause's state
        // with every revision: the cache folds the writes of one commit into one changelog record per key
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(EventExtraction.STORE), Serdes.String(),
                JsonStateSerde.hostLogState()).withCachingEnabled());
        // written when a host's lag behind stream time changes or its "last logged" time is old (EventExtraction.tick);
        // the cache folds a burst of such writes into one changelog record per host and commit
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(EventExtraction.CLOCKS), Serdes.String(),
                JsonStateSerde.hostClock()).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(HostCorrelation.STORE), Serdes.String(), Serdes.ByteArray())
                .withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(FleetCauseRollup.STORE), Serdes.String(),
                JsonStateSerde.fleetCauseState()).withCachingEnabled());

        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(MemoryForecasting.STORE), Serdes.String(),
                JsonStateSerde.hostMemoryState()).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(MemoryEvidenceJoin.EVIDENCE_STORE), Serdes.String(),
                topics.memoryForecasts().valueSerde()));

        KStream<String, SourceEntry> entries = builder.stream(entriesTopic,
                Consumed.with(topics.journalEntries().keySerde(),
                                new SourceEntrySerde(topics.journalEntries().valueSerde(),
                                        AvroSerdeFactory.specificDeserializer(JournalEntry.class, UNREAD_ENTRY_FIELDS,
                                                settings.streamsProperties(), false)))
                        .withTimestampExtractor(new EventTimeExtractor(settings.maxFutureMillis()))
                        .withName("journal-entries"));

        Duration streamTick = settings.extractionPunctuation();
        Duration wallTick = settings.extractionWallClockPunctuation();
        int maxDeadBytes = settings.deadLetterMaxValueBytes();
        Map<String, KStream<String, Routing.Extracted>> extracted = entries
                .process(() -> new EventExtraction(entriesTopic, streamTick, wallTick, clockRetention(settings),
                                dedupRetention, maxDeadBytes, extractor(settings),
                                metrics == null ? refusal -> { } : metrics::entryRefused),
                        Named.as("event-extraction"), EventExtraction.SEEN, EventExtraction.STORE,
                        EventExtraction.CLOCKS)
                .split(Named.as("extracted-"))
                .branch((host, value) -> value instanceof Routing.Rejected, Branched.as("rejected"))
                .defaultBranch(Branched.as("events"));

        KStream<String, DeadLetter> deadLetters = extracted.get("extracted-rejected")
                .mapValues(value -> ((Routing.Rejected) value).letter(), Named.as("dead-letter"));
        if (metrics != null) {
            deadLetters = deadLetters.peek((key, letter) -> metrics.deadLetter(letter), Named.as("count-dead-letters"));
        }
        deadLetters.to(topics.deadLetters().name(), topics.deadLetters().produced().withName("dead-letter-sink"));

        KStream<String, Routing.Extracted> events = extracted.get("extracted-events");
        if (metrics != null) {
            events = events.peek((host, event) -> {
                if (event instanceof Routing.KernelEvent kernel) {
                    metrics.eventParsed(kernel.event());
                } else if (event instanceof Routing.RuntimeEvent runtime) {
                    metrics.eventParsed(runtime.event());
                }
            }, Named.as("count-events"));
        }

        IncidentAggregator aggregator = new IncidentAggregator(settings.incidentSettings());
        Duration correlationTick = settings.correlationPunctuation();
        KStream<String, Incident> correlated = events
                .process(() -> new HostCorrelation(aggregator, correlationTick), Named.as("host-correlation"),
                        HostCorrelation.STORE, EventExtraction.CLOCKS)
                .process(() -> new MemoryEvidenceJoin(settings.forecastSettings()), Named.as("memory-evidence"),
                        MemoryForecasting.STORE, MemoryEvidenceJoin.EVIDENCE_STORE)
                .merge(forecastRisks(builder, settings, topics, maxDeadBytes, letters -> (metrics == null ? letters
                        : letters.peek((key, letter) -> metrics.deadLetter(letter), Named.as("count-memory-dead-letters")))
                        .to(topics.deadLetters().name(), topics.deadLetters().produced()
                                .withName("memory-dead-letter-sink"))),
                        Named.as("with-risks"));
        KStream<String, Incident> incidents = metrics == null ? correlated
                : correlated.peek((id, incident) -> metrics.incidentEmitted(incident), Named.as("count-incidents"));
        incidents.to(topics.incidents().name(), topics.incidents().produced().withName("incidents-sink"));
        topics.incidentsEcs().ifPresent(ecs -> incidents.to(ecs.name(), ecs.produced().withName("incidents-ecs-sink")));

        if (queryStores) {
            addQueryStores(builder, settings, topics, events, alertSink);
        }

        FleetRollup rollup = new FleetRollup(settings.fleetSettings());
        KStream<String, FleetAlert> alerts = incidents
                .selectKey((incidentId, incident) -> String.valueOf(incident.getCause()), Named.as("key-by-cause"))
                .repartition(Repartitioned.with(Serdes.String(), topics.incidents().valueSerde()).withName(BY_CAUSE))
                .process(() -> new FleetCauseRollup(rollup), Named.as("fleet-rollup"), FleetCauseRollup.STORE);
        alerts.to(topics.fleetAlerts().name(), topics.fleetAlerts().produced().withName("fleet-alerts-sink"));
    }

    /**
     * The memory forecast: node.memory -> each host's forecast (to node.memory.forecast, read back whole into a global
     * store for the fleet's figures) and its FRAGMENTATION_RISK revisions (returned, to join the incidents). The
     * host's state store is shared with {@link MemoryEvidenceJoin}, so node.memory and journal.entries must be
     * partitioned alike (correlate creates node.memory with journal.entries' partition count and checks it).
     */
    private static KStream<String, Incident> forecastRisks(StreamsBuilder builder, CorrelatorSettings settings,
            Topics topics, int maxDeadBytes, java.util.function.Consumer<KStream<String, DeadLetter>> deadLetterSink) {
        builder.globalTable(topics.memoryForecasts().name(), Consumed.with(topics.memoryForecasts().keySerde(),
                        topics.memoryForecasts().valueSerde()).withName("memory-forecasts-for-fleet"),
                Materialized.<String, MemoryForecast, KeyValueStore<Bytes, byte[]>>as(MEMORY_FORECASTS_STORE)
                        .withKeySerde(topics.memoryForecasts().keySerde())
                        .withValueSerde(topics.memoryForecasts().valueSerde()));
        String samplesTopic = topics.nodeMemory().name();
        FragmentationForecast forecast = new FragmentationForecast(settings.forecastSettings());
        Deserializer<NodeMemorySample> samples = topics.nodeMemory().valueSerde().deserializer();
        Map<String, KStream<String, Routing.Forecasted>> forecasted = builder
                .stream(samplesTopic, Consumed.with(topics.nodeMemory().keySerde(), Serdes.ByteArray())
                        .withName("node-memory"))
                .process(() -> new MemoryForecasting(samplesTopic, forecast, samples, maxDeadBytes),
                        Named.as("memory-forecast"), MemoryForecasting.STORE)
                .split(Named.as("forecasted-"))
                .branch((host, value) -> value instanceof Routing.Rejected, Branched.as("rejected"))
                .branch((host, value) -> value instanceof Routing.RiskRevision, Branched.as("risks"))
                .defaultBranch(Branched.as("forecasts"));
        deadLetterSink.accept(forecasted.get("forecasted-rejected")
                .mapValues(value -> ((Routing.Rejected) value).letter(), Named.as("memory-dead-letter")));
        forecasted.get("forecasted-forecasts")
                .mapValues(value -> ((Routing.HostForecast) value).forecast(), Named.as("host-forecast"))
                .to(topics.memoryForecasts().name(), topics.memoryForecasts().produced()
                        .withName("memory-forecasts-sink"));
        return forecasted.get("forecasted-risks")
                .mapValues(value -> ((Routing.RiskRevision) value).incident(), Named.as("risk-revision"));
    }

    /**
     * The stores of the query API ({@link QueryStores}). The incidents are read back from their topic rather than
     * taken from the stream above: that stream runs in the task of the host's journal.entries partition, while a
     * store keyed by incidentId must be partitioned by incidentId for an instance to find the one holding an id.
     * The events stay in the host's task, keyed by host as journal.entries is.
     */
    private static void addQueryStores(StreamsBuilder builder, CorrelatorSettings settings, Topics topics,
            KStream<String, Routing.Extracted> events, AlertSink alertSink) {
        builder.addStateStore(QueryStores.incidentsStore());
        builder.addStateStore(QueryStores.hostEventsStore(settings.queryEventsRetention()));
        Duration incidentRetention = settings.queryIncidentsRetention();
        KStream<String, Incident> committed = builder.stream(topics.incidents().name(),
                topics.incidents().consumed().withName("incidents-for-query"));
        committed.process(() -> QueryStores.latestIncidents(incidentRetention), Named.as("query-latest-incidents"),
                QueryStores.INCIDENTS);
        // after the store: the feed reads the latest revision the store holds
        if (alertSink != null) {
            committed.process(() -> new AlertFeed(alertSink), Named.as("alert-feed"), QueryStores.INCIDENTS);
        }
        events.mapValues(IncidentTopology::eventRecord, Named.as("query-event-record"))
                .process(QueryStores::hostEventLog, Named.as("query-host-event-log"), QueryStores.HOST_EVENTS);
        builder.globalTable(topics.fleetAlerts().name(), Consumed.with(topics.fleetAlerts().keySerde(),
                        topics.fleetAlerts().valueSerde()).withName("fleet-alerts-for-query"),
                Materialized.<String, FleetAlert, KeyValueStore<Bytes, byte[]>>as(QueryStores.FLEET_ALERTS)
                        .withKeySerde(topics.fleetAlerts().keySerde())
                        .withValueSerde(topics.fleetAlerts().valueSerde()));
    }

    private static SpecificRecord eventRecord(Routing.Extracted extracted) {
        return extracted instanceof Routing.KernelEvent kernel ? kernel.event()
                : ((Routing.RuntimeEvent) extracted).event();
    }

    /** The decoders, with the operator's runtime rules: the same step functions offline analyze runs. */
    private static NodeEventExtractor extractor(CorrelatorSettings settings) {
        return new NodeEventExtractor(new KernelReportAssembler(), new RuntimeFailureClassifier(settings.runtimeRules()),
                new SourceTrust(settings.trustSettings()));
    }

    /** How long the clock of a quiet host is kept ({@link io.nodeincidents.correlation.DriverSettings}). */
    static Duration clockRetention(CorrelatorSettings settings) {
        return settings.driverSettings().clockRetention();
    }

    /** A whole topology for {@code settings}: {@link #build} on a fresh builder. */
    public static Topology topology(CorrelatorSettings settings) {
        return topology(settings, true);
    }

    /** A whole topology for {@code settings}, with or without the query API's stores. */
    static Topology topology(CorrelatorSettings settings, boolean queryStores) {
        StreamsBuilder builder = new StreamsBuilder();
        build(builder, settings, Topics.from(settings), null, queryStores);
        return builder.build();
    }
}
