package io.nodeincidents.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A client of the query API ({@link QueryServer}): what {@code nodeincidents query} and the forwarding between
 * instances use. Failures come as {@link Failure} with the HTTP status and the server's message, or status 0 when
 * no answer came at all.
 */
public final class QueryClient {

    /** Marks a request one instance forwarded to another: answered from the receiver's own stores. */
    public static final String FORWARDED_HEADER = "X-NodeIncidents-Forwarded";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI base;
    private final String token;
    private final boolean forwarded;

    /**
     * @param base  the API's address, e.g. {@code http://127.0.0.1:8080}
     * @param token the bearer token, if the API requires one
     */
    public QueryClient(URI base, Optional<String> token) {
        this(defaultHttpClient(), base, token, false);
    }

    QueryClient(HttpClient http, URI base, Optional<String> token, boolean forwarded) {
        this.http = Objects.requireNonNull(http, "http");
        String text = base.toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.token = token.orElse(null);
        this.forwarded = forwarded;
    }

    static HttpClient defaultHttpClient() {
        return HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public URI base() {
        return base;
    }

    /** {@code GET /incidents}: one page, {@code {"incidents": [...], "nextCursor": ...}}. */
    public JsonNode incidentsJson(IncidentQuery query) throws Failure {
        return get("/incidents", query.params());
    }

    CompletableFuture<IncidentPage> incidentsAsync(IncidentQuery query) {
        return getAsync("/incidents", query.params()).thenApply(IncidentPage::fromJson);
    }

    /** {@code GET /incidents/{id}}: the incident with all evidence; empty when unknown (404). */
    public Optional<JsonNode> incident(String incidentId) throws Failure {
        try {
            return Optional.of(get("/incidents/" + segment(incidentId), Map.of()));
        } catch (Failure e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** {@code GET /hosts/{host}/events}: {@code {"host": ..., "events": [...], "truncated": ...}}. */
    public JsonNode eventsJson(String host, EventQuery query) throws Failure {
        return get("/hosts/" + segment(host) + "/events", query.params());
    }

    EventList events(String host, EventQuery query) throws Failure {
        return EventList.fromJson(eventsJson(host, query));
    }

    /** {@code GET /hosts/{host}/memory}: the host's forecast and samples; empty when unknown (404). */
    public Optional<JsonNode> hostMemory(String host) throws Failure {
        try {
            return Optional.of(get("/hosts/" + segment(host) + "/memory", Map.of()));
        } catch (Failure e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** {@code GET /fleet/memory}: the fleet's hosts ranked by memory risk. */
    public JsonNode fleetMemory(int limit) throws Failure {
        return get("/fleet/memory", Map.of("limit", Integer.toString(limit)));
    }

    /** A GET of {@code path} with {@code params}; the JSON body of a 200 answer. */
    public JsonNode get(String path, Map<String, String> params) throws Failure {
        try {
            return getAsync(path, params).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Failure failure) {
                throw failure;
            }
            throw new Failure(0, base, "request failed: " + e.getCause(), e.getCause());
        }
    }

    CompletableFuture<JsonNode> getAsync(String path, Map<String, String> params) {
        String query = params.isEmpty() ? "" : "?" + QueryParams.encode(params);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path + query))
                .timeout(REQUEST_TIMEOUT).header("Accept", "application/json").GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (forwarded) {
            request.header(FORWARDED_HEADER, "true");
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .handle((response, error) -> {
                    if (error != null) {
                        throw new CompletionException(unreachable(error instanceof CompletionException c
                                && c.getCause() != null ? c.getCause() : error));
                    }
                    return body(response);
                });
    }

    private JsonNode body(HttpResponse<String> response) {
        JsonNode json;
        try {
            json = JSON.readTree(response.body());
        } catch (IOException e) {
            json = null;
        }
        if (response.statusCode() == 200 && json != null) {
            return json;
        }
        String message = json != null && json.hasNonNull("error") ? json.get("error").asText()
                : response.statusCode() == 200 ? "the answer is not JSON" : "HTTP " + response.statusCode();
        throw new CompletionException(new Failure(response.statusCode(), base, message, null));
    }

    private Failure unreachable(Throwable error) {
        String why = error instanceof HttpConnectTimeoutException ? "connection timed out"
                : error instanceof HttpTimeoutException ? "no answer within " + REQUEST_TIMEOUT.toSeconds() + " s"
                : error instanceof ConnectException ? "connection refused"
                : String.valueOf(error.getMessage() == null ? error : error.getMessage());
        return new Failure(0, base, "cannot reach the query API at " + base + ": " + why, error);
    }

    /** A path segment, percent-encoded (a host or id may hold any character). */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The API did not answer, or answered with an error status. */
    public static final class Failure extends Exception {
        private final int status;
        private final URI server;

        public Failure(int status, URI server, String message, Throwable cause) {
            super(message, cause);
            this.status = status;
            this.server = server;
        }

        /** The HTTP status, or 0 when no answer came. */
        public int status() {
            return status;
        }

        public URI server() {
            return server;
        }
    }
}
