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
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The streaming correlator run over a finite list of journal entries, in this JVM, without a broker: the very
 * topology of {@link IncidentTopology} in a {@link TopologyTestDriver}, with an in-process schema registry and a
 * temporary state directory. For offline analysis of collected logs, so it gives the same incidents as the
 * streaming app.
 *
 * <p>The entries are fed in event-time order: a stable sort by each entry's time (an entry without one keeps the place
 * of the timed entry before it), so logs of several hosts given one after the other correlate as if they had been
 * shipped live side by side; one host's lines keep their order. Event time comes from each entry, as in the app.
 * At the end of the input
 * stream time is moved past every open window - two marker entries of host {@value #END_OF_INPUT_HOST} with an empty
 * message, which no decoder reads - so pending reports complete and open incidents resolve: the result holds every
 * revision up to RESOLVED.
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
        try (TemporaryDirectory stateDir = TemporaryDirectory.create("nodeincidents-offline-")) {
            Map<String, Object> all = new HashMap<>(settings);
            all.put(KafkaClientSettings.SCHEMA_REGISTRY_URL.name(), "mock://offline-" + UUID.randomUUID());
            all.put(StreamsConfig.APPLICATION_ID_CONFIG, "nodeincidents-offline");
            all.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.path().toString());
            all.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
            CorrelatorSettings correlator = new CorrelatorSettings(all);
            Topics topics = Topics.from(correlator);
            Properties props = new Properties();
            props.putAll(correlator.streamsProperties());
            try (TopologyTestDriver driver = new TopologyTestDriver(IncidentTopology.topology(correlator), props,
                    Instant.EPOCH)) {
                TestInputTopic<String, JournalEntry> input = driver.createInputTopic(topics.journalEntries().name(),
                        topics.journalEntries().keySerde().serializer(),
                        topics.journalEntries().valueSerde().serializer());
                TestOutputTopic<String, Incident> incidents = driver.createOutputTopic(topics.incidents().name(),
                        topics.incidents().keySerde().deserializer(), topics.incidents().valueSerde().deserializer());
                TestOutputTopic<String, FleetAlert> alerts = driver.createOutputTopic(topics.fleetAlerts().name(),
                        topics.fleetAlerts().keySerde().deserializer(),
                        topics.fleetAlerts().valueSerde().deserializer());
                TestOutputTopic<String, DeadLetter> dead = driver.createOutputTopic(topics.deadLetters().name(),
                        topics.deadLetters().keySerde().deserializer(),
                        topics.deadLetters().valueSerde().deserializer());
                long latestMs = 0;
                for (Timed timed : inEventTimeOrder(entries)) {
                    latestMs = Math.max(latestMs, timed.timeMs());
                    // the record time stands in for the time of producing (used for entries without their own)
                    input.pipeInput(timed.entry().getHost(), timed.entry(), timed.timeMs());
                }
                Duration settle = Duration.ofMinutes(1).plus(correlator.extractionPunctuation());
                long firstMark = latestMs + settle.toMillis();
                input.pipeInput(END_OF_INPUT_HOST, marker(firstMark), firstMark);
                long resolveAfter = correlator.incidentSettings().gap().plus(correlator.incidentSettings().grace())
                        .plus(correlator.incidentSettings().updateInterval())
                        .plus(correlator.correlationPunctuation()).plus(settle).toMillis();
                long secondMark = firstMark + resolveAfter;
                input.pipeInput(END_OF_INPUT_HOST, marker(secondMark), secondMark);
                return new Result(incidents.readValuesToList(), alerts.readValuesToList(), dead.readValuesToList());
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
