package io.nodeincidents.topology;

import static io.nodeincidents.topology.Scenario.SLAVE_138;
import static io.nodeincidents.topology.Scenario.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.schemas.DeadLetter;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.MemoryForecast;
import io.nodeincidents.schemas.NodeMemorySample;
import io.nodeincidents.schemas.ZoneState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memory forecast in the topology: samples in, FRAGMENTATION_RISK and forecasts out, evidence on failures. */
class MemoryForecastTopologyTest {

    /** Seed 000's healthy and failing Normal zones, from /proc/buddyinfo. */
    private static final long[] HEALTHY = {108, 1708, 952, 1064, 957, 690, 285, 145, 12, 1, 0};
    private static final long[] FAILING = {40153, 12774, 302, 17, 0, 0, 0, 0, 0, 0, 0};

    @TempDir
    Path stateDir;

    static NodeMemorySample sample(String host, Instant at, double decay) {
        List<Long> blocks = new ArrayList<>();
        for (int i = 0; i < HEALTHY.length; i++) {
            blocks.add(Math.round(HEALTHY[i] + (FAILING[i] - HEALTHY[i]) * decay));
        }
        return NodeMemorySample.newBuilder().setHost(host).setSampledAtMicros(at.toEpochMilli() * 1000)
                .setBootId("b1").setKernelVersion("3.10.0-514.26.2.el7.x86_64")
                .setZones(List.of(ZoneState.newBuilder().setNode(0).setZone("Normal").setFreeBlocks(blocks).build()))
                .setVmstat(Map.of("compact_success", 10L, "compact_stall", 3L)).build();
    }

    /** Samples every 30 s over the hour before {@code end}, decaying from healthy to failing. */
    static List<NodeMemorySample> decayingHourBefore(String host, Instant end) {
        List<NodeMemorySample> samples = new ArrayList<>();
        for (int i = 0; i <= 120; i++) {
            samples.add(sample(host, end.minus(Duration.ofMinutes(60)).plusSeconds(30L * i), i / 120.0));
        }
        return samples;
    }

