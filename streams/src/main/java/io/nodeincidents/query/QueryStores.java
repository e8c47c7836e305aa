package io.nodeincidents.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodeincidents.schemas.Incident;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The state stores the query API reads, and the processors that keep them. Both hold JSON text, rendered once when
 * written: what the API serves, and readable across upgrades of the Avro schemas.
 *
 * <ul>
 * <li>{@value #INCIDENTS}: incidentId -> the latest revision of the incident. Fed from the incidents topic, so the
 * store is partitioned like that topic (by incidentId) and Kafka Streams finds the instance holding an id from the
 * id alone. Incidents whose last evidence is older than the retention (in stream time) are dropped.</li>
 * <li>{@value #HOST_EVENTS}: host -> the host's parsed kernel and runtime events, at their event time (a window
 * store keeping duplicates, so every event of a millisecond stays). Fed inside the journal entries' task, so it is
 * partitioned like journal.entries (by host). Segments older than the retention are dropped whole.</li>
 * <li>{@value #HOST_MEMORY}: host -> the forecast's state of the host (its samples of the last hour), kept by the
 * memory forecast in the journal entries' task (partitioned by host).</li>
 * <li>{@value #MEMORY_FORECASTS}: host -> the host's latest forecast; a global store over node.memory.forecast, so
 * every instance holds the whole fleet's.</li>
 * <li>{@value #FLEET_ALERTS}: alertId -> the fleet alert; a global store over fleet.alerts, so every instance holds
 * them all (a handful a day even in a bad week).</li>
 * </ul>
 */
public final class QueryStores {

    public static final String INCIDENTS = "query-incidents";
    public static final String HOST_EVENTS = "query-host-events";
    public static final String HOST_MEMORY = "host-memory-state";
    public static final String MEMORY_FORECASTS = "memory-forecasts";
    public static final String FLEET_ALERTS = "fleet-alerts";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How often (in stream time) incidents past their retention are dropped. */
    private static final Duration INCIDENT_EXPIRY_INTERVAL = Duration.ofHours(1);

    private QueryStores() {
    }

    public static StoreBuilder<KeyValueStore<String, String>> incidentsStore() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(INCIDENTS), Serdes.String(),
                Serdes.String());
    }

    public static StoreBuilder<WindowStore<String, String>> hostEventsStore(Duration retention) {
        // a window of 1 ms: the window start is the event's time, nothing else
        return Stores.windowStoreBuilder(Stores.persistentWindowStore(HOST_EVENTS, retention, Duration.ofMillis(1),
                true), Serdes.String(), Serdes.String());
    }

    /** A processor over incidents (any key) that keeps the latest revision of each in {@value #INCIDENTS}. */
    public static Processor<String, Incident, Void, Void> latestIncidents(Duration retention) {
        return new LatestIncidents(retention);
    }

    /**
     * A processor over a host's events ({@code KernelMemoryEvent} and {@code RuntimeFailureEvent} records keyed by
     * host) that appends each to {@value #HOST_EVENTS} at its event time, or at the record's time when the log had
     * no wall-clock time.
     */
    public static Processor<String, SpecificRecord, Void, Void> hostEventLog() {
        return new HostEventLog();
    }

    private static final class LatestIncidents implements Processor<String, Incident, Void, Void> {
        private final long retentionMs;
        private KeyValueStore<String, String> store;

        LatestIncidents(Duration retention) {
            this.retentionMs = retention.toMillis();
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.store = context.getStateStore(INCIDENTS);
            context.schedule(INCIDENT_EXPIRY_INTERVAL, PunctuationType.STREAM_TIME, this::expire);
        }

        @Override
        public void process(Record<String, Incident> record) {
            Incident incident = record.value();
            if (incident == null) {
                return;
            }
            String id = incident.getIncidentId();
            String stored = store.get(id);
            // revisions of one incident are written in order, but a re-read of the topic must not step back
            if (stored != null && revision(stored) > incident.getRevision()) {
                return;
            }
            store.put(id, IncidentJson.full(incident).toString());
        }

        private void expire(long streamTimeMs) {
            long oldestMicros = Math.multiplyExact(Math.max(0, streamTimeMs - retentionMs), 1000L);
            List<String> expired = new ArrayList<>();
            try (KeyValueIterator<String, String> all = store.all()) {
                while (all.hasNext()) {
                    KeyValue<String, String> next = all.next();
                    if (read(next.value).path("lastSeenMicros").asLong() < oldestMicros) {
                        expired.add(next.key);
                    }
                }
            }
            expired.forEach(store::delete);
        }

        private static int revision(String json) {
            return read(json).path("revision").asInt();
        }
    }

    private static final class HostEventLog implements Processor<String, SpecificRecord, Void, Void> {
        private WindowStore<String, String> store;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.store = context.getStateStore(HOST_EVENTS);
        }

        @Override
        public void process(Record<String, SpecificRecord> record) {
            if (record.key() == null || record.value() == null) {
                return;
            }
            Long time = IncidentJson.eventTimeMillis(record.value());
            store.put(record.key(), IncidentJson.event(record.value()).toString(),
                    time == null ? record.timestamp() : time);
        }
    }

    /** A stored value as JSON; what this class wrote always parses. */
    static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a query store holds a value that is not JSON", e);
        }
    }
}
