package io.nodeincidents.ingest.ship;

import io.nodeincidents.ingest.journal.JournalFilter;
import io.nodeincidents.ingest.produce.EntryProducerConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The shipper's own settings, declared once (name, type, default, valid values, doc): {@code ship --help} prints
 * them, and they come from the {@code --config} file, {@code NODEINCIDENTS_*} environment or {@code -X}.
 */
public final class ShipperSettings {

    public static final String JOURNALCTL = "ship.journalctl";
    public static final String HOST = "ship.host";
    public static final String FILTER_KERNEL = "ship.filter.kernel";
    public static final String FILTER_IDENTIFIERS = "ship.filter.identifiers";
    public static final String FILTER_UNITS = "ship.filter.units";
    public static final String MAX_LINE_BYTES = "ship.max.line.bytes";
    public static final String MAX_FIELD_BYTES = "ship.max.field.bytes";
    public static final String MAX_FIELDS_BYTES = "ship.max.fields.bytes";
    public static final String INFLIGHT_ENTRIES = "ship.inflight.max.entries";
    public static final String INFLIGHT_BYTES = "ship.inflight.max.bytes";
    public static final String IDLE_ADVANCE_MS = "ship.cursor.idle.advance.ms";
    public static final String SAVE_INTERVAL_MS = "ship.cursor.save.interval.ms";
    public static final String STATUS_INTERVAL_MS = "ship.status.interval.ms";
    public static final String BACKOFF_MIN_MS = "ship.restart.backoff.min.ms";
    public static final String BACKOFF_MAX_MS = "ship.restart.backoff.max.ms";
    public static final String SHUTDOWN_TIMEOUT_MS = "ship.shutdown.timeout.ms";
    public static final String METRICS_ADDRESS = "ship.metrics.address";
    public static final String METRICS_PORT = "ship.metrics.port";