    @Test
    void aDecayingHostIsWarnedBeforeItsFailureAndTheFailureCarriesTheLeadTimeAndTheFleetMedian() {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            for (int i = 1; i <= 3; i++) {
                app.pipe(sample("healthy-" + i, T0.minus(Duration.ofMinutes(1)), 0));
            }
            decayingHourBefore(SLAVE_138, T0).forEach(app::pipe);
            app.pipe(Scenario.seed000()).settle(T0);

            List<Incident> incidents = app.incidents();
            Incident risk = incidents.get(0);
            assertThat(risk.getCause()).isEqualTo(IncidentCause.FRAGMENTATION_RISK);
            assertThat(risk.getStatus()).isEqualTo(IncidentStatus.OPEN);
            assertThat(risk.getHost()).isEqualTo(SLAVE_138);
            assertThat(risk.getFirstSeenMicros()).isLessThan(T0.minus(Duration.ofMinutes(15)).toEpochMilli() * 1000);
            assertThat(incidents).filteredOn(i -> i.getCause() == IncidentCause.FRAGMENTATION_RISK)
                    .extracting(Incident::getHost).containsOnly(SLAVE_138);

            Incident failure = incidents.stream().filter(i -> i.getCause() == IncidentCause.MEMORY_FRAGMENTATION)
                    .findFirst().orElseThrow();
            MemoryForecast evidence = failure.getMemoryForecast();
            assertThat(evidence).isNotNull();
            long lead = evidence.getWarnedBeforeMillis();
            assertThat(lead).isEqualTo(T0.toEpochMilli() - risk.getFirstSeenMicros() / 1000
                    + (failureSandboxMillis(failure) - T0.toEpochMilli()));
            // the three healthy hosts' 631 order-6 blocks against slave-138's few: the median is a healthy host's
            assertThat(evidence.getFleetMedianBlocks()).isEqualTo(285 + 145 * 2 + 12 * 4 + 8);
            assertThat(evidence.getSampledAtMicros()).isLessThanOrEqualTo(T0.toEpochMilli() * 1000);
            // the forecast of each host is on node.memory.forecast
            assertThat(app.forecasts()).extracting(MemoryForecast::getHost).contains(SLAVE_138, "healthy-1");
        }
    }

    private static long failureSandboxMillis(Incident failure) {
        return failure.getRuntimeFailures().stream()
                .filter(r -> r.getKind() == io.nodeincidents.schemas.RuntimeFailureKind.SANDBOX_FAILURE)
                .mapToLong(r -> r.getTimeMicros() / 1000).min().orElse(failure.getFirstSeenMicros() / 1000);
    }

    @Test
    void withoutSamplesAFailureCarriesNoForecastAndHealthyHostsRaiseNothing() {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            app.pipe(sample("healthy-1", T0.minus(Duration.ofMinutes(1)), 0));
            app.pipe(Scenario.seed000()).settle(T0);
            assertThat(app.incidents()).extracting(Incident::getCause)
                    .doesNotContain(IncidentCause.FRAGMENTATION_RISK);
            assertThat(app.incidents()).allSatisfy(i -> assertThat(i.getMemoryForecast()).isNull());
        }
    }

    @Test
    void aSampleThatIsNotOneOrIsKeyedByAnotherHostIsDeadLettered() {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            app.pipeRawSample("slave-1", "not avro".getBytes(StandardCharsets.UTF_8), T0.toEpochMilli());
            NodeMemorySample other = sample("slave-2", T0, 0);
            app.pipe(other);
            byte[] bytes = app.topics().nodeMemory().valueSerde().serializer()
                    .serialize(app.topics().nodeMemory().name(), other);
            app.pipeRawSample("slave-1", bytes, T0.toEpochMilli());
            List<DeadLetter> letters = app.deadLetters();
            assertThat(letters).hasSize(2);
            assertThat(letters).allSatisfy(l -> assertThat(l.getTopic()).isEqualTo("node.memory"));
            assertThat(letters.get(1).getReason()).contains("keyed slave-1");
            assertThat(app.forecasts()).extracting(MemoryForecast::getHost).containsExactly("slave-2");
        }
    }

    @Test
    void theQueryApiServesAHostsForecastWithItsSamplesAndRanksTheFleetByRisk() throws Exception {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            for (int i = 1; i <= 3; i++) {
                app.pipe(sample("healthy-" + i, T0.minus(Duration.ofMinutes(1)), 0));
            }
            decayingHourBefore(SLAVE_138, T0).forEach(app::pipe);
            app.pipe(Scenario.seed000()).settle(T0);
            io.nodeincidents.query.QueryServer server = io.nodeincidents.query.QueryServer.bind(
                    new java.net.InetSocketAddress("127.0.0.1", 0), java.util.Optional.empty(), null,
                    io.nodeincidents.query.QueryServer.Limits.defaults())
                    .start(io.nodeincidents.query.QueryBackend.local(app.queryStores(),
                            () -> new io.nodeincidents.query.QueryBackend.Readiness(true, "RUNNING")));
            try {
                io.nodeincidents.query.QueryClient client = new io.nodeincidents.query.QueryClient(
                        java.net.URI.create("http://127.0.0.1:" + server.address().getPort()),
                        java.util.Optional.empty());
                com.fasterxml.jackson.databind.JsonNode host = client.hostMemory(SLAVE_138).orElseThrow();
                assertThat(host.path("forecast").path("riskOrder").asInt()).isEqualTo(6);
                assertThat(host.path("forecast").path("zones")).hasSize(1);
                // the hour of samples the forecast was made from, and the order that failed, watched from now on
                assertThat(host.path("samples").size()).isBetween(100, 121);
                assertThat(host.path("failedOrders")).extracting(com.fasterxml.jackson.databind.JsonNode::asInt)
                        .containsExactly(6);
                assertThat(client.hostMemory("no-such-host")).isEmpty();

                com.fasterxml.jackson.databind.JsonNode fleet = client.fleetMemory(2);
                assertThat(fleet.path("count").asInt()).isEqualTo(4);
                assertThat(fleet.path("truncated").asBoolean()).isTrue();
                assertThat(fleet.path("hosts").get(0).path("host").asText()).isEqualTo(SLAVE_138);
                assertThat(fleet.path("hosts").get(0).has("zones")).isFalse();
                assertThat(fleet.path("hosts")).hasSize(2);
            } finally {
                server.close();
            }
        }
    }

    @Test
    void anOrderThatFailedOnOneHostIsWatchedOnTheFleetsHostsOfTheSameKernel() {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            Instant start = T0.minus(Duration.ofMinutes(10));
            app.pipe(modern("node-a", start)).pipe(modern("node-b", start));
            assertThat(app.forecasts()).allSatisfy(f -> assertThat(f.getOrders())
                    .extracting(io.nodeincidents.schemas.OrderForecast::getOrder).containsExactly(4));
            // node-a's order-6 failure (seed 000's report) puts order 6 under watch on node-a ...
            app.pipe(Scenario.onHost(Scenario.seed000(), "node-a")).settle(T0);
            app.pipe(modern("node-a", T0.plus(Duration.ofMinutes(6))));
            // ... and, a minute of samples later, on node-b, which has the same kernel
            app.pipe(modern("node-b", T0.plus(Duration.ofMinutes(8))));
            List<MemoryForecast> forecasts = app.forecasts();
            MemoryForecast b = forecasts.get(forecasts.size() - 1);
            assertThat(b.getHost()).isEqualTo("node-b");
            assertThat(b.getOrders()).extracting(io.nodeincidents.schemas.OrderForecast::getOrder)
                    .containsExactly(4, 6);
        }
    }

    private static NodeMemorySample modern(String host, Instant at) {
        return NodeMemorySample.newBuilder(sample(host, at, 0)).setKernelVersion("5.15.0-91-generic").build();
    }

    @Test
    void aWarnedHostWhoseSamplesStopHasItsWarningResolvedAfterAnHour() {
        try (TopologyHarness app = new TopologyHarness(stateDir)) {
            app.pipe(sample("slave-9", T0, 1));
            assertThat(app.incidents()).extracting(Incident::getStatus).containsExactly(IncidentStatus.OPEN);
            // other hosts' entries move stream time on; slave-9 sends nothing more
            app.advanceStreamTime(T0.plus(Duration.ofMinutes(30)));
            assertThat(app.incidents()).hasSize(1);
            app.advanceStreamTime(T0.plus(Duration.ofMinutes(66)));
            List<Incident> incidents = app.incidents();
            assertThat(incidents).extracting(Incident::getStatus)
                    .containsExactly(IncidentStatus.OPEN, IncidentStatus.RESOLVED);
            assertThat(incidents.get(1).getIncidentId()).isEqualTo(incidents.get(0).getIncidentId());
            assertThat(incidents.get(1).getDiagnosis()).contains("no memory sample for");
        }
    }
}
