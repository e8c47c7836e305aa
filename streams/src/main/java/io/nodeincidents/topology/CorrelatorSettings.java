package io.nodeincidents.topology;

import io.nodeincidents.alerting.AlertmanagerSender;
import io.nodeincidents.alerting.AlertmanagerSettings;
import io.nodeincidents.config.Setting;
import io.nodeincidents.config.Setting.Importance;
import io.nodeincidents.config.Setting.Validator;
import io.nodeincidents.config.SettingsConfigDef;
import io.nodeincidents.correlation.DriverSettings;
import io.nodeincidents.fleet.FleetSettings;
import io.nodeincidents.forecast.ForecastSettings;
import io.nodeincidents.incident.IncidentSettings;
import io.nodeincidents.ingest.cli.KafkaClientSettings;
import io.nodeincidents.query.QueryServer;
import io.nodeincidents.runtime.RuntimeRules;
import io.nodeincidents.runtime.RuntimeRulesException;
import io.nodeincidents.trust.TrustSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The correlator's options. Each is declared once as a {@link Setting} (name, type, default, valid values, doc):
 * the topics in {@link Topics}, the correlation windows in {@link IncidentSettings} and {@link FleetSettings}, the
 * client keys in {@link KafkaClientSettings}, the rest here. {@link #DEFINITION} is built from them: what
 * {@code correlate --help} prints and what validates a configuration. Any other property (Kafka client, Streams,
 * schema registry) passes through unchanged to Kafka Streams and the serdes; {@link #streamsProperties()} puts our
 * defaults under them.
 */
public final class CorrelatorSettings extends AbstractConfig {

    public static final Setting<Duration> DEDUP_RETENTION = Setting.millis("dedup.retention.ms",
            Duration.ofHours(1), Validator.atLeast(1), Importance.MEDIUM, "How long (in event time) a journal"
                    + " entry's identity (host, boot and cursor; file and line for replays) is remembered to drop the"
                    + " copies a shipper restart re-sends.");
    public static final Setting<Duration> EXTRACT_PUNCTUATION = Setting.millis("extraction.punctuate.interval.ms",
            Duration.ofSeconds(5), Validator.atLeast(1), Importance.LOW, "How often, in stream time, kernel reports"
                    + " and runtime failures idle past their gap are completed.");
    public static final Setting<Duration> EXTRACT_WALLCLOCK_PUNCTUATION = Setting.millis(
            "extraction.wallclock.punctuate.interval.ms", Duration.ofSeconds(5), Validator.atLeast(1),
            Importance.LOW, "How often, in wall-clock time, the same is done with stream time extrapolated by the"
                    + " wall-clock time since it last advanced, so a report completes even when its host (and the"
                    + " partition) goes quiet.");
    public static final Setting<Duration> CORRELATE_PUNCTUATION = Setting.millis("correlation.punctuate.interval.ms",
            Duration.ofSeconds(10), Validator.atLeast(1), Importance.LOW, "How often, in stream time, open incidents"
                    + " are checked for due updates and resolution.");
    public static final Setting<Duration> MAX_FUTURE = Setting.millis("event.time.max.future.ms", Duration.ofDays(1),
            Validator.atLeast(0), Importance.LOW, "An entry whose event time is further than this ahead of its Kafka"
                    + " record timestamp (a host clock gone wild) is placed at the record timestamp, so it cannot"
                    + " drag stream time into the future and make every other entry late.");
    public static final Setting<Integer> DEAD_LETTER_VALUE_BYTES = Setting.integer("deadletter.max.value.bytes",
            64 * 1024, Validator.between(0, 16 * 1024 * 1024), Importance.LOW,
            "At most this many bytes of a dead record's raw value are kept in its DeadLetter.");
    public static final Setting<String> RUNTIME_RULES = Setting.string("runtime.rules.file", null, null,
            Importance.MEDIUM, "A JSON file of runtime and kubelet patterns that extends or overrides the bundled"
                    + " rules (same shape as runtime-rules.json: a new rule name is tried first, a bundled name"
                    + " replaces that rule, \"enabled\": false removes it). Empty: the bundled rules. Checked at"
                    + " start.");

    public static final String APPLICATION_ID_DEFAULT = "nodeincidents-correlate";

    public static final Setting<String> APPLICATION_ID = Setting.string(StreamsConfig.APPLICATION_ID_CONFIG,
            APPLICATION_ID_DEFAULT, Validator.nonEmpty(), Importance.HIGH,
            "Kafka Streams application id: consumer group, prefix of internal topics and state.");
    public static final Setting<String> PROCESSING_GUARANTEE = Setting.string(
            StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2,
            Validator.oneOf(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE), Importance.MEDIUM,
            "exactly_once_v2: every incident revision is written once (readers use isolation.level=read_committed);"
                    + " at_least_once trades that for latency.");
    public static final Setting<String> STATE_DIR = Setting.string(StreamsConfig.STATE_DIR_CONFIG,
            System.getProperty("java.io.tmpdir") + "/kafka-streams", null, Importance.MEDIUM,
            "Directory of the local state stores (RocksDB). Put it on a persistent volume: the stores are rebuilt"
                    + " from their changelogs otherwise, which takes time.");

    public static final Setting<Boolean> QUERY_API = Setting.bool("query.enabled", true, Importance.MEDIUM,
            "Serve the query API (/incidents, /hosts/{host}/events, /health, /ready, /metrics) over HTTP while the"
                    + " correlator runs.");
    public static final Setting<String> QUERY_ADDRESS = Setting.string("query.listen.address", "127.0.0.1",
            Validator.nonEmpty(), Importance.MEDIUM,
            "Address the query API listens on; 0.0.0.0 for every interface (in a container).");
    public static final Setting<Integer> QUERY_PORT_NUMBER = Setting.integer("query.port", 8080,
            Validator.between(0, 65535), Importance.MEDIUM, "Port of the query API (0: a free port). With several"
                    + " instances set application.server to the host:port the other instances reach this API at: any"
                    + " instance then answers for all, forwarding to the one that holds the data.");
    public static final Setting<String> QUERY_BEARER_TOKEN = Setting.password("query.token", Importance.MEDIUM,
            "Bearer token the query API requires (Authorization: Bearer TOKEN) on every path but /health and"
                    + " /ready; none when unset. Every instance must have the same one.");
    public static final Setting<Duration> QUERY_EVENTS_RETENTION = Setting.millis("query.events.retention.ms",
            Duration.ofDays(7), Validator.atLeast(60_000), Importance.LOW, "How long (in event time) each host's"
                    + " parsed kernel and runtime events are kept for /hosts/{host}/events.");
    public static final Setting<Duration> QUERY_INCIDENTS_RETENTION = Setting.millis("query.incidents.retention.ms",
            Duration.ofDays(30), Validator.atLeast(60_000), Importance.LOW, "How long (in event time, after its last"
                    + " evidence) an incident stays queryable under /incidents.");
    public static final Setting<Integer> QUERY_WORKERS = Setting.integer("query.threads",
            QueryServer.Limits.DEFAULT_THREADS, Validator.between(1, 256), Importance.LOW, "Worker threads"
                    + " answering queries (every path but /health and /ready, which are answered at once and never"
                    + " wait for a worker).");
    public static final Setting<Integer> QUERY_QUEUE = Setting.integer("query.max.queued",
            QueryServer.Limits.DEFAULT_MAX_QUEUED, Validator.between(0, 10_000), Importance.LOW, "Queries that may"
                    + " wait for a free worker; beyond that a query is answered 503 with Retry-After at once.");
    public static final Setting<Integer> QUERY_CONNECTIONS = Setting.integer("query.max.connections",
            QueryServer.Limits.DEFAULT_MAX_CONNECTIONS, Validator.between(2, 100_000), Importance.LOW, "Open"
                    + " connections the query API holds at most. At the bound a new connection is still accepted:"
                    + " the one that has waited longest on its client (sending a request, idle, or reading an"
                    + " answer) is closed instead, so probes always get in. Must exceed query.threads +"
                    + " query.max.queued.");
    public static final Setting<Duration> QUERY_READ_TIMEOUT = Setting.millis("query.read.timeout.ms",
            QueryServer.Limits.DEFAULT_READ_TIMEOUT, Validator.between(100, 600_000), Importance.LOW, "A client must"
                    + " send a request's line and headers within this time (from connecting, or from the first byte"
                    + " of a later request on the same connection); otherwise the connection is closed without an"
                    + " answer.");
    public static final Setting<Duration> QUERY_IDLE_TIMEOUT = Setting.millis("query.idle.timeout.ms",
            QueryServer.Limits.DEFAULT_IDLE_TIMEOUT, Validator.between(100, 3_600_000), Importance.LOW, "A connection"
                    + " on which nothing moves for this long (kept alive between requests, or a client not reading"
                    + " its answer) is closed.");

    public static final Setting<Long> ROCKSDB_MEMORY = Setting.longInt("rocksdb.memory.bytes", 128L << 20,
            Validator.atLeast(1L << 20), Importance.MEDIUM, "Off-heap memory of all state stores of this instance"
                    + " together (RocksDB's one shared block cache, memtables included): what the JVM's RSS adds to"
                    + " the heap for state, whatever the number of partitions.");
    public static final Setting<Long> ROCKSDB_MEMTABLES = Setting.longInt("rocksdb.memtable.bytes", 32L << 20,
            Validator.atLeast(1L << 20), Importance.LOW, "The part of rocksdb.memory.bytes that memtables (writes"
                    + " not yet flushed) may take.");
    public static final Setting<String> ROCKSDB_CONFIG_SETTER = Setting.string(
            StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class.getName(), null,
            Importance.LOW, "Kafka Streams' RocksDB configuration class; the default bounds the stores' memory to"
                    + " rocksdb.memory.bytes.");

    /** The Kafka Streams and client settings whose values (ours or the user's) Streams and the serdes get. */
    private static final List<Setting<?>> FORWARDED = Stream.of(List.<Setting<?>>of(APPLICATION_ID),
            KafkaClientSettings.ALL, List.<Setting<?>>of(PROCESSING_GUARANTEE, STATE_DIR, ROCKSDB_CONFIG_SETTER,
                    ROCKSDB_MEMORY, ROCKSDB_MEMTABLES))
            .<Setting<?>>flatMap(List::stream).toList();

    /** Every option of ours, plus the Streams settings whose defaults we change, in {@code --help}'s order. */
    public static final List<Setting<?>> SETTINGS = Stream.of(
            Topics.SETTINGS,
            IncidentSettings.SETTINGS,
            List.<Setting<?>>of(RUNTIME_RULES),
            TrustSettings.SETTINGS,
            FleetSettings.SETTINGS,
            ForecastSettings.SETTINGS,
            List.<Setting<?>>of(DEDUP_RETENTION, EXTRACT_PUNCTUATION, EXTRACT_WALLCLOCK_PUNCTUATION,
                    CORRELATE_PUNCTUATION, MAX_FUTURE, DEAD_LETTER_VALUE_BYTES),
            FORWARDED,
            List.<Setting<?>>of(QUERY_API, QUERY_ADDRESS, QUERY_PORT_NUMBER, QUERY_BEARER_TOKEN,
                    QUERY_EVENTS_RETENTION, QUERY_INCIDENTS_RETENTION, QUERY_WORKERS, QUERY_QUEUE,
                    QUERY_CONNECTIONS, QUERY_READ_TIMEOUT, QUERY_IDLE_TIMEOUT),
            AlertmanagerSettings.SETTINGS)
            .<Setting<?>>flatMap(List::stream).toList();

    public static final ConfigDef DEFINITION = SettingsConfigDef.of(SETTINGS);

    public static final String JOURNAL_ENTRIES_TOPIC = Topics.JOURNAL_ENTRIES.nameSetting().name();
    public static final String INCIDENTS_TOPIC = Topics.INCIDENTS_NAME.name();
    public static final String FLEET_ALERTS_TOPIC = Topics.FLEET_ALERTS_NAME.name();
    public static final String DEAD_LETTER_TOPIC = Topics.DEAD_LETTERS_NAME.name();
    public static final String INCIDENTS_ECS_TOPIC = Topics.INCIDENTS_ECS_NAME.name();
    public static final String NODE_MEMORY_TOPIC = Topics.NODE_MEMORY.nameSetting().name();
    public static final String MEMORY_FORECASTS_TOPIC = Topics.MEMORY_FORECASTS_NAME.name();
    public static final String WINDOW_MS = IncidentSettings.WINDOW.name();
    public static final String GRACE_MS = IncidentSettings.GRACE.name();
    public static final String GAP_MS = IncidentSettings.GAP.name();
    public static final String UPDATE_INTERVAL_MS = IncidentSettings.UPDATE_INTERVAL.name();
    public static final String FLEET_HOSTS = FleetSettings.HOST_THRESHOLD.name();
    public static final String FLEET_WINDOW_MS = FleetSettings.WINDOW.name();
    public static final String DEDUP_RETENTION_MS = DEDUP_RETENTION.name();
    public static final String EXTRACT_PUNCTUATE_MS = EXTRACT_PUNCTUATION.name();
    public static final String EXTRACT_WALLCLOCK_MS = EXTRACT_WALLCLOCK_PUNCTUATION.name();
    public static final String CORRELATE_PUNCTUATE_MS = CORRELATE_PUNCTUATION.name();
    public static final String MAX_FUTURE_MS = MAX_FUTURE.name();
    public static final String DEAD_LETTER_MAX_BYTES = DEAD_LETTER_VALUE_BYTES.name();
    public static final String TOPIC_PARTITIONS = Topics.PARTITIONS.name();
    public static final String TOPIC_REPLICATION = Topics.REPLICATION_FACTOR.name();
    public static final String TOPIC_CREATE = Topics.CREATE.name();
    public static final String QUERY_ENABLED = QUERY_API.name();
    public static final String QUERY_LISTEN_ADDRESS = QUERY_ADDRESS.name();
    public static final String QUERY_PORT = QUERY_PORT_NUMBER.name();
    public static final String QUERY_TOKEN = QUERY_BEARER_TOKEN.name();
    public static final String QUERY_EVENTS_RETENTION_MS = QUERY_EVENTS_RETENTION.name();
    public static final String QUERY_INCIDENTS_RETENTION_MS = QUERY_INCIDENTS_RETENTION.name();
    public static final String QUERY_THREADS = QUERY_WORKERS.name();
    public static final String QUERY_MAX_QUEUED = QUERY_QUEUE.name();
    public static final String QUERY_MAX_CONNECTIONS = QUERY_CONNECTIONS.name();
    public static final String QUERY_READ_TIMEOUT_MS = QUERY_READ_TIMEOUT.name();
    public static final String QUERY_IDLE_TIMEOUT_MS = QUERY_IDLE_TIMEOUT.name();
    public static final String RUNTIME_RULES_FILE = RUNTIME_RULES.name();

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
    public Optional<String> incidentsEcsTopic() {
        String name = getString(INCIDENTS_ECS_TOPIC);
        return name == null || name.isBlank() ? Optional.empty() : Optional.of(name.strip());
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

    /** Where and how incident revisions are posted to Alertmanager; empty when alertmanager.url is not set. */
    public Optional<AlertmanagerSender.Options> alertmanager() {
        String url = get(AlertmanagerSettings.URL);
        if (url == null || url.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(AlertmanagerSender.Options.of(URI.create(url.strip()), get(AlertmanagerSettings.TIMEOUT),
                get(AlertmanagerSettings.RESEND_INTERVAL), get(AlertmanagerSettings.QUEUE_CAPACITY),
                get(AlertmanagerSettings.MAX_OPEN)));
    }

    /** The base URL alerts link to (alertmanager.generator.url), when set. */
    public Optional<String> alertmanagerGeneratorBase() {
        String base = get(AlertmanagerSettings.GENERATOR_BASE);
        return base == null || base.isBlank() ? Optional.empty() : Optional.of(base.strip());
    }

    /** The value of {@code setting}, as the program uses it. */
    public <T> T get(Setting<T> setting) {
        return SettingsConfigDef.value(setting, get(setting.name()));
    }

    /** The join and episode semantics (W, grace, G, update interval) for the aggregator; caps keep their defaults. */
    public IncidentSettings incidentSettings() {
        return IncidentSettings.defaults()
                .withWindow(get(IncidentSettings.WINDOW))
                .withGap(get(IncidentSettings.GAP))
                .withGrace(get(IncidentSettings.GRACE))
                .withUpdateInterval(get(IncidentSettings.UPDATE_INTERVAL));
    }

    /** Which journal entries may be evidence of what. */
    public TrustSettings trustSettings() {
        return new TrustSettings(get(TrustSettings.RUNTIME_UNITS), get(TrustSettings.RUNTIME_COMMS),
                get(TrustSettings.REFUSE_CONTAINER_ENTRIES), get(TrustSettings.RUNTIME_CONTAINERS));
    }

    /** When a host's free high-order blocks are a risk. */
    public ForecastSettings forecastSettings() {
        return ForecastSettings.of(get(ForecastSettings.ORDERS_WATCHED), get(ForecastSettings.LEGACY_ORDERS),
                get(ForecastSettings.THRESHOLD), get(ForecastSettings.HORIZON), get(ForecastSettings.TREND_WINDOW));
    }

    public FleetSettings fleetSettings() {
        FleetSettings defaults = FleetSettings.defaults();
        return new FleetSettings(get(FleetSettings.HOST_THRESHOLD), get(FleetSettings.WINDOW),
                defaults.maxHostsListed());
    }

    /**
     * What Kafka Streams and the serdes are configured with: the user's properties (minus our own options, which
     * Streams would warn about) over our defaults for the Streams and client settings we declare.
     */
    public Map<String, Object> streamsProperties() {
        Map<String, Object> props = new HashMap<>();
        for (Setting<?> setting : FORWARDED) {
            Object value = get(setting.name());
            if (value instanceof Password password) {
                value = password.value();
            } else if (value instanceof List<?> list) {
                value = String.join(",", list.stream().map(String::valueOf).toList());
            }
            if (value != null) {
                props.put(setting.name(), value);
            }
        }
        original.forEach((key, value) -> {
            if (!DEFINITION.configKeys().containsKey(key) && value != null) {
                props.put(key, value);
            }
        });
        return props;
    }
}
