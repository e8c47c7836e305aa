package io.nodeincidents.topology;

import io.nodeincidents.correlation.HostClock;
import io.nodeincidents.query.QueryStores;
import io.nodeincidents.schemas.DeadLetter;
import io.nodeincidents.schemas.FleetAlert;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.MemoryForecast;
import io.nodeincidents.schemas.NodeMemorySample;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The correlator's topology in a {@link TopologyTestDriver} with a {@code mock://} registry and a state directory
 * the test owns. (The driver wipes its state on close, so restarts are tested on the real broker.)
 */
final class TopologyHarness implements AutoCloseable {

    private final CorrelatorSettings settings;
    private final Topics topics;
    private final Properties props = new Properties();
    private final List<Incident> incidents = new ArrayList<>();
    private final List<FleetAlert> alerts = new ArrayList<>();
    private final List<DeadLetter> deadLetters = new ArrayList<>();
    private TopologyTestDriver driver;
    private TestInputTopic<String, JournalEntry> entries;
    private TestInputTopic<String, byte[]> rawEntries;
    private TestOutputTopic<String, Incident> incidentOut;
    private TestOutputTopic<String, FleetAlert> alertOut;
    private TestOutputTopic<String, DeadLetter> deadOut;
    private TestInputTopic<String, NodeMemorySample> samples;
    private TestInputTopic<String, byte[]> rawSamples;
    private TestOutputTopic<String, MemoryForecast> forecastOut;
    private final List<MemoryForecast> forecasts = new ArrayList<>();
    private final io.nodeincidents.metrics.CorrelatorMetrics metrics;

    TopologyHarness(Path stateDir, Map<String, ?> overrides) {
        this(stateDir, overrides, null);
    }

    /** With the correlator's metrics counted in {@code metrics} (or none). */
    TopologyHarness(Path stateDir, Map<String, ?> overrides, io.nodeincidents.metrics.CorrelatorMetrics metrics) {
        this.metrics = metrics;
        Map<String, Object> all = new HashMap<>();
        all.put("schema.registry.url", "mock://topology-" + UUID.randomUUID());
        all.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        all.putAll(overrides);
        this.settings = new CorrelatorSettings(all);
        this.topics = Topics.from(settings);
        props.putAll(settings.streamsProperties());
        open(T0_WALL);
    }

    /** Wall clock of the driver at start; only wall-clock punctuation sees it. */
    static final Instant T0_WALL = Instant.parse("2026-01-01T00:00:00Z");

    TopologyHarness(Path stateDir) {
        this(stateDir, Map.of());
    }

    private void open(Instant wallClock) {
        org.apache.kafka.streams.Topology topology;
        if (metrics == null) {
            topology = IncidentTopology.topology(settings);
        } else {
            org.apache.kafka.streams.StreamsBuilder builder = new org.apache.kafka.streams.StreamsBuilder();
            IncidentTopology.build(builder, settings, topics, metrics);
            topology = builder.build();
        }
        driver = new TopologyTestDriver(topology, props, wallClock);
        entries = driver.createInputTopic(topics.journalEntries().name(), new StringSerializer(),
                topics.journalEntries().valueSerde().serializer());
        rawEntries = driver.createInputTopic(topics.journalEntries().name(), new StringSerializer(),
                new ByteArraySerializer());
        incidentOut = driver.createOutputTopic(topics.incidents().name(), topics.incidents().keySerde().deserializer(),
                topics.incidents().valueSerde().deserializer());
        alertOut = driver.createOutputTopic(topics.fleetAlerts().name(), topics.fleetAlerts().keySerde().deserializer(),
                topics.fleetAlerts().valueSerde().deserializer());
        deadOut = driver.createOutputTopic(topics.deadLetters().name(), topics.deadLetters().keySerde().deserializer(),
                topics.deadLetters().valueSerde().deserializer());
        samples = driver.createInputTopic(topics.nodeMemory().name(), new StringSerializer(),
                topics.nodeMemory().valueSerde().serializer());
        rawSamples = driver.createInputTopic(topics.nodeMemory().name(), new StringSerializer(),
                new ByteArraySerializer());
        forecastOut = driver.createOutputTopic(topics.memoryForecasts().name(),
                topics.memoryForecasts().keySerde().deserializer(), topics.memoryForecasts().valueSerde().deserializer());
    }

    /** Pipes a memory sample keyed by its host, at its sample time. */
    TopologyHarness pipe(NodeMemorySample sample) {
        samples.pipeInput(sample.getHost(), sample, sample.getSampledAtMicros() / 1000);
        return this;
    }

