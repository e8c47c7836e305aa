package io.nodeincidents.query;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Query strings: decoding with the checks the API makes (no repeated or unknown names), and encoding. */
final class QueryParams {

    static final int MAX_QUERY_LENGTH = 4096;

    private QueryParams() {
    }

    /**
     * The parameters of a raw (still percent-encoded) query string; null or empty gives none.
     *
     * @throws QueryException 400 for a repeated parameter or an over-long or undecodable query
     */
    static Map<String, String> decode(String rawQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        if (rawQuery.length() > MAX_QUERY_LENGTH) {
            throw QueryException.badRequest("query string longer than " + MAX_QUERY_LENGTH + " characters");
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name;
            String value;
            try {
                name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw QueryException.badRequest("malformed query string: " + e.getMessage());
            }
            if (params.putIfAbsent(name, value) != null) {
                throw QueryException.badRequest(QueryTimes.shorten(name) + ": given more than once");
            }
        }
        // an empty value means "not given" (as curl users write ?host=&limit=10)
        params.values().removeIf(String::isEmpty);
        return params;
    }

    static String encode(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    static void requireKnown(Map<String, String> params, Set<String> known) {
        for (String name : params.keySet()) {
            if (!known.contains(name)) {
                throw QueryException.badRequest("unknown parameter '" + QueryTimes.shorten(name) + "' (known: "
                        + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
    }

    static int integer(Map<String, String> params, String name, int defaultValue) {
        String text = params.get(name);
        if (text == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw QueryException.badRequest(name + ": not a whole number: '" + QueryTimes.shorten(text) + "'");
        }
    }
}
