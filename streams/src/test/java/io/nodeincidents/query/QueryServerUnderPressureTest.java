package io.nodeincidents.query;

import static io.nodeincidents.query.QueryFixture.incident;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentStatus;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query API under clients that would starve it: hundreds of connections that send a request slowly or never
 * finish it, connections beyond the bound, queries that take long, malformed requests. Loopback only; every loop is
 * bounded in count and time.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class QueryServerUnderPressureTest {

    /** What a probe may take, at most, while the server is under pressure (kubelet's timeout is 5 s). */
    private static final Duration PROBE_BUDGET = Duration.ofSeconds(1);
    private static final String PARTIAL = "GET /incidents?host=slave-138 HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path stateDir;
    private QueryFixture api;
    private SlowClients slow;
    private final List<AutoCloseable> more = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        if (slow != null) {
            slow.close();
        }
        for (AutoCloseable c : more) {
            c.close();
        }
        if (api != null) {
            api.close();
        }
    }

    private int port() {
        return api.url().getPort();
    }

    private QueryFixture fixture(QueryServer.Limits limits) {
        QueryFixture fixture = new QueryFixture(stateDir, Optional.empty(), null, limits);
        fixture.add(incident("a", 1, "slave-138", IncidentCause.MEMORY_FRAGMENTATION, IncidentStatus.OPEN, 0, 60));
        return fixture;
    }

    /** /health, /ready and a real query, each on a new connection; returns the slowest probe's time. */
    private Duration probeAndQuery() throws Exception {
        Duration slowest = Duration.ZERO;
        for (String probe : List.of("/health", "/ready")) {
            SlowClients.Answer answer = SlowClients.get(port(), probe, Duration.ofSeconds(5));
            assertThat(answer.status()).as(probe).isEqualTo(200);
            assertThat(answer.took()).as(probe + " under pressure").isLessThan(PROBE_BUDGET);
            slowest = answer.took().compareTo(slowest) > 0 ? answer.took() : slowest;
        }
        SlowClients.Answer query = SlowClients.get(port(), "/incidents?host=slave-138", Duration.ofSeconds(5));
        assertThat(query.status()).isEqualTo(200);
        assertThat(JSON.readTree(query.body()).path("incidents").get(0).path("incidentId").asText()).isEqualTo("a");
        return slowest;
    }

    @Test
    void probesAndQueriesAnswerWhileHundredsOfSlowConnectionsHangAndTheServerCutsThemAtTheReadTimeout()
            throws Exception {
        Duration readTimeout = Duration.ofSeconds(4);
        // room for every slow connection: here the read timeout alone must deal with them
        api = fixture(new QueryServer.Limits(4, 8, 1_000, readTimeout, Duration.ofSeconds(30)));
        slow = new SlowClients(port());
        for (int i = 0; i < 280; i++) {
            // partial request lines of every length, the request never completed
            slow.open(PARTIAL.substring(0, 1 + i % (PARTIAL.length() - 1)));
        }
        for (int i = 0; i < 20; i++) {
            // progress every second: an idle timeout alone would never fire
            slow.openDripping(PARTIAL);
        }
        long firstOpened = slow.connections().get(0).openedNanos;
        long lastOpened = slow.connections().get(slow.connections().size() - 1).openedNanos;

        // while they hang (until shortly before the first ones' deadline), checked again and again
        int rounds = 0;
        Duration slowest = Duration.ZERO;
        while (System.nanoTime() - firstOpened < readTimeout.minusMillis(700).toNanos()) {
            Duration took = probeAndQuery();
            slowest = took.compareTo(slowest) > 0 ? took : slowest;
            rounds++;
            TimeUnit.MILLISECONDS.sleep(150);
        }
        assertThat(rounds).isGreaterThanOrEqualTo(3);
        assertThat(slow.closedByServer()).as("closed before their read timeout").isZero();
        assertThat(api.server().openConnections()).as("the server holds them all").isGreaterThanOrEqualTo(300);

        // then the server closes every one of them: not before the read timeout, and soon after it
        assertThat(slow.awaitAllClosed(readTimeout.plusSeconds(5))).as("all closed by the server").isTrue();
        for (SlowClients.Slow connection : slow.connections()) {
            assertThat(connection.heldFor()).isGreaterThanOrEqualTo(readTimeout.minusMillis(100))
                    .isLessThan(readTimeout.plusMillis(2_500));
            assertThat(connection.fromServer.toString()).as("closed without an answer").isEmpty();
            if (connection.dripping) {
                assertThat(connection.dripped).as("dripped bytes before the cut").isGreaterThanOrEqualTo(2);
            }
        }
        assertThat(api.server().openConnections()).isLessThanOrEqualTo(2);
        System.out.printf("slow connections: 300 opened in %d ms; %d probe rounds during the flood, slowest"
                + " /health or /ready %d ms; all cut after %d-%d ms (read timeout %d ms)%n",
                TimeUnit.NANOSECONDS.toMillis(lastOpened - firstOpened), rounds, slowest.toMillis(),
                slow.connections().stream().mapToLong(c -> c.heldFor().toMillis()).min().orElse(0),
                slow.connections().stream().mapToLong(c -> c.heldFor().toMillis()).max().orElse(0),
                readTimeout.toMillis());
    }

    @Test
    void atTheConnectionBoundTheConnectionsWaitingLongestMakeRoomSoProbesStillGetIn() throws Exception {
        int maxConnections = 40;
        // a read timeout far off: here only the bound deals with the slow connections
        api = fixture(new QueryServer.Limits(2, 4, maxConnections, Duration.ofSeconds(60), Duration.ofSeconds(60)));
        slow = new SlowClients(port());
        ExecutorService flood = Executors.newSingleThreadExecutor();
        more.add(flood::shutdownNow);
        // 300 slow connections at about 100 a second, while the probes run
        Future<?> opening = flood.submit(() -> {
            for (int i = 0; i < 300; i++) {
                slow.open(PARTIAL);
                TimeUnit.MILLISECONDS.sleep(10);
            }
            return null;
        });
        int rounds = 0;
        Duration slowest = Duration.ZERO;
        while (!opening.isDone() && rounds < 200) {
            Duration took = probeAndQuery();
            slowest = took.compareTo(slowest) > 0 ? took : slowest;
            assertThat(api.server().openConnections()).isLessThanOrEqualTo(maxConnections);
            rounds++;
            TimeUnit.MILLISECONDS.sleep(50);
        }
        opening.get(30, TimeUnit.SECONDS);
        assertThat(rounds).isGreaterThanOrEqualTo(5);

        // the oldest went first: the server kept only the newest
        List<SlowClients.Slow> all = slow.connections();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (slow.closedByServer() < all.size() - maxConnections && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        assertThat(slow.closedByServer()).isGreaterThanOrEqualTo(all.size() - maxConnections);
        assertThat(all.subList(0, all.size() - maxConnections)).allMatch(SlowClients.Slow::closedByServer);
        assertThat(api.server().openConnections()).isLessThanOrEqualTo(maxConnections);
        System.out.printf("connection bound %d: 300 slow connections, %d probe rounds, slowest /health or /ready"
                + " %d ms, %d closed to make room%n", maxConnections, rounds, slowest.toMillis(),
                slow.closedByServer());
    }

    @Test
    void heavyQueriesWaitOrGet503WhileProbesAnswerAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        QueryBackend stuck = new QueryBackend() {
            @Override
            public IncidentPage incidents(IncidentQuery query, boolean localOnly) {
                started.incrementAndGet();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new IncidentPage(List.of(), false);
            }

            @Override
            public Optional<JsonNode> incident(String incidentId, boolean localOnly) {
                return Optional.empty();
            }

            @Override
            public EventList events(String host, EventQuery query, boolean localOnly) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Optional<JsonNode> hostMemory(String host, boolean localOnly) {
                throw new UnsupportedOperationException();
            }

            @Override
            public JsonNode fleetMemory(int limit) {
                throw new UnsupportedOperationException();
            }

            @Override
            public JsonNode fleetAlerts(int limit, String incidentId) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Readiness readiness() {
                return new Readiness(true, "RUNNING");
            }
        };
        QueryServer server = QueryServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Optional.empty(), null, new QueryServer.Limits(2, 2, 20, Duration.ofSeconds(5),
                        Duration.ofSeconds(30))).start(stuck);
        more.add(server);
        int port = server.address().getPort();
        ExecutorService clients = Executors.newFixedThreadPool(6);
        more.add(clients::shutdownNow);
        List<Future<SlowClients.Answer>> queries = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            queries.add(clients.submit(() -> SlowClients.get(port, "/incidents", Duration.ofSeconds(30))));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((started.get() < 2 || server.queuedQueries() < 2) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        // two running, two queued: a fifth finds no room and is told so at once
        SlowClients.Answer busy = SlowClients.get(port, "/incidents", Duration.ofSeconds(5));
        assertThat(busy.status()).isEqualTo(503);
        assertThat(busy.took()).isLessThan(PROBE_BUDGET);
        assertThat(busy.header("Retry-After")).isEqualTo("1");
        assertThat(JSON.readTree(busy.body()).path("error").asText()).contains("busy");
        // probes need no worker
        for (int i = 0; i < 10; i++) {
            for (String probe : List.of("/health", "/ready")) {
                SlowClients.Answer answer = SlowClients.get(port, probe, Duration.ofSeconds(5));
                assertThat(answer.status()).as(probe).isEqualTo(200);
                assertThat(answer.took()).as(probe + " behind stuck queries").isLessThan(PROBE_BUDGET);
            }
        }
        release.countDown();
        for (Future<SlowClients.Answer> query : queries) {
            assertThat(query.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
        }
        assertThat(started.get()).isEqualTo(4);
    }

    @Test
    void aMalformedUriIsA400WithAJsonError() throws Exception {
        api = fixture(QueryServer.Limits.defaults());
        for (String target : List.of("/incidents?host=%zz", "/incidents/%zz", "/hosts/%E0%A4/events",
                "/incidents?host=%", "/inci\u0001dents", "incidents", "http://[::1/incidents")) {
            SlowClients.Answer answer = SlowClients.get(port(), target, Duration.ofSeconds(5));
            assertThat(answer.status()).as(target).isEqualTo(400);
            assertThat(answer.header("Content-Type")).as(target).startsWith("application/json");
            JsonNode error = JSON.readTree(answer.body());
            assertThat(error.path("status").asInt()).as(target).isEqualTo(400);
            assertThat(error.path("error").asText()).as(target).isNotBlank();
        }
        // a request line that is no request line at all
        SlowClients.Answer garbage = SlowClients.raw(port(), "GET /incidents HTTP/1.1 extra\r\n\r\n",
                Duration.ofSeconds(5));
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(JSON.readTree(garbage.body()).path("status").asInt()).isEqualTo(400);
        // headers beyond 8 KiB
        SlowClients.Answer tooLarge = SlowClients.raw(port(), "GET /incidents HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
                + "x".repeat(9 * 1024) + "\r\n\r\n", Duration.ofSeconds(5));
        assertThat(tooLarge.status()).isEqualTo(431);
        assertThat(JSON.readTree(tooLarge.body()).path("status").asInt()).isEqualTo(431);
        // and the server goes on answering
        assertThat(SlowClients.get(port(), "/health", Duration.ofSeconds(5)).status()).isEqualTo(200);
    }
}
