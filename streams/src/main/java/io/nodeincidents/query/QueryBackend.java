package io.nodeincidents.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the HTTP layer asks. {@code localOnly} is set on requests another instance forwarded: they are answered from
 * this instance's stores, never forwarded again.
 *
 * @see StreamsQueryBackend the backend of a running correlator
 */
public interface QueryBackend {

    /** @throws QueryException 503 while the stores are not queryable, 502 when an instance did not answer */
    IncidentPage incidents(IncidentQuery query, boolean localOnly);

    /** The latest revision of the incident, with all evidence; empty when no instance knows the id. */
    Optional<JsonNode> incident(String incidentId, boolean localOnly);

    EventList events(String host, EventQuery query, boolean localOnly);

    /** The host's memory forecast and recent samples; empty when no instance has a sample of the host. */
    Optional<JsonNode> hostMemory(String host, boolean localOnly);

    /** The fleet's hosts ranked by memory risk, the first {@code limit}; every instance holds them all. */
    JsonNode fleetMemory(int limit);

    /**
     * The fleet alerts, newest first, the first {@code limit}; with {@code incidentId}, those naming that incident
     * (null: all). Every instance holds them all.
     */
    JsonNode fleetAlerts(int limit, String incidentId);

    /** Whether the stores can be queried, and the state that says so (Kafka Streams' state). */
    Readiness readiness();

    /**
     * @param ready true when queries can be answered
     * @param state what the application is doing, e.g. RUNNING, REBALANCING
     */
    record Readiness(boolean ready, String state) {
    }

    /** A backend over one set of stores, all of the data (one instance, or a test's topology). */
    static QueryBackend local(LocalStores stores, Supplier<Readiness> readiness) {
        return new QueryBackend() {
            @Override
            public IncidentPage incidents(IncidentQuery query, boolean localOnly) {
                return stores.incidents(query);
            }

            @Override
            public Optional<JsonNode> incident(String incidentId, boolean localOnly) {
                return stores.incident(incidentId);
            }

            @Override
            public EventList events(String host, EventQuery query, boolean localOnly) {
                return stores.events(host, query);
            }

            @Override
            public Optional<JsonNode> hostMemory(String host, boolean localOnly) {
                return stores.hostMemory(host);
            }

            @Override
            public JsonNode fleetMemory(int limit) {
                return stores.fleetMemory(limit);
            }

            @Override
            public JsonNode fleetAlerts(int limit, String incidentId) {
                return stores.fleetAlerts(limit, incidentId);
            }

            @Override
            public Readiness readiness() {
                return readiness.get();
            }
        };
    }
}
