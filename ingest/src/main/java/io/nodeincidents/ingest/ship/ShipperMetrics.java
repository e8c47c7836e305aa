package io.nodeincidents.ingest.ship;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * What the shipper counts, in a Micrometer Prometheus registry: entries read, shipped, filtered (counted from the
 * gaps in journald's sequence numbers between the entries journalctl let through), truncated and failed; journalctl
 * restarts; resumes after the journal was vacuumed past the saved cursor; entries in flight; lag (now minus the
 * event time of the newest entry Kafka acknowledged); and the last saved cursor. Of the memory samples: those Kafka
 * acknowledged, those that could not be read or sent, the read time of the newest acknowledged one, and how many
 * sources the last one lacked.
 */
public final class ShipperMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter read;
    private final Counter shipped;
    private final Counter filtered;
    private final Counter truncated;
    private final Counter failed;
    private final Counter restarts;
    private final Counter cursorLost;
    private final Counter cursorSaves;
    private final Counter memorySamples;
    private final Counter memorySampleFailures;
    private final AtomicLong lastMemorySampleMicros = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong unreadableMemorySources = new AtomicLong();
    private final AtomicLong newestShippedMicros = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong savedSeqnum = new AtomicLong(-1);
    private final AtomicReference<String> savedCursor = new AtomicReference<>();
    private final LongSupplier clockMicros;

    public ShipperMetrics() {
        this(() -> System.currentTimeMillis() * 1000);
    }

    ShipperMetrics(LongSupplier clockMicros) {
        this.clockMicros = clockMicros;
        read = counter("nodeincidents.ship.entries.read", "Journal entries read from journalctl.");
        shipped = counter("nodeincidents.ship.entries.shipped", "Entries Kafka acknowledged.");
        filtered = counter("nodeincidents.ship.entries.filtered",
                "Entries the journal filter skipped (from journald sequence number gaps).");
        truncated = counter("nodeincidents.ship.entries.truncated", "Entries cut to the size limit.");
        failed = counter("nodeincidents.ship.entries.failed",
                "Failures: lines that are no journal entry, sends and deliveries that failed (then retried).");
        restarts = counter("nodeincidents.ship.journalctl.restarts", "Times journalctl ended and was started again.");
        cursorLost = counter("nodeincidents.ship.cursor.lost",
                "Resumes from the oldest entry because the journal no longer held the saved cursor (vacuumed).");
        cursorSaves = counter("nodeincidents.ship.cursor.saves", "Times the cursor file was written.");
        Gauge.builder("nodeincidents.ship.lag.seconds", this, ShipperMetrics::lagSeconds)
                .description("Now minus the event time of the newest entry Kafka acknowledged.")
                .register(registry);
        Gauge.builder("nodeincidents.ship.cursor.saved.seqnum", savedSeqnum, AtomicLong::get)
                .description("journald sequence number (i=) of the last saved cursor; -1 before the first save.")
                .register(registry);
        memorySamples = counter("nodeincidents.ship.memory.samples", "Memory samples Kafka acknowledged.");
        memorySampleFailures = counter("nodeincidents.ship.memory.sample.failures",
                "Memory samples that could not be read, sent or delivered (not retried; the next one comes at the"
                        + " next interval).");
        Gauge.builder("nodeincidents.ship.memory.sample.last.timestamp.seconds", lastMemorySampleMicros,
                        m -> m.get() == Long.MIN_VALUE ? Double.NaN : m.get() / 1e6)
                .description("Read time of the newest memory sample Kafka acknowledged, seconds since the epoch;"
                        + " NaN before the first.")
                .register(registry);
        Gauge.builder("nodeincidents.ship.memory.sources.unreadable", unreadableMemorySources, AtomicLong::get)
                .description("Sources (files) the last memory sample lacked: missing, unreadable or malformed.")
                .register(registry);
    }

    private Counter counter(String name, String description) {
        return Counter.builder(name).description(description).register(registry);
    }

    /** Registers the in-flight gauge. */
    void inFlight(LongSupplier entries) {
        Gauge.builder("nodeincidents.ship.entries.inflight", entries, s -> s.getAsLong())
                .description("Entries sent to Kafka and not acknowledged yet.").register(registry);
    }

    void read() {
        read.increment();
    }

    void shipped(Long realtimeMicros) {
        shipped.increment();
        if (realtimeMicros != null) {
            newestShippedMicros.accumulateAndGet(realtimeMicros, Math::max);
        }
    }

    void filtered(long n) {
        if (n > 0) {
            filtered.increment(n);
        }
    }

    void truncated() {
        truncated.increment();
    }

    void failed() {
        failed.increment();
    }

    void restarted() {
        restarts.increment();
    }

    void cursorLost() {
        cursorLost.increment();
    }

    void saved(String cursor) {
        cursorSaves.increment();
        savedCursor.set(cursor);
        savedSeqnum.set(io.nodeincidents.ingest.journal.JournalCursor.parse(cursor).seqnum());
    }

    void memorySampleRead(int unreadableSources) {
        unreadableMemorySources.set(unreadableSources);
    }

    void memorySampleShipped(long sampledAtMicros) {
        memorySamples.increment();
        lastMemorySampleMicros.accumulateAndGet(sampledAtMicros, Math::max);
    }

    void memorySampleFailed() {
        memorySampleFailures.increment();
    }

    public long memorySampleCount() {
        return (long) memorySamples.count();
    }

    public long memorySampleFailureCount() {
        return (long) memorySampleFailures.count();
    }

    /** Read time of the newest acknowledged memory sample (microseconds since the epoch), or empty. */
    public OptionalLong lastMemorySampleMicros() {
        long micros = lastMemorySampleMicros.get();
        return micros == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(micros);
    }

    /** Seconds since the newest acknowledged entry's event time; NaN before the first. */
    public double lagSeconds() {
        long newest = newestShippedMicros.get();
        return newest == Long.MIN_VALUE ? Double.NaN : (clockMicros.getAsLong() - newest) / 1e6;
    }

    public long readCount() {
        return (long) read.count();
    }

    public long shippedCount() {
        return (long) shipped.count();
    }

    public long filteredCount() {
        return (long) filtered.count();
    }

    public long truncatedCount() {
        return (long) truncated.count();
    }

    public long failedCount() {
        return (long) failed.count();
    }

    public long restartCount() {
        return (long) restarts.count();
    }

    public long cursorLostCount() {
        return (long) cursorLost.count();
    }

    /** The last cursor written to the cursor file, or null. */
    public String savedCursor() {
        return savedCursor.get();
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    /** One line for the log. */
    public String statusLine(long inFlight) {
        double lag = lagSeconds();
        return String.format(java.util.Locale.ROOT,
                "read=%d shipped=%d filtered=%d truncated=%d failed=%d inflight=%d lag=%s restarts=%d cursor-lost=%d"
                        + " memory-samples=%d memory-sample-failures=%d cursor=%s",
                readCount(), shippedCount(), filteredCount(), truncatedCount(), failedCount(), inFlight,
                Double.isNaN(lag) ? "-" : String.format(java.util.Locale.ROOT, "%.1fs", lag), restartCount(),
                cursorLostCount(), memorySampleCount(), memorySampleFailureCount(),
                savedCursor() == null ? "-" : savedCursor());
    }
}
