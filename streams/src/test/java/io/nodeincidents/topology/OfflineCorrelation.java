package io.nodeincidents.topology;

import io.nodeincidents.ingest.cli.KafkaClientSettings;
import io.nodeincidents.schemas.DeadLetter;
import io.nodeincidents.schemas.EntrySource;
import io.nodeincidents.schemas.FleetAlert;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.SourceKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The streaming correlator run over journal entries in this JVM, without a broker: the topology of
 * {@link IncidentTopology} in a {@link TopologyTestDriver}, with an in-process schema registry and a temporary state
 * directory. Only what nobody reads offline is left out: the query API's stores and the ECS feed. Tests run whole
 * scenarios through the real topology with it, and hold offline analysis
 * ({@link io.nodeincidents.correlation.OfflineCorrelator}, which {@code analyze} runs) to its results.
 *
 * <p>A {@link Session} takes the entries one at a time, as they are read, and hands each incident revision, fleet
 * alert and dead letter on as the topology writes it: memory does not grow with the input. The driver keeps every
 * record the topology writes (its changelogs too) until it is read, so the session reads every topic after each entry
 * and drops what nobody asked for; it remembers the size of the largest record of each topic, which shows that the
 * stored states stay bounded.
 *
 * <p>Event time comes from each entry, as in the app; the caller gives the entries in the order the hosts logged them
 * (entries of several hosts one host after the other are fine: each host has its own clock in the topology). At the
 * end ({@link Session#finish}) stream time is moved past every open window - marker entries of host
 * {@value #END_OF_INPUT_HOST} with an empty message, which no decoder reads - so pending reports complete and open
 * incidents resolve: the output holds every revision up to RESOLVED. Stream time moves in steps of the punctuation
 * interval, there and wherever the log skips ahead, as it would on a live broker: in one step, incidents of every host
 * would resolve at once, and the driver holds all that one entry makes the topology write until it returns.
 *
 * <p>{@link #run(List)} does it for a list in memory, sorted by event time first (a stable sort; an entry without a
 * time keeps the place of the timed entry before it), so logs of several hosts given one after the other correlate as
 * if they had been shipped live side by side.
 */
public final class OfflineCorrelation {

    /** Host of the end-of-input markers; no real host has this name (it is not a valid host name). */
    public static final String END_OF_INPUT_HOST = "nodeincidents:end-of-input";

    /**
     * What the topology wrote.
     *
     * @param incidents   every incident revision, in the order written
     * @param alerts      every fleet alert (re-emissions included), in order
     * @param deadLetters entries set aside, in order
     */
    public record Result(List<Incident> incidents, List<FleetAlert> alerts, List<DeadLetter> deadLetters) {
        public Result {
            incidents = List.copyOf(incidents);
            alerts = List.copyOf(alerts);
            deadLetters = List.copyOf(deadLetters);
        }

        /** The last revision of each incident, in the order the incidents opened. */
        public List<Incident> latestRevisions() {
            Map<String, Incident> latest = new LinkedHashMap<>();
            for (Incident incident : incidents) {
                latest.merge(incident.getIncidentId(), incident,
                        (a, b) -> b.getRevision() >= a.getRevision() ? b : a);
            }
            return List.copyOf(latest.values());
        }
    }

    private OfflineCorrelation() {
    }

    /** Correlates {@code entries} with the default settings. */
    public static Result run(List<JournalEntry> entries) {
        return run(entries, Map.of());
    }

    /**
     * Correlates {@code entries} with {@code settings} (the {@link CorrelatorSettings} options, e.g.
     * {@code correlation.window.ms}); the registry, application id and state directory are always in-process ones.
     *
     * @throws org.apache.kafka.common.config.ConfigException when a setting is invalid
     */
    public static Result run(List<JournalEntry> entries, Map<String, ?> settings) {
        List<Incident> incidents = new ArrayList<>();
        List<FleetAlert> alerts = new ArrayList<>();
        List<DeadLetter> dead = new ArrayList<>();
        try (Session session = new Session(settings, incidents::add, alerts::add, dead::add)) {
            for (Timed timed : inEventTimeOrder(entries)) {
                session.add(timed.entry(), timed.timeMs());
            }
            session.finish();
        }
        return new Result(incidents, alerts, dead);
    }

    /**
     * One offline run of the topology: entries in, incident revisions, fleet alerts and dead letters out as they are
     * written. Not thread-safe; close it (the state directory is removed) after {@link #finish}.
     */
    public static final class Session implements AutoCloseable {

        private final TemporaryDirectory stateDir;
        private final CorrelatorSettings correlator;
        private final TopologyTestDriver driver;
        private final TestInputTopic<String, JournalEntry> input;
        private final String incidentsTopic;
        private final String alertsTopic;
        private final String deadTopic;
        private final TestOutputTopic<String, Incident> incidents;
        private final TestOutputTopic<String, FleetAlert> alerts;
        private final TestOutputTopic<String, DeadLetter> dead;
        private final Consumer<Incident> onIncident;
        private final Consumer<FleetAlert> onAlert;
        private final Consumer<DeadLetter> onDeadLetter;
        /** Every other topic the topology writes (changelogs, repartition): read to be dropped. */
        private final Map<String, TestOutputTopic<byte[], byte[]>> others = new HashMap<>();
        private final Map<String, Long> largestRecord = new TreeMap<>();
        private final long step;
        private final long settleMs;
        /** Quiet stream time after which nothing of a host is pending or open any more. */
        private final long quietMs;
        private long latestMs = -1;
        private long previousMs;
        private boolean finished;

        /**
         * Starts the topology with {@code settings} (see {@link OfflineCorrelation#run(List, Map)}); the three
         * consumers get what it writes, in order, during {@link #add} and {@link #finish}.
         *
         * @throws org.apache.kafka.common.config.ConfigException when a setting is invalid
         */
        public Session(Map<String, ?> settings, Consumer<Incident> onIncident, Consumer<FleetAlert> onAlert,
                       Consumer<DeadLetter> onDeadLetter) {
            this.onIncident = Objects.requireNonNull(onIncident, "onIncident");
            this.onAlert = Objects.requireNonNull(onAlert, "onAlert");
            this.onDeadLetter = Objects.requireNonNull(onDeadLetter, "onDeadLetter");
            Map<String, Object> all = new HashMap<>(settings);
            all.put(CorrelatorSettings.INCIDENTS_ECS_TOPIC, "");
            // offline runs read back little (the per-host states are mirrored in the heap): a small shared cache
            all.putIfAbsent(CorrelatorSettings.ROCKSDB_MEMORY.name(), Long.toString(32L << 20));
            all.put(KafkaClientSettings.SCHEMA_REGISTRY_URL.name(), "mock://offline-" + UUID.randomUUID());
            all.put(StreamsConfig.APPLICATION_ID_CONFIG, "nodeincidents-offline");
            all.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
            TemporaryDirectory dir = TemporaryDirectory.create("nodeincidents-offline-");
            Topics topics;
            try {
                all.put(StreamsConfig.STATE_DIR_CONFIG, dir.path().toString());
                correlator = new CorrelatorSettings(all);
                topics = Topics.from(correlator);
                Properties props = new Properties();
                props.putAll(correlator.streamsProperties());
                driver = new TopologyTestDriver(IncidentTopology.topology(correlator, false), props, Instant.EPOCH);
            } catch (RuntimeException | Error e) {
                dir.close();
                throw e;
            }
            stateDir = dir;
            step = Math.min(correlator.correlationPunctuation().toMillis(),
                    correlator.extractionPunctuation().toMillis());
            Duration settle = Duration.ofMinutes(1).plus(correlator.extractionPunctuation());
            settleMs = settle.toMillis();
            quietMs = correlator.incidentSettings().gap().plus(correlator.incidentSettings().grace())
                    .plus(correlator.incidentSettings().updateInterval())
                    .plus(correlator.correlationPunctuation()).plus(settle).toMillis();
            input = driver.createInputTopic(topics.journalEntries().name(),
                    topics.journalEntries().keySerde().serializer(), topics.journalEntries().valueSerde().serializer());
            incidentsTopic = topics.incidents().name();
            alertsTopic = topics.fleetAlerts().name();
            deadTopic = topics.deadLetters().name();
            incidents = driver.createOutputTopic(incidentsTopic, topics.incidents().keySerde().deserializer(),
                    topics.incidents().valueSerde().deserializer());
            alerts = driver.createOutputTopic(alertsTopic, topics.fleetAlerts().keySerde().deserializer(),
                    topics.fleetAlerts().valueSerde().deserializer());
            dead = driver.createOutputTopic(deadTopic, topics.deadLetters().keySerde().deserializer(),
                    topics.deadLetters().valueSerde().deserializer());
        }

        /**
         * Processes one entry at its own event time or, without one, at the time of the timed entry before it (the
         * record time stands in for the time of producing, which the topology uses for entries without their own).
         */
        public void add(JournalEntry entry) {
            Long time = EventTimeExtractor.eventTimeMillis(entry);
            add(entry, time != null ? time : previousMs);
        }

        /** Processes one entry with record time {@code timeMs}. */
        public void add(JournalEntry entry, long timeMs) {
            if (finished) {
                throw new IllegalStateException("the session is finished");
            }
            stepTo(timeMs);
            previousMs = timeMs;
            pipe(entry, timeMs);
        }

        /** Ends the input: what is pending completes and every open incident resolves. */
        public void finish() {
            if (finished) {
                return;
            }
            long end = Math.max(latestMs, 0) + settleMs + quietMs;
            stepTo(end);
            pipe(marker(end), end);
            pipe(marker(end + quietMs), end + quietMs);
            finished = true;
        }

        /**
         * Moves stream time towards {@code timeMs} in steps, as far as anything can still be pending or open; the
         * rest of a longer leap changes nothing that a single jump would not.
         */
        private void stepTo(long timeMs) {
            if (latestMs < 0) {
                return;
            }
            long until = Math.min(timeMs, latestMs + quietMs);
            for (long t = latestMs + step; t < until; t += step) {
                pipe(marker(t), t);
            }
        }

        private void pipe(JournalEntry entry, long timeMs) {
            latestMs = Math.max(latestMs, timeMs);
            input.pipeInput(entry.getHost(), entry, timeMs);
            drain();
        }

        /**
         * The size in bytes of the largest record written so far to each topic other than the incidents, alerts and
         * dead letters handed on: the stores' changelogs (whose records are the stored per-host and per-cause
         * states) and the repartition topic.
         */
        public Map<String, Long> largestRecordBytes() {
            return Collections.unmodifiableMap(largestRecord);
        }

        private void drain() {
            while (!incidents.isEmpty()) {
                onIncident.accept(incidents.readValue());
            }
            while (!alerts.isEmpty()) {
                onAlert.accept(alerts.readValue());
            }
            while (!dead.isEmpty()) {
                onDeadLetter.accept(dead.readValue());
            }
            for (String topic : driver.producedTopicNames()) {
                if (topic.equals(incidentsTopic) || topic.equals(alertsTopic) || topic.equals(deadTopic)) {
                    continue;
                }
                TestOutputTopic<byte[], byte[]> other = others.computeIfAbsent(topic, name ->
                        driver.createOutputTopic(name, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
                long largest = -1;
                while (!other.isEmpty()) {
                    byte[] value = other.readRecord().value();
                    largest = Math.max(largest, value == null ? 0 : value.length);
                }
                if (largest >= 0) {
                    largestRecord.merge(topic, largest, Math::max);
                }
            }
        }

        @Override
        public void close() {
            try {
                driver.close();
            } finally {
                stateDir.close();
            }
        }
    }

    private record Timed(JournalEntry entry, long timeMs) {
    }

    /** A stable sort by event time; an entry without one gets the time of the timed entry before it. */
    private static List<Timed> inEventTimeOrder(List<JournalEntry> entries) {
        List<Timed> timed = new ArrayList<>(entries.size());
        long previous = 0;
        for (JournalEntry entry : entries) {
            Long time = EventTimeExtractor.eventTimeMillis(entry);
            previous = time != null ? time : previous;
            timed.add(new Timed(entry, previous));
        }
        timed.sort(Comparator.comparingLong(Timed::timeMs));
        return timed;
    }

    private static JournalEntry marker(long timeMs) {
        return JournalEntry.newBuilder()
                .setHost(END_OF_INPUT_HOST)
                .setRealtimeMicros(timeMs * 1000)
                .setMessage("")
                .setSource(EntrySource.newBuilder().setKind(SourceKind.BARE).setShipper("offline-correlation").build())
                .build();
    }
}
