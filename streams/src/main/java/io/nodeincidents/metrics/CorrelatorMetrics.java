package io.nodeincidents.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nodeincidents.schemas.DeadLetter;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.KernelEventKind;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.RuntimeFailureEvent;
import io.nodeincidents.schemas.RuntimeFailureKind;
import io.nodeincidents.trust.Refusal;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.apache.kafka.streams.KafkaStreams;

/**
 * What the correlator counts, in one Micrometer Prometheus registry (as the shipper's {@code ShipperMetrics}): the
 * incidents it emitted by cause and status, the events it decoded by kind, the records it set aside by reason, and
 * the Kafka Streams client metrics of its {@link KafkaStreams} (among them the consumer's lag).
 *
 * <p>Prometheus names (meter names are dotted, the registry writes them with underscores and {@code _total}):
 * <ul>
 * <li>{@code nodeincidents_incidents_total{cause,status}}: incident revisions emitted;</li>
 * <li>{@code nodeincidents_events_parsed_total{source,kind}}: decoded events, source {@code kernel} (kind
 * ALLOC_FAILURE, SLAB_FAILURE, OOM_KILL, OTHER) or {@code runtime} (SANDBOX_FAILURE, CONTAINER_START_FAILURE,
 * CONTAINER_OOM_KILLED, OTHER);</li>
 * <li>{@code nodeincidents_dead_letters_total{reason}}: records set aside, by a bounded {@link DeadLetterReason};</li>
 * <li>{@code nodeincidents_entries_refused_total{claim}}: journal entries refused as evidence by where they come from,
 * claim {@code KERNEL} (tagged kernel, not the kernel's) or {@code RUNTIME} (a runtime or kubelet failure from another
 * sender, a container's output among them);</li>
 * <li>after {@link #bind(KafkaStreams)}: every Kafka client metric as {@code kafka_*} with a {@code kafka_version}
 * label, among them the consumer lag per assigned partition,
 * {@code kafka_consumer_fetch_manager_records_lag{client_id,partition,topic}} (records between the consumer's position
 * and the high watermark, as of its last fetch), with {@code _max} and {@code _avg} over the metrics window (Micrometer
 * keeps only the per-partition series of records-lag-max: one name, one label set), and the Streams metrics such as
 * {@code kafka_stream_thread_process_total{thread_id}}. The input lag is the series of the stream threads' consumers
 * ({@code client_id=~".*-StreamThread-[0-9]+-consumer"}); restore consumers report their changelog lag while state
 * is restored.</li>
 * </ul>
 * Every known cause x status, source x kind and reason is registered at zero up front, so a rate over a series that
 * has not moved yet is 0, not absent.
 *
 * <p>The counting methods take the records the topology already has (no Kafka types), are thread-safe and cheap:
 * call them from a {@code peek}.
 */
public final class CorrelatorMetrics implements AutoCloseable {

    /** How often new Kafka client metrics (a partition assigned, a thread added) are picked up, by default. */
    public static final Duration DEFAULT_KAFKA_REFRESH = Duration.ofSeconds(30);

    private final PrometheusMeterRegistry registry;
    private final boolean ownsRegistry;
    private final Map<IncidentCause, Map<IncidentStatus, Counter>> incidents = new EnumMap<>(IncidentCause.class);
    private final Map<KernelEventKind, Counter> kernelEvents = new EnumMap<>(KernelEventKind.class);
    private final Map<RuntimeFailureKind, Counter> runtimeEvents = new EnumMap<>(RuntimeFailureKind.class);
    private final Map<DeadLetterReason, Counter> deadLetters = new EnumMap<>(DeadLetterReason.class);
    private final Map<Refusal.Claim, Counter> refused = new EnumMap<>(Refusal.Claim.class);

