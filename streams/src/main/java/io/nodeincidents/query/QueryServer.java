package io.nodeincidents.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query API over HTTP (Jetty, HTTP/1.1; a handful of GET routes, JSON out):
 *
 * <ul>
 * <li>{@code GET /incidents?host=&cause=&status=&since=&until=&limit=&cursor=}: newest first, paged</li>
 * <li>{@code GET /incidents/{id}}: the latest revision with all evidence</li>
 * <li>{@code GET /hosts/{host}/events?since=&until=&limit=}: the host's parsed kernel and runtime events</li>
 * <li>{@code GET /hosts/{host}/memory}: the host's memory forecast and its samples of the last hour</li>
 * <li>{@code GET /fleet/memory?limit=}: the fleet's hosts ranked by memory risk</li>
 * <li>{@code GET /health} (the process is up), {@code GET /ready} (Kafka Streams is RUNNING, else 503)</li>
 * <li>{@code GET /openapi.json} (OpenAPI 3 description), {@code GET /metrics} (Prometheus text, when a source of it
 * is given)</li>
 * </ul>
 *
 * Errors are JSON ({@code {"error": "...", "status": 400}}): 400 for bad parameters or a malformed request, 401 for
 * a missing or wrong bearer token (when one is set; /health and /ready stay open for probes), 404 for unknown ids
 * and paths, 405 for other methods, 502/503 when the data's instance cannot answer, 503 (with Retry-After) when
 * every query worker is busy and the queue is full.
 *
 * <p>It cannot be starved ({@link Limits}): Jetty reads requests without blocking, so a client that sends slowly
 * holds no thread; {@link ConnectionGuard} closes a connection whose request is not complete within the read
 * timeout and keeps the number of connections bounded without ever locking a newcomer out; queries run on their
 * own bounded pool, while /health and /ready are answered at once on the thread that read them, so neither slow
 * clients nor heavy queries delay a probe.
 */
public final class QueryServer implements AutoCloseable {

    /** The paths served, as templates; the OpenAPI document describes each (a test holds them to it). */
    public static final List<String> PATHS = List.of("/health", "/ready", "/openapi.json", "/metrics", "/incidents",
            "/incidents/{id}", "/hosts/{host}/events", "/hosts/{host}/memory", "/fleet/memory", "/fleet/alerts");

    /** Hosts {@code /fleet/memory} lists at most. */
    static final int MAX_FLEET_LIMIT = 10_000;
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String JSON_TYPE = "application/json";
    private static final String CONSOLE = "/console";
    private static final String SIGN_IN = "/console/sign-in";
    /** The cookie the console's sign-in form keeps the token in. */
    static final String TOKEN_COOKIE = "nodeincidents_token";
    /** Jetty's own threads: the acceptor, the selector and short non-blocking tasks; queries never run there. */
    private static final int IO_THREADS = 8;
    private static final int MAX_HEADER_BYTES = 8 * 1024;
    private static final int ACCEPT_QUEUE = 128;
    /**
     * Path segments are decoded one by one after splitting on '/', so an encoded '/' or '%' in an id is data, not
     * an ambiguity: those two are allowed; everything else Jetty checks by default stays checked.
     */
    private static final UriCompliance URI_COMPLIANCE = UriCompliance.DEFAULT.with("nodeincidents",
            UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR, UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING);
    private static final Logger LOG = LoggerFactory.getLogger(QueryServer.class);

    /**
     * How much the API takes on.
     *
     * @param threads        workers answering queries (everything but /health and /ready)
     * @param maxQueued      queries waiting for a worker beyond which a request gets 503 at once
     * @param maxConnections open connections at most; at the bound the one that waited longest on its client is
     *                       closed to make room
     * @param readTimeout    time a client has to send a request's line and headers
     * @param idleTimeout    time a connection may see no traffic (between requests, or a client not reading the
     *                       answer) before it is closed
     */
    public record Limits(int threads, int maxQueued, int maxConnections, Duration readTimeout, Duration idleTimeout) {

        public static final int DEFAULT_THREADS = 8;
        public static final int DEFAULT_MAX_QUEUED = 32;
        public static final int DEFAULT_MAX_CONNECTIONS = 256;
        public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);
        public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

