package io.nodeincidents.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nodeincidents.forecast.HostMemoryState;
import io.nodeincidents.schemas.FleetAlert;
import io.nodeincidents.schemas.MemoryForecast;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Reads this instance's part of the {@link QueryStores}: the partitions whose tasks are active here.
 */
public final class LocalStores {

    private final Supplier<ReadOnlyKeyValueStore<String, String>> incidents;
    private final Supplier<ReadOnlyWindowStore<String, String>> events;
    private final Supplier<ReadOnlyKeyValueStore<String, HostMemoryState>> hostMemory;
    private final Supplier<ReadOnlyKeyValueStore<String, MemoryForecast>> forecasts;
    private final Supplier<ReadOnlyKeyValueStore<String, FleetAlert>> fleetAlerts;

    /** Over stores the suppliers give (a TopologyTestDriver's, in tests), without the memory forecast's. */
    public LocalStores(Supplier<ReadOnlyKeyValueStore<String, String>> incidents,
            Supplier<ReadOnlyWindowStore<String, String>> events) {
        this(incidents, events, () -> null, () -> null, () -> null);
    }

    /** Over stores the suppliers give; a supplier of null: that store is not there, and it answers nothing. */
    public LocalStores(Supplier<ReadOnlyKeyValueStore<String, String>> incidents,
            Supplier<ReadOnlyWindowStore<String, String>> events,
            Supplier<ReadOnlyKeyValueStore<String, HostMemoryState>> hostMemory,
            Supplier<ReadOnlyKeyValueStore<String, MemoryForecast>> forecasts,
            Supplier<ReadOnlyKeyValueStore<String, FleetAlert>> fleetAlerts) {
        this.incidents = incidents;
        this.events = events;
        this.hostMemory = hostMemory;
        this.forecasts = forecasts;
        this.fleetAlerts = fleetAlerts;
    }

    /** Over the active stores of a running application (interactive queries). */
    public static LocalStores of(KafkaStreams streams) {
        return new LocalStores(
                () -> streams.store(StoreQueryParameters.fromNameAndType(QueryStores.INCIDENTS,
                        QueryableStoreTypes.keyValueStore())),
                () -> streams.store(StoreQueryParameters.fromNameAndType(QueryStores.HOST_EVENTS,
                        QueryableStoreTypes.windowStore())),
                () -> streams.store(StoreQueryParameters.fromNameAndType(QueryStores.HOST_MEMORY,
                        QueryableStoreTypes.keyValueStore())),
                () -> streams.store(StoreQueryParameters.fromNameAndType(QueryStores.MEMORY_FORECASTS,
                        QueryableStoreTypes.keyValueStore())),
                () -> streams.store(StoreQueryParameters.fromNameAndType(QueryStores.FLEET_ALERTS,
                        QueryableStoreTypes.keyValueStore())));
    }

    /**
     * The fleet alerts, newest window first, the first {@code limit}; with {@code incidentId} only those naming that
     * incident. A scan of the global store: alerts are few.
     */
    public JsonNode fleetAlerts(int limit, String incidentId) {
        List<FleetAlert> matching = new ArrayList<>();
        try {
            ReadOnlyKeyValueStore<String, FleetAlert> alerts = fleetAlerts.get();
            if (alerts != null) {
                try (KeyValueIterator<String, FleetAlert> it = alerts.all()) {
                    it.forEachRemaining(kv -> {
                        if (kv.value != null && (incidentId == null || kv.value.getHosts().stream()
                                .anyMatch(h -> incidentId.equals(h.getIncidentId())))) {
                            matching.add(kv.value);
                        }
                    });
                }
            }
        } catch (InvalidStateStoreException e) {
            throw notQueryable(e);
        }
        matching.sort(Comparator.comparingLong(FleetAlert::getWindowEndMicros).reversed()
                .thenComparing(FleetAlert::getAlertId));
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode list = out.putArray("alerts");
        matching.stream().limit(limit).forEach(alert -> list.add(IncidentJson.tree(alert)));
        out.put("total", matching.size());
        return out;
    }

    /** The host's latest forecast and recent samples; empty when no sample of the host is known. */
    public Optional<JsonNode> hostMemory(String host) {
        try {
            ReadOnlyKeyValueStore<String, MemoryForecast> fleet = forecasts.get();
            ReadOnlyKeyValueStore<String, HostMemoryState> states = hostMemory.get();
            MemoryForecast forecast = fleet == null ? null : fleet.get(host);
            HostMemoryState state = states == null ? null : states.get(host);
            if (forecast == null && (state == null || state.points().isEmpty())) {
                return Optional.empty();
            }
            return Optional.of(MemoryJson.host(host, forecast, state));
        } catch (InvalidStateStoreException e) {
            throw notQueryable(e);
        }
    }

    /** Every host's latest forecast, ranked by risk, the first {@code limit}: the global store holds them all. */
    public JsonNode fleetMemory(int limit) {
        List<MemoryForecast> all = new ArrayList<>();
        try {
            ReadOnlyKeyValueStore<String, MemoryForecast> fleet = forecasts.get();
            if (fleet != null) {
                try (KeyValueIterator<String, MemoryForecast> it = fleet.all()) {
                    it.forEachRemaining(kv -> {
                        if (kv.value != null) {
                            all.add(kv.value);
                        }
                    });
                }
            }
        } catch (InvalidStateStoreException e) {
            throw notQueryable(e);
        }
        return MemoryJson.fleet(all, limit);
    }

    /** The page {@code query} asks for, of the incidents held here. A scan: incidents are few next to entries. */
    public IncidentPage incidents(IncidentQuery query) {
        List<JsonNode> matching = new ArrayList<>();
        try (KeyValueIterator<String, String> all = open(incidents).all()) {
            while (all.hasNext()) {
                JsonNode incident = QueryStores.read(all.next().value);
                if (query.matches(incident) && (query.after() == null || query.after().precedes(incident))) {
                    matching.add(IncidentJson.summary(incident));
                }
            }
        } catch (InvalidStateStoreException e) {
            throw notQueryable(e);
        }
        return IncidentPage.of(matching, query.limit());
    }

    public Optional<JsonNode> incident(String incidentId) {
        try {
            String json = open(incidents).get(incidentId);
            return json == null ? Optional.empty() : Optional.of(QueryStores.read(json));
        } catch (InvalidStateStoreException e) {
            throw notQueryable(e);
        }
    }

    /** The host's events in the range, oldest first, each once. */
    public EventList events(String host, EventQuery query) {
        List<JsonNode> found = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        boolean truncated = false;
        try (WindowStoreIterator<String> range = open(events).fetch(host, query.from(), query.to())) {
            while (range.hasNext()) {
                KeyValue<Long, String> next = range.next();
                JsonNode event = QueryStores.read(next.value);
                // an event re-extracted after a crash (at-least-once) is stored twice: show it once
                if (!seen.add(event.path("eventId").asText())) {
                    continue;
                }
                if (found.size() == query.limit()) {
                    truncated = true;
                    break;
                }
                found.add(event);
            }
        } catch (InvalidStateStoreException e) {
            throw notQueryable(e);
        }
        return new EventList(host, found, truncated);
    }

    private static <S> S open(Supplier<S> store) {
        return store.get();
    }

    private static QueryException notQueryable(InvalidStateStoreException e) {
        return new QueryException(503, "the stores are not queryable right now (starting or rebalancing): "
                + e.getMessage() + "; retry shortly", e);
    }
}
