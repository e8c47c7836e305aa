package io.nodeincidents.query;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What {@code GET /hosts/{host}/events} asks for: a time range and how many events at most. The events come oldest
 * first; when more than {@code limit} lie in the range the answer says it is truncated, and the next request starts
 * after the last time received.
 *
 * @param since only events at or after this time; null for no bound
 * @param until only events at or before this time; null for no bound
 * @param limit at most this many events, 1 to {@value #MAX_LIMIT}
 */
public record EventQuery(Instant since, Instant until, int limit) {

    public static final int DEFAULT_LIMIT = 1000;
    public static final int MAX_LIMIT = 10_000;
    static final Set<String> PARAMETERS = Set.of("since", "until", "limit");

    public EventQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw QueryException.badRequest("limit: must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
        if (since != null && until != null && until.isBefore(since)) {
            throw QueryException.badRequest("until: is before since");
        }
    }

    public static EventQuery all() {
        return new EventQuery(null, null, DEFAULT_LIMIT);
    }

    /** @throws QueryException 400 naming the parameter that is unknown or invalid */
    public static EventQuery parse(Map<String, String> params) {
        QueryParams.requireKnown(params, PARAMETERS);
        return new EventQuery(
                params.containsKey("since") ? QueryTimes.parse("since", params.get("since")) : null,
                params.containsKey("until") ? QueryTimes.parse("until", params.get("until")) : null,
                QueryParams.integer(params, "limit", DEFAULT_LIMIT));
    }

    public Map<String, String> params() {
        Map<String, String> params = new LinkedHashMap<>();
        if (since != null) {
            params.put("since", since.toString());
        }
        if (until != null) {
            params.put("until", until.toString());
        }
        params.put("limit", String.valueOf(limit));
        return params;
    }

    Instant from() {
        return since == null ? Instant.EPOCH : since;
    }

    Instant to() {
        return until == null ? Instant.ofEpochMilli(Long.MAX_VALUE) : until;
    }
}
