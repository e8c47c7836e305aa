package io.nodeincidents.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodeincidents.forecast.SamplePoint;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The incident console: server-rendered pages over the same {@link QueryBackend} the JSON API answers from, with
 * templates compiled at build time (src/main/jte) and the chart library served from the jar, so it works with no
 * internet access.
 */
public final class ConsolePages {

    /** What the console serves under /console/assets/: name -> classpath resource and content type. */
    static final Map<String, String[]> ASSETS = Map.of(
            "uPlot.iife.min.js", new String[] {"/META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.iife.min.js",
                    "text/javascript; charset=utf-8"},
            "uPlot.min.css", new String[] {"/META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.min.css",
                    "text/css; charset=utf-8"},
            "console.js", new String[] {"/io/nodeincidents/query/console/console.js", "text/javascript; charset=utf-8"},
            "console.css", new String[] {"/io/nodeincidents/query/console/console.css", "text/css; charset=utf-8"});

    private static final Map<String, byte[]> ASSET_BYTES = new java.util.concurrent.ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TemplateEngine TEMPLATES = TemplateEngine.createPrecompiled(ContentType.Html);
    private static final int PAGE_SIZE = 50;

    private ConsolePages() {
    }

    /** A row of the incident list. */
    public record IncidentRow(String id, String host, String cause, String severity, String status, String lastSeen) {
    }

    /**
     * One item on a time axis: a kernel report, a runtime or kubelet failure, a forecast's warning or a fleet alert,
     * with the lines it was read from, where to find them again, and the decoded record.
     *
     * @param lines        the raw lines (a long kernel report: its first and last ones)
     * @param linesOmitted lines of it not shown
     * @param refs         where the lines are: a journalctl command with the entry's cursor, or file:line
     * @param raw          the decoded record as JSON; empty for items that are not evidence
     * @param href         the console page it leads to, or null
     */
    public record TimelineItem(String time, String source, String kind, String text, List<String> lines,
                               long linesOmitted, List<String> refs, String raw, String href) {
    }

    /** An OOM kill's task table, largest rss first, sizes in kB, the killed task marked. */
    public record TaskTable(String title, List<TaskRow> rows, String note) {
    }

    /** A row of {@link TaskTable}. */
    public record TaskRow(int pid, String uid, String totalVmKb, String rssKb, String oomScoreAdj, String name,
                          boolean victim) {
    }

    /** A fleet alert: one cause on several hosts within the window, each host's incident linked. */
    public record FleetAlertRow(String id, String windowStart, String windowEnd, String cause, int hostCount,
                                List<HostIncident> hosts, String summary) {
    }

    /** A host of a fleet alert and its incident. */
    public record HostIncident(String host, String kernel, String incidentId) {
    }

    /** A zone's buddy free lists for the chart, and its free memory against the watermarks. */
    public record ZoneChart(String name, String blocksJson, int failedOrder, String free, String min, String low,
                            String high) {
    }

    /** The incident page. */
    public record IncidentView(String id, int revision, String host, String kernel, String status, String cause,
                               String severity, String firstSeen, String lastSeen, String diagnosis,
                               List<String> remediation, List<String> pods, List<TimelineItem> timeline,
                               List<ZoneChart> zones, List<TaskTable> taskTables) {
    }

    /** One order of a host's forecast, for people. */
    public record OrderRow(int order, long freeBlocks, long threshold, String unusable, String perHour,
                           String runsOut, String atRisk) {
    }

    /**
     * The host page: its incidents, its events (and their count over time: JSON for the chart, bucket times in
     * seconds and events per bucket by source), and its memory forecast with the samples' series (sample times in
     * seconds, and free blocks per watched order); {@code risk} null without memory samples.
     */
    public record HostView(String host, List<IncidentRow> incidents, List<TimelineItem> events, String eventTimes,
                           String eventSeries, String risk, List<OrderRow> orders, List<ZoneChart> zones,
                           String sampleTimes, String sampleSeries, String error) {
    }

    /** A row of the fleet's memory ranking. */
    public record HostRisk(String host, String kernel, String risk, String order, String freeBlocks,
                           String runsOut) {
    }

