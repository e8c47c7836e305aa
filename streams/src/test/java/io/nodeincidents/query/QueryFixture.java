package io.nodeincidents.query;

import io.nodeincidents.registry.AvroSerdeFactory;
import io.nodeincidents.schemas.AffectedPod;
import io.nodeincidents.schemas.AllocationFailure;
import io.nodeincidents.schemas.AllocationVerdict;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentCounts;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.KernelEventKind;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.RuntimeFailureEvent;
import io.nodeincidents.schemas.RuntimeFailureKind;
import io.nodeincidents.schemas.Severity;
import io.nodeincidents.topology.CorrelatorSettings;
import io.nodeincidents.topology.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * The query API over real stores: the {@link QueryStores} processors in a TopologyTestDriver, fed incident revisions
 * and host events, served by a {@link QueryServer} on a free port.
 */
public final class QueryFixture implements AutoCloseable {

    public static final Instant T0 = Instant.parse("2017-11-12T07:15:41Z");

    private final TopologyTestDriver driver;
    private final TestInputTopic<String, Incident> incidents;
    private final TestInputTopic<String, KernelMemoryEvent> kernelEvents;
    private final TestInputTopic<String, RuntimeFailureEvent> runtimeEvents;
    private final QueryServer server;
    private final AtomicReference<QueryBackend.Readiness> readiness =
            new AtomicReference<>(new QueryBackend.Readiness(true, "RUNNING"));

    public QueryFixture(Path stateDir, Optional<String> token, Supplier<String> metrics) {
        this(stateDir, token, metrics, QueryServer.Limits.defaults());
    }

    public QueryFixture(Path stateDir, Optional<String> token, Supplier<String> metrics, QueryServer.Limits limits) {
        CorrelatorSettings settings = new CorrelatorSettings(Map.of("schema.registry.url",
                "mock://query-" + UUID.randomUUID(), StreamsConfig.STATE_DIR_CONFIG, stateDir.toString()));
        Topics topics = Topics.from(settings);
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(QueryStores.incidentsStore());
        builder.addStateStore(QueryStores.hostEventsStore(settings.queryEventsRetention()));
        builder.stream("incidents", Consumed.with(Serdes.String(), topics.incidents().valueSerde()))
                .process(() -> QueryStores.latestIncidents(settings.queryIncidentsRetention()),
                        Named.as("latest"), QueryStores.INCIDENTS);
        Map<String, Object> registry = settings.streamsProperties();
        Serde<KernelMemoryEvent> kernelSerde = AvroSerdeFactory.specificSerde(KernelMemoryEvent.class, registry,
                false);
        Serde<RuntimeFailureEvent> runtimeSerde = AvroSerdeFactory.specificSerde(RuntimeFailureEvent.class,
                registry, false);
        KStream<String, SpecificRecord> kernel = builder.stream("kernel-events",
                Consumed.with(Serdes.String(), kernelSerde)).mapValues(event -> event);
        KStream<String, SpecificRecord> runtime = builder.stream("runtime-events",
                Consumed.with(Serdes.String(), runtimeSerde)).mapValues(event -> event);
        kernel.merge(runtime).process(QueryStores::hostEventLog, Named.as("events"), QueryStores.HOST_EVENTS);
        Properties props = new Properties();
        props.putAll(settings.streamsProperties());
        driver = new TopologyTestDriver(builder.build(), props);
        incidents = driver.createInputTopic("incidents", new StringSerializer(),
                topics.incidents().valueSerde().serializer());
        kernelEvents = driver.createInputTopic("kernel-events", new StringSerializer(), kernelSerde.serializer());
        runtimeEvents = driver.createInputTopic("runtime-events", new StringSerializer(),
                runtimeSerde.serializer());
        LocalStores stores = new LocalStores(() -> driver.getKeyValueStore(QueryStores.INCIDENTS),
                () -> driver.getWindowStore(QueryStores.HOST_EVENTS));
        try {
            server = QueryServer.bind(new InetSocketAddress("127.0.0.1", 0), token, metrics, limits)
                    .start(QueryBackend.local(stores, readiness::get));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.address().getPort());
    }

    public QueryServer server() {
        return server;
    }

    public void ready(boolean ready, String state) {
        readiness.set(new QueryBackend.Readiness(ready, state));
    }

    public QueryFixture add(Incident incident) {
        incidents.pipeInput(incident.getIncidentId(), incident, incident.getLastSeenMicros() / 1000);
        return this;
    }

    public QueryFixture add(KernelMemoryEvent event) {
        kernelEvents.pipeInput(event.getHost(), event, event.getTimeMicros() / 1000);
        return this;
    }

    public QueryFixture add(RuntimeFailureEvent event) {
        runtimeEvents.pipeInput(event.getHost(), event, event.getTimeMicros() / 1000);
        return this;
    }

    @Override
    public void close() {
        server.close();
        driver.close();
    }

    /** An incident of {@code host} with evidence from {@code first} to {@code last} seconds after {@link #T0}. */
    public static Incident incident(String id, int revision, String host, IncidentCause cause, IncidentStatus status,
            long first, long last) {
        long firstMicros = (T0.getEpochSecond() + first) * 1_000_000L;
        long lastMicros = (T0.getEpochSecond() + last) * 1_000_000L;
        return Incident.newBuilder().setIncidentId(id).setRevision(revision).setHost(host)
                .setKernelVersion("3.10.0-514.el7.x86_64").setStatus(status).setCause(cause)
                .setSeverity(Severity.CRITICAL).setFirstSeenMicros(firstMicros).setLastSeenMicros(lastMicros)
                .setCounts(IncidentCounts.newBuilder().setAllocationFailures(1).setSandboxFailures(1).build())
                .setKernelEvents(List.of(kernelEvent(host, first)))
                .setRuntimeFailures(List.of(sandboxFailure(host, first + 1)))
                .setAffectedPods(List.of(AffectedPod.newBuilder().setNamespace("prod")
                        .setPod("matchdataserver-1255064836-t4b2w").build()))
                .setDiagnosis("An order-6 allocation failed with free memory: fragmentation.")
                .setRemediation(List.of("echo 1 > /proc/sys/vm/compact_memory"))
                .build();
    }

    public static KernelMemoryEvent kernelEvent(String host, long second) {
        return KernelMemoryEvent.newBuilder().setEventId(host + "-kernel-" + second).setHost(host)
                .setTimeMicros((T0.getEpochSecond() + second) * 1_000_000L).setKind(KernelEventKind.ALLOC_FAILURE)
                .setAllocation(AllocationFailure.newBuilder().setOrder(6).setVerdict(AllocationVerdict.FRAGMENTATION)
                        .build())
                .setSummary("order-6 page allocation failure (fragmentation)").build();
    }

    public static RuntimeFailureEvent sandboxFailure(String host, long second) {
        return RuntimeFailureEvent.newBuilder().setEventId(host + "-runtime-" + second).setHost(host)
                .setTimeMicros((T0.getEpochSecond() + second) * 1_000_000L).setKind(RuntimeFailureKind.SANDBOX_FAILURE)
                .setComponent("kubelet").setMemoryRelated(true).setPod("matchdataserver-1255064836-t4b2w")
                .setNamespace("prod").setErrorText("running exec setns process for init caused \"exit status 6\"")
                .build();
    }
}
