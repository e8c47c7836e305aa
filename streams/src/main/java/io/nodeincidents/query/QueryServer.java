package io.nodeincidents.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query API over HTTP, on the JDK's own server (no dependency; a handful of GET routes, JSON out, need no
 * more):
 *
 * <ul>
 * <li>{@code GET /incidents?host=&cause=&status=&since=&until=&limit=&cursor=}: newest first, paged</li>
 * <li>{@code GET /incidents/{id}}: the latest revision with all evidence</li>
 * <li>{@code GET /hosts/{host}/events?since=&until=&limit=}: the host's parsed kernel and runtime events</li>
 * <li>{@code GET /health} (the process is up), {@code GET /ready} (Kafka Streams is RUNNING, else 503)</li>
 * <li>{@code GET /openapi.json} (OpenAPI 3 description), {@code GET /metrics} (Prometheus text, when a source of it
 * is given)</li>
 * </ul>
 *
 * Errors are JSON ({@code {"error": "...", "status": 400}}): 400 for bad parameters, 401 for a missing or wrong
 * bearer token (when one is set; /health and /ready stay open for probes), 404 for unknown ids and paths, 405 for
 * other methods, 502/503 when the data's instance cannot answer.
 */
public final class QueryServer implements AutoCloseable {

    /** The paths served, as templates; the OpenAPI document describes each (a test holds them to it). */
    public static final List<String> PATHS = List.of("/health", "/ready", "/openapi.json", "/metrics", "/incidents",
            "/incidents/{id}", "/hosts/{host}/events");
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String JSON_TYPE = "application/json";
    private static final int THREADS = 8;
    private static final Logger LOG = LoggerFactory.getLogger(QueryServer.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final byte[] token;
    private final Supplier<String> metrics;
    private final List<Route> routes = new ArrayList<>();
    private volatile QueryBackend backend;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private QueryServer(HttpServer server, Optional<String> token, Supplier<String> metrics) {
        this.server = server;
        this.token = token.map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
        this.metrics = metrics;
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(THREADS, run -> {
            Thread thread = new Thread(run, "query-api-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        routes.add(new Route("/health", true, request -> json(200, status("UP"))));
        routes.add(new Route("/ready", true, request -> ready()));
        routes.add(new Route("/openapi.json", false, request -> new Response(200, JSON_TYPE, openApi())));
        routes.add(new Route("/metrics", false, request -> metrics()));
        routes.add(new Route("/incidents", false, request -> json(200, backend.incidents(
                IncidentQuery.parse(request.params()), request.forwarded()).toJson())));
        routes.add(new Route("/incidents/{id}", false, request -> {
            requireNoParams(request);
            String id = request.path().get(0);
            return json(200, backend.incident(id, request.forwarded())
                    .orElseThrow(() -> new QueryException(404, "no incident " + QueryTimes.shorten(id))));
        }));
        routes.add(new Route("/hosts/{host}/events", false, request -> json(200, backend.events(
                request.path().get(0), EventQuery.parse(request.params()), request.forwarded()).toJson())));
        server.createContext("/", this::handle);
        server.setExecutor(executor);
    }

    /**
     * Binds {@code address} (port 0: a free one) without serving yet: the port is known, and taken, before the
     * application that backs the API is built.
     *
     * @param token   the bearer token to require, if any
     * @param metrics Prometheus text for {@code /metrics}; null for none (404)
     * @throws IOException when the address cannot be bound (in use, not local)
     */
    public static QueryServer bind(InetSocketAddress address, Optional<String> token, Supplier<String> metrics)
            throws IOException {
        return new QueryServer(HttpServer.create(address, 0), token, metrics);
    }

    /** The bound address (with the actual port). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Starts serving from {@code backend}. */
    public QueryServer start(QueryBackend backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
        server.start();
        LOG.info("query API listening on {}", address());
        return this;
    }

    /** Stops serving: requests under way get a second to finish. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(1);
            executor.shutdownNow();
        }
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            Response response;
            try {
                response = route(exchange);
            } catch (QueryException e) {
                response = error(e.status(), e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("query API: {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                response = error(500, "internal error: " + e.getClass().getSimpleName());
            }
            send(exchange, response);
        } catch (IOException e) {
            LOG.debug("query API: the client went away", e);
        }
    }

    private Response route(HttpExchange exchange) {
        String rawPath = exchange.getRequestURI().getRawPath();
        for (Route route : routes) {
            List<String> path = route.match(rawPath);
            if (path == null) {
                continue;
            }
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET");
                return error(405, exchange.getRequestMethod() + " is not supported; use GET");
            }
            if (!route.open() && !authorized(exchange)) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"nodeincidents\"");
                return error(401, "a valid bearer token is required (Authorization: Bearer TOKEN)");
            }
            Map<String, String> params = QueryParams.decode(exchange.getRequestURI().getRawQuery());
            boolean forwarded = exchange.getRequestHeaders().containsKey(QueryClient.FORWARDED_HEADER);
            return route.handler().handle(new Request(path, params, forwarded));
        }
        return error(404, "no such path: " + QueryTimes.shorten(rawPath) + " (see /openapi.json)");
    }

    private boolean authorized(HttpExchange exchange) {
        if (token == null) {
            return true;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        // constant time: the comparison must not tell how much of a guess was right
        return MessageDigest.isEqual(token, header.substring(7).strip().getBytes(StandardCharsets.UTF_8));
    }

    private Response ready() {
        QueryBackend.Readiness readiness = backend.readiness();
        return json(readiness.ready() ? 200 : 503, status(readiness.state()));
    }

    private Response metrics() {
        if (metrics == null) {
            return error(404, "no metrics in this process");
        }
        return new Response(200, PROMETHEUS_TEXT, metrics.get().getBytes(StandardCharsets.UTF_8));
    }

    private static void requireNoParams(Request request) {
        QueryParams.requireKnown(request.params(), Set.of());
    }

    private static ObjectNode status(String status) {
        return JsonNodeFactory.instance.objectNode().put("status", status);
    }

    private static Response json(int status, JsonNode body) {
        return new Response(status, JSON_TYPE, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static Response error(int status, String message) {
        return json(status, JsonNodeFactory.instance.objectNode().put("error", message).put("status", status));
    }

    private static void send(HttpExchange exchange, Response response) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", response.contentType());
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(response.status(), response.body().length == 0 ? -1 : response.body().length);
        exchange.getResponseBody().write(response.body());
    }

    /** The OpenAPI 3 document, as shipped in the jar. */
    static byte[] openApi() {
        try (InputStream in = QueryServer.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Request(List<String> path, Map<String, String> params, boolean forwarded) {
    }

    private record Response(int status, String contentType, byte[] body) {
    }

    private interface Handler {
        Response handle(Request request);
    }

    /** A path template, e.g. {@code /hosts/{host}/events}; its variables match one non-empty segment each. */
    private record Route(String template, boolean open, Handler handler) {

        /** The decoded values of the template's variables, or null when {@code rawPath} does not match. */
        List<String> match(String rawPath) {
            String[] want = template.substring(1).split("/", -1);
            String[] got = rawPath.startsWith("/") ? rawPath.substring(1).split("/", -1) : new String[0];
            if (want.length != got.length) {
                return null;
            }
            List<String> values = new ArrayList<>();
            for (int i = 0; i < want.length; i++) {
                if (want[i].startsWith("{")) {
                    if (got[i].isEmpty()) {
                        return null;
                    }
                    try {
                        values.add(URLDecoder.decode(got[i].replace("+", "%2B"), StandardCharsets.UTF_8));
                    } catch (IllegalArgumentException e) {
                        throw QueryException.badRequest("malformed path segment: " + QueryTimes.shorten(got[i]));
                    }
                } else if (!want[i].equals(got[i])) {
                    return null;
                }
            }
            return values;
        }
    }
}