    /** The fleet page: fleet alerts, hosts by memory risk, incidents by cause and by kernel over the latest ones. */
    public record FleetView(List<FleetAlertRow> alerts, List<HostRisk> hosts, Map<String, Integer> byCause,
                            Map<String, Integer> byKernel, int counted, String error) {
    }

    /** Incidents the fleet page counts at most (the newest). */
    private static final int FLEET_COUNTED = 1000;
    /** Fleet alerts the fleet page lists (the newest). */
    private static final int FLEET_ALERTS_SHOWN = 50;
    /** Buckets the host page's events-over-time chart has at most. */
    private static final int EVENT_BUCKETS = 60;

    static String host(QueryBackend backend, String host) {
        List<IncidentRow> incidents = new ArrayList<>();
        List<TimelineItem> events = new ArrayList<>();
        List<OrderRow> orders = new ArrayList<>();
        List<ZoneChart> zones = new ArrayList<>();
        String risk = null;
        String times = "[]";
        String series = "{}";
        String eventTimes = "[]";
        String eventSeries = "{}";
        String error = null;
        try {
            Map<String, String> filters = new LinkedHashMap<>();
            filters.put("host", host);
            filters.put("limit", Integer.toString(PAGE_SIZE));
            for (JsonNode incident : backend.incidents(IncidentQuery.parse(filters), false).toJson()
                    .path("incidents")) {
                incidents.add(row(incident));
            }
            List<JsonNode> hostEvents = new ArrayList<>();
            backend.events(host, EventQuery.all(), false).toJson().path("events").forEach(hostEvents::add);
            for (JsonNode event : hostEvents) {
                events.add(item(event));
            }
            String[] chart = eventsOverTime(hostEvents);
            eventTimes = chart[0];
            eventSeries = chart[1];
            JsonNode memory = backend.hostMemory(host, false).orElse(null);
            if (memory != null && memory.path("forecast").isObject()) {
                JsonNode forecast = memory.get("forecast");
                risk = forecast.hasNonNull("riskOrder")
                        ? "FRAGMENTATION_RISK at order " + forecast.get("riskOrder").asInt() + " since "
                        + time(forecast.path("riskSinceMicros"))
                        : "No order at risk (sampled " + time(forecast.path("sampledAtMicros")) + ").";
                List<Integer> watched = new ArrayList<>();
                for (JsonNode order : forecast.path("orders")) {
                    watched.add(order.path("order").asInt());
                    orders.add(new OrderRow(order.path("order").asInt(), order.path("freeBlocks").asLong(),
                            order.path("thresholdBlocks").asLong(),
                            String.format(java.util.Locale.ROOT, "%.2f", order.path("unusableIndex").asDouble()),
                            order.hasNonNull("blocksPerHour") ? String.format(java.util.Locale.ROOT, "%+.0f",
                                    order.get("blocksPerHour").asDouble()) : "-",
                            time(order.path("exhaustedAtMicros")), order.path("atRisk").asBoolean() ? "yes" : "no"));
                }
                addZones(zones, forecast.path("zones"), forecast.path("riskOrder").asInt(-1));
                List<Long> sampleTimes = new ArrayList<>();
                Map<String, List<Long>> bySeries = new LinkedHashMap<>();
                for (JsonNode sample : memory.path("samples")) {
                    sampleTimes.add(sample.path("timeMicros").asLong() / 1_000_000L);
                    List<Long> freeBlocks = new ArrayList<>();
                    sample.path("freeBlocks").forEach(count -> freeBlocks.add(count.asLong()));
                    for (int order : watched) {
                        bySeries.computeIfAbsent("order " + order, k -> new ArrayList<>())
                                .add(SamplePoint.blocksAtLeast(freeBlocks, order));
                    }
                }
                times = JSON.writeValueAsString(sampleTimes);
                series = JSON.writeValueAsString(bySeries);
            }
        } catch (QueryException e) {
            error = failure(e);
        } catch (JsonProcessingException e) {
            error = "The samples could not be drawn: " + e.getMessage();
        }
        HostView view = new HostView(host, incidents, events, eventTimes, eventSeries, risk, orders, zones, times,
                series, error);
        StringOutput out = new StringOutput();
        TEMPLATES.render("console/host.jte", Map.of("host", view), out);
        return out.toString();
    }

