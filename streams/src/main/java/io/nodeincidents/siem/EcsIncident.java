package io.nodeincidents.siem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nodeincidents.schemas.AffectedPod;
import io.nodeincidents.schemas.AllocationFailure;
import io.nodeincidents.schemas.EvidenceRef;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentCounts;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.OomKill;
import io.nodeincidents.schemas.RuntimeFailureEvent;
import io.nodeincidents.schemas.Severity;
import io.nodeincidents.schemas.SlabFailure;
import io.nodeincidents.schemas.ZoneState;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An {@link Incident} revision as an Elastic Common Schema (ECS) document, for a SIEM (Elastic Security, or anything
 * that reads ECS): an alert on a host, upserted by {@code event.id} (the incident id).
 *
 * <p>Layout decisions:
 * <ul>
 * <li>Nested JSON objects ({@code {"event":{"kind":"alert"}}}), never dotted keys: ECS recommends them and every
 * ingest path (Elasticsearch, Logstash, Beats processors) reads them alike.</li>
 * <li>ECS fields: {@code @timestamp}, {@code ecs.version}, {@code message}, {@code labels} (cause, status),
 * {@code event.*} (kind alert; category host, plus process when processes were killed or could not start; type
 * error; id; start; end and duration once resolved; severity 1-4 for LOW..CRITICAL; dataset, module),
 * {@code host.name}, {@code host.os.kernel}, {@code host.os.type}, {@code related.hosts} and {@code rule.name} (the
 * cause). {@code event.outcome} is left out: ECS keeps it for events whose producer saw an action succeed or fail,
 * and an incident is a diagnosis, not an action (the failures it holds are in {@code nodeincidents.*}).</li>
 * <li>{@code @timestamp} is the incident's first evidence (as {@code event.start}), not its last: it stays the same
 * across revisions, so an upsert by {@code event.id} lands in the same time-based index as the first revision.</li>
 * <li>Everything of our own is under {@code nodeincidents}, in ECS style snake_case: incident id, revision, status,
 * cause, severity, first and last seen, counts, diagnosis, remediation, the decoded kernel reports, runtime failures,
 * affected pods and evidence references.</li>
 * <li>Times are ISO-8601 UTC with milliseconds ({@code 2017-11-12T07:15:41.000Z}), the precision of an
 * Elasticsearch {@code date}; the microseconds of the Avro record are cut, not rounded.</li>
 * <li>Absent values are left out rather than written as null (ECS's own convention); empty lists stay, as [].</li>
 * </ul>
 *
 * <p>The document is a pure function of the revision: fields in a fixed order, lists in the record's order, no
 * clock, no random id. The same revision always gives the same bytes, so a re-delivered revision is an idempotent
 * upsert.
 */
public final class EcsIncident {

    /** The ECS version the documents conform to (ecs.version). */
    public static final String ECS_VERSION = "8.17.0";

    /** event.dataset of the documents. */
    public static final String DATASET = "nodeincidents.incident";

    /** event.module of the documents, and the name of the namespace of our own fields. */
    public static final String MODULE = "nodeincidents";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final long MICROS_PER_SECOND = 1_000_000L;

    private EcsIncident() {
    }

    /** The ECS document of {@code incident}, as a Jackson tree (fields in a fixed order). */
    public static ObjectNode document(Incident incident) {
        IncidentCounts counts = incident.getCounts();
        boolean resolved = incident.getStatus() == IncidentStatus.RESOLVED;
        ObjectNode doc = NODES.objectNode();
        doc.put("@timestamp", time(incident.getFirstSeenMicros()));
        doc.putObject("ecs").put("version", ECS_VERSION);
        doc.put("message", text(message(incident)));

        ObjectNode labels = doc.putObject("labels");
        labels.put("cause", name(incident.getCause()));
        labels.put("status", name(incident.getStatus()));

        ObjectNode event = doc.putObject("event");
        event.put("kind", "alert");
        ArrayNode category = event.putArray("category").add("host");
        if (involvesProcesses(counts)) {
            category.add("process");
        }
        event.putArray("type").add("error");
        event.put("id", text(incident.getIncidentId()));
        event.put("dataset", DATASET);
        event.put("module", MODULE);
        event.put("start", time(incident.getFirstSeenMicros()));
        if (resolved) {
            event.put("end", time(incident.getLastSeenMicros()));
            Long nanos = durationNanos(incident.getFirstSeenMicros(), incident.getLastSeenMicros());
            if (nanos != null) {
                event.put("duration", nanos);
            }
        }
        if (incident.getSeverity() != null) {
            event.put("severity", severity(incident.getSeverity()));
        }

        ObjectNode host = doc.putObject("host");
        host.put("name", text(incident.getHost()));
        ObjectNode os = host.putObject("os");
        // every report we decode is a Linux kernel's
        os.put("type", "linux");
        putText(os, "kernel", incident.getKernelVersion());
        doc.putObject("related").putArray("hosts").add(text(incident.getHost()));

        doc.putObject("rule").put("name", name(incident.getCause()));

        doc.set(MODULE, ours(incident, counts));
        return doc;
    }

    /** The ECS document of {@code incident} as UTF-8 JSON. */
    public static byte[] utf8Json(Incident incident) {
        try {
            return MAPPER.writeValueAsBytes(document(incident));
        } catch (JsonProcessingException e) {
            // a tree of strings and numbers always serializes; text() has removed what the encoder rejects
            throw new UncheckedIOException(e);
        }
    }

    /** The ECS document of {@code incident} as a JSON string (one line). */
    public static String json(Incident incident) {
        try {
            return MAPPER.writeValueAsString(document(incident));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One line a SIEM list can show: "Memory fragmentation on slave-138 (CRITICAL, OPEN): 1 allocation failure, 3 pod
     * sandbox failures, 2 pods affected", then the diagnosis on the next line.
     */
    static String message(Incident incident) {
        StringBuilder line = new StringBuilder();
        line.append(causeWords(incident.getCause())).append(" on ").append(incident.getHost())
                .append(" (").append(name(incident.getSeverity())).append(", ").append(name(incident.getStatus()))
                .append(')');
        List<String> parts = new ArrayList<>();
        IncidentCounts counts = incident.getCounts();
        if (counts != null) {
            count(parts, counts.getAllocationFailures(), "allocation failure", "allocation failures");
            count(parts, counts.getSlabFailures(), "slab failure", "slab failures");
            count(parts, counts.getOomKills(), "OOM kill", "OOM kills");
            count(parts, counts.getSandboxFailures(), "pod sandbox failure", "pod sandbox failures");
            count(parts, counts.getContainerFailures(), "container failure", "container failures");
        }
        int pods = incident.getAffectedPods() == null ? 0 : incident.getAffectedPods().size();
        count(parts, pods, "pod affected", "pods affected");
        if (!parts.isEmpty()) {
            line.append(": ").append(String.join(", ", parts));
        }
        String diagnosis = incident.getDiagnosis();
        if (diagnosis != null && !diagnosis.isBlank()) {
            line.append('\n').append(diagnosis);
        }
        return line.toString();
    }

    private static void count(List<String> parts, int n, String one, String many) {
        if (n > 0) {
            parts.add(n + " " + (n == 1 ? one : many));
        }
    }

    private static String causeWords(IncidentCause cause) {
        if (cause == null) {
            return "Unknown cause";
        }
        String words = cause.name().toLowerCase(Locale.ROOT).replace('_', ' ').replace("oom", "OOM");
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }

    /** Processes were killed (OOM) or could not start (sandbox, container): ECS category process applies too. */
    private static boolean involvesProcesses(IncidentCounts counts) {
        return counts != null
                && (counts.getOomKills() > 0 || counts.getSandboxFailures() > 0 || counts.getContainerFailures() > 0);
    }

    /**
     * event.severity: LOW 1, WARNING and MEDIUM 2, HIGH 3, CRITICAL 4 (ECS leaves the scale to the source; the numbers
     * predate WARNING, and SIEM rules written against them keep their meaning).
     */
    static int severity(Severity severity) {
        return switch (severity) {
            case LOW -> 1;
            case WARNING, MEDIUM -> 2;
            case HIGH -> 3;
            case CRITICAL -> 4;
        };
    }

    private static ObjectNode ours(Incident incident, IncidentCounts counts) {
        ObjectNode n = NODES.objectNode();
        n.put("incident_id", text(incident.getIncidentId()));
        n.put("revision", incident.getRevision());
        n.put("status", name(incident.getStatus()));
        n.put("cause", name(incident.getCause()));
        n.put("severity", name(incident.getSeverity()));
        n.put("first_seen", time(incident.getFirstSeenMicros()));
        n.put("last_seen", time(incident.getLastSeenMicros()));
        ObjectNode c = n.putObject("counts");
        if (counts != null) {
            c.put("allocation_failures", counts.getAllocationFailures());
            c.put("slab_failures", counts.getSlabFailures());
            c.put("oom_kills", counts.getOomKills());
            c.put("sandbox_failures", counts.getSandboxFailures());
            c.put("container_failures", counts.getContainerFailures());
            c.put("runtime_failure_lines", counts.getRuntimeFailureLines());
        }
        putText(n, "diagnosis", incident.getDiagnosis());
        ArrayNode remediation = n.putArray("remediation");
        for (String step : nonNull(incident.getRemediation())) {
            remediation.add(text(step));
        }
        ArrayNode kernel = n.putArray("kernel_events");
        for (KernelMemoryEvent e : nonNull(incident.getKernelEvents())) {
            kernel.add(kernelEvent(e));
        }
        ArrayNode runtime = n.putArray("runtime_failures");
        for (RuntimeFailureEvent e : nonNull(incident.getRuntimeFailures())) {
            runtime.add(runtimeFailure(e));
        }
        ArrayNode pods = n.putArray("affected_pods");
        for (AffectedPod p : nonNull(incident.getAffectedPods())) {
            ObjectNode pod = pods.addObject();
            putText(pod, "namespace", p.getNamespace());
            putText(pod, "pod", p.getPod());
            putText(pod, "pod_uid", p.getPodUid());
            putText(pod, "container_id", p.getContainerId());
        }
        n.set("evidence", evidence(incident.getEvidence()));
        // the lists keep their first and latest items: how many were left out between them
        ObjectNode omitted = n.putObject("omitted");
        omitted.put("kernel_events", incident.getKernelEventsOmitted());
        omitted.put("runtime_failures", incident.getRuntimeFailuresOmitted());
        omitted.put("evidence", incident.getEvidenceOmitted());
        return n;
    }

    private static ObjectNode kernelEvent(KernelMemoryEvent e) {
        ObjectNode k = NODES.objectNode();
        putText(k, "event_id", e.getEventId());
        k.put("kind", name(e.getKind()));
        putTime(k, "time", e.getTimeMicros());
        putText(k, "boot_id", e.getBootId());
        putNumber(k, "monotonic_us", e.getMonotonicMicros());
        putText(k, "kernel_version", e.getKernelVersion());
        putText(k, "comm", e.getComm());
        putNumber(k, "pid", e.getPid() == null ? null : e.getPid().longValue());
        putText(k, "points_at", e.getPointsAt());
        ArrayNode trace = k.putArray("call_trace");
        for (String frame : nonNull(e.getCallTrace())) {
            trace.add(text(frame));
        }
        putText(k, "summary", e.getSummary());
        AllocationFailure a = e.getAllocation();
        if (a != null) {
            ObjectNode alloc = k.putObject("allocation");
            alloc.put("order", a.getOrder());
            putText(alloc, "gfp_mask", a.getGfpMask());
            ArrayNode flags = alloc.putArray("gfp_flags");
            for (String flag : nonNull(a.getGfpFlags())) {
                flags.add(text(flag));
            }
            alloc.put("verdict", name(a.getVerdict()));
            ArrayNode zones = alloc.putArray("zones");
            for (ZoneState z : nonNull(a.getZones())) {
                zones.add(zone(z));
            }
        }
        OomKill o = e.getOom();
        if (o != null) {
            ObjectNode oom = k.putObject("oom");
            oom.put("constraint", name(o.getConstraint()));
            putText(oom, "gfp_mask", o.getGfpMask());
            putNumber(oom, "order", o.getOrder() == null ? null : o.getOrder().longValue());
            putNumber(oom, "victim_pid", o.getVictimPid() == null ? null : o.getVictimPid().longValue());
            putText(oom, "victim_comm", o.getVictimComm());
            putNumber(oom, "victim_rss_kb", o.getVictimRssKb());
            putNumber(oom, "victim_total_vm_kb", o.getVictimTotalVmKb());
            putText(oom, "memcg", o.getMemcg());
            putText(oom, "task_memcg", o.getTaskMemcg());
            putText(oom, "container_id", o.getContainerId());
            putText(oom, "pod_uid", o.getPodUid());
            putNumber(oom, "memory_usage_kb", o.getMemoryUsageKb());
            putNumber(oom, "memory_limit_kb", o.getMemoryLimitKb());
        }
        SlabFailure s = e.getSlab();
        if (s != null) {
            ObjectNode slab = k.putObject("slab");
            putText(slab, "cache", s.getCache());
            putNumber(slab, "error_code", s.getErrorCode() == null ? null : s.getErrorCode().longValue());
            putText(slab, "gfp_mask", s.getGfpMask());
        }
        k.set("evidence", evidence(e.getEvidence()));
        return k;
    }

    private static ObjectNode zone(ZoneState z) {
        ObjectNode zone = NODES.objectNode();
        putNumber(zone, "node", z.getNode() == null ? null : z.getNode().longValue());
        putText(zone, "zone", z.getZone());
        putNumber(zone, "free_kb", z.getFreeKb());
        putNumber(zone, "min_kb", z.getMinKb());
        putNumber(zone, "low_kb", z.getLowKb());
        putNumber(zone, "high_kb", z.getHighKb());
        ArrayNode blocks = zone.putArray("free_blocks");
        for (Long b : nonNull(z.getFreeBlocks())) {
            if (b != null) {
                blocks.add(b.longValue());
            }
        }
        putNumber(zone, "buddy_total_kb", z.getBuddyTotalKb());
        putNumber(zone, "largest_free_order",
                z.getLargestFreeOrder() == null ? null : z.getLargestFreeOrder().longValue());
        return zone;
    }

    private static ObjectNode runtimeFailure(RuntimeFailureEvent e) {
        ObjectNode r = NODES.objectNode();
        putText(r, "event_id", e.getEventId());
        r.put("kind", name(e.getKind()));
        putTime(r, "time", e.getTimeMicros());
        putText(r, "component", e.getComponent());
        r.put("memory_related", e.getMemoryRelated());
        putText(r, "namespace", e.getNamespace());
        putText(r, "pod", e.getPod());
        putText(r, "pod_uid", e.getPodUid());
        putText(r, "container_id", e.getContainerId());
        putText(r, "error_text", e.getErrorText());
        r.set("evidence", evidence(e.getEvidence()));
        r.put("evidence_omitted", e.getEvidenceOmitted());
        return r;
    }

    private static ArrayNode evidence(List<EvidenceRef> refs) {
        ArrayNode list = NODES.arrayNode();
        for (EvidenceRef ref : nonNull(refs)) {
            ObjectNode e = list.addObject();
            putText(e, "host", ref.getHost());
            putTime(e, "time", ref.getTimeMicros());
            putText(e, "cursor", ref.getCursor());
            putText(e, "file", ref.getFile());
            putNumber(e, "line", ref.getLine());
        }
        return list;
    }

    /** ISO-8601 UTC with milliseconds; micros cut towards the past (also before 1970). */
    static String time(long micros) {
        long seconds = Math.floorDiv(micros, MICROS_PER_SECOND);
        long nanos = Math.floorMod(micros, MICROS_PER_SECOND) * 1_000L;
        return ISO_MILLIS.format(Instant.ofEpochSecond(seconds, nanos));
    }

    /** event.duration is in nanoseconds; null when the times are out of order or the product overflows. */
    private static Long durationNanos(long firstMicros, long lastMicros) {
        try {
            long micros = Math.subtractExact(lastMicros, firstMicros);
            return micros < 0 ? null : Math.multiplyExact(micros, 1_000L);
        } catch (ArithmeticException e) {
            return null;
        }
    }

    private static void putTime(ObjectNode node, String field, Long micros) {
        if (micros != null) {
            node.put(field, time(micros));
        }
    }

    private static void putText(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, text(value));
        }
    }

    private static void putNumber(ObjectNode node, String field, Long value) {
        if (value != null) {
            node.put(field, value.longValue());
        }
    }

    private static String name(Enum<?> value) {
        return value == null ? "UNKNOWN" : value.name();
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }

    /**
     * {@code value} with unpaired UTF-16 surrogates replaced by U+FFFD: they cannot be encoded as UTF-8 (Jackson
     * refuses them), and one stray half of an emoji in a log line must not make the incident unpublishable. Strings
     * without surrogates (nearly all) are returned as they are, without copying.
     */
    static String text(String value) {
        if (value == null) {
            return null;
        }
        int n = value.length();
        int i = 0;
        while (i < n && !Character.isSurrogate(value.charAt(i))) {
            i++;
        }
        if (i == n) {
            return value;
        }
        StringBuilder out = new StringBuilder(n).append(value, 0, i);
        while (i < n) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
                out.append(c).append(value.charAt(i + 1));
                i += 2;
            } else {
                out.append(Character.isSurrogate(c) ? '\uFFFD' : c);
                i++;
            }
        }
        return out.toString();
    }
}
