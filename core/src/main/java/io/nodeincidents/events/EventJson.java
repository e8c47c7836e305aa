package io.nodeincidents.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodeincidents.kernel.AllocationFailureReport;
import io.nodeincidents.kernel.KernelReport;
import io.nodeincidents.kernel.OomKillReport;
import io.nodeincidents.kernel.ReportContext;
import io.nodeincidents.kernel.SlabFailureReport;
import io.nodeincidents.kernel.memory.Verdict;
import io.nodeincidents.kernel.memory.ZoneCounters;
import io.nodeincidents.kernel.oom.OomScope;
import io.nodeincidents.kernel.oom.TaskTableSummary;
import io.nodeincidents.logs.LineRef;
import io.nodeincidents.runtime.RuntimeFailure;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JSON object per event, on one line: what {@code analyze --events} prints. Flat and stable field names, so
 * {@code jq} and log tools can read it; times are ISO-8601 UTC, or null when the log had no wall-clock time.
 */
public final class EventJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private EventJson() {
    }

    public static String line(NodeEvent event) {
        try {
            return JSON.writeValueAsString(fields(event));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("plain maps and lists always serialize", e);
        }
    }

    /** The event's fields in print order. */
    public static Map<String, Object> fields(NodeEvent event) {
        if (event instanceof NodeEvent.Kernel kernel) {
            return kernelFields(kernel.report());
        }
        return runtimeFields(((NodeEvent.Runtime) event).failure());
    }

    /** One readable line: time, host, what happened. */
    public static String text(NodeEvent event) {
        String time = event.timeMicros() == null ? "-" : iso(event.timeMicros());
        if (event instanceof NodeEvent.Kernel kernel) {
            return time + " " + event.host() + " kernel " + EventRecords.kind(kernel.report()) + " "
                    + kernel.report().summary();
        }
        RuntimeFailure failure = ((NodeEvent.Runtime) event).failure();
        String pod = failure.pod() == null ? "" : " pod " + (failure.namespace() == null ? "" : failure.namespace() + "/")
                + failure.pod();
        return time + " " + event.host() + " " + failure.component().wireName() + " " + failure.kind()
                + (failure.memoryRelated() ? " [memory]" : "") + pod + ": " + failure.errorText();
    }

    private static Map<String, Object> kernelFields(KernelReport report) {
        ReportContext context = report.context();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("source", "kernel");
        out.put("kind", EventRecords.kind(report).name());
        out.put("host", context.host());
        out.put("time", context.realtimeMicros() == null ? null : iso(context.realtimeMicros()));
        out.put("bootId", context.bootId());
        out.put("kernelVersion", context.kernelVersion());
        out.put("comm", context.comm());
        out.put("pid", context.pid());
        if (report instanceof AllocationFailureReport failure) {
            out.put("order", failure.order());
            out.put("gfpMask", failure.gfp() == null ? null : failure.gfp().printed());
            out.put("gfpFlags", failure.gfp() == null ? List.of() : failure.gfp().flags());
            Map<String, Object> largest = new LinkedHashMap<>();
            List<Map<String, Object>> zones = new ArrayList<>();
            for (ZoneCounters zone : failure.zones()) {
                String name = largest.containsKey(zone.zone()) && zone.node() != null
                        ? "Node" + zone.node() + "/" + zone.zone() : zone.zone();
                if (zone.largestFreeOrder() != null) {
                    largest.put(name, zone.largestFreeOrder());
                }
                Map<String, Object> z = new LinkedHashMap<>();
                z.put("node", zone.node());
                z.put("zone", zone.zone());
                z.put("freeKb", zone.freeKb());
                z.put("minKb", zone.minKb());
                z.put("lowKb", zone.lowKb());
                z.put("highKb", zone.highKb());
                z.put("largestFreeOrder", zone.largestFreeOrder());
                zones.add(z);
            }
            out.put("largestFreeOrder", largest);
            out.put("verdict", failure.verdict() == Verdict.UNDETERMINED ? null : failure.verdict().name());
            out.put("verdictReason", failure.verdictReason());
            out.put("zones", zones);
        } else if (report instanceof OomKillReport oom) {
            out.put("constraint", oom.constraint() == OomScope.UNKNOWN ? null : oom.constraint().name());
            out.put("victimPid", oom.victim() == null ? null : oom.victim().pid());
            out.put("victimComm", oom.victim() == null ? null : oom.victim().comm());
            out.put("victimRssKb", oom.victim() == null ? null : oom.victim().rssKb());
            out.put("victimRssSource", oom.victim() == null ? null : oom.victim().rssSource().name());
            out.put("victimTotalVmKb", oom.victim() == null ? null : oom.victim().totalVmKb());
            out.put("memcg", oom.oomMemcg() == null ? null : oom.oomMemcg().path());
            out.put("taskMemcg", oom.taskMemcg() == null ? null : oom.taskMemcg().path());
            out.put("containerId", oom.containerId());
            out.put("podUid", oom.podUid());
            out.put("memoryUsageKb", oom.memoryUsageKb());
            out.put("memoryLimitKb", oom.memoryLimitKb());
            out.put("gfpMask", oom.gfp() == null ? null : oom.gfp().printed());
            out.put("order", oom.order());
            out.put("candidatePid", oom.candidate() == null ? null : oom.candidate().pid());
            out.put("candidateComm", oom.candidate() == null ? null : oom.candidate().comm());
            out.put("candidateScore", oom.candidate() == null ? null : oom.candidate().score());
            TaskTableSummary table = TaskTableSummary.of(oom);
            boolean listed = table.tasks() > 0;
            out.put("taskCount", listed ? table.tasks() : null);
            out.put("taskTableTruncated", listed && table.truncated());
            out.put("tableRssKb", listed ? table.rssKb() : null);
            List<Map<String, Object>> top = new ArrayList<>();
            for (TaskTableSummary.Group g : table.top(EventRecords.TOP_CONSUMERS)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", g.name());
                m.put("tasks", g.tasks());
                m.put("rssKb", g.rssKb());
                m.put("largestRssKb", g.largestRssKb());
                top.add(m);
            }
            out.put("topConsumers", top);
            out.put("largestTaskRssKb", table.largest() == null ? null : table.largest().rssKb());
            out.put("tasksOutweighingVictim", listed && table.victimRssKb() != null ? table.outweighingVictim() : null);
            out.put("tasksAtScoreFloor", listed ? table.tasksAtFloor() : null);
        } else if (report instanceof SlabFailureReport slab) {
            out.put("cache", slab.cache());
            out.put("errorCode", slab.errorCode());
            out.put("form", slab.form().name());
            out.put("gfpMask", slab.gfp() == null ? null : slab.gfp().printed());
        }
        out.put("pointsAt", context.pointsAt() == null ? null : context.pointsAt().name());
        out.put("callTrace", context.callTrace());
        out.put("ref", ref(context.firstLine()));
        out.put("summary", report.summary());
        return out;
    }

    private static Map<String, Object> runtimeFields(RuntimeFailure failure) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("source", "runtime");
        out.put("kind", failure.kind().name());
        out.put("host", failure.host());
        out.put("time", failure.timeMicros() == null ? null : iso(failure.timeMicros()));
        out.put("component", failure.component().wireName());
        out.put("memoryRelated", failure.memoryRelated());
        out.put("pod", failure.pod());
        out.put("namespace", failure.namespace());
        out.put("podUid", failure.podUid());
        out.put("containerId", failure.containerId());
        out.put("errorText", failure.errorText());
        out.put("ref", failure.refs().isEmpty() ? null : ref(failure.refs().get(0)));
        out.put("lines", failure.lines());
        return out;
    }

    private static String ref(LineRef ref) {
        return ref == null || ref.equals(LineRef.none()) ? null : ref.toString();
    }

    static String iso(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L)
                .toString();
    }
}