    static String fleet(QueryBackend backend) {
        List<FleetAlertRow> alerts = new ArrayList<>();
        List<HostRisk> hosts = new ArrayList<>();
        Map<String, Integer> byCause = new java.util.TreeMap<>();
        Map<String, Integer> byKernel = new java.util.TreeMap<>();
        int counted = 0;
        String error = null;
        try {
            for (JsonNode alert : backend.fleetAlerts(FLEET_ALERTS_SHOWN, null).path("alerts")) {
                alerts.add(alertRow(alert));
            }
            for (JsonNode forecast : backend.fleetMemory(100).path("hosts")) {
                JsonNode scarcest = null;
                for (JsonNode order : forecast.path("orders")) {
                    if (forecast.hasNonNull("riskOrder")
                            ? order.path("order").asInt() == forecast.get("riskOrder").asInt()
                            : scarcest == null || order.path("freeBlocks").asLong()
                                    < scarcest.path("freeBlocks").asLong()) {
                        scarcest = order;
                    }
                }
                hosts.add(new HostRisk(forecast.path("host").asText(), forecast.path("kernelVersion").asText("-"),
                        forecast.hasNonNull("riskOrder") ? "AT RISK" : "-",
                        scarcest == null ? "-" : scarcest.path("order").asText(),
                        scarcest == null ? "-" : scarcest.path("freeBlocks").asText(),
                        scarcest == null ? "-" : time(scarcest.path("exhaustedAtMicros"))));
            }
            Map<String, String> filters = new LinkedHashMap<>();
            filters.put("limit", Integer.toString(Math.min(FLEET_COUNTED, IncidentQuery.MAX_LIMIT)));
            for (JsonNode incident : backend.incidents(IncidentQuery.parse(filters), false).toJson()
                    .path("incidents")) {
                byCause.merge(incident.path("cause").asText(), 1, Integer::sum);
                byKernel.merge(incident.path("kernelVersion").asText("unknown"), 1, Integer::sum);
                counted++;
            }
        } catch (QueryException e) {
            error = failure(e);
        }
        StringOutput out = new StringOutput();
        TEMPLATES.render("console/fleet.jte", Map.of("fleet", new FleetView(alerts, hosts, byCause, byKernel,
                counted, error)), out);
        return out.toString();
    }


    private static IncidentRow row(JsonNode incident) {
        return new IncidentRow(incident.path("incidentId").asText(), incident.path("host").asText(),
                incident.path("cause").asText(), incident.path("severity").asText(),
                incident.path("status").asText(), time(incident.path("lastSeenMicros")));
    }

    private static TimelineItem item(JsonNode event) {
        boolean kernel = isKernel(event);
        List<String> lines = new ArrayList<>();
        if (kernel) {
            event.path("lines").forEach(line -> lines.add(line.asText()));
        } else if (event.hasNonNull("line")) {
            lines.add(event.get("line").asText());
        }
        long omitted = kernel ? event.path("linesOmitted").asLong() : event.path("evidenceOmitted").asLong();
        List<String> refs = new ArrayList<>();
        for (JsonNode ref : event.path("evidence")) {
            if (ref.hasNonNull("cursor")) {
                refs.add("on " + ref.path("host").asText() + ": journalctl --cursor='" + ref.get("cursor").asText()
                        + "'");
            } else if (ref.hasNonNull("file")) {
                refs.add(ref.get("file").asText() + (ref.hasNonNull("line") ? ":" + ref.get("line").asLong() : ""));
            }
        }
        return new TimelineItem(time(event.path("timeMicros")), kernel ? "kernel" : "runtime",
                event.path("kind").asText(), summary(event), lines, omitted, refs, pretty(event), null);
    }

    private static boolean isKernel(JsonNode event) {
        return event.has("allocation") || event.has("oom") || event.has("slab")
                || "kernel".equals(event.path("source").asText());
    }

