package io.nodeincidents.deploy;

import static io.nodeincidents.deploy.DeployDirectory.DEPLOY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodeincidents.demo.DemoCommand;
import io.nodeincidents.ingest.cli.CommandLines;
import io.nodeincidents.ingest.cursor.CursorStore;
import io.nodeincidents.ingest.entries.JournalLineDecoder;
import io.nodeincidents.ingest.journal.Journalctl;
import io.nodeincidents.ingest.journal.JournalctlInvocation.JournalSource;
import io.nodeincidents.ingest.ship.JournalShipper;
import io.nodeincidents.ingest.ship.MetricsEndpoint;
import io.nodeincidents.ingest.ship.ShipperMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.MockProducer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * deploy/grafana/nodeincidents.json as Grafana and Prometheus read it: the panels an operator looks for, each asking
 * the Prometheus data source the importer picks, and every metric and label its queries name served by the running
 * programs: the correlator's /metrics (the real correlator of {@code demo --serve} on its in-process broker) and the
 * shipper's (its metrics endpoint, with the meters {@code ship} registers). A renamed metric or label fails here
 * instead of leaving a panel empty.
 */
class GrafanaDashboardTest {

    private static final Path DASHBOARD = DEPLOY.resolve("grafana/nodeincidents.json");
    private static final JsonNode JSON = read(DASHBOARD);
    private static final String DATASOURCE = "${datasource}";
    private static final Duration WAIT = Duration.ofSeconds(150);
    private static final Pattern API = Pattern.compile("demo: query API at (http://127\\.0\\.0\\.1:\\d+)");
    /** Labels Prometheus adds to every series of a scrape target; no program exports them. */
    private static final Set<String> TARGET_LABELS = Set.of("instance", "job");
    private static final String SHIPPER_PREFIX = "nodeincidents_ship_";

    @TempDir
    Path dir;

    @Test
    void theDashboardHasThePanelsAnOperatorLooksFor() {
        assertThat(JSON.path("schemaVersion").asInt()).isBetween(36, 41);
        assertThat(panels().stream().map(p -> p.path("title").asText()).toList()).contains(
                "Incidents by cause", "Incidents by status", "Events parsed by kind", "Dead letters by reason",
                "Consumer lag by input topic", "Entries shipped, filtered, failed", "Memory samples",
                "Age of the newest shipped entry", "Age of the newest memory sample", "Alerts posted, failed, dropped",
                "Alert queue and open alerts");
        // titles tell panels apart in alerts and links
        List<String> titles = panels().stream().map(p -> p.path("title").asText()).toList();
        assertThat(titles).doesNotHaveDuplicates().doesNotContain("");
    }

