package io.nodeincidents.topology;

import static io.nodeincidents.topology.Scenario.T0;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodeincidents.alerting.IncidentAlerts;
import io.nodeincidents.query.IncidentJson;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stores the query API reads, kept by the correlator's own topology over the seeds' real lines. */
class QueryStoresTopologyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path stateDir;

    private static JsonNode parse(String json) throws Exception {
        return JSON.readTree(json);
    }

    private static List<KeyValue<Long, JsonNode>> events(TopologyHarness app, String host, Instant from,
            Instant to) throws Exception {
        List<KeyValue<Long, JsonNode>> events = new ArrayList<>();
        try (WindowStoreIterator<String> it = app.queryHostEvents().fetch(host, from, to)) {
            while (it.hasNext()) {
                KeyValue<Long, String> next = it.next();
                events.add(KeyValue.pair(next.key, parse(next.value)));
            }
        }
        return events;
    }

    @Test
    void theIncidentStoreHoldsTheLatestRevisionWithAllItsEvidence() throws Exception {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            app.pipe(Scenario.seed000()).settle(T0);
            List<Incident> revisions = app.incidents();
            Incident latest = revisions.get(revisions.size() - 1);
            assertThat(revisions.size()).as("OPEN and UPDATED written").isGreaterThan(1);

            JsonNode stored = parse(app.queryIncidents().get(latest.getIncidentId()));
            assertThat(stored.path("revision").asInt()).isEqualTo(latest.getRevision());
            assertThat(stored.path("host").asText()).isEqualTo("slave-138");
            assertThat(stored.path("cause").asText()).isEqualTo("MEMORY_FRAGMENTATION");
            assertThat(stored.path("kernelEvents")).anySatisfy(event ->
                    assertThat(event.path("allocation").path("order").asInt()).isEqualTo(6));
            assertThat(stored.path("runtimeFailures")).anySatisfy(failure ->
                    assertThat(failure.path("kind").asText()).isEqualTo("SANDBOX_FAILURE"));
            assertThat(stored.path("affectedPods").toString()).contains("matchdataserver-1255064836-t4b2w");
            assertThat(stored.path("evidence")).isNotEmpty();

            // quiet past G + grace: the RESOLVED revision replaces it
            app.advanceStreamTime(T0.plus(Duration.ofMinutes(12)));
            Incident resolved = app.incidents().get(app.incidents().size() - 1);
            assertThat(resolved.getStatus()).isEqualTo(IncidentStatus.RESOLVED);
            JsonNode afterResolution = parse(app.queryIncidents().get(latest.getIncidentId()));
            assertThat(afterResolution.path("status").asText()).isEqualTo("RESOLVED");
            assertThat(afterResolution.path("revision").asInt()).isEqualTo(resolved.getRevision());
            List<String> ids = new ArrayList<>();
            try (var all = app.queryIncidents().all()) {
                all.forEachRemaining(kv -> ids.add(kv.key));
            }
            assertThat(ids).containsExactly(latest.getIncidentId());
        }
    }

    @Test
    void anIncidentResumedFromTheStoreAlertsAsItsLatestRevisionDid() throws Exception {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            app.pipe(Scenario.seed000()).settle(T0);
            List<Incident> revisions = app.incidents();
            Incident latest = revisions.get(revisions.size() - 1);

            Incident resumed = IncidentJson.headline(app.queryIncidents().get(latest.getIncidentId()));

            IncidentAlerts alerts = new IncidentAlerts("http://correlator:8080");
            Instant now = Instant.now();
            assertThat(alerts.alert(resumed, now, Duration.ofMinutes(4)))
                    .isEqualTo(alerts.alert(latest, now, Duration.ofMinutes(4)));
        }
    }

    @Test
    void theFleetAlertsAreQueryableWholeAndByTheIncidentsTheyName() {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            app.pipe(Scenario.onHost(Scenario.seed000(), "node-1"))
                    .pipe(Scenario.onHost(Scenario.shifted(Scenario.seed000(), Duration.ofMinutes(4)), "node-2"))
                    .pipe(Scenario.onHost(Scenario.shifted(Scenario.seed000(), Duration.ofMinutes(8)), "node-3"))
                    .advanceStreamTime(T0.plus(Duration.ofMinutes(30)));
            assertThat(app.alerts()).hasSize(1);
            String node2 = app.incidents().stream().filter(i -> i.getHost().equals("node-2")).findFirst()
                    .orElseThrow().getIncidentId();

            JsonNode all = app.queryStores().fleetAlerts(10, null);
            assertThat(all.path("total").asInt()).isEqualTo(1);
            JsonNode alert = all.path("alerts").get(0);
            assertThat(alert.path("cause").asText()).isEqualTo("MEMORY_FRAGMENTATION");
            assertThat(alert.path("hostCount").asInt()).isEqualTo(3);
            assertThat(app.queryStores().fleetAlerts(10, node2).path("alerts")).hasSize(1);
            assertThat(app.queryStores().fleetAlerts(10, "not-an-incident").path("alerts")).isEmpty();
        }
    }

    @Test
    void theStoredEvidenceCarriesTheLinesItWasReadFrom() throws Exception {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            app.pipe(Scenario.seed000()).settle(T0);
            Incident latest = app.incidents().get(app.incidents().size() - 1);
            JsonNode stored = parse(app.queryIncidents().get(latest.getIncidentId()));
            assertThat(stored.path("kernelEvents")).anySatisfy(event -> {
                assertThat(event.path("lines").get(0).asText()).contains("page allocation failure: order:6");
                assertThat(event.path("lines").toString()).contains("Node 0 Normal");
            });
            assertThat(stored.path("runtimeFailures")).allSatisfy(failure ->
                    assertThat(failure.path("line").asText()).isNotEmpty());
        }
    }

    @Test
    void theEventStoreHoldsEachHostsParsedEventsAtTheirEventTime() throws Exception {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            app.pipe(Scenario.seed000())
                    .pipe(Scenario.onHost(Scenario.shifted(Scenario.seed000RuntimeOnly(), Duration.ofHours(1)),
                            "node-b"))
                    .settle(T0.plus(Duration.ofHours(1)));

            List<KeyValue<Long, JsonNode>> slave = events(app, "slave-138", T0.minus(Duration.ofMinutes(5)),
                    T0.plus(Duration.ofMinutes(5)));
            assertThat(slave).extracting(e -> e.value.path("source").asText() + " " + e.value.path("kind").asText())
                    .contains("kernel ALLOC_FAILURE", "kernel SLAB_FAILURE", "runtime SANDBOX_FAILURE");
            assertThat(slave).allSatisfy(e -> {
                assertThat(e.value.path("host").asText()).isEqualTo("slave-138");
                assertThat(e.key).isEqualTo(e.value.path("timeMicros").asLong() / 1000);
            });
            assertThat(slave).anySatisfy(e -> assertThat(e.value.path("allocation").path("order").asInt())
                    .isEqualTo(6));
            // the other host's runtime failures are under its own key, an hour later, and in no other range
            assertThat(events(app, "node-b", T0.minus(Duration.ofMinutes(5)), T0.plus(Duration.ofMinutes(5))))
                    .isEmpty();
            assertThat(events(app, "node-b", T0, T0.plus(Duration.ofHours(2))))
                    .isNotEmpty()
                    .allSatisfy(e -> assertThat(e.value.path("source").asText()).isEqualTo("runtime"));
        }
    }

    @Test
    void incidentsAndEventsPastTheirRetentionLeaveTheStores() throws Exception {
        Map<String, Object> retention = Map.of(CorrelatorSettings.QUERY_INCIDENTS_RETENTION_MS,
                Duration.ofHours(2).toMillis(), CorrelatorSettings.QUERY_EVENTS_RETENTION_MS,
                Duration.ofHours(2).toMillis());
        try (TopologyHarness app = new TopologyHarness(stateDir, retention)) {
            app.pipe(Scenario.seed000()).settle(T0);
            String first = app.incidents().get(0).getIncidentId();
            assertThat(app.queryIncidents().get(first)).isNotNull();
            assertThat(events(app, "slave-138", T0.minus(Duration.ofMinutes(5)), T0.plus(Duration.ofMinutes(5))))
                    .isNotEmpty();

            // a day later, the same trouble on the same host: a new incident; the old one and its events are gone
            Duration dayLater = Duration.ofDays(1);
            app.pipe(Scenario.shifted(Scenario.seed000(), dayLater)).settle(T0.plus(dayLater))
                    .advanceStreamTime(T0.plus(dayLater).plus(Duration.ofHours(1)));
            List<Incident> all = app.incidents();
            String second = all.get(all.size() - 1).getIncidentId();
            assertThat(second).isNotEqualTo(first);
            assertThat(app.queryIncidents().get(second)).isNotNull();
            assertThat(app.queryIncidents().get(first)).isNull();
            assertThat(events(app, "slave-138", T0.minus(Duration.ofMinutes(5)), T0.plus(Duration.ofMinutes(5))))
                    .isEmpty();
            assertThat(events(app, "slave-138", T0.plus(dayLater).minus(Duration.ofMinutes(5)),
                    T0.plus(dayLater).plus(Duration.ofMinutes(5)))).isNotEmpty();
        }
    }
}