    /** Events per time bucket by source, as the chart's JSON: bucket start times in seconds, and counts by name. */
    private static String[] eventsOverTime(List<JsonNode> events) throws JsonProcessingException {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (JsonNode event : events) {
            if (event.path("timeMicros").isNumber()) {
                min = Math.min(min, event.get("timeMicros").asLong() / 1_000_000L);
                max = Math.max(max, event.get("timeMicros").asLong() / 1_000_000L);
            }
        }
        if (min > max) {
            return new String[] {"[]", "{}"};
        }
        // whole minutes, enough of them to cover the span in at most EVENT_BUCKETS buckets
        long bucket = Math.max(60, ((max - min) / EVENT_BUCKETS / 60 + 1) * 60);
        long start = Math.floorDiv(min, bucket) * bucket;
        int buckets = (int) ((max - start) / bucket) + 1;
        List<Long> times = new ArrayList<>(buckets);
        long[] kernel = new long[buckets];
        long[] runtime = new long[buckets];
        for (int i = 0; i < buckets; i++) {
            times.add(start + i * bucket);
        }
        for (JsonNode event : events) {
            if (event.path("timeMicros").isNumber()) {
                int i = (int) ((event.get("timeMicros").asLong() / 1_000_000L - start) / bucket);
                (isKernel(event) ? kernel : runtime)[i]++;
            }
        }
        Map<String, long[]> series = new LinkedHashMap<>();
        series.put("kernel reports", kernel);
        series.put("runtime failures", runtime);
        return new String[] {JSON.writeValueAsString(times), JSON.writeValueAsString(series)};
    }

    private static FleetAlertRow alertRow(JsonNode alert) {
        List<HostIncident> hosts = new ArrayList<>();
        for (JsonNode host : alert.path("hosts")) {
            hosts.add(new HostIncident(host.path("host").asText(), host.path("kernelVersion").asText("unknown"),
                    host.path("incidentId").asText()));
        }
        return new FleetAlertRow(alert.path("alertId").asText(), time(alert.path("windowStartMicros")),
                time(alert.path("windowEndMicros")), alert.path("cause").asText(), alert.path("hostCount").asInt(),
                hosts, alert.path("summary").asText());
    }

    static String incidents(QueryBackend backend, Map<String, String> params) {
        Map<String, String> filters = new LinkedHashMap<>();
        for (String name : List.of("host", "cause", "status", "severity", "since", "until", "cursor")) {
            String value = params.get(name);
            if (value != null && !value.isBlank()) {
                filters.put(name, value.strip());
            }
        }
        filters.put("limit", Integer.toString(PAGE_SIZE));
        List<IncidentRow> rows = new ArrayList<>();
        String next = null;
        String error = null;
        try {
            JsonNode page = backend.incidents(IncidentQuery.parse(filters), false).toJson();
            for (JsonNode incident : page.path("incidents")) {
                rows.add(row(incident));
            }
            if (page.hasNonNull("nextCursor")) {
                Map<String, String> more = new LinkedHashMap<>(filters);
                more.remove("limit");
                more.put("cursor", page.get("nextCursor").asText());
                next = "/console?" + QueryParams.encode(more);
            }
        } catch (QueryException e) {
            error = failure(e);
        }
        return render("console/incidents.jte", Map.of("rows", rows, "host", filters.getOrDefault("host", ""),
                "cause", filters.getOrDefault("cause", ""), "status", filters.getOrDefault("status", ""),
                "severity", filters.getOrDefault("severity", ""), "since", filters.getOrDefault("since", ""),
                "until", filters.getOrDefault("until", ""),
                "nextPage", next == null ? "" : next, "error", error == null ? "" : error), next, error);
    }

