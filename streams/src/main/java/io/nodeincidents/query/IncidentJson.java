package io.nodeincidents.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentCounts;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.Severity;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.RuntimeFailureEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * The JSON of incidents, fleet alerts and events, defined here with the API that serves it: a record is its Avro
 * record as plain JSON ({@link #tree}), which {@code analyze} prints too ({@link #line}); the list shows an incident
 * without the bulky evidence; an event is its record with where it came from.
 */
public final class IncidentJson {

    /** What the list leaves out (and the memory forecast's zones): {@code GET /incidents/{id}} has them. */
    static final List<String> EVIDENCE_FIELDS = List.of("kernelEvents", "runtimeFailures", "evidence");

    private static final ObjectMapper JSON = new ObjectMapper();

    private IncidentJson() {
    }

    /** The record (an incident, a fleet alert, an event) as one line of plain JSON: unions unwrapped, enums as names. */
    public static String line(SpecificRecord record) {
        try {
            return JSON.writeValueAsString(tree(record));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render " + record.getSchema().getName() + " as JSON", e);
        }
    }

    /** The record as the JSON object {@link #line} prints, the API serves and embeds. */
    public static ObjectNode tree(SpecificRecord record) {
        try {
            // Avro's own rendering is JSON for these records (no bytes fields); re-parsing checks it
            return (ObjectNode) JSON.readTree(record.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render " + record.getSchema().getName() + " as JSON", e);
        }
    }

    /**
     * From a stored {@link #full} rendering, the incident's identity, status, times, counts, diagnosis and
     * remediation (what an alert shows); its evidence lists are left empty.
     */
    public static Incident headline(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("not an incident: " + e.getMessage(), e);
        }
        JsonNode counts = node.path("counts");
        List<String> remediation = new ArrayList<>();
        node.path("remediation").forEach(step -> remediation.add(step.asText()));
        return Incident.newBuilder()
                .setIncidentId(node.path("incidentId").asText())
                .setRevision(node.path("revision").asInt(1))
                .setHost(node.path("host").asText())
                .setKernelVersion(node.path("kernelVersion").isTextual() ? node.path("kernelVersion").asText() : null)
                .setStatus(IncidentStatus.valueOf(node.path("status").asText("OPEN")))
                .setCause(IncidentCause.valueOf(node.path("cause").asText("UNKNOWN")))
                .setSeverity(Severity.valueOf(node.path("severity").asText("MEDIUM")))
                .setFirstSeenMicros(node.path("firstSeenMicros").asLong())
                .setLastSeenMicros(node.path("lastSeenMicros").asLong())
                .setCounts(IncidentCounts.newBuilder()
                        .setAllocationFailures(counts.path("allocationFailures").asInt())
                        .setOomKills(counts.path("oomKills").asInt())
                        .setSlabFailures(counts.path("slabFailures").asInt())
                        .setSandboxFailures(counts.path("sandboxFailures").asInt())
                        .setContainerFailures(counts.path("containerFailures").asInt())
                        .setRuntimeFailureLines(counts.path("runtimeFailureLines").asLong())
                        .build())
                .setDiagnosis(node.path("diagnosis").asText(""))
                .setRemediation(remediation)
                .build();
    }

    static ObjectNode full(Incident incident) {
        return tree(incident);
    }

    static ObjectNode summary(JsonNode full) {
        ObjectNode summary = full.deepCopy();
        summary.remove(EVIDENCE_FIELDS);
        if (summary.get("memoryForecast") instanceof ObjectNode forecast) {
            forecast.remove("zones");
        }
        return summary;
    }

    /**
     * A {@link KernelMemoryEvent} or {@link RuntimeFailureEvent} with {@code "source": "kernel"} or
     * {@code "runtime"} first.
     */
    static ObjectNode event(SpecificRecord event) {
        ObjectNode node = tree(event);
        ObjectNode out = node.objectNode();
        out.put("source", event instanceof KernelMemoryEvent ? "kernel" : "runtime");
        out.setAll(node);
        return out;
    }

    /** Event time of the record in milliseconds, or null when its log had no wall-clock time. */
    static Long eventTimeMillis(SpecificRecord event) {
        Long micros = event instanceof KernelMemoryEvent kernel ? kernel.getTimeMicros()
                : event instanceof RuntimeFailureEvent runtime ? runtime.getTimeMicros() : null;
        return micros == null ? null : Math.floorDiv(micros, 1000L);
    }
}
