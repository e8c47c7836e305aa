package io.nodeincidents.ingest.ship;

import io.nodeincidents.nodememory.NodeMemorySampler;
import io.nodeincidents.schemas.NodeMemorySample;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shipper's second task: one thread that every interval reads a {@link NodeMemorySample} of the node and
 * produces it keyed by host, with the read time as the record's timestamp. It has its own producer, so a slow,
 * refused or missing memory topic never holds up journal entries. A sample that cannot be read or sent is counted and
 * logged and not retried: the next interval brings a fresh one. A source the node lacks (pagetypeinfo without root,
 * debugfs not mounted) is logged once, not every interval; the samples list it anyway.
 */
public final class NodeMemorySampling implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeMemorySampling.class);

    private final NodeMemorySampler sampler;
    private final Producer<String, NodeMemorySample> producer;
    private final boolean ownsProducer;
    private final String topic;
    private final Supplier<String> host;
    private final Duration interval;
    private final ShipperMetrics metrics;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    /** Sources already logged as unreadable; touched by the sampling thread only. */
    private final Set<String> loggedSources = new HashSet<>();
    private final AtomicLong loggedFailures = new AtomicLong();
    private long lastRunNanos;
    private boolean ran;

    /**
     * @param producer     where samples go; closed by {@link #close()} when {@code ownsProducer}
     * @param topic        the memory topic
     * @param host         the key and the samples' host, asked at each sample: the host journal entries carry
     * @param interval     time between samples
     */
    public NodeMemorySampling(NodeMemorySampler sampler, Producer<String, NodeMemorySample> producer,
                              boolean ownsProducer, String topic, Supplier<String> host, Duration interval,
                              ShipperMetrics metrics, Clock clock) {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("a sampling interval must be positive, was " + interval);
        }
        this.sampler = sampler;
        this.producer = producer;
        this.ownsProducer = ownsProducer;
        this.topic = topic;
        this.host = host;
        this.interval = interval;
        this.metrics = metrics;
        this.clock = clock;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "memory-sampler");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Sampling with a producer of its own, made from the journal producer's properties (same brokers, security and
     * value serializer; client id with "-memory" appended, so its metrics and logs tell the two apart).
     */
    public static NodeMemorySampling create(Map<String, Object> producerProperties, String topic,
                                            NodeMemorySampler sampler, Supplier<String> host, Duration interval,
                                            ShipperMetrics metrics) {
        Map<String, Object> props = new HashMap<>(producerProperties);
        Object clientId = props.get(ProducerConfig.CLIENT_ID_CONFIG);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, (clientId == null ? "nodeincidents-ingest" : clientId) + "-memory");
        return new NodeMemorySampling(sampler, new KafkaProducer<>(props), true, topic, host, interval, metrics,
                Clock.systemUTC());
    }

    /**
     * The host samples carry: {@code configured} when set, else the kernel's host name (what journald records as
     * _HOSTNAME), else {@code fallback}.
     */
    public static String host(String configured, NodeMemorySampler sampler, Supplier<String> fallback) {
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return sampler.hostname().orElseGet(fallback);
    }

    /** Takes the first sample now, then one every interval, until {@link #close()}. */
    public void start() {
        LOG.info("ship: sampling node memory every {} s as host {} to {}", interval.toMillis() / 1000.0, host.get(),
                topic);
        executor.scheduleAtFixedRate(this::sampleQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sampleQuietly() {
        long now = System.nanoTime();
        if (ran && now - lastRunNanos < interval.toNanos() / 2) {
            // a late run catching up after a slow one (a send that waited for metadata): samples this close add
            // nothing
            return;
        }
        ran = true;
        lastRunNanos = now;
        try {
            sampleOnce();
        } catch (RuntimeException e) {
            // an exception would cancel every later run of the schedule
            metrics.memorySampleFailed();
            logFailure("ship: memory sample failed: {}", e.toString());
        }
    }

    /** Reads one sample and hands it to the producer. */
    void sampleOnce() {
        Instant now = clock.instant();
        long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
        String key = host.get();
        NodeMemorySample sample = sampler.read(key, micros);
        metrics.memorySampleRead(sample.getUnreadable().size());
        logNewlyUnreadable(sample.getUnreadable());
        ProducerRecord<String, NodeMemorySample> record = new ProducerRecord<>(topic, null, micros / 1000, key,
                sample);
        try {
            producer.send(record, (metadata, error) -> {
                if (error == null) {
                    metrics.memorySampleShipped(micros);
                } else {
                    metrics.memorySampleFailed();
                    logFailure("ship: Kafka did not take a memory sample ({}); the next comes in {} s",
                            error.toString(), interval.toSeconds());
                }
            });
        } catch (InterruptException e) {
            // closing: the sample is dropped, which is no failure of the node or of Kafka
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the serializer needs the schema registry; a closed producer refuses too
            metrics.memorySampleFailed();
            logFailure("ship: cannot send a memory sample ({}); the next comes in {} s", e.toString(),
                    interval.toSeconds());
        }
    }

    private void logNewlyUnreadable(List<String> unreadable) {
        for (String source : unreadable) {
            int colon = source.indexOf(": ");
            String path = colon < 0 ? source : source.substring(0, colon);
            if (loggedSources.size() < 64 && loggedSources.add(path)) {
                LOG.warn("ship: memory samples lack {} (logged once)", source);
            }
        }
    }

    private void logFailure(String format, Object... args) {
        // a registry or broker down for hours must not flood the log
        long n = loggedFailures.incrementAndGet();
        if (n <= 10 || Long.bitCount(n) == 1) {
            LOG.warn(format, args);
        }
    }

    /** Stops sampling (a send waiting for Kafka is interrupted), then closes the producer if it is ours. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("ship: the memory sampler did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsProducer) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