    static String incident(QueryBackend backend, JsonNode incident) {
        List<String> remediation = new ArrayList<>();
        incident.path("remediation").forEach(step -> remediation.add(step.asText()));
        List<String> pods = new ArrayList<>();
        for (JsonNode pod : incident.path("affectedPods")) {
            String name = pod.hasNonNull("pod") ? pod.get("pod").asText() : pod.path("containerId").asText("?");
            pods.add(pod.hasNonNull("namespace") ? pod.get("namespace").asText() + "/" + name : name);
        }
        // one time axis: evidence, the forecast's warning and the fleet alerts naming this incident
        List<Map.Entry<Long, TimelineItem>> items = new ArrayList<>();
        List<TaskTable> taskTables = new ArrayList<>();
        for (JsonNode event : incident.path("kernelEvents")) {
            items.add(Map.entry(event.path("timeMicros").asLong(Long.MAX_VALUE), item(event)));
            if (event.path("oom").path("tasks").size() > 0) {
                taskTables.add(taskTable(event));
            }
        }
        incident.path("runtimeFailures").forEach(event -> items.add(
                Map.entry(event.path("timeMicros").asLong(Long.MAX_VALUE), item(event))));
        JsonNode forecast = incident.path("memoryForecast");
        if (forecast.path("riskSinceMicros").isNumber() && !"FRAGMENTATION_RISK".equals(
                incident.path("cause").asText())) {
            String before = forecast.path("warnedBeforeMillis").isNumber()
                    ? " (" + Duration.ofMillis(forecast.get("warnedBeforeMillis").asLong()).toMinutes()
                    + " min before this incident's first evidence)" : "";
            String risk = forecast.hasNonNull("riskIncidentId")
                    ? "/console/incidents/" + forecast.get("riskIncidentId").asText() : null;
            items.add(Map.entry(forecast.get("riskSinceMicros").asLong(), new TimelineItem(
                    time(forecast.get("riskSinceMicros")), "forecast", "FRAGMENTATION_RISK",
                    "the memory forecast warned of order " + forecast.path("riskOrder").asText("?") + " running out"
                            + before, List.of(), 0, List.of(), "", risk)));
        }
        String error = null;
        try {
            for (JsonNode alert : backend.fleetAlerts(FLEET_ALERTS_SHOWN, incident.path("incidentId").asText())
                    .path("alerts")) {
                items.add(Map.entry(alert.path("windowStartMicros").asLong(), new TimelineItem(
                        time(alert.path("windowStartMicros")), "fleet", "FLEET " + alert.path("cause").asText(),
                        alert.path("summary").asText(), List.of(), 0, List.of(), "",
                        "/console/fleet#" + alert.path("alertId").asText())));
            }
        } catch (QueryException e) {
            error = "The fleet alerts could not be read: " + e.getMessage();
        }
        items.sort(Map.Entry.comparingByKey());
        List<TimelineItem> timeline = items.stream().map(Map.Entry::getValue).toList();
        List<ZoneChart> zones = new ArrayList<>();
        JsonNode allocation = null;
        for (JsonNode event : incident.path("kernelEvents")) {
            if (event.path("allocation").isObject()) {
                allocation = event.get("allocation");
                break;
            }
        }
        if (allocation != null) {
            addZones(zones, allocation.path("zones"), allocation.path("order").asInt(-1));
        } else if (forecast.isObject()) {
            addZones(zones, forecast.path("zones"), forecast.path("riskOrder").asInt(-1));
        }
        IncidentView view = new IncidentView(incident.path("incidentId").asText(), incident.path("revision").asInt(),
                incident.path("host").asText(), incident.path("kernelVersion").asText("unknown"),
                incident.path("status").asText(), incident.path("cause").asText(),
                incident.path("severity").asText(), time(incident.path("firstSeenMicros")),
                time(incident.path("lastSeenMicros")), incident.path("diagnosis").asText(), remediation, pods,
                timeline, zones, taskTables);
        StringOutput out = new StringOutput();
        TEMPLATES.render("console/incident.jte", Map.of("incident", view, "error", error == null ? "" : error), out);
        return out.toString();
    }

