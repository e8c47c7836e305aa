package io.nodeincidents.cli;

import io.nodeincidents.config.Redaction;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.nodeincidents.query.EventQuery;
import io.nodeincidents.query.IncidentQuery;
import io.nodeincidents.query.QueryClient;
import io.nodeincidents.query.QueryException;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nodeincidents query}: a client of the correlator's query API ({@link io.nodeincidents.query.QueryServer}):
 * incidents as an aligned table, one incident in full, a host's events. {@code --json} prints what the API sent.
 * Exit codes: 0 answered, 1 the API could not answer (down, 401, unknown id, 5xx), 2 bad arguments.
 */
@Command(name = "query", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Asks a running correlator (correlate, or demo --serve) what it knows: incidents, one incident"
                + " with all its evidence, a host's parsed kernel and runtime events. Any instance answers for all.",
        subcommands = {QueryCommand.Incidents.class, QueryCommand.OneIncident.class, QueryCommand.Events.class,
                QueryCommand.Memory.class})
public final class QueryCommand implements Runnable {

    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;
    static final String TOKEN_ENV = "NODEINCIDENTS_QUERY_TOKEN";
    private static final Pattern RELATIVE = Pattern.compile("(\\d{1,9})([smhd])");
    private static final int MAX_TEXT = 160;
    private static final int MAX_EVIDENCE_SHOWN = 5;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing command: incidents, incident ID or events HOST.");
    }

    /** Where the API is and how to print its answers; every query subcommand has them. */
    static final class ApiOptions {
        @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", paramLabel = "URL",
                converter = ApiUrl.class, description = "The query API (default: ${DEFAULT-VALUE}).")
        URI url;

        @Option(names = "--token", defaultValue = "${env:" + TOKEN_ENV + "}", paramLabel = "TOKEN",
                showDefaultValue = CommandLine.Help.Visibility.NEVER,
                description = "Bearer token, when the API requires one (default: $" + TOKEN_ENV + ").")
        String token;

        @Option(names = "--json", description = "Print the API's JSON as it came.")
        boolean json;

        QueryClient client() {
            return new QueryClient(url, Optional.ofNullable(token).filter(t -> !t.isBlank()));
        }
    }

    /** An http or https URL with a host: what the API's client can ask, checked before any request. */
    static final class ApiUrl implements CommandLine.ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            URI url;
            try {
                url = new URI(value.strip());
            } catch (java.net.URISyntaxException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a URL: " + e.getReason());
            }
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            // "localhost:18080" parses as scheme "localhost": say what is missing rather than that scheme is odd
            if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not an http(s) URL with a host,"
                        + " e.g. http://127.0.0.1:8080");
            }
            return url;
        }
    }

    /** Shared by the subcommands: run {@code body}, turning API failures into one line and an exit code. */
    abstract static class Subcommand implements Callable<Integer> {
        @Mixin
        ApiOptions api;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        /** The current time, for relative times such as 2h; tests fix it. */
        Clock clock = Clock.systemUTC();

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                run(api.client(), out);
                out.flush();
                return EXIT_OK;
            } catch (QueryException e) {
                err.println("query: " + Redaction.text(e.getMessage()));
                return EXIT_USAGE;
            } catch (QueryClient.Failure e) {
                err.println("query: " + Redaction.text(explain(e)));
                return e.status() == 400 ? EXIT_USAGE : EXIT_FAILED;
            } finally {
                err.flush();
            }
        }

        abstract void run(QueryClient client, PrintWriter out) throws QueryClient.Failure;

        Map<String, String> times(String since, String until) {
            Map<String, String> params = new LinkedHashMap<>();
            if (since != null) {
                params.put("since", timeParam("--since", since));
            }
            if (until != null) {
                params.put("until", timeParam("--until", until));
            }
            return params;
        }

        /** An ISO-8601 time or epoch milliseconds as given, or {@code 90s}, {@code 30m}, {@code 2h}, {@code 7d} ago. */
        String timeParam(String option, String text) {
            Matcher relative = RELATIVE.matcher(text.strip().toLowerCase(Locale.ROOT));
            if (!relative.matches()) {
                return text; // the API checks it, with the same rules for every client
            }
            long n = Long.parseLong(relative.group(1));
            Duration ago = switch (relative.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return clock.instant().minus(ago).toString();
        }
    }

    @Command(name = "incidents", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Incidents, newest first (by last evidence), as a table.")
    static final class Incidents extends Subcommand {
        @Option(names = "--host", paramLabel = "HOST", description = "Only this host's.")
        String host;

        @Option(names = "--cause", paramLabel = "CAUSE[,CAUSE...]",
                description = "Only these causes, e.g. MEMORY_FRAGMENTATION, CGROUP_OOM.")
        String cause;

        @Option(names = "--status", paramLabel = "STATUS[,STATUS...]", description = "OPEN, UPDATED, RESOLVED.")
        String status;

        @Option(names = "--severity", paramLabel = "SEVERITY[,SEVERITY...]",
                description = "LOW, WARNING, MEDIUM, HIGH, CRITICAL.")
        String severity;

        @Option(names = "--since", paramLabel = "TIME",
                description = "Only incidents with evidence at or after TIME: ISO-8601 (2017-11-12T07:15:41Z), epoch"
                        + " ms, or ago (90s, 30m, 2h, 7d).")
        String since;

        @Option(names = "--until", paramLabel = "TIME", description = "Only incidents with evidence at or before TIME.")
        String until;

        @Option(names = "--limit", defaultValue = "50", paramLabel = "N",
                description = "At most N (default: ${DEFAULT-VALUE}, at most 1000).")
        int limit;

        @Option(names = "--cursor", paramLabel = "CURSOR", description = "The next page, as the previous one said.")
        String cursor;

        @Override
        void run(QueryClient client, PrintWriter out) throws QueryClient.Failure {
            Map<String, String> params = times(since, until);
            putIf(params, "host", host);
            putIf(params, "cause", cause);
            putIf(params, "status", status);
            putIf(params, "severity", severity);
            putIf(params, "cursor", cursor);
            params.put("limit", String.valueOf(limit));
            IncidentQuery query = IncidentQuery.parse(params); // bad arguments fail here, before any request
            JsonNode page = client.incidentsJson(query);
            if (api.json) {
                out.println(page);
                return;
            }
            TextTable table = new TextTable("LAST SEEN", "FIRST SEEN", "HOST", "CAUSE", "SEVERITY", "STATUS", "REV",
                    "PODS", "INCIDENT");
            for (JsonNode incident : page.path("incidents")) {
                table.row(seconds(incident.path("lastSeenMicros")), seconds(incident.path("firstSeenMicros")),
                        incident.path("host").asText(), incident.path("cause").asText(),
                        incident.path("severity").asText(), incident.path("status").asText(),
                        incident.path("revision").asText(), String.valueOf(incident.path("affectedPods").size()),
                        incident.path("incidentId").asText());
            }
            if (table.size() == 0) {
                out.println("no incidents" + (params.size() > 1 ? " match" : " yet"));
            } else {
                out.print(table.render());
            }
            if (page.hasNonNull("nextCursor")) {
                out.println("more: add --cursor " + page.get("nextCursor").asText());
            }
        }
    }

    @Command(name = "incident", mixinStandardHelpOptions = true,
            description = "One incident in full: diagnosis, kernel evidence, runtime failures, pods, remediation.")
    static final class OneIncident extends Subcommand {
        @Parameters(paramLabel = "ID", description = "The incident id (the INCIDENT column of query incidents).")
        String id;

        @Override
        void run(QueryClient client, PrintWriter out) throws QueryClient.Failure {
            JsonNode incident = client.incident(id).orElseThrow(() ->
                    new QueryClient.Failure(404, client.base(), "no incident " + id + " at " + client.base(), null));
            if (api.json) {
                out.println(incident);
                return;
            }
            out.print(detail(incident));
        }
    }

    @Command(name = "events", mixinStandardHelpOptions = true, sortOptions = false,
            description = "A host's parsed kernel memory reports and runtime/kubelet failures, oldest first.")
    static final class Events extends Subcommand {
        @Parameters(paramLabel = "HOST", description = "The host.")
        String host;

        @Option(names = "--since", paramLabel = "TIME",
                description = "Only events at or after TIME: ISO-8601, epoch ms, or ago (90s, 30m, 2h, 7d).")
        String since;

        @Option(names = "--until", paramLabel = "TIME", description = "Only events at or before TIME.")
        String until;

        @Option(names = "--limit", defaultValue = "1000", paramLabel = "N",
                description = "At most N (default: ${DEFAULT-VALUE}, at most 10000).")
        int limit;

        @Override
        void run(QueryClient client, PrintWriter out) throws QueryClient.Failure {
            Map<String, String> params = times(since, until);
            params.put("limit", String.valueOf(limit));
            EventQuery query = EventQuery.parse(params);
            JsonNode events = client.eventsJson(host, query);
            if (api.json) {
                out.println(events);
                return;
            }
            TextTable table = new TextTable("TIME", "SOURCE", "KIND", "WHAT");
            for (JsonNode event : events.path("events")) {
                table.row(isoTime(event.path("timeMicros")), event.path("source").asText(), event.path("kind").asText(),
                        shorten(what(event)));
            }
            if (table.size() == 0) {
                out.println("no events of " + host + (params.size() > 1 ? " in that range" : ""));
            } else {
                out.print(table.render());
            }
            if (events.path("truncated").asBoolean()) {
                out.println("more: the first " + table.size() + " shown; ask again with --since after the last");
            }
        }
    }

    @Command(name = "memory", mixinStandardHelpOptions = true, sortOptions = false,
            description = "The memory forecast: without HOST, the fleet's hosts ranked by fragmentation risk; with"
                    + " HOST, its forecast per order, its zones' free lists and the trend of its samples.")
    static final class Memory extends Subcommand {
        @Parameters(paramLabel = "HOST", arity = "0..1", description = "One host in detail.")
        String host;

        @Option(names = "--limit", defaultValue = "50", paramLabel = "N",
                description = "Without HOST: at most N hosts (default: ${DEFAULT-VALUE}, at most 10000).")
        int limit;

        @Override
        void run(QueryClient client, PrintWriter out) throws QueryClient.Failure {
            if (host == null) {
                fleet(client, out);
                return;
            }
            JsonNode memory = client.hostMemory(host).orElseThrow(() -> new QueryClient.Failure(404, client.base(),
                    "no memory samples of " + host + " at " + client.base() + " (is ship sampling its memory?)",
                    null));
            if (api.json) {
                out.println(memory);
                return;
            }
            out.print(hostMemory(memory));
        }

        private void fleet(QueryClient client, PrintWriter out) throws QueryClient.Failure {
            if (limit < 1 || limit > 10_000) {
                throw new QueryException(400, "--limit: must be between 1 and 10000, was " + limit, null);
            }
            JsonNode fleet = client.fleetMemory(limit);
            if (api.json) {
                out.println(fleet);
                return;
            }
            TextTable table = new TextTable("HOST", "KERNEL", "SAMPLED", "RISK", "ORDER", "FREE BLOCKS", "PER HOUR",
                    "RUNS OUT");
            for (JsonNode forecast : fleet.path("hosts")) {
                JsonNode order = scarcest(forecast);
                table.row(forecast.path("host").asText(), forecast.path("kernelVersion").asText("-"),
                        isoTime(forecast.path("sampledAtMicros")),
                        forecast.hasNonNull("riskOrder") ? "AT RISK" : "-",
                        order == null ? "-" : order.path("order").asText(),
                        order == null ? "-" : order.path("freeBlocks").asText() + " (min "
                                + order.path("thresholdBlocks").asText() + ")",
                        order == null || !order.hasNonNull("blocksPerHour") ? "-"
                                : String.format(Locale.ROOT, "%+.0f", order.get("blocksPerHour").asDouble()),
                        order == null || !order.hasNonNull("exhaustedAtMicros") ? "-"
                                : isoTime(order.get("exhaustedAtMicros")));
            }
            if (table.size() == 0) {
                out.println("no memory samples yet (ship samples each node's memory every 30 s)");
                return;
            }
            out.print(table.render());
            if (fleet.path("truncated").asBoolean()) {
                out.println("more: " + table.size() + " of " + fleet.path("count").asInt() + " hosts shown (--limit)");
            }
        }
    }

    /** The order at risk, or the one nearest its threshold. */
    private static JsonNode scarcest(JsonNode forecast) {
        JsonNode scarcest = null;
        for (JsonNode order : forecast.path("orders")) {
            if (forecast.hasNonNull("riskOrder") && order.path("order").asInt() == forecast.get("riskOrder").asInt()) {
                return order;
            }
            double ratio = order.path("freeBlocks").asDouble() / Math.max(1, order.path("thresholdBlocks").asDouble());
            if (scarcest == null || ratio < scarcest.path("freeBlocks").asDouble()
                    / Math.max(1, scarcest.path("thresholdBlocks").asDouble())) {
                scarcest = order;
            }
        }
        return scarcest;
    }

    /** One host's memory for people: the forecast per order, the zones' free lists, the samples' trend. */
    static String hostMemory(JsonNode memory) {
        String nl = System.lineSeparator();
        StringBuilder out = new StringBuilder();
        JsonNode forecast = memory.path("forecast");
        out.append("host       ").append(memory.path("host").asText());
        if (forecast.hasNonNull("kernelVersion")) {
            out.append(" (kernel ").append(forecast.get("kernelVersion").asText()).append(')');
        }
        out.append(nl);
        if (forecast.isObject()) {
            out.append("sampled    ").append(isoTime(forecast.path("sampledAtMicros"))).append(nl);
            out.append("risk       ").append(forecast.hasNonNull("riskOrder")
                    ? "FRAGMENTATION_RISK at order " + forecast.get("riskOrder").asText() + " since "
                    + isoTime(forecast.path("riskSinceMicros")) + " (incident "
                    + forecast.path("riskIncidentId").asText() + ")" : "none").append(nl);
            TextTable orders = new TextTable("ORDER", "FREE BLOCKS", "MIN", "UNUSABLE", "PER HOUR", "RUNS OUT",
                    "AT RISK");
            for (JsonNode order : forecast.path("orders")) {
                orders.row(order.path("order").asText(), order.path("freeBlocks").asText(),
                        order.path("thresholdBlocks").asText(),
                        String.format(Locale.ROOT, "%.2f", order.path("unusableIndex").asDouble()),
                        order.hasNonNull("blocksPerHour")
                                ? String.format(Locale.ROOT, "%+.0f", order.get("blocksPerHour").asDouble()) : "-",
                        order.hasNonNull("exhaustedAtMicros") ? isoTime(order.get("exhaustedAtMicros")) : "-",
                        order.path("atRisk").asBoolean() ? "yes" : "no");
            }
            out.append(nl).append(orders.render());
            TextTable zones = new TextTable("NODE", "ZONE", "FREE BLOCKS PER ORDER (0, 1, 2 ...)");
            for (JsonNode zone : forecast.path("zones")) {
                List<String> blocks = new ArrayList<>();
                zone.path("freeBlocks").forEach(b -> blocks.add(b.asText()));
                zones.row(zone.path("node").asText("-"), zone.path("zone").asText(), String.join(" ", blocks));
            }
            if (zones.size() > 0) {
                out.append(nl).append(zones.render());
            }
        }
        JsonNode samples = memory.path("samples");
        if (samples.size() > 0) {
            out.append(nl).append("samples    ").append(samples.size()).append(" from ")
                    .append(isoTime(samples.get(0).path("timeMicros"))).append(" to ")
                    .append(isoTime(samples.get(samples.size() - 1).path("timeMicros"))).append(nl);
        }
        return out.toString();
    }

    /** One incident for people: headline, evidence and what to do. */
    static String detail(JsonNode incident) {
        String nl = System.lineSeparator();
        StringBuilder out = new StringBuilder();
        out.append("incident   ").append(incident.path("incidentId").asText()).append(" (revision ")
                .append(incident.path("revision").asText()).append(')').append(nl);
        out.append("host       ").append(incident.path("host").asText());
        if (incident.hasNonNull("kernelVersion")) {
            out.append(" (kernel ").append(incident.get("kernelVersion").asText()).append(')');
        }
        out.append(nl);
        out.append("status     ").append(incident.path("status").asText()).append(", ")
                .append(incident.path("severity").asText()).append(' ').append(incident.path("cause").asText())
                .append(nl);
        out.append("seen       ").append(isoTime(incident.path("firstSeenMicros"))).append(" .. ")
                .append(isoTime(incident.path("lastSeenMicros"))).append(nl);
        List<String> counts = new ArrayList<>();
        incident.path("counts").fields().forEachRemaining(count -> {
            if (count.getValue().asLong() > 0) {
                counts.add(count.getKey() + " " + count.getValue().asLong());
            }
        });
        out.append("counts     ").append(counts.isEmpty() ? "-" : String.join(", ", counts)).append(nl);
        out.append("diagnosis  ").append(incident.path("diagnosis").asText()).append(nl);
        section(out, "affected pods", incident.path("affectedPods"), pod -> {
            String name = pod.hasNonNull("pod") ? pod.get("pod").asText() : pod.hasNonNull("containerId")
                    ? "container " + pod.get("containerId").asText() : "pod uid " + pod.path("podUid").asText();
            return pod.hasNonNull("namespace") ? pod.get("namespace").asText() + "/" + name : name;
        });
        section(out, "kernel evidence", incident.path("kernelEvents"), event -> isoTime(event.path("timeMicros")) + "  "
                + event.path("kind").asText() + "  " + event.path("summary").asText());
        omitted(out, incident.path("kernelEventsOmitted"));
        section(out, "runtime failures", incident.path("runtimeFailures"), failure -> isoTime(failure.path("timeMicros"))
                + "  " + failure.path("kind").asText() + "  " + shorten(what(failure)));
        omitted(out, incident.path("runtimeFailuresOmitted"));
        List<JsonNode> steps = new ArrayList<>();
        incident.path("remediation").forEach(steps::add);
        if (!steps.isEmpty()) {
            out.append("remediation").append(nl);
            for (int i = 0; i < steps.size(); i++) {
                out.append("  ").append(i + 1).append(". ").append(steps.get(i).asText()).append(nl);
            }
        }
        section(out, "evidence (journal cursors or file:line)", limited(incident.path("evidence")), ref -> ref.has("more") ? ref.path("host").asText() : (ref.hasNonNull("timeMicros")
                ? isoTime(ref.get("timeMicros")) + "  " : "") + ref.path("host").asText() + "  "
                + (ref.hasNonNull("cursor") ? "cursor " + ref.get("cursor").asText()
                : ref.path("file").asText() + ":" + ref.path("line").asText()));
        return out.toString();
    }

    /** The first {@value #MAX_EVIDENCE_SHOWN} references; --json has them all. */
    private static JsonNode limited(JsonNode refs) {
        if (refs.size() <= MAX_EVIDENCE_SHOWN) {
            return refs;
        }
        ArrayNode shown = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < MAX_EVIDENCE_SHOWN; i++) {
            shown.add(refs.get(i));
        }
        shown.addObject().put("host", "... and " + (refs.size() - MAX_EVIDENCE_SHOWN) + " more (--json shows all)")
                .put("more", true);
        return shown;
    }

    /** A capped list keeps its first and its latest items: says how many between them are not listed. */
    private static void omitted(StringBuilder out, JsonNode count) {
        if (count.asLong() > 0) {
            out.append("  (and ").append(count.asLong()).append(" more between the first and the latest, in the counts)")
                    .append(System.lineSeparator());
        }
    }

    private static void section(StringBuilder out, String title, JsonNode items, Function<JsonNode, String> line) {
        if (items.isEmpty()) {
            return;
        }
        out.append(title).append(System.lineSeparator());
        items.forEach(item -> out.append("  ").append(line.apply(item).replaceAll("[\\p{Cntrl}]", " "))
                .append(System.lineSeparator()));
    }

    /** What an event says: the kernel report's summary, or who failed how. */
    private static String what(JsonNode event) {
        if ("kernel".equals(event.path("source").asText()) || event.has("summary")) {
            return event.path("summary").asText();
        }
        String pod = event.hasNonNull("pod") ? " " + (event.hasNonNull("namespace")
                ? event.get("namespace").asText() + "/" : "") + event.get("pod").asText() : "";
        return event.path("component").asText() + pod + (event.path("memoryRelated").asBoolean() ? " [memory]" : "")
                + ": " + event.path("errorText").asText();
    }

    private static String shorten(String text) {
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT - 3) + "...";
    }

    /** Microseconds since the epoch as ISO-8601 UTC, to the second: for the incident table. */
    static String seconds(JsonNode micros) {
        if (micros == null || !micros.canConvertToLong()) {
            return "-";
        }
        return Instant.ofEpochSecond(Math.floorDiv(micros.asLong(), 1_000_000L)).toString();
    }

    /** Microseconds since the epoch as ISO-8601 UTC, whole seconds unless the log was finer. */
    static String isoTime(JsonNode micros) {
        if (micros == null || !micros.canConvertToLong()) {
            return "-";
        }
        long value = micros.asLong();
        return Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1000L)
                .toString();
    }

    private static void putIf(Map<String, String> params, String name, String value) {
        if (value != null) {
            params.put(name, value);
        }
    }

    private static String explain(QueryClient.Failure e) {
        return switch (e.status()) {
            case 0 -> e.getMessage() + " (is 'nodeincidents correlate' or 'nodeincidents demo --serve' running there?"
                    + " --url says where)";
            case 401 -> "the query API at " + e.server() + " wants a valid token: give --token or set " + TOKEN_ENV
                    + " (" + e.getMessage() + ")";
            case 404 -> e.getMessage();
            default -> "the query API at " + e.server() + " answered " + e.status() + ": " + e.getMessage();
        };
    }
}