    public static final ConfigDef DEFINITION = new ConfigDef(EntryProducerConfig.DEFINITION)
            .define(JOURNALCTL, Type.STRING, "journalctl", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "The journalctl binary (run directly, never through a shell).")
            .define(HOST, Type.STRING, "", Importance.MEDIUM,
                    "Host for entries without _HOSTNAME; empty: this machine's name.")
            .define(FILTER_KERNEL, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Ship kernel messages (_TRANSPORT=kernel). Ignored with --all.")
            .define(FILTER_IDENTIFIERS, Type.LIST, String.join(",", JournalFilter.DEFAULT_IDENTIFIERS),
                    Importance.MEDIUM, "SYSLOG_IDENTIFIERs to ship. Ignored with --all.")
            .define(FILTER_UNITS, Type.LIST, String.join(",", JournalFilter.DEFAULT_UNITS), Importance.MEDIUM,
                    "systemd units (_SYSTEMD_UNIT) to ship. Ignored with --all.")
            .define(MAX_LINE_BYTES, Type.INT, 1024 * 1024, Range.between(4096, 64 * 1024 * 1024), Importance.LOW,
                    "Longest journalctl JSON line read whole; the rest of a longer one is discarded, the entry"
                            + " salvaged from what arrived and marked truncated.")
            .define(MAX_FIELD_BYTES, Type.INT, 64 * 1024, Range.between(256, 512 * 1024), Importance.LOW,
                    "Longest MESSAGE or other field shipped (UTF-8 bytes); longer ones are cut and the entry marked"
                            + " truncated.")
            .define(MAX_FIELDS_BYTES, Type.INT, 64 * 1024, Range.between(0, 512 * 1024), Importance.LOW,
                    "All other fields of one entry together (bytes); fields beyond are dropped, the entry marked"
                            + " truncated.")
            .define(INFLIGHT_ENTRIES, Type.INT, 10_000, Range.between(1, 1_000_000), Importance.MEDIUM,
                    "Entries sent to Kafka and not yet acknowledged, at most: when reached, the shipper stops"
                            + " reading journalctl (backpressure). Also the most a crash can make repeat.")
            .define(INFLIGHT_BYTES, Type.LONG, 16L * 1024 * 1024, Range.between(64 * 1024, 1L << 31),
                    Importance.MEDIUM, "Size of those entries (as JSON lines), at most: bounds memory.")
            .define(IDLE_ADVANCE_MS, Type.LONG, 5000L, Range.atLeast(100), Importance.LOW,
                    "Quiet time after which the cursor moves over entries the filter skipped (after journalctl"
                            + " confirmed none matches), so a restart does not read them again.")
            .define(SAVE_INTERVAL_MS, Type.LONG, 500L, Range.between(10, 60_000), Importance.LOW,
                    "How often the cursor file is written (atomically, fsynced) when the acknowledged position"
                            + " moved. A crash repeats at most this much acknowledged work plus what was in flight."
                            + " Each write costs two fsyncs (about 0.3 ms of CPU, mostly the kernel's): 500 ms keeps"
                            + " that under 0.1% of a core at a steady rate.")
            .define(STATUS_INTERVAL_MS, Type.LONG, 60_000L, Range.atLeast(0), Importance.LOW,
                    "How often a one-line status is logged; 0: never.")
            .define(BACKOFF_MIN_MS, Type.LONG, 1000L, Range.between(10, 600_000), Importance.LOW,
                    "First wait before starting journalctl again (or retrying the schema registry); doubles up to"
                            + " the maximum.")
            .define(BACKOFF_MAX_MS, Type.LONG, 30_000L, Range.between(10, 3_600_000), Importance.LOW,
                    "Longest such wait.")
            .define(SHUTDOWN_TIMEOUT_MS, Type.LONG, 10_000L, Range.between(0, 600_000), Importance.LOW,
                    "On SIGTERM, how long to wait for entries in flight to be acknowledged before saving the"
                            + " cursor and exiting (what is not acknowledged is read again at the next start).")
            .define(METRICS_ADDRESS, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Address of the Prometheus endpoint (/metrics, and /cursor with the last saved cursor).")
            .define(METRICS_PORT, Type.INT, 9464, Range.between(-1, 65535), Importance.LOW,
                    "Port of the Prometheus endpoint; 0 picks a free one, -1 disables it.");

    private final Map<String, Object> values;

    /**
     * Parses and validates the settings.
     *
     * @throws org.apache.kafka.common.config.ConfigException on a wrong type or value
     */
    public ShipperSettings(Map<String, ?> settings) {
        this.values = DEFINITION.parse(settings);
    }

    public String journalctl() {
        return (String) values.get(JOURNALCTL);
    }

    public String host() {
        return (String) values.get(HOST);
    }

    /** The filter, or every entry when {@code all}. */
    @SuppressWarnings("unchecked")
    public JournalFilter filter(boolean all) {
        if (all) {
            return JournalFilter.everything();
        }
        return new JournalFilter(false, (Boolean) values.get(FILTER_KERNEL),
                (List<String>) values.get(FILTER_IDENTIFIERS), (List<String>) values.get(FILTER_UNITS));
    }

    public int maxLineBytes() {
        return (Integer) values.get(MAX_LINE_BYTES);
    }

    public int maxFieldBytes() {
        return (Integer) values.get(MAX_FIELD_BYTES);
    }

    public int maxFieldsBytes() {
        return (Integer) values.get(MAX_FIELDS_BYTES);
    }

    public int inFlightEntries() {
        return (Integer) values.get(INFLIGHT_ENTRIES);
    }

    public long inFlightBytes() {
        return (Long) values.get(INFLIGHT_BYTES);
    }

    public Duration millis(String key) {
        return Duration.ofMillis((Long) values.get(key));
    }

    public String metricsAddress() {
        return (String) values.get(METRICS_ADDRESS);
    }

    public int metricsPort() {
        return (Integer) values.get(METRICS_PORT);
    }
}
