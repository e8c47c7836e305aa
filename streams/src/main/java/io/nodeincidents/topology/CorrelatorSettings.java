package io.nodeincidents.topology;

import io.nodeincidents.correlation.DriverSettings;
import io.nodeincidents.fleet.FleetSettings;
import io.nodeincidents.incident.IncidentSettings;
import io.nodeincidents.ingest.produce.EntryProducerConfig;
import io.nodeincidents.query.QueryServer;
import io.nodeincidents.runtime.RuntimeRules;
import io.nodeincidents.runtime.RuntimeRulesException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The correlator's options, declared once in {@link #DEFINITION} (name, type, default, valid values, doc): what
 * {@code correlate --help} prints and what {@link IncidentTopology} reads. Any other property (Kafka client, Streams,
 * schema registry) passes through unchanged to Kafka Streams and the serdes; {@link #streamsProperties()} puts our
 * defaults under them.
 */
public final class CorrelatorSettings extends AbstractConfig {

    public static final String JOURNAL_ENTRIES_TOPIC = EntryProducerConfig.TOPIC;
    public static final String INCIDENTS_TOPIC = "incidents.topic";
    public static final String FLEET_ALERTS_TOPIC = "fleet.alerts.topic";
    public static final String DEAD_LETTER_TOPIC = "deadletter.topic";
    public static final String INCIDENTS_ECS_TOPIC = "incidents.ecs.topic";
    public static final String WINDOW_MS = "correlation.window.ms";
    public static final String GRACE_MS = "correlation.grace.ms";
    public static final String GAP_MS = "correlation.gap.ms";
    public static final String UPDATE_INTERVAL_MS = "incident.update.interval.ms";
    public static final String FLEET_HOSTS = "fleet.host.threshold";
    public static final String FLEET_WINDOW_MS = "fleet.window.ms";
    public static final String DEDUP_RETENTION_MS = "dedup.retention.ms";
    public static final String EXTRACT_PUNCTUATE_MS = "extraction.punctuate.interval.ms";
    public static final String EXTRACT_WALLCLOCK_MS = "extraction.wallclock.punctuate.interval.ms";
    public static final String CORRELATE_PUNCTUATE_MS = "correlation.punctuate.interval.ms";
    public static final String MAX_FUTURE_MS = "event.time.max.future.ms";
    public static final String DEAD_LETTER_MAX_BYTES = "deadletter.max.value.bytes";
    public static final String TOPIC_PARTITIONS = "topics.partitions";
    public static final String TOPIC_REPLICATION = "topics.replication.factor";
    public static final String TOPIC_CREATE = "topics.create";
    public static final String QUERY_ENABLED = "query.enabled";
    public static final String QUERY_LISTEN_ADDRESS = "query.listen.address";
    public static final String QUERY_PORT = "query.port";
    public static final String QUERY_TOKEN = "query.token";
    public static final String QUERY_EVENTS_RETENTION_MS = "query.events.retention.ms";
    public static final String QUERY_INCIDENTS_RETENTION_MS = "query.incidents.retention.ms";
    public static final String QUERY_THREADS = "query.threads";
    public static final String QUERY_MAX_QUEUED = "query.max.queued";
    public static final String QUERY_MAX_CONNECTIONS = "query.max.connections";
    public static final String QUERY_READ_TIMEOUT_MS = "query.read.timeout.ms";
    public static final String QUERY_IDLE_TIMEOUT_MS = "query.idle.timeout.ms";
    public static final String RUNTIME_RULES_FILE = "runtime.rules.file";

    public static final String APPLICATION_ID_DEFAULT = "nodeincidents-correlate";

    private static final String GROUP_TOPICS = "Topics";
    private static final String GROUP_CORRELATION = "Correlation";
    private static final String GROUP_STREAMS = "Streams";
    private static final String GROUP_QUERY = "Query API";

    /** Every option of ours, plus the Streams settings whose defaults we change. */
    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(JOURNAL_ENTRIES_TOPIC, Type.STRING, EntryProducerConfig.TOPIC_DEFAULT,
                    new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Topic of JournalEntry records keyed by host, as the shipper and replay produce them.",
                    GROUP_TOPICS, 1, ConfigDef.Width.MEDIUM, "Journal entries topic")
            .define(INCIDENTS_TOPIC, Type.STRING, "incidents", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Topic the Incident revisions are written to, keyed by incidentId.",
                    GROUP_TOPICS, 2, ConfigDef.Width.MEDIUM, "Incidents topic")
            .define(FLEET_ALERTS_TOPIC, Type.STRING, "fleet.alerts", new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Topic the FleetAlert records are written to, keyed by alertId.",
                    GROUP_TOPICS, 3, ConfigDef.Width.MEDIUM, "Fleet alerts topic")
            .define(DEAD_LETTER_TOPIC, Type.STRING, "journal.deadletter", new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Topic of DeadLetter records: journal entries that could not be decoded or"
                            + " processed, with the reason and where they were read.",
                    GROUP_TOPICS, 4, ConfigDef.Width.MEDIUM, "Dead-letter topic")
            .define(INCIDENTS_ECS_TOPIC, Type.STRING, "incidents.ecs", Importance.MEDIUM,
                    "Topic of the SIEM feed: every Incident revision again as a JSON document with Elastic Common"
                            + " Schema field names (event.id = incidentId, for upserts), keyed by incidentId, for"
                            + " Logstash, Kafka Connect sinks and Splunk without Avro. Empty: no SIEM feed.",
                    GROUP_TOPICS, 5, ConfigDef.Width.MEDIUM, "Incidents ECS topic")
            .define(TOPIC_CREATE, Type.BOOLEAN, true, Importance.MEDIUM,
                    "correlate creates the topics above when they are missing (existing topics are left as"
                            + " they are).", GROUP_TOPICS, 6, ConfigDef.Width.SHORT, "Create topics")
            .define(TOPIC_PARTITIONS, Type.INT, 6, Range.between(1, 10_000), Importance.MEDIUM,
                    "Partitions of topics correlate creates. journal.entries is keyed by host, so this bounds how"
                            + " many instances can share the work.", GROUP_TOPICS, 7, ConfigDef.Width.SHORT,
                    "Partitions")
            .define(TOPIC_REPLICATION, Type.SHORT, (short) -1, Range.between(-1, 100), Importance.MEDIUM,
                    "Replication factor of topics correlate creates; -1 takes the broker's"
                            + " default.replication.factor, which suits both a one-broker test setup and a cluster.",
                    GROUP_TOPICS, 8, ConfigDef.Width.SHORT, "Replication factor")
            .define(WINDOW_MS, Type.LONG, Duration.ofMinutes(2).toMillis(), Range.atLeast(1), Importance.HIGH,
                    "W: a runtime failure joins a kernel memory event when their event times are at most this far"
                            + " apart (before or after).", GROUP_CORRELATION, 1, ConfigDef.Width.SHORT, "Window W")
            .define(GRACE_MS, Type.LONG, Duration.ofSeconds(30).toMillis(), Range.atLeast(0), Importance.HIGH,
                    "How late (behind its host's time) evidence may arrive and still be joined; incidents resolve"
                            + " gap + grace after their last evidence.", GROUP_CORRELATION, 2, ConfigDef.Width.SHORT,
                    "Grace")
            .define(GAP_MS, Type.LONG, Duration.ofMinutes(10).toMillis(), Range.atLeast(1), Importance.HIGH,
                    "G: kernel evidence closer than this to an open incident belongs to it; an incident quiet for"
                            + " G (plus grace) is resolved. Must be at least the window.", GROUP_CORRELATION, 3,
                    ConfigDef.Width.SHORT, "Gap G")
            .define(UPDATE_INTERVAL_MS, Type.LONG, Duration.ofMinutes(1).toMillis(), Range.atLeast(0),
                    Importance.MEDIUM, "An UPDATED revision of an open incident is emitted at most once per this"
                            + " interval, and only for material changes.", GROUP_CORRELATION, 4,
                    ConfigDef.Width.SHORT, "Update interval")
            .define(RUNTIME_RULES_FILE, Type.STRING, null, Importance.MEDIUM,
                    "A JSON file of runtime and kubelet patterns that extends or overrides the bundled rules (same"
                            + " shape as runtime-rules.json: a new rule name is tried first, a bundled name replaces"
                            + " that rule, \"enabled\": false removes it). Empty: the bundled rules. Checked at start.",
                    GROUP_CORRELATION, 20, ConfigDef.Width.LONG, "Runtime rules file")
            .define(FLEET_HOSTS, Type.INT, 3, Range.atLeast(2), Importance.HIGH,
                    "N: incidents of one cause on this many distinct hosts within fleet.window.ms raise a fleet"
                            + " alert.", GROUP_CORRELATION, 5, ConfigDef.Width.SHORT, "Fleet hosts N")
            .define(FLEET_WINDOW_MS, Type.LONG, Duration.ofMinutes(10).toMillis(), Range.atLeast(1),
                    Importance.HIGH, "Span within which the incidents' first evidence must lie for a fleet alert.",
                    GROUP_CORRELATION, 6, ConfigDef.Width.SHORT, "Fleet window")
            .define(DEDUP_RETENTION_MS, Type.LONG, Duration.ofHours(1).toMillis(), Range.atLeast(1),
                    Importance.MEDIUM, "How long (in event time) a journal entry's identity (host, boot and"
                            + " cursor; file and line for replays) is remembered to drop the copies a shipper"
                            + " restart re-sends.", GROUP_CORRELATION, 7, ConfigDef.Width.SHORT, "Dedup retention")
            .define(EXTRACT_PUNCTUATE_MS, Type.LONG, 5_000L, Range.atLeast(1), Importance.LOW,
                    "How often, in stream time, kernel reports and runtime failures idle past their gap are"
                            + " completed.", GROUP_CORRELATION, 8, ConfigDef.Width.SHORT, "Extraction punctuation")
            .define(EXTRACT_WALLCLOCK_MS, Type.LONG, 5_000L, Range.atLeast(1), Importance.LOW,
                    "How often, in wall-clock time, the same is done with stream time extrapolated by the wall-clock"
                            + " time since it last advanced, so a report completes even when its host (and the"
                            + " partition) goes quiet.", GROUP_CORRELATION, 9, ConfigDef.Width.SHORT,
                    "Extraction wall-clock punctuation")
            .define(CORRELATE_PUNCTUATE_MS, Type.LONG, 10_000L, Range.atLeast(1), Importance.LOW,
                    "How often, in stream time, open incidents are checked for due updates and resolution.",
                    GROUP_CORRELATION, 10, ConfigDef.Width.SHORT, "Correlation punctuation")
            .define(MAX_FUTURE_MS, Type.LONG, Duration.ofDays(1).toMillis(), Range.atLeast(0), Importance.LOW,
                    "An entry whose event time is further than this ahead of its Kafka record timestamp (a host"
                            + " clock gone wild) is placed at the record timestamp, so it cannot drag stream time"
                            + " into the future and make every other entry late.", GROUP_CORRELATION, 11,
                    ConfigDef.Width.SHORT, "Max future skew")
            .define(DEAD_LETTER_MAX_BYTES, Type.INT, 64 * 1024, Range.between(0, 16 * 1024 * 1024),
                    Importance.LOW, "At most this many bytes of a dead record's raw value are kept in its"
                            + " DeadLetter.", GROUP_CORRELATION, 12, ConfigDef.Width.SHORT, "Dead-letter value bound")
            .define(StreamsConfig.APPLICATION_ID_CONFIG, Type.STRING, APPLICATION_ID_DEFAULT,
                    new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Kafka Streams application id: consumer group, prefix of internal topics and state.",
                    GROUP_STREAMS, 1, ConfigDef.Width.MEDIUM, "Application id")
            .define(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, Type.LIST, "127.0.0.1:9092", Importance.HIGH,
                    "Kafka bootstrap servers (host:port, comma separated).", GROUP_STREAMS, 2,
                    ConfigDef.Width.LONG, "Bootstrap servers")
            .define("schema.registry.url", Type.STRING, "http://127.0.0.1:8081", Importance.HIGH,
                    "Schema registry URL(s) speaking the Confluent REST API, or mock://SCOPE for an in-process"
                            + " registry.", GROUP_STREAMS, 3, ConfigDef.Width.LONG, "Schema registry")
            .define(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, Type.STRING, StreamsConfig.EXACTLY_ONCE_V2,
                    ConfigDef.ValidString.in(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE),
                    Importance.MEDIUM, "exactly_once_v2: every incident revision is written once (readers use"
                            + " isolation.level=read_committed); at_least_once trades that for latency.",
                    GROUP_STREAMS, 4, ConfigDef.Width.SHORT, "Processing guarantee")
            .define(StreamsConfig.STATE_DIR_CONFIG, Type.STRING,
                    System.getProperty("java.io.tmpdir") + "/kafka-streams", Importance.MEDIUM,
                    "Directory of the local state stores (RocksDB). Put it on a persistent volume: the stores are"
                            + " rebuilt from their changelogs otherwise, which takes time.", GROUP_STREAMS, 5,
                    ConfigDef.Width.LONG, "State directory")
            .define(QUERY_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Serve the query API (/incidents, /hosts/{host}/events, /health, /ready, /metrics) over HTTP"
                            + " while the correlator runs.", GROUP_QUERY, 1, ConfigDef.Width.SHORT, "Query API")
            .define(QUERY_LISTEN_ADDRESS, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "Address the query API listens on; 0.0.0.0 for every interface (in a"
                            + " container).", GROUP_QUERY, 2, ConfigDef.Width.MEDIUM, "Query listen address")
            .define(QUERY_PORT, Type.INT, 8080, Range.between(0, 65535), Importance.MEDIUM,
                    "Port of the query API (0: a free port). With several instances set application.server to"
                            + " the host:port the other instances reach this API at: any instance then answers for"
                            + " all, forwarding to the one that holds the data.", GROUP_QUERY, 3,
                    ConfigDef.Width.SHORT, "Query port")
            .define(QUERY_TOKEN, Type.PASSWORD, null, Importance.MEDIUM,
                    "Bearer token the query API requires (Authorization: Bearer TOKEN) on every path but /health"
                            + " and /ready; none when unset. Every instance must have the same one.", GROUP_QUERY, 4,
                    ConfigDef.Width.MEDIUM, "Query token")
            .define(QUERY_EVENTS_RETENTION_MS, Type.LONG, Duration.ofDays(7).toMillis(), Range.atLeast(60_000),
                    Importance.LOW, "How long (in event time) each host's parsed kernel and runtime events are kept"
                            + " for /hosts/{host}/events.", GROUP_QUERY, 5, ConfigDef.Width.SHORT,
                    "Events retention")
            .define(QUERY_INCIDENTS_RETENTION_MS, Type.LONG, Duration.ofDays(30).toMillis(), Range.atLeast(60_000),
                    Importance.LOW, "How long (in event time, after its last evidence) an incident stays queryable"
                            + " under /incidents.", GROUP_QUERY, 6, ConfigDef.Width.SHORT, "Incidents retention")
            .define(QUERY_THREADS, Type.INT, QueryServer.Limits.DEFAULT_THREADS, Range.between(1, 256),
                    Importance.LOW, "Worker threads answering queries (every path but /health and /ready, which are"
                            + " answered at once and never wait for a worker).", GROUP_QUERY, 7,
                    ConfigDef.Width.SHORT, "Query threads")
            .define(QUERY_MAX_QUEUED, Type.INT, QueryServer.Limits.DEFAULT_MAX_QUEUED, Range.between(0, 10_000),
                    Importance.LOW, "Queries that may wait for a free worker; beyond that a query is answered 503"
                            + " with Retry-After at once.", GROUP_QUERY, 8, ConfigDef.Width.SHORT, "Queued queries")
            .define(QUERY_MAX_CONNECTIONS, Type.INT, QueryServer.Limits.DEFAULT_MAX_CONNECTIONS,
                    Range.between(2, 100_000), Importance.LOW, "Open connections the query API holds at most. At the"
                            + " bound a new connection is still accepted: the one that has waited longest on its"
                            + " client (sending a request, idle, or reading an answer) is closed instead, so"
                            + " probes always get in. Must exceed query.threads + query.max.queued.", GROUP_QUERY, 9,
                    ConfigDef.Width.SHORT, "Max connections")
            .define(QUERY_READ_TIMEOUT_MS, Type.LONG, QueryServer.Limits.DEFAULT_READ_TIMEOUT.toMillis(),
                    Range.between(100, 600_000), Importance.LOW, "A client must send a request's line and headers"
                            + " within this time (from connecting, or from the first byte of a later request on the"
                            + " same connection); otherwise the connection is closed without an answer.",
                    GROUP_QUERY, 10, ConfigDef.Width.SHORT, "Read timeout")
            .define(QUERY_IDLE_TIMEOUT_MS, Type.LONG, QueryServer.Limits.DEFAULT_IDLE_TIMEOUT.toMillis(),
                    Range.between(100, 3_600_000), Importance.LOW, "A connection on which nothing moves for this"
                            + " long (kept alive between requests, or a client not reading its answer) is closed.",
                    GROUP_QUERY, 11, ConfigDef.Width.SHORT, "Idle timeout");

    private final Map<String, String> original;
    private final RuntimeRules runtimeRules;

    /**
     * Validates {@code settings} (the merged file, environment and command-line layers).
     *
     * @throws ConfigException with a one-line message when a value is invalid
     */
    public CorrelatorSettings(Map<String, ?> settings) {
        super(DEFINITION, settings, false);
        Map<String, String> copy = new LinkedHashMap<>();
        settings.forEach((k, v) -> copy.put(k, v == null ? null : String.valueOf(v)));
        this.original = copy;
        if (getLong(GAP_MS) < getLong(WINDOW_MS)) {
            throw new ConfigException(GAP_MS, getLong(GAP_MS), "must be at least " + WINDOW_MS + " ("
                    + getLong(WINDOW_MS) + ")");
        }
        // connections waiting on a query are never closed to make room, so there must be room beside them
        if (getInt(QUERY_MAX_CONNECTIONS) <= getInt(QUERY_THREADS) + getInt(QUERY_MAX_QUEUED)) {
            throw new ConfigException(QUERY_MAX_CONNECTIONS, getInt(QUERY_MAX_CONNECTIONS), "must exceed "
                    + QUERY_THREADS + " + " + QUERY_MAX_QUEUED + " (" + (getInt(QUERY_THREADS)
                    + getInt(QUERY_MAX_QUEUED)) + ")");
        }
        String rulesFile = getString(RUNTIME_RULES_FILE);
        try {
            runtimeRules = RuntimeRules.load(rulesFile == null || rulesFile.isBlank() ? null : Path.of(rulesFile));
        } catch (RuntimeRulesException e) {
            throw new ConfigException(RUNTIME_RULES_FILE + ": " + e.getMessage());
        }
    }

    /** The runtime and kubelet patterns: the bundled rules with the operator's file applied. */
    public RuntimeRules runtimeRules() {
        return runtimeRules;
    }

    public String journalEntriesTopic() {
        return getString(JOURNAL_ENTRIES_TOPIC);
    }

    public String incidentsTopic() {
        return getString(INCIDENTS_TOPIC);
    }

    /** The SIEM feed's topic, or empty when the feed is off. */
    public java.util.Optional<String> incidentsEcsTopic() {
        String name = getString(INCIDENTS_ECS_TOPIC);
        return name == null || name.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(name.strip());
    }

    public String fleetAlertsTopic() {
        return getString(FLEET_ALERTS_TOPIC);
    }

    public String deadLetterTopic() {
        return getString(DEAD_LETTER_TOPIC);
    }

    public String applicationId() {
        return getString(StreamsConfig.APPLICATION_ID_CONFIG);
    }

    public boolean createTopics() {
        return getBoolean(TOPIC_CREATE);
    }

    public int topicPartitions() {
        return getInt(TOPIC_PARTITIONS);
    }

    public short topicReplicationFactor() {
        return getShort(TOPIC_REPLICATION);
    }

    /** What the per-host steps and their ticks are set with, offline as in the streaming app. */
    public DriverSettings driverSettings() {
        return new DriverSettings(extractionPunctuation(), correlationPunctuation(), dedupRetention(),
                incidentSettings(), fleetSettings());
    }

    public Duration dedupRetention() {
        return Duration.ofMillis(getLong(DEDUP_RETENTION_MS));
    }

    public Duration extractionPunctuation() {
        return Duration.ofMillis(getLong(EXTRACT_PUNCTUATE_MS));
    }

    public Duration extractionWallClockPunctuation() {
        return Duration.ofMillis(getLong(EXTRACT_WALLCLOCK_MS));
    }

    public Duration correlationPunctuation() {
        return Duration.ofMillis(getLong(CORRELATE_PUNCTUATE_MS));
    }

    public long maxFutureMillis() {
        return getLong(MAX_FUTURE_MS);
    }

    public int deadLetterMaxValueBytes() {
        return getInt(DEAD_LETTER_MAX_BYTES);
    }

    public boolean queryEnabled() {
        return getBoolean(QUERY_ENABLED);
    }

    public String queryListenAddress() {
        return getString(QUERY_LISTEN_ADDRESS);
    }

    public int queryPort() {
        return getInt(QUERY_PORT);
    }

    /** The bearer token the query API requires, if one is set. */
    public Optional<String> queryToken() {
        Password token = getPassword(QUERY_TOKEN);
        return token == null || token.value().isEmpty() ? Optional.empty()
                : Optional.of(token.value());
    }

    public Duration queryEventsRetention() {
        return Duration.ofMillis(getLong(QUERY_EVENTS_RETENTION_MS));
    }

    public Duration queryIncidentsRetention() {
        return Duration.ofMillis(getLong(QUERY_INCIDENTS_RETENTION_MS));
    }

    /** Threads, queue, connections and timeouts of the query API. */
    public QueryServer.Limits queryLimits() {
        return new QueryServer.Limits(getInt(QUERY_THREADS), getInt(QUERY_MAX_QUEUED), getInt(QUERY_MAX_CONNECTIONS),
                Duration.ofMillis(getLong(QUERY_READ_TIMEOUT_MS)), Duration.ofMillis(getLong(QUERY_IDLE_TIMEOUT_MS)));
    }

    /** The join and episode semantics (W, grace, G, update interval) for the aggregator; caps keep their defaults. */
    public IncidentSettings incidentSettings() {
        return IncidentSettings.defaults()
                .withWindow(Duration.ofMillis(getLong(WINDOW_MS)))
                .withGap(Duration.ofMillis(getLong(GAP_MS)))
                .withGrace(Duration.ofMillis(getLong(GRACE_MS)))
                .withUpdateInterval(Duration.ofMillis(getLong(UPDATE_INTERVAL_MS)));
    }

    public FleetSettings fleetSettings() {
        FleetSettings defaults = FleetSettings.defaults();
        return new FleetSettings(getInt(FLEET_HOSTS), Duration.ofMillis(getLong(FLEET_WINDOW_MS)),
                defaults.maxHostsListed());
    }

    /**
     * What Kafka Streams and the serdes are configured with: the user's properties (minus our own options, which
     * Streams would warn about) over our defaults for the Streams settings we declare.
     */
    public Map<String, Object> streamsProperties() {
        Map<String, Object> props = new HashMap<>();
        for (String name : new String[] {StreamsConfig.APPLICATION_ID_CONFIG, StreamsConfig.BOOTSTRAP_SERVERS_CONFIG,
                "schema.registry.url", StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.STATE_DIR_CONFIG}) {
            Object value = get(name);
            props.put(name, value instanceof java.util.List<?> list ? String.join(",",
                    list.stream().map(String::valueOf).toList()) : value);
        }
        original.forEach((key, value) -> {
            if (!DEFINITION.configKeys().containsKey(key) && value != null) {
                props.put(key, value);
            }
        });
        return props;
    }
}