        public Limits {
            Objects.requireNonNull(readTimeout, "readTimeout");
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            if (threads < 1 || maxQueued < 0 || readTimeout.isNegative() || readTimeout.isZero()
                    || idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException("query API limits out of range: " + threads + " threads, "
                        + maxQueued + " queued, timeouts " + readTimeout + " and " + idleTimeout);
            }
            // connections waiting on the server are never closed to make room: there must always be others
            if (maxConnections <= threads + maxQueued) {
                throw new IllegalArgumentException("at most " + maxConnections + " connections leave no room beside "
                        + threads + " running and " + maxQueued + " queued queries; allow more than "
                        + (threads + maxQueued));
            }
        }

        public static Limits defaults() {
            return new Limits(DEFAULT_THREADS, DEFAULT_MAX_QUEUED, DEFAULT_MAX_CONNECTIONS, DEFAULT_READ_TIMEOUT,
                    DEFAULT_IDLE_TIMEOUT);
        }
    }

    private final Server server;
    private final ServerConnector connector;
    private final ConnectionGuard guard;
    private final ThreadPoolExecutor workers;
    private final byte[] token;
    private final Supplier<String> metrics;
    private final List<Route> routes = new ArrayList<>();
    private volatile QueryBackend backend;
    private final AtomicBoolean closed = new AtomicBoolean();

    private QueryServer(InetSocketAddress address, Optional<String> token, Supplier<String> metrics, Limits limits)
            throws IOException {
        this.token = token.map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
        this.metrics = metrics;
        AtomicInteger threads = new AtomicInteger();
        BlockingQueue<Runnable> queue = limits.maxQueued() == 0 ? new SynchronousQueue<>()
                : new ArrayBlockingQueue<>(limits.maxQueued());
        this.workers = new ThreadPoolExecutor(limits.threads(), limits.threads(), 1, TimeUnit.MINUTES, queue, run -> {
            Thread thread = new Thread(run, "query-api-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        workers.allowCoreThreadTimeOut(true);
        routes.add(new Route("/health", true, request -> json(200, status("UP"))));
        routes.add(new Route("/ready", true, request -> ready()));
        routes.add(new Route("/openapi.json", false, request -> new Reply(200, JSON_TYPE, openApi())));
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
        routes.add(new Route("/hosts/{host}/memory", false, request -> {
            requireNoParams(request);
            String host = request.path().get(0);
            return json(200, backend.hostMemory(host, request.forwarded()).orElseThrow(() -> new QueryException(404,
                    "no memory samples of host " + QueryTimes.shorten(host) + " (is ship sampling its memory?)")));
        }));
        // the console: HTML over the same backend, behind the same token
        routes.add(new Route("/console", false, request -> html(200,
                ConsolePages.incidents(backend, request.params()))));
        routes.add(new Route("/console/incidents/{id}", false, request -> {
            String id = request.path().get(0);
            return backend.incident(id, request.forwarded())
                    .map(incident -> html(200, ConsolePages.incident(backend, incident)))
                    .orElseThrow(() -> new QueryException(404, "no incident " + QueryTimes.shorten(id)));
        }));
        routes.add(new Route("/console/hosts/{host}", false, request -> html(200,
                ConsolePages.host(backend, request.path().get(0)))));
        routes.add(new Route("/console/fleet", false, request -> html(200, ConsolePages.fleet(backend))));
        routes.add(new Route(SIGN_IN, true, request -> html(200,
                ConsolePages.signIn(request.params().containsKey("refused")))));
        // the assets hold no data: the sign-in page needs them before any token
        routes.add(new Route("/console/assets/{name}", true, request -> {
            String name = request.path().get(0);
            byte[] body = ConsolePages.asset(name);
            if (body == null) {
                throw new QueryException(404, "no such asset: " + QueryTimes.shorten(name));
            }
            return new Reply(200, ConsolePages.ASSETS.get(name)[1], body).with("Cache-Control", "max-age=3600");
        }));
        routes.add(new Route("/fleet/memory", false, request -> {
            QueryParams.requireKnown(request.params(), Set.of("limit"));
            return json(200, backend.fleetMemory(fleetLimit(request)));
        }));
        routes.add(new Route("/fleet/alerts", false, request -> {
            QueryParams.requireKnown(request.params(), Set.of("limit", "incident"));
            return json(200, backend.fleetAlerts(fleetLimit(request), request.params().get("incident")));
        }));

        QueuedThreadPool io = new QueuedThreadPool(IO_THREADS, 2);
        io.setName("query-io");
        io.setDaemon(true);
        this.server = new Server(io);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(MAX_HEADER_BYTES);
        http.setUriCompliance(URI_COMPLIANCE);
        this.connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(address.getAddress() == null ? address.getHostString()
                : address.getAddress().getHostAddress());
        connector.setPort(address.getPort());
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        // a burst of connections waits in the kernel for the acceptor rather than being refused
        connector.setAcceptQueueSize(ACCEPT_QUEUE);
        this.guard = new ConnectionGuard(limits.maxConnections(), limits.readTimeout());
        connector.addEventListener(guard);
        server.addConnector(connector);
        server.setHandler(new GracefulHandler(new Api()));
        server.setErrorHandler(new JsonErrors());
        // close(): requests under way get a second to finish
        server.setStopTimeout(1000);
        try {
            connector.open();
        } catch (IOException e) {
            guard.close();
            workers.shutdownNow();
            // Jetty says "Failed to bind to ..." and leaves the reason (in use, not local) to the cause
            Throwable cause = e.getCause();
            throw cause == null || cause.getMessage() == null ? e
                    : new IOException(e.getMessage() + ": " + cause.getMessage(), e);
        } catch (RuntimeException e) {
            guard.close();
            workers.shutdownNow();
            throw e;
        }
    }

    /**
     * Binds {@code address} (port 0: a free one) with the default {@link Limits}, without serving yet.
     *
     * @see #bind(InetSocketAddress, Optional, Supplier, Limits)
     */
    public static QueryServer bind(InetSocketAddress address, Optional<String> token, Supplier<String> metrics)
            throws IOException {
        return bind(address, token, metrics, Limits.defaults());
    }

    /**
     * Binds {@code address} (port 0: a free one) without serving yet: the port is known, and taken, before the
     * application that backs the API is built.
     *
     * @param token   the bearer token to require, if any
     * @param metrics Prometheus text for {@code /metrics}; null for none (404)
     * @param limits  threads, queue, connections and timeouts
     * @throws IOException when the address cannot be bound (in use, not local)
     */
    public static QueryServer bind(InetSocketAddress address, Optional<String> token, Supplier<String> metrics,
            Limits limits) throws IOException {
        return new QueryServer(address, token, metrics, limits);
    }

    /** The bound address (with the actual port). */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) ((ServerSocketChannel) connector.getTransport()).getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts serving from {@code backend}. */
    public QueryServer start(QueryBackend backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
        try {
            server.start();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("the query API did not start: " + e.getMessage(), e);
        }
        LOG.info("query API listening on {}", address());
        return this;
    }

    /** Stops serving: requests under way get a second to finish. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                server.stop();
            } catch (Exception e) {
                LOG.debug("query API: stopping", e);
            }
            // bound but never started: the socket is still ours to release
            connector.close();
            guard.close();
            workers.shutdownNow();
        }
    }

    /** Connections the server holds open now. */
    int openConnections() {
        return guard.live();
    }

    /** Queries waiting for a worker now. */
    int queuedQueries() {
        return workers.getQueue().size();
    }

    /**
     * Routes and checks the token on the I/O thread (cheap, no I/O), answers the probes there too, and hands
     * every other route to the workers, so a probe never waits behind a query.
     */
    private final class Api extends Handler.Abstract.NonBlocking {

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Connection connection = request.getConnectionMetaData().getConnection();
            guard.serving(connection);
            Exchange exchange = new Exchange(response, connection, callback);
            try {
                Call call = route(request, response);
                if (call.reply() != null) {
                    exchange.send(call.reply());
                } else if (call.route().open()) {
                    exchange.send(answer(call, request));
                } else {
                    submit(call, request, exchange);
                }
            } catch (RuntimeException e) {
                exchange.send(failure(e, request));
            }
            return true;
        }
    }

    private void submit(Call call, Request request, Exchange exchange) {
        try {
            workers.execute(() -> {
                // the client left while the query waited: nobody to answer
                if (!exchange.connection().getEndPoint().isOpen()) {
                    exchange.abandon();
                    return;
                }
                exchange.send(answer(call, request));
            });
        } catch (RejectedExecutionException e) {
            Reply busy = error(503, "the query API is busy: " + workers.getActiveCount() + " queries running and "
                    + workers.getQueue().size() + " waiting; retry shortly");
            exchange.send(busy.with("Retry-After", "1"));
        }
    }

    private Reply answer(Call call, Request request) {
        try {
            return call.route().handler().handle(call.request());
        } catch (RuntimeException e) {
            return failure(e, request);
        }
    }

    private static Reply failure(RuntimeException e, Request request) {
        if (e instanceof QueryException q) {
            return error(q.status(), q.getMessage());
        }
        LOG.error("query API: {} {} failed", request.getMethod(), request.getHttpURI(), e);
        return error(500, "internal error: " + e.getClass().getSimpleName());
    }

    /** The route and the request to give it, or the reply when the request goes no further. */
    private Call route(Request request, Response response) {
        String rawPath = request.getHttpURI().getPath();
        rawPath = rawPath == null ? "" : rawPath;
        for (Route route : routes) {
            List<String> path = route.match(rawPath);
            if (path == null) {
                continue;
            }
            if (!"GET".equals(request.getMethod())) {
                response.getHeaders().put(HttpHeader.ALLOW, "GET");
                return Call.reply(error(405, QueryTimes.shorten(request.getMethod()) + " is not supported; use GET"));
            }
            boolean console = rawPath.equals(CONSOLE) || rawPath.startsWith(CONSOLE + "/");
            if (!route.open() && !authorized(request, console)) {
                if (console) {
                    // a browser goes to the sign-in page and comes back; the page says when its token was refused
                    String next = rawPath + (request.getHttpURI().getQuery() == null ? ""
                            : "?" + request.getHttpURI().getQuery());
                    Map<String, String> params = new LinkedHashMap<>();
                    params.put("next", next);
                    if (tokenCookie(request) != null) {
                        params.put("refused", "1");
                    }
                    return Call.reply(new Reply(303, "text/plain; charset=utf-8", new byte[0])
                            .with("Location", SIGN_IN + "?" + QueryParams.encode(params)));
                }
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"nodeincidents\"");
                return Call.reply(error(401, "a valid bearer token is required (Authorization: Bearer TOKEN)"));
            }
            Map<String, String> params = QueryParams.decode(request.getHttpURI().getQuery());
            boolean forwarded = request.getHeaders().contains(QueryClient.FORWARDED_HEADER);
            return new Call(route, new ApiRequest(path, params, forwarded), null);
        }
        return Call.reply(error(404, "no such path: " + QueryTimes.shorten(rawPath) + " (see /openapi.json)"));
    }

    /**
     * Whether the request carries the token: as a bearer header, or for the console's pages as the cookie its sign-in
     * form sets (a browser cannot send the header). The API takes no cookie: a page elsewhere could then make a
     * signed-in browser call it.
     */
    private boolean authorized(Request request, boolean console) {
        if (token == null) {
            return true;
        }
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        String given = null;
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            given = header.substring(7).strip();
        } else if (console) {
            given = tokenCookie(request);
        }
        // constant time: the comparison must not tell how much of a guess was right
        return given != null && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8));
    }

    /** The console's token cookie, decoded; null when the request has none. */
    private static String tokenCookie(Request request) {
        try {
            for (HttpCookie cookie : Request.getCookies(request)) {
                if (TOKEN_COOKIE.equals(cookie.getName())) {
                    return URLDecoder.decode(cookie.getValue(), StandardCharsets.UTF_8);
                }
            }
        } catch (IllegalArgumentException e) {
            return ""; // a cookie that does not decode is a wrong token, not a server error
        }
        return null;
    }

    private Reply ready() {
        QueryBackend.Readiness readiness = backend.readiness();
        return json(readiness.ready() ? 200 : 503, status(readiness.state()));
    }

    private Reply metrics() {
        if (metrics == null) {
            return error(404, "no metrics in this process");
        }
        return new Reply(200, PROMETHEUS_TEXT, metrics.get().getBytes(StandardCharsets.UTF_8));
    }

    /** The {@code limit} of a fleet-wide list: 100 unless given, 1 to {@value #MAX_FLEET_LIMIT}. */
    private static int fleetLimit(ApiRequest request) {
        int limit = QueryParams.integer(request.params(), "limit", 100);
        if (limit < 1 || limit > MAX_FLEET_LIMIT) {
            throw QueryException.badRequest("limit: must be between 1 and " + MAX_FLEET_LIMIT + ", was " + limit);
        }
        return limit;
    }

    private static void requireNoParams(ApiRequest request) {
        QueryParams.requireKnown(request.params(), Set.of());
    }

    private static ObjectNode status(String status) {
        return JsonNodeFactory.instance.objectNode().put("status", status);
    }

    private static Reply html(int status, String page) {
        return new Reply(status, "text/html; charset=utf-8", page.getBytes(StandardCharsets.UTF_8));
    }

    private static Reply json(int status, JsonNode body) {
        return new Reply(status, JSON_TYPE, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static Reply error(int status, String message) {
        return json(status, JsonNodeFactory.instance.objectNode().put("error", message).put("status", status));
    }

    /** Writes {@code reply} without blocking: a client slow to read it holds no thread. */
    private static void write(Response response, Reply reply, Callback callback) {
        response.setStatus(reply.status());
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.CONTENT_TYPE, reply.contentType());
        headers.put(HttpHeader.CACHE_CONTROL, "no-store");
        reply.headers().forEach(headers::put);
        headers.put(HttpHeader.CONTENT_LENGTH, reply.body().length);
        response.write(true, ByteBuffer.wrap(reply.body()), callback);
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

    /** One request's way out: the answer is written once, and the guard learns when it is. */
    private final class Exchange {
        private final Response response;
        private final Connection connection;
        private final Callback callback;
        private final AtomicBoolean done = new AtomicBoolean();

        Exchange(Response response, Connection connection, Callback callback) {
            this.response = response;
            this.connection = connection;
            this.callback = callback;
        }

        Connection connection() {
            return connection;
        }

        void send(Reply reply) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            guard.writing(connection);
            Callback written = new Callback() {
                @Override
                public void succeeded() {
                    guard.idle(connection);
                    callback.succeeded();
                }

                @Override
                public void failed(Throwable x) {
                    guard.idle(connection);
                    callback.failed(x);
                }

                @Override
                public InvocationType getInvocationType() {
                    return callback.getInvocationType();
                }
            };
            try {
                write(response, reply, written);
            } catch (RuntimeException e) {
                written.failed(e);
            }
        }

        void abandon() {
            if (done.compareAndSet(false, true)) {
                guard.idle(connection);
                callback.failed(new IOException("the client closed the connection before the answer"));
            }
        }
    }

    /**
     * Jetty's own errors (a malformed request line or URI, headers too large, a request during shutdown) in the
     * API's JSON form instead of Jetty's HTML page.
     */
    private static final class JsonErrors implements Request.Handler {

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int status = response.getStatus();
            String message = (String) request.getAttribute(ErrorHandler.ERROR_MESSAGE);
            Throwable cause = (Throwable) request.getAttribute(ErrorHandler.ERROR_EXCEPTION);
            if (cause instanceof HttpException http) {
                status = http.getCode();
                message = message == null ? http.getReason() : message;
            }
            if (status < 400) {
                status = 500;
            }
            if (HttpStatus.hasNoBody(status)) {
                response.setStatus(status);
                callback.succeeded();
                return true;
            }
            String reason = message == null || message.isBlank() ? HttpStatus.getMessage(status) : message;
            String text = status != 400 ? reason : reason.equals(HttpStatus.getMessage(400))
                    ? "malformed request (request line, URI or headers)" : "malformed request: " + reason;
            write(response, error(status, QueryTimes.shorten(text)), callback);
            return true;
        }
    }

    private record ApiRequest(List<String> path, Map<String, String> params, boolean forwarded) {
    }

    /** A matched route and its request, or a {@code reply} that ends the request before any route runs. */
    private record Call(Route route, ApiRequest request, Reply reply) {
        static Call reply(Reply reply) {
            return new Call(null, null, reply);
        }
    }

    private record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
        Reply(int status, String contentType, byte[] body) {
            this(status, contentType, body, Map.of());
        }

        Reply with(String header, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(header, value);
            return new Reply(status, contentType, body, more);
        }
    }

    private interface RouteHandler {
        Reply handle(ApiRequest request);
    }

    /** A path template, e.g. {@code /hosts/{host}/events}; its variables match one non-empty segment each. */
    private record Route(String template, boolean open, RouteHandler handler) {

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