    @Test
    void everyPanelAndVariableAsksThePrometheusDataSourceTheImporterPicks() {
        JsonNode datasource = variable("datasource");
        assertThat(datasource.path("type").asText()).isEqualTo("datasource");
        assertThat(datasource.path("query").asText()).isEqualTo("prometheus");
        for (JsonNode panel : panels()) {
            String title = panel.path("title").asText();
            assertThat(panel.path("targets")).as(title + " queries something").isNotEmpty();
            assertThat(panel.path("datasource").path("uid").asText()).as(title).isEqualTo(DATASOURCE);
            assertThat(panel.path("datasource").path("type").asText()).as(title).isEqualTo("prometheus");
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("datasource").path("uid").asText()).as(title).isEqualTo(DATASOURCE);
                assertThat(target.path("expr").asText()).as(title).isNotBlank();
            }
        }
        for (JsonNode variable : JSON.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                assertThat(variable.path("datasource").path("uid").asText()).as(variable.path("name").asText())
                        .isEqualTo(DATASOURCE);
            }
        }
        // a panel filtered by an undefined variable shows nothing
        Set<String> defined = new LinkedHashSet<>();
        JSON.path("templating").path("list").forEach(v -> defined.add(v.path("name").asText()));
        Pattern used = Pattern.compile("\\$(?!__)([a-z_]+)");
        for (String expr : expressions().keySet()) {
            Matcher m = used.matcher(expr);
            while (m.find()) {
                assertThat(defined).as(expr).contains(m.group(1));
            }
        }
    }

    @Test
    void everyMetricAndLabelTheDashboardQueriesIsExportedByTheRunningPrograms() throws Exception {
        Map<String, PromQl.Query> queries = new LinkedHashMap<>();
        expressions().forEach((expr, where) -> queries.put(where + ": " + expr, PromQl.parse(expr)));
        for (JsonNode variable : JSON.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                String definition = variable.path("definition").asText();
                // the label whose values the variable offers must be on the metric's series, as a by-clause's
                queries.put("variable " + variable.path("name").asText(), new PromQl.Query(
                        List.of(PromQl.labelValues(definition)), Set.of(PromQl.labelValuesLabel(definition))));
            }
        }
        Set<String> names = new LinkedHashSet<>();
        queries.values().forEach(q -> names.addAll(q.metrics()));
        // both programs are on the dashboard, so both are checked
        assertThat(names).anyMatch(n -> n.startsWith(SHIPPER_PREFIX)).anyMatch(n -> !n.startsWith(SHIPPER_PREFIX));

        Map<String, List<Map<String, String>>> shipper = PromQl.exposition(shipperMetrics());
        Set<String> correlatorNames = new LinkedHashSet<>();
        names.stream().filter(n -> !n.startsWith(SHIPPER_PREFIX)).forEach(correlatorNames::add);
        Map<String, List<Map<String, String>>> correlator =
                PromQl.exposition(correlatorMetrics(correlatorNames));

        List<String> problems = new ArrayList<>();
        queries.forEach((where, query) -> {
            Set<String> labelsOfQuery = new LinkedHashSet<>();
            for (PromQl.Selector selector : query.selectors()) {
                List<Map<String, String>> series = (selector.metric().startsWith(SHIPPER_PREFIX) ? shipper
                        : correlator).get(selector.metric());
                if (series == null) {
                    problems.add(where + ": no metric " + selector.metric());
                    continue;
                }
                Set<String> labels = new LinkedHashSet<>();
                series.forEach(s -> labels.addAll(s.keySet()));
                labelsOfQuery.addAll(labels);
                for (String label : selector.matcherLabels()) {
                    if (!TARGET_LABELS.contains(label) && !labels.contains(label)) {
                        problems.add(where + ": " + selector.metric() + " has no label " + label + " (has " + labels
                                + ")");
                    }
                }
                // a fixed matcher (no Grafana variable, no target label) that selects no series empties the panel
                List<PromQl.LabelMatcher> fixed = selector.matchers().stream()
                        .filter(m -> !TARGET_LABELS.contains(m.label()) && !m.value().contains("$")).toList();
                if (series.stream().noneMatch(s -> fixed.stream().allMatch(m -> m.matches(s.get(m.label()))))) {
                    problems.add(where + ": no series of " + selector.metric() + " matches " + fixed);
                }
            }
            for (String label : query.groupingLabels()) {
                if (!TARGET_LABELS.contains(label) && !labelsOfQuery.contains(label)) {
                    problems.add(where + ": grouped by " + label + ", which none of its metrics has");
                }
            }
        });
        assertThat(problems).as("served by the correlator: %s%nby the shipper: %s", correlator.keySet(),
                shipper.keySet()).isEmpty();
    }

    @Test
    void theQueryReaderFindsMetricsAndLabelsAndNothingElse() {
        PromQl.Query lag = PromQl.parse("sum by (topic) (kafka_consumer_fetch_manager_records_lag{instance=~\"$c\","
                + " client_id=~\".*-StreamThread-[0-9]+-consumer\", topic!=\"a\\\"b\"})");
        assertThat(lag.selectors()).containsExactly(new PromQl.Selector("kafka_consumer_fetch_manager_records_lag",
                List.of(new PromQl.LabelMatcher("instance", "=~", "$c"),
                        new PromQl.LabelMatcher("client_id", "=~", ".*-StreamThread-[0-9]+-consumer"),
                        new PromQl.LabelMatcher("topic", "!=", "a\"b"))));
        assertThat(lag.groupingLabels()).containsExactly("topic");
        PromQl.LabelMatcher streamThread = lag.selectors().get(0).matchers().get(1);
        assertThat(streamThread.matches("app-9d1c-StreamThread-1-consumer")).isTrue();
        // anchored, as PromQL anchors: the restore and global consumers are not the input
        assertThat(streamThread.matches("app-9d1c-StreamThread-1-restore-consumer")).isFalse();
        assertThat(streamThread.matches(null)).isFalse();

        PromQl.Query age = PromQl.parse("time() - max without (job) (last_seconds offset 5m) > bool 3e2"
                + " or on (instance) vector(0) * a:recorded:rate5m");
        assertThat(age.metrics()).containsExactly("last_seconds", "a:recorded:rate5m");
        assertThat(age.groupingLabels()).containsExactly("job", "instance");

        PromQl.Query histogram = PromQl.parse("histogram_quantile(0.99, sum by (le) "
                + "(rate(http_seconds_bucket{uri!~'/health|/ready'}[$__rate_interval])))");
        assertThat(histogram.selectors()).containsExactly(new PromQl.Selector("http_seconds_bucket",
                List.of(new PromQl.LabelMatcher("uri", "!~", "/health|/ready"))));
        assertThat(PromQl.parse("{__name__=\"up\"}").metrics()).containsExactly("up");

        String variable = "label_values(nodeincidents_incidents_total{cause=\"X\"}, instance)";
        assertThat(PromQl.labelValues(variable)).isEqualTo(new PromQl.Selector("nodeincidents_incidents_total",
                List.of(new PromQl.LabelMatcher("cause", "=", "X"))));
        assertThat(PromQl.labelValuesLabel(variable)).isEqualTo("instance");
        Map<String, List<Map<String, String>>> served = PromQl.exposition("""
                # TYPE a_total counter
                a_total{x="1,}\\"",y="2"} 3.0
                a_total{x="2",y="3"} 1.0
                b NaN
                """);
        assertThat(served)
                .containsEntry("a_total", List.of(Map.of("x", "1,}\"", "y", "2"), Map.of("x", "2", "y", "3")))
                .containsEntry("b", List.of(Map.of()));
        assertThatThrownBy(() -> PromQl.parse("x+".repeat(PromQl.MAX_QUERY_CHARS)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** The correlator's /metrics once every name in {@code expected} is there (Kafka's meters come within 30 s). */
    private static String correlatorMetrics(Set<String> expected) throws Exception {
        DemoCommand demo = new DemoCommand();
        CommandLine cli = CommandLines.create(demo);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        AtomicInteger exit = new AtomicInteger(-1);
        // an Alertmanager nobody listens at: the alert metrics are exported (and count failed posts) all the same
        int closed;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            closed = free.getLocalPort();
        }
        Thread runner = new Thread(() -> exit.set(cli.execute("--serve", "--query-port", "0", "--alertmanager-url",
                "http://127.0.0.1:" + closed)), "demo-serve");
        runner.start();
        try {
            Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> API.matcher(out.toString()).find() || !runner.isAlive());
            Matcher api = API.matcher(out.toString());
            assertThat(api.find()).as(out + "\n" + err).isTrue();
            URI metrics = URI.create(api.group(1) + "/metrics");
            HttpClient http = HttpClient.newHttpClient();
            String[] last = {""};
            try {
                Awaitility.await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    last[0] = get(http, metrics);
                    return PromQl.exposition(last[0]).keySet().containsAll(expected);
                });
            } catch (org.awaitility.core.ConditionTimeoutException missing) {
                // the comparison in the test names what is missing
            }
            return last[0];
        } finally {
            demo.stop();
            runner.join(Duration.ofSeconds(90).toMillis());
        }
    }

    /** The shipper's /metrics with the meters {@code ship} registers; journalctl is never started. */
    private String shipperMetrics() throws Exception {
        ShipperMetrics metrics = new ShipperMetrics();
        // the shipper registers its in-flight gauge when it is built
        new JournalShipper(new Journalctl("journalctl", new JournalSource.Directory(dir), Duration.ofSeconds(5)),
                JournalShipper.Options.defaults(), new MockProducer<>(), "journal.entries",
                new CursorStore(dir.resolve("ship.cursor")), new JournalLineDecoder("node-a", 64 * 1024, 64 * 1024),
                metrics, null);
        try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 0, metrics)) {
            return get(HttpClient.newHttpClient(), URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics"));
        }
    }

    private static String get(HttpClient http, URI uri) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(uri.toString()).isEqualTo(200);
        return response.body();
    }

    /** Every panel with queries (rows only group them), nested rows included. */
    private static List<JsonNode> panels() {
        List<JsonNode> result = new ArrayList<>();
        for (JsonNode panel : JSON.path("panels")) {
            if (panel.path("type").asText().equals("row")) {
                panel.path("panels").forEach(result::add);
            } else {
                result.add(panel);
            }
        }
        return result;
    }

    /** Each query expression, with the title of its panel. */
    private static Map<String, String> expressions() {
        Map<String, String> result = new LinkedHashMap<>();
        for (JsonNode panel : panels()) {
            for (JsonNode target : panel.path("targets")) {
                result.put(target.path("expr").asText(), "panel '" + panel.path("title").asText() + "'");
            }
        }
        return result;
    }

    private static JsonNode variable(String name) {
        for (JsonNode variable : JSON.path("templating").path("list")) {
            if (variable.path("name").asText().equals(name)) {
                return variable;
            }
        }
        throw new AssertionError("no variable " + name);
    }

    private static JsonNode read(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