    TopologyHarness pipeRawSample(String key, byte[] value, long recordTimestampMs) {
        rawSamples.pipeInput(key, value, recordTimestampMs);
        return this;
    }

    /** The query API's view of this driver's stores, the memory forecast's included. */
    io.nodeincidents.query.LocalStores queryStores() {
        return new io.nodeincidents.query.LocalStores(() -> driver.getKeyValueStore(QueryStores.INCIDENTS),
                () -> driver.getWindowStore(QueryStores.HOST_EVENTS),
                () -> driver.getKeyValueStore(QueryStores.HOST_MEMORY),
                () -> driver.getKeyValueStore(QueryStores.MEMORY_FORECASTS),
                () -> driver.getKeyValueStore(QueryStores.FLEET_ALERTS));
    }

    /** The forecasts written to node.memory.forecast so far. */
    List<MemoryForecast> forecasts() {
        forecasts.addAll(forecastOut.readValuesToList());
        return List.copyOf(forecasts);
    }

    CorrelatorSettings settings() {
        return settings;
    }

    Topics topics() {
        return topics;
    }

    /** Pipes entries, each with a record timestamp (time of producing) equal to its own event time. */
    TopologyHarness pipe(List<JournalEntry> list) {
        for (JournalEntry entry : list) {
            entries.pipeInput(entry.getHost(), entry, Scenario.millis(entry));
        }
        return this;
    }

    TopologyHarness pipe(JournalEntry entry, long recordTimestampMs) {
        entries.pipeInput(entry.getHost(), entry, recordTimestampMs);
        return this;
    }

    TopologyHarness pipeRaw(String key, byte[] value, long recordTimestampMs) {
        rawEntries.pipeInput(key, value, recordTimestampMs);
        return this;
    }

    /** Moves stream time to {@code time} with a line no decoder reads, from a host of its own. */
    TopologyHarness advanceStreamTime(Instant time) {
        JournalEntry tick = JournalEntry.newBuilder().setHost("clock").setRealtimeMicros(time.toEpochMilli() * 1000)
                .setMessage("-- MARK --").setSource(io.nodeincidents.schemas.EntrySource.newBuilder()
                        .setKind(io.nodeincidents.schemas.SourceKind.BARE).build()).build();
        return pipe(tick, time.toEpochMilli());
    }

    /**
     * Moves stream time to 3 and then 5 minutes after {@code time}: every report and runtime failure of then is
     * complete, joined, and past the update interval, but no incident has resolved (G + grace = 10.5 min).
     */
    TopologyHarness settle(Instant time) {
        return advanceStreamTime(time.plus(Duration.ofMinutes(3))).advanceStreamTime(time.plus(Duration.ofMinutes(5)));
    }

    /** The identities the intake remembers for dedup, with the times it remembers them at. */
    org.apache.kafka.streams.state.WindowStore<String, Long> dedupStore() {
        return driver.getWindowStore(EventExtraction.SEEN);
    }

    /** Every host's clock. */
    org.apache.kafka.streams.state.KeyValueStore<String, HostClock> clocks() {
        return driver.getKeyValueStore(EventExtraction.CLOCKS);
    }

    /** The query API's store of the latest incident revisions (incidentId -> JSON). */
    org.apache.kafka.streams.state.KeyValueStore<String, String> queryIncidents() {
        return driver.getKeyValueStore(io.nodeincidents.query.QueryStores.INCIDENTS);
    }

    /** The query API's store of each host's events (host -> event JSON at its event time). */
    org.apache.kafka.streams.state.WindowStore<String, String> queryHostEvents() {
        return driver.getWindowStore(io.nodeincidents.query.QueryStores.HOST_EVENTS);
    }

    TopologyHarness advanceWallClock(Duration by) {
        driver.advanceWallClockTime(by);
        return this;
    }

    private void drain() {
        incidents.addAll(incidentOut.readValuesToList());
        alerts.addAll(alertOut.readValuesToList());
        deadLetters.addAll(deadOut.readValuesToList());
    }

    List<Incident> incidents() {
        drain();
        return List.copyOf(incidents);
    }

    List<FleetAlert> alerts() {
        drain();
        return List.copyOf(alerts);
    }

    List<DeadLetter> deadLetters() {
        drain();
        return List.copyOf(deadLetters);
    }

    @Override
    public void close() {
        driver.close();
    }

    static Duration minutes(long n) {
        return Duration.ofMinutes(n);
    }
}
