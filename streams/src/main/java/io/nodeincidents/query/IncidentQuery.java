package io.nodeincidents.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.Severity;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What {@code GET /incidents} asks for: filters, page size and where the page starts. Parsed from and written to
 * query parameters here, so the server, the forwarding between instances and the command line agree on them.
 *
 * @param host     only incidents of this host; null for all
 * @param causes   only these causes; empty for all
 * @param statuses only these statuses; empty for all
 * @param severities only these severities; empty for all
 * @param since    only incidents with evidence at or after this time (last evidence >= since); null for no bound
 * @param until    only incidents with evidence at or before this time (first evidence <= until); null for no bound
 * @param limit    page size, 1 to {@value #MAX_LIMIT}
 * @param after    where the page starts; null for the newest
 */
public record IncidentQuery(String host, Set<IncidentCause> causes, Set<IncidentStatus> statuses,
        Set<Severity> severities, Instant since, Instant until, int limit, PageCursor after) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 1000;
    static final Set<String> PARAMETERS = Set.of("host", "cause", "status", "severity", "since", "until", "limit",
            "cursor");

    public IncidentQuery {
        causes = causes.isEmpty() ? Set.of() : Set.copyOf(causes);
        statuses = statuses.isEmpty() ? Set.of() : Set.copyOf(statuses);
        severities = severities.isEmpty() ? Set.of() : Set.copyOf(severities);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw QueryException.badRequest("limit: must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
        if (since != null && until != null && until.isBefore(since)) {
            throw QueryException.badRequest("until: is before since");
        }
        if (host != null && host.isEmpty()) {
            host = null;
        }
    }

    /** The newest {@link #DEFAULT_LIMIT} incidents, unfiltered. */
    public static IncidentQuery all() {
        return new IncidentQuery(null, Set.of(), Set.of(), Set.of(), null, null, DEFAULT_LIMIT, null);
    }

    public IncidentQuery withAfter(PageCursor cursor) {
        return new IncidentQuery(host, causes, statuses, severities, since, until, limit, cursor);
    }

    /**
     * From query parameters; {@code cause}, {@code status} and {@code severity} take comma-separated names (any case).
     *
     * @throws QueryException 400 naming the parameter that is unknown or invalid
     */
    public static IncidentQuery parse(Map<String, String> params) {
        QueryParams.requireKnown(params, PARAMETERS);
        return new IncidentQuery(params.get("host"),
                names(params.get("cause"), "cause", IncidentCause.class),
                names(params.get("status"), "status", IncidentStatus.class),
                names(params.get("severity"), "severity", Severity.class),
                params.containsKey("since") ? QueryTimes.parse("since", params.get("since")) : null,
                params.containsKey("until") ? QueryTimes.parse("until", params.get("until")) : null,
                QueryParams.integer(params, "limit", DEFAULT_LIMIT),
                params.containsKey("cursor") ? PageCursor.decode(params.get("cursor")) : null);
    }

    /** As query parameters, in a stable order; defaults left out. */
    public Map<String, String> params() {
        Map<String, String> params = new LinkedHashMap<>();
        if (host != null) {
            params.put("host", host);
        }
        if (!causes.isEmpty()) {
            params.put("cause", causes.stream().map(Enum::name).sorted().collect(Collectors.joining(",")));
        }
        if (!statuses.isEmpty()) {
            params.put("status", statuses.stream().map(Enum::name).sorted().collect(Collectors.joining(",")));
        }
        if (!severities.isEmpty()) {
            params.put("severity", severities.stream().map(Enum::name).sorted().collect(Collectors.joining(",")));
        }
        if (since != null) {
            params.put("since", since.toString());
        }
        if (until != null) {
            params.put("until", until.toString());
        }
        params.put("limit", String.valueOf(limit));
        if (after != null) {
            params.put("cursor", after.encode());
        }
        return params;
    }

    /** True when {@code incident} (a record or summary as JSON) passes the filters (the cursor aside). */
    public boolean matches(JsonNode incident) {
        if (host != null && !host.equals(incident.path("host").asText())) {
            return false;
        }
        if (!causes.isEmpty() && causes.stream().noneMatch(c -> c.name().equals(incident.path("cause").asText()))) {
            return false;
        }
        if (!statuses.isEmpty()
                && statuses.stream().noneMatch(s -> s.name().equals(incident.path("status").asText()))) {
            return false;
        }
        if (!severities.isEmpty()
                && severities.stream().noneMatch(s -> s.name().equals(incident.path("severity").asText()))) {
            return false;
        }
        if (since != null && incident.path("lastSeenMicros").asLong() < QueryTimes.micros(since)) {
            return false;
        }
        return until == null || incident.path("firstSeenMicros").asLong() <= QueryTimes.micros(until);
    }

    private static <E extends Enum<E>> Set<E> names(String list, String name, Class<E> type) {
        if (list == null) {
            return Set.of();
        }
        Set<E> values = EnumSet.noneOf(type);
        for (String part : list.split(",", -1)) {
            String wanted = part.strip().toUpperCase(Locale.ROOT);
            E value = Arrays.stream(type.getEnumConstants()).filter(e -> e.name().equals(wanted)).findFirst()
                    .orElseThrow(() -> QueryException.badRequest(name + ": unknown value '"
                            + QueryTimes.shorten(part.strip()) + "' (one or more, comma-separated, of "
                            + Arrays.stream(type.getEnumConstants()).map(Enum::name)
                                    .collect(Collectors.joining(", ")) + ")"));
            values.add(value);
        }
        return values;
    }
}