    /** The OOM kill's task table as the event carries it (largest rss first, the victim's row added). */
    private static TaskTable taskTable(JsonNode event) {
        JsonNode oom = event.get("oom");
        int victim = oom.path("victimPid").asInt(-1);
        List<TaskRow> rows = new ArrayList<>();
        for (JsonNode task : oom.path("tasks")) {
            rows.add(new TaskRow(task.path("pid").asInt(), text(task.path("uid")), text(task.path("totalVmKb")),
                    text(task.path("rssKb")), text(task.path("oomScoreAdj")), task.path("name").asText(),
                    task.path("pid").asInt() == victim));
        }
        int count = oom.path("taskCount").asInt(rows.size());
        String note = "The " + rows.size() + " largest of " + count + " tasks"
                + (oom.path("taskTableTruncated").asBoolean() ? " (the report was cut: more were printed)" : "")
                + "; rss and total_vm converted from pages (the kernel prints pages, not kB)."
                + (oom.path("tasksOutweighingVictim").asInt(0) > 0 ? " " + oom.get("tasksOutweighingVictim").asInt()
                + " task(s) held at least twice the victim's rss." : "");
        return new TaskTable("Task table at " + time(event.path("timeMicros")) + ": "
                + oom.path("victimComm").asText("?") + " (pid " + (victim < 0 ? "?" : victim) + ") killed", rows,
                note);
    }

    private static String text(JsonNode value) {
        return value.isNumber() ? value.asText() : "-";
    }

    private static void addZones(List<ZoneChart> zones, JsonNode list, int failedOrder) {
        for (JsonNode zone : list) {
            JsonNode blocks = zone.path("freeBlocks");
            if (!blocks.isArray() || blocks.isEmpty()) {
                continue;
            }
            String name = (zone.hasNonNull("node") ? "Node " + zone.get("node").asInt() + " " : "")
                    + zone.path("zone").asText();
            zones.add(new ZoneChart(name, blocks.toString(), failedOrder, kb(zone.path("freeKb")),
                    kb(zone.path("minKb")), kb(zone.path("lowKb")), kb(zone.path("highKb"))));
        }
    }

    /** An asset's bytes, or null when there is no such asset; read from the jar once. */
    static byte[] asset(String name) {
        String[] asset = ASSETS.get(name);
        if (asset == null) {
            return null;
        }
        return ASSET_BYTES.computeIfAbsent(name, n -> {
            try (InputStream in = ConsolePages.class.getResourceAsStream(asset[0])) {
                return in == null ? null : in.readAllBytes();
            } catch (IOException e) {
                return null;
            }
        });
    }

    /** The sign-in page, for a browser that has no token or a wrong one. */
    static String signIn(boolean refused) {
        StringOutput out = new StringOutput();
        TEMPLATES.render("console/signin.jte", Map.of("refused", refused), out);
        return out.toString();
    }

    private static String render(String template, Map<String, Object> params, String next, String error) {
        Map<String, Object> all = new LinkedHashMap<>(params);
        all.put("nextPage", next);
        all.put("error", error);
        StringOutput out = new StringOutput();
        TEMPLATES.render(template, all, out);
        return out.toString();
    }

    /** What a page says when its query failed: not ready yet (503), or the failure itself. */
    private static String failure(QueryException e) {
        return e.status() == 503 ? "The correlator is not ready yet: " + e.getMessage()
                : "The query failed: " + e.getMessage();
    }

    private static String summary(JsonNode event) {
        if (event.path("allocation").isObject()) {
            return event.path("comm").asText("?") + ": order-" + event.at("/allocation/order").asText()
                    + " allocation failed (" + event.at("/allocation/verdict").asText("?") + ")";
        }
        if (event.path("oom").isObject()) {
            return "OOM kill of " + event.at("/oom/victimComm").asText("?") + " (rss "
                    + event.at("/oom/victimRssKb").asText("?") + " kB)";
        }
        if (event.has("errorText")) {
            String pod = event.hasNonNull("pod") ? event.get("pod").asText() + ": " : "";
            return event.path("component").asText() + " " + pod + event.path("errorText").asText();
        }
        String summary = event.path("summary").asText("");
        return summary.isBlank() ? event.path("kind").asText() : summary;
    }

    private static String pretty(JsonNode node) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            return node.toString();
        }
    }

    private static String kb(JsonNode value) {
        return value.isNumber() ? value.asLong() + " kB" : "?";
    }

    private static String time(JsonNode micros) {
        return micros.isNumber() ? Instant.ofEpochMilli(Math.floorDiv(micros.asLong(), 1000L)).toString() : "-";
    }
}