    /** Metrics in a registry of their own. */
    public CorrelatorMetrics() {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), true);
    }

    /** Metrics in {@code registry}, e.g. one shared with other meters of the same process; its owner closes it. */
    public CorrelatorMetrics(PrometheusMeterRegistry registry) {
        this(registry, false);
    }

    private CorrelatorMetrics(PrometheusMeterRegistry registry, boolean ownsRegistry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.ownsRegistry = ownsRegistry;
        for (IncidentCause cause : IncidentCause.values()) {
            Map<IncidentStatus, Counter> byStatus = new EnumMap<>(IncidentStatus.class);
            for (IncidentStatus status : IncidentStatus.values()) {
                byStatus.put(status, Counter.builder("nodeincidents.incidents")
                        .description("Incident revisions emitted, by cause and lifecycle status.")
                        .tags("cause", cause.name(), "status", status.name()).register(registry));
            }
            incidents.put(cause, byStatus);
        }
        for (KernelEventKind kind : KernelEventKind.values()) {
            kernelEvents.put(kind, eventCounter("kernel", kind.name()));
        }
        for (RuntimeFailureKind kind : RuntimeFailureKind.values()) {
            runtimeEvents.put(kind, eventCounter("runtime", kind.name()));
        }
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            deadLetters.put(reason, Counter.builder("nodeincidents.dead.letters")
                    .description("Records set aside on the dead-letter topic, by reason.")
                    .tags("reason", reason.name()).register(registry));
        }
        for (Refusal.Claim claim : Refusal.Claim.values()) {
            refused.put(claim, Counter.builder("nodeincidents.entries.refused")
                    .description("Journal entries refused as evidence by where they come from, by what they claimed.")
                    .tags("claim", claim.name()).register(registry));
        }
    }

    private Counter eventCounter(String source, String kind) {
        return Counter.builder("nodeincidents.events.parsed")
                .description("Events decoded from the journal: kernel memory reports and runtime/kubelet failures.")
                .tags("source", source, "kind", kind).register(registry);
    }

    /** Counts one emitted incident revision under its cause and status. */
    public void incidentEmitted(Incident incident) {
        IncidentCause cause = incident.getCause() == null ? IncidentCause.UNKNOWN : incident.getCause();
        IncidentStatus status = incident.getStatus() == null ? IncidentStatus.OPEN : incident.getStatus();
        incidents.get(cause).get(status).increment();
    }

    /** Counts one decoded kernel memory report under its kind. */
    public void eventParsed(KernelMemoryEvent event) {
        kernelEvents.get(event.getKind() == null ? KernelEventKind.OTHER : event.getKind()).increment();
    }

    /** Counts one decoded runtime or kubelet failure under its kind. */
    public void eventParsed(RuntimeFailureEvent event) {
        runtimeEvents.get(event.getKind() == null ? RuntimeFailureKind.OTHER : event.getKind()).increment();
    }

    /** Counts one dead letter under its {@link DeadLetterReason}. */
    public void deadLetter(DeadLetter letter) {
        deadLetters.get(DeadLetterReason.of(letter)).increment();
    }

    /** Counts one journal entry refused as evidence. */
    public void entryRefused(Refusal refusal) {
        refused.get(refusal.claim()).increment();
    }

    /** Refused entries counted that claimed {@code claim}. */
    public long refused(Refusal.Claim claim) {
        return (long) refused.get(claim).count();
    }

    /** Incident revisions counted for {@code cause} and {@code status}. */
    public long incidents(IncidentCause cause, IncidentStatus status) {
        return (long) incidents.get(cause).get(status).count();
    }

    /** Kernel reports counted of {@code kind}. */
    public long events(KernelEventKind kind) {
        return (long) kernelEvents.get(kind).count();
    }

    /** Runtime failures counted of {@code kind}. */
    public long events(RuntimeFailureKind kind) {
        return (long) runtimeEvents.get(kind).count();
    }

    /** Dead letters counted for {@code reason}. */
    public long deadLetters(DeadLetterReason reason) {
        return (long) deadLetters.get(reason).count();
    }

    /** {@link #bind(KafkaStreams, Duration)} with {@link #DEFAULT_KAFKA_REFRESH}. */
    public StreamsBinding bind(KafkaStreams streams) {
        return bind(streams, DEFAULT_KAFKA_REFRESH);
    }

    /**
     * Exposes the Kafka Streams client metrics of {@code streams} (its consumers, producers, admin client, threads,
     * tasks) in this registry. Call it once per instance, before or after {@code start()}: metrics that appear later
     * (partitions assigned after a rebalance, so their lag) are picked up every {@code refresh}. Close the returned
     * binding when {@code streams} is closed; it removes the meters and stops the refresh.
     */
    public StreamsBinding bind(KafkaStreams streams, Duration refresh) {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "kafka-metrics-refresh");
            t.setDaemon(true);
            return t;
        });
        KafkaStreamsMetrics binder = new KafkaStreamsMetrics(streams, Tags.empty(), scheduler, refresh);
        binder.bindTo(registry);
        return new StreamsBinding(binder, scheduler);
    }

    /** The Prometheus text exposition (format 0.0.4) of every meter, for {@code /metrics}. */
    public String scrape() {
        return registry.scrape();
    }

    /** The registry, to add meters of the same process (JVM, HTTP) to the same scrape. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Closes the registry if this created it. */
    @Override
    public void close() {
        if (ownsRegistry) {
            registry.close();
        }
    }

    /** The Kafka Streams client metrics bound by {@link #bind}: closing removes them and stops their refresh. */
    public static final class StreamsBinding implements AutoCloseable {
        private final KafkaStreamsMetrics binder;
        private final ScheduledExecutorService scheduler;

        private StreamsBinding(KafkaStreamsMetrics binder, ScheduledExecutorService scheduler) {
            this.binder = binder;
            this.scheduler = scheduler;
        }

        @Override
        public void close() {
            binder.close();
            // Micrometer leaves a scheduler it was given running
            scheduler.shutdownNow();
        }
    }
}
