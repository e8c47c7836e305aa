package io.nodeincidents.ingest.ship;

import io.nodeincidents.config.Setting;
import io.nodeincidents.config.Setting.Importance;
import io.nodeincidents.config.Setting.Validator;
import io.nodeincidents.config.SettingsConfigDef;
import io.nodeincidents.ingest.journal.JournalFilter;
import io.nodeincidents.ingest.journal.JournalctlInvocation.StartPosition;
import io.nodeincidents.ingest.produce.EntryProducerConfig;
import io.nodeincidents.nodememory.NodeMemorySampler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The shipper's own settings, declared once (name, type, default, valid values, doc): {@code ship --help} prints
 * them, they come from the {@code --config} file, {@code NODEINCIDENTS_*} environment or {@code -X}, and
 * {@link JournalShipper.Options#defaults()} takes its values from them, so tests run with production defaults.
 */
public final class ShipperSettings {

    public static final Setting<String> JOURNALCTL = Setting.string("ship.journalctl", "journalctl",
            Validator.nonEmpty(), Importance.MEDIUM, "The journalctl binary (run directly, never through a shell).");
    public static final Setting<String> HOST = Setting.string("ship.host", "", null, Importance.MEDIUM,
            "Host for entries without _HOSTNAME, and for memory samples until the first kernel entry was shipped (then"
                    + " they take its _HOSTNAME, to meet the entries); empty: this machine's name (for samples the"
                    + " kernel's, <ship.proc.root>/sys/kernel/hostname).");
    public static final Setting<Boolean> FILTER_KERNEL = Setting.bool("ship.filter.kernel", true, Importance.MEDIUM,
            "Ship kernel messages (_TRANSPORT=kernel). Ignored with --all.");
    public static final Setting<List<String>> FILTER_IDENTIFIERS = Setting.list("ship.filter.identifiers",
            JournalFilter.DEFAULT_IDENTIFIERS, null, Importance.MEDIUM,
            "SYSLOG_IDENTIFIERs to ship. Ignored with --all.");
    public static final Setting<List<String>> FILTER_UNITS = Setting.list("ship.filter.units",
            JournalFilter.DEFAULT_UNITS, null, Importance.MEDIUM,
            "systemd units (_SYSTEMD_UNIT) to ship. Ignored with --all.");
    public static final Setting<Integer> MAX_LINE_BYTES = Setting.integer("ship.max.line.bytes", 1024 * 1024,
            Validator.between(4096, 64 * 1024 * 1024), Importance.LOW,
            "Longest journalctl JSON line read whole; the rest of a longer one is discarded, the entry"
                    + " salvaged from what arrived and marked truncated.");
    public static final Setting<Integer> MAX_FIELD_BYTES = Setting.integer("ship.max.field.bytes", 64 * 1024,
            Validator.between(256, 512 * 1024), Importance.LOW,
            "Longest MESSAGE or other field shipped (UTF-8 bytes); longer ones are cut and the entry marked"
                    + " truncated.");
    public static final Setting<Integer> MAX_FIELDS_BYTES = Setting.integer("ship.max.fields.bytes", 64 * 1024,
            Validator.between(0, 512 * 1024), Importance.LOW,
            "All other fields of one entry together (bytes); fields beyond are dropped, the entry marked"
                    + " truncated.");
    public static final Setting<Integer> INFLIGHT_ENTRIES = Setting.integer("ship.inflight.max.entries", 10_000,
            Validator.between(1, 1_000_000), Importance.MEDIUM,
            "Entries sent to Kafka and not yet acknowledged, at most: when reached, the shipper stops"
                    + " reading journalctl (backpressure). Also the most a crash can make repeat.");
    public static final Setting<Long> INFLIGHT_BYTES = Setting.longInt("ship.inflight.max.bytes",
            16L * 1024 * 1024, Validator.between(64 * 1024, 1L << 31), Importance.MEDIUM,
            "Size of those entries (as JSON lines), at most: bounds memory.");
    public static final Setting<Duration> IDLE_ADVANCE = Setting.millis("ship.cursor.idle.advance.ms",
            Duration.ofSeconds(5), Validator.atLeast(100), Importance.LOW,
            "Quiet time after which the cursor moves over entries the filter skipped (after journalctl"
                    + " confirmed none matches), so a restart does not read them again.");
    public static final Setting<Duration> SAVE_INTERVAL = Setting.millis("ship.cursor.save.interval.ms",
            Duration.ofMillis(500), Validator.between(10, 60_000), Importance.LOW,
            "How often the cursor file is written (atomically, fsynced) when the acknowledged position"
                    + " moved. A crash repeats at most this much acknowledged work plus what was in flight."
                    + " Each write costs two fsyncs (about 0.3 ms of CPU, mostly the kernel's): 500 ms keeps"
                    + " that under 0.1% of a core at a steady rate.");
    public static final Setting<Duration> STATUS_INTERVAL = Setting.millis("ship.status.interval.ms",
            Duration.ofMinutes(1), Validator.atLeast(0), Importance.LOW,
            "How often a one-line status is logged; 0: never.");
    public static final Setting<Duration> BACKOFF_MIN = Setting.millis("ship.restart.backoff.min.ms",
            Duration.ofSeconds(1), Validator.between(10, 600_000), Importance.LOW,
            "First wait before starting journalctl again (or retrying the schema registry); doubles up to"
                    + " the maximum.");
    public static final Setting<Duration> BACKOFF_MAX = Setting.millis("ship.restart.backoff.max.ms",
            Duration.ofSeconds(30), Validator.between(10, 3_600_000), Importance.LOW, "Longest such wait.");
    public static final Setting<Duration> SHUTDOWN_TIMEOUT = Setting.millis("ship.shutdown.timeout.ms",
            Duration.ofSeconds(10), Validator.between(0, 600_000), Importance.LOW,
            "On SIGTERM, how long to wait for entries in flight to be acknowledged before saving the"
                    + " cursor and exiting (what is not acknowledged is read again at the next start).");
    public static final Setting<String> METRICS_ADDRESS = Setting.string("ship.metrics.address", "127.0.0.1",
            Validator.nonEmpty(), Importance.LOW,
            "Address of the Prometheus endpoint (/metrics, and /cursor with the last saved cursor).");
    public static final Setting<Integer> METRICS_PORT = Setting.integer("ship.metrics.port", 9464,
            Validator.between(-1, 65535), Importance.LOW,
            "Port of the Prometheus endpoint; 0 picks a free one, -1 disables it.");

    public static final Setting<Duration> MEMORY_SAMPLE_INTERVAL = Setting.millis("ship.memory.sample.interval.ms",
            Duration.ofSeconds(30), Validator.of("0, or [1000,...,3600000]", v -> {
                long ms = (Long) v;
                return ms == 0 || ms >= 1000 && ms <= 3_600_000 ? null
                        : "Value must be 0 (no sampling) or from 1000 to 3600000";
            }), Importance.MEDIUM,
            "How often the node's memory counters are read (buddyinfo, zoneinfo, vmstat, meminfo; pagetypeinfo and"
                    + " debugfs' extfrag indices where readable) and produced as a NodeMemorySample keyed by host to"
                    + " node.memory.topic, while following the journal (not with --no-follow); 0: no sampling.");
    public static final Setting<String> PROC_ROOT = Setting.string("ship.proc.root", "/proc", Validator.nonEmpty(),
            Importance.LOW, "Where memory samples read /proc. buddyinfo, zoneinfo, vmstat and meminfo are not"
                    + " namespaced: a container's own /proc shows the node's.");
    public static final Setting<String> SYS_ROOT = Setting.string("ship.sys.root", "/sys", Validator.nonEmpty(),
            Importance.LOW, "Where memory samples read /sys (debugfs' kernel/debug/extfrag, root only).");
    public static final Setting<Integer> PAGE_SIZE_KB = Setting.integer("ship.page.size.kb", 4,
            Validator.of("a power of two in [1,...,1024]", v -> {
                int kb = (Integer) v;
                return kb >= 1 && kb <= 1024 && Integer.bitCount(kb) == 1 ? null
                        : "Value must be a power of two from 1 to 1024";
            }), Importance.LOW,
            "The node's page size in kB (getconf PAGESIZE / 1024): 4 on x86_64 and most arm64, 16 or 64 on some arm64"
                    + " and ppc64 kernels. A free block of order k is 2^k pages.");

    /** Everything {@code ship} reads: the producer's settings shared with replay, then the shipper's own. */
    public static final List<Setting<?>> SETTINGS = Stream.concat(EntryProducerConfig.SETTINGS.stream(),
            Stream.of(JOURNALCTL, HOST, FILTER_KERNEL, FILTER_IDENTIFIERS, FILTER_UNITS, MAX_LINE_BYTES,
                    MAX_FIELD_BYTES, MAX_FIELDS_BYTES, INFLIGHT_ENTRIES, INFLIGHT_BYTES, IDLE_ADVANCE, SAVE_INTERVAL,
                    STATUS_INTERVAL, BACKOFF_MIN, BACKOFF_MAX, SHUTDOWN_TIMEOUT, METRICS_ADDRESS, METRICS_PORT,
                    EntryProducerConfig.NODE_MEMORY_TOPIC, MEMORY_SAMPLE_INTERVAL, PROC_ROOT, SYS_ROOT, PAGE_SIZE_KB))
            .toList();

    public static final ConfigDef DEFINITION = SettingsConfigDef.of(SETTINGS);

    private final Map<String, Object> values;

    /**
     * Parses and validates the settings.
     *
     * @throws org.apache.kafka.common.config.ConfigException on a wrong type or value
     */
    public ShipperSettings(Map<String, ?> settings) {
        this.values = DEFINITION.parse(settings);
    }

    /** Every setting at its default. */
    public static ShipperSettings defaults() {
        return new ShipperSettings(Map.of());
    }

    /** The value of {@code setting}, as the program uses it. */
    public <T> T get(Setting<T> setting) {
        return SettingsConfigDef.value(setting, values.get(setting.name()));
    }

    public String journalctl() {
        return get(JOURNALCTL);
    }

    public String host() {
        return get(HOST);
    }

    /** The filter, or every entry when {@code all}. */
    public JournalFilter filter(boolean all) {
        if (all) {
            return JournalFilter.everything();
        }
        return new JournalFilter(false, get(FILTER_KERNEL), get(FILTER_IDENTIFIERS), get(FILTER_UNITS));
    }

    /** How the shipper behaves with these settings. */
    public JournalShipper.Options options(StartPosition firstStart, JournalFilter filter, boolean follow) {
        return new JournalShipper.Options(firstStart, filter, follow, maxLineBytes(), inFlightEntries(),
                inFlightBytes(), get(IDLE_ADVANCE), get(SAVE_INTERVAL), get(STATUS_INTERVAL), get(BACKOFF_MIN),
                get(BACKOFF_MAX), get(SHUTDOWN_TIMEOUT));
    }

    public int maxLineBytes() {
        return get(MAX_LINE_BYTES);
    }

    public int maxFieldBytes() {
        return get(MAX_FIELD_BYTES);
    }

    public int maxFieldsBytes() {
        return get(MAX_FIELDS_BYTES);
    }

    public int inFlightEntries() {
        return get(INFLIGHT_ENTRIES);
    }

    public long inFlightBytes() {
        return get(INFLIGHT_BYTES);
    }

    public String metricsAddress() {
        return get(METRICS_ADDRESS);
    }

    public int metricsPort() {
        return get(METRICS_PORT);
    }

    /** How often memory is sampled; zero: never. */
    public Duration memorySampleInterval() {
        return get(MEMORY_SAMPLE_INTERVAL);
    }

    public String nodeMemoryTopic() {
        return get(EntryProducerConfig.NODE_MEMORY_TOPIC);
    }

    /** Reads the node's memory files where these settings say, with its page size. */
    public NodeMemorySampler memorySampler() {
        return new NodeMemorySampler(Path.of(get(PROC_ROOT)), Path.of(get(SYS_ROOT)), get(PAGE_SIZE_KB));
    }
}
