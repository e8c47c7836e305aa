package io.nodeincidents.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Just enough of PromQL and of the Prometheus text format to say which metric names and label names a dashboard
 * query uses and which ones a /metrics page offers. Not a PromQL parser: it reads a query in one pass, skipping
 * strings, range brackets, numbers and Grafana's {@code $variables}; an identifier followed by {@code (} or named
 * like an aggregation operator is a function, a keyword is skipped, any other identifier is a metric name. One pass
 * over a bounded query, no backtracking regex: a dashboard cannot make the check slow.
 */
final class PromQl {

    /** Longer than any query a person writes into a panel; beyond it the query is refused, not read. */
    static final int MAX_QUERY_CHARS = 4096;

    private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar",
            "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");
    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right");
    private static final Set<String> KEYWORDS = Set.of("bool", "offset", "and", "or", "unless", "atan2", "inf",
            "nan");

    private PromQl() {
    }

    /** One label matcher: {@code label op "value"}, op one of =, !=, =~, !~; the value unescaped. */
    record LabelMatcher(String label, String op, String value) {
        /** Whether a series with {@code actual} (null: no such label) as the label's value is selected. */
        boolean matches(String actual) {
            String v = actual == null ? "" : actual;
            return switch (op) {
                case "=" -> v.equals(value);
                case "!=" -> !v.equals(value);
                // PromQL anchors its regexes
                case "=~" -> java.util.regex.Pattern.compile(value).matcher(v).matches();
                case "!~" -> !java.util.regex.Pattern.compile(value).matcher(v).matches();
                default -> throw new IllegalArgumentException("no matcher operator " + op);
            };
        }
    }

    /** One instant or range vector selector: the metric it names and its label matchers. */
    record Selector(String metric, List<LabelMatcher> matchers) {
        Set<String> matcherLabels() {
            Set<String> labels = new LinkedHashSet<>();
            matchers.forEach(m -> labels.add(m.label()));
            return labels;
        }
    }

    /** What a query uses: its selectors, and the labels it groups or matches by (by, without, on, ignoring). */
    record Query(List<Selector> selectors, Set<String> groupingLabels) {
        Set<String> metrics() {
            Set<String> names = new LinkedHashSet<>();
            selectors.forEach(s -> names.add(s.metric()));
            return names;
        }
    }

    static Query parse(String query) {
        if (query.length() > MAX_QUERY_CHARS) {
            throw new IllegalArgumentException("query longer than " + MAX_QUERY_CHARS + " characters");
        }
        List<Selector> selectors = new ArrayList<>();
        Set<String> grouping = new LinkedHashSet<>();
        String pendingMetric = null;
        int i = 0;
        int n = query.length();
        while (i < n) {
            char c = query.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '"' || c == '\'' || c == '`') {
                i = skipString(query, i);
            } else if (c == '[') {
                // a range or subquery: durations and Grafana's $__rate_interval, no names
                int close = query.indexOf(']', i);
                i = close < 0 ? n : close + 1;
            } else if (c == '{') {
                List<LabelMatcher> matchers = new ArrayList<>();
                i = readMatchers(query, i, matchers);
                String metric = pendingMetric;
                for (LabelMatcher m : List.copyOf(matchers)) {
                    if (m.label().equals("__name__") && m.op().equals("=")) {
                        metric = m.value();
                        matchers.remove(m);
                    }
                }
                if (metric == null) {
                    throw new IllegalArgumentException("a selector without a metric name in: " + query);
                }
                selectors.add(new Selector(metric, matchers));
                pendingMetric = null;
            } else if (c == '$') {
                // a Grafana variable: $name, ${name}, ${name:format}
                i++;
                if (i < n && query.charAt(i) == '{') {
                    int close = query.indexOf('}', i);
                    i = close < 0 ? n : close + 1;
                } else {
                    while (i < n && isIdentifierPart(query.charAt(i))) {
                        i++;
                    }
                }
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(query.charAt(i + 1)))) {
                // a number, or a duration such as 5m or 1h30m
                while (i < n && (Character.isLetterOrDigit(query.charAt(i)) || query.charAt(i) == '.')) {
                    i++;
                }
            } else if (isIdentifierStart(c)) {
                int start = i;
                while (i < n && isIdentifierPart(query.charAt(i))) {
                    i++;
                }
                String word = query.substring(start, i);
                if (pendingMetric != null) {
                    selectors.add(new Selector(pendingMetric, List.of()));
                    pendingMetric = null;
                }
                int next = skipWhitespace(query, i);
                if (GROUPING.contains(word)) {
                    if (next < n && query.charAt(next) == '(') {
                        i = readLabelList(query, next, grouping);
                    }
                } else if (KEYWORDS.contains(word) || AGGREGATIONS.contains(word)) {
                    // an operator or an aggregation whose parenthesis may come after its by-clause
                } else if (next < n && query.charAt(next) == '(') {
                    // a function call
                } else {
                    pendingMetric = word;
                }
            } else {
                if (pendingMetric != null) {
                    selectors.add(new Selector(pendingMetric, List.of()));
                    pendingMetric = null;
                }
                i++;
            }
        }
        if (pendingMetric != null) {
            selectors.add(new Selector(pendingMetric, List.of()));
        }
        return new Query(selectors, grouping);
    }

    /** The metric name and label of Grafana's {@code label_values(metric, label)} variable query. */
    static Selector labelValues(String definition) {
        String d = definition.strip();
        if (!d.startsWith("label_values(") || !d.endsWith(")")) {
            throw new IllegalArgumentException("not label_values(metric, label): " + definition);
        }
        String inner = d.substring("label_values(".length(), d.length() - 1);
        int comma = inner.lastIndexOf(',');
        Query metric = parse(inner.substring(0, comma));
        if (metric.selectors().size() != 1) {
            throw new IllegalArgumentException("label_values names one metric: " + definition);
        }
        return metric.selectors().get(0);
    }

    /** The label of Grafana's {@code label_values(metric, label)} variable query. */
    static String labelValuesLabel(String definition) {
        String d = definition.strip();
        return d.substring(d.lastIndexOf(',') + 1, d.length() - 1).strip();
    }

    /**
     * The Prometheus text format: every sample's name (histogram and summary samples carry their {@code _bucket},
     * {@code _sum} and {@code _count}, counters their {@code _total}, as queries name them) with the labels of each
     * of its samples.
     */
    static Map<String, List<Map<String, String>>> exposition(String text) {
        Map<String, List<Map<String, String>>> result = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int i = 0;
            while (i < line.length() && isIdentifierPart(line.charAt(i))) {
                i++;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (i < line.length() && line.charAt(i) == '{') {
                List<LabelMatcher> pairs = new ArrayList<>();
                readMatchers(line, i, pairs);
                pairs.forEach(p -> labels.put(p.label(), p.value()));
            }
            result.computeIfAbsent(line.substring(0, i), k -> new ArrayList<>()).add(labels);
        }
        return result;
    }

    /** Reads {@code {label op "value", ...}} from the brace at {@code open}; returns the index after the brace. */
    private static int readMatchers(String s, int open, List<LabelMatcher> into) {
        int i = open + 1;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '}') {
                return i + 1;
            }
            if (isIdentifierStart(c)) {
                int start = i;
                while (i < n && isIdentifierPart(s.charAt(i))) {
                    i++;
                }
                String label = s.substring(start, i);
                i = skipWhitespace(s, i);
                int opStart = i;
                while (i < n && "=!~".indexOf(s.charAt(i)) >= 0) {
                    i++;
                }
                String op = s.substring(opStart, i);
                i = skipWhitespace(s, i);
                int valueStart = i;
                i = i < n && "\"'`".indexOf(s.charAt(i)) >= 0 ? skipString(s, i) : i + 1;
                String value = i - valueStart >= 2 ? unescape(s.substring(valueStart + 1, i - 1)) : "";
                into.add(new LabelMatcher(label, op, value));
            } else {
                i++;
            }
        }
        return n;
    }

    private static int readLabelList(String s, int open, Set<String> into) {
        int close = s.indexOf(')', open);
        int end = close < 0 ? s.length() : close;
        for (String label : s.substring(open + 1, end).split(",")) {
            if (!label.isBlank()) {
                into.add(label.strip());
            }
        }
        return end + 1;
    }

    private static String unescape(String quoted) {
        if (quoted.indexOf('\\') < 0) {
            return quoted;
        }
        StringBuilder out = new StringBuilder(quoted.length());
        for (int i = 0; i < quoted.length(); i++) {
            char c = quoted.charAt(i);
            if (c == '\\' && i + 1 < quoted.length()) {
                char next = quoted.charAt(++i);
                out.append(next == 'n' ? '\n' : next);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static int skipString(String s, int open) {
        char quote = s.charAt(open);
        int i = open + 1;
        while (i < s.length() && s.charAt(i) != quote) {
            i += s.charAt(i) == '\\' && quote != '`' ? 2 : 1;
        }
        return Math.min(s.length(), i + 1);
    }

    private static int skipWhitespace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isIdentifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || (c >= '0' && c <= '9');
    }
}
