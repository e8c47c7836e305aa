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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TemplateEngine TEMPLATES = TemplateEngine.createPrecompiled(ContentType.Html);
    private static final int PAGE_SIZE = 50;

    private ConsolePages() {
    }

    /** A row of the incident list. */
    public record IncidentRow(String id, String host, String cause, String severity, String status, String lastSeen) {
    }

    /** One piece of evidence on the incident's time axis, with its raw record and where it was read. */
    public record TimelineItem(String time, String source, String kind, String text, String raw) {
    }

    /** A zone's buddy free lists for the chart, and its free memory against the watermarks. */
    public record ZoneChart(String name, String blocksJson, int failedOrder, String free, String min, String low,
                            String high) {
    }

    /** The incident page. */
    public record IncidentView(String id, int revision, String host, String kernel, String status, String cause,
                               String severity, String firstSeen, String lastSeen, String diagnosis,
                               List<String> remediation, List<String> pods, List<TimelineItem> timeline,
                               List<ZoneChart> zones) {
    }

    /** One order of a host's forecast, for people. */
    public record OrderRow(int order, long freeBlocks, long threshold, String unusable, String perHour,
                           String runsOut, String atRisk) {
    }

    /**
     * The host page: its incidents, its events, and its memory forecast with the samples' series (JSON for the chart:
     * sample times in seconds, and free blocks per watched order); {@code risk} null without memory samples.
     */
    public record HostView(String host, List<IncidentRow> incidents, List<TimelineItem> events, String risk,
                           List<OrderRow> orders, List<ZoneChart> zones, String sampleTimes, String sampleSeries,
                           String error) {
    }

    /** A row of the fleet's memory ranking. */
    public record HostRisk(String host, String kernel, String risk, String order, String freeBlocks,
                           String runsOut) {
    }

    /** The fleet page: hosts by memory risk, incidents by cause and by kernel over the latest ones. */
    public record FleetView(List<HostRisk> hosts, Map<String, Integer> byCause, Map<String, Integer> byKernel,
                            int counted, String error) {
    }

    /** Incidents the fleet page counts at most (the newest). */
    private static final int FLEET_COUNTED = 1000;

    static String host(QueryBackend backend, String host) {
        List<IncidentRow> incidents = new ArrayList<>();
        List<TimelineItem> events = new ArrayList<>();
        List<OrderRow> orders = new ArrayList<>();
        List<ZoneChart> zones = new ArrayList<>();
        String risk = null;
        String times = "[]";
        String series = "{}";
        String error = null;
        try {
            Map<String, String> filters = new LinkedHashMap<>();
            filters.put("host", host);
            filters.put("limit", Integer.toString(PAGE_SIZE));
            for (JsonNode incident : backend.incidents(IncidentQuery.parse(filters), false).toJson()
                    .path("incidents")) {
                incidents.add(row(incident));
            }
            for (JsonNode event : backend.events(host, EventQuery.all(), false).toJson().path("events")) {
                events.add(item(event));
            }
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
            error = e.status() == 503 ? "The correlator is not ready yet: " + e.getMessage()
                    : "The query failed: " + e.getMessage();
        } catch (JsonProcessingException e) {
            error = "The samples could not be drawn: " + e.getMessage();
        }
        HostView view = new HostView(host, incidents, events, risk, orders, zones, times, series, error);
        StringOutput out = new StringOutput();
        TEMPLATES.render("console/host.jte", Map.of("host", view), out);
        return out.toString();
    }

    static String fleet(QueryBackend backend) {
        List<HostRisk> hosts = new ArrayList<>();
        Map<String, Integer> byCause = new java.util.TreeMap<>();
        Map<String, Integer> byKernel = new java.util.TreeMap<>();
        int counted = 0;
        String error = null;
        try {
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
            error = e.status() == 503 ? "The correlator is not ready yet: " + e.getMessage()
                    : "The query failed: " + e.getMessage();
        }
        StringOutput out = new StringOutput();
        TEMPLATES.render("console/fleet.jte", Map.of("fleet", new FleetView(hosts, byCause, byKernel, counted,
                error)), out);
        return out.toString();
    }


    private static IncidentRow row(JsonNode incident) {
        return new IncidentRow(incident.path("incidentId").asText(), incident.path("host").asText(),
                incident.path("cause").asText(), incident.path("severity").asText(),
                incident.path("status").asText(), time(incident.path("lastSeenMicros")));
    }

    private static TimelineItem item(JsonNode event) {
        boolean kernel = event.has("allocation") || event.has("oom") || event.has("slab")
                || "kernel".equals(event.path("source").asText());
        return new TimelineItem(time(event.path("timeMicros")), kernel ? "kernel" : "runtime",
                event.path("kind").asText(), summary(event), pretty(event));
    }

    static String incidents(QueryBackend backend, Map<String, String> params) {
        Map<String, String> filters = new LinkedHashMap<>();
        for (String name : List.of("host", "cause", "status", "since", "until", "cursor")) {
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
            error = e.status() == 503 ? "The correlator is not ready yet: " + e.getMessage()
                    : "The query failed: " + e.getMessage();
        }
        return render("console/incidents.jte", Map.of("rows", rows, "host", filters.getOrDefault("host", ""),
                "cause", filters.getOrDefault("cause", ""), "status", filters.getOrDefault("status", ""),
                "nextPage", next == null ? "" : next, "error", error == null ? "" : error), next, error);
    }

    static String incident(JsonNode incident) {
        List<String> remediation = new ArrayList<>();
        incident.path("remediation").forEach(step -> remediation.add(step.asText()));
        List<String> pods = new ArrayList<>();
        for (JsonNode pod : incident.path("affectedPods")) {
            String name = pod.hasNonNull("pod") ? pod.get("pod").asText() : pod.path("containerId").asText("?");
            pods.add(pod.hasNonNull("namespace") ? pod.get("namespace").asText() + "/" + name : name);
        }
        List<JsonNode> events = new ArrayList<>();
        incident.path("kernelEvents").forEach(events::add);
        incident.path("runtimeFailures").forEach(events::add);
        events.sort(Comparator.comparingLong(e -> e.path("timeMicros").asLong(Long.MAX_VALUE)));
        List<TimelineItem> timeline = new ArrayList<>();
        for (JsonNode event : events) {
            timeline.add(item(event));
        }
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
        } else if (incident.path("memoryForecast").isObject()) {
            JsonNode forecast = incident.get("memoryForecast");
            addZones(zones, forecast.path("zones"), forecast.path("riskOrder").asInt(-1));
        }
        IncidentView view = new IncidentView(incident.path("incidentId").asText(), incident.path("revision").asInt(),
                incident.path("host").asText(), incident.path("kernelVersion").asText("unknown"),
                incident.path("status").asText(), incident.path("cause").asText(),
                incident.path("severity").asText(), time(incident.path("firstSeenMicros")),
                time(incident.path("lastSeenMicros")), incident.path("diagnosis").asText(), remediation, pods,
                timeline, zones);
        StringOutput out = new StringOutput();
        TEMPLATES.render("console/incident.jte", Map.of("incident", view), out);
        return out.toString();
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

    /** An asset's bytes, or null when there is no such asset. */
    static byte[] asset(String name) {
        String[] asset = ASSETS.get(name);
        if (asset == null) {
            return null;
        }
        try (InputStream in = ConsolePages.class.getResourceAsStream(asset[0])) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
    }

    private static String render(String template, Map<String, Object> params, String next, String error) {
        Map<String, Object> all = new LinkedHashMap<>(params);
        all.put("nextPage", next);
        all.put("error", error);
        StringOutput out = new StringOutput();
        TEMPLATES.render(template, all, out);
        return out.toString();
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
        return event.path("kind").asText();
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
