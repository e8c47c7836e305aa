package io.nodeincidents.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nodeincidents.cli.IncidentPrinter;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.RuntimeFailureEvent;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * The API's JSON: an incident is its Avro record as {@code analyze} prints it ({@link IncidentPrinter#tree}); the
 * list shows it without the bulky evidence; an event is its record with where it came from.
 */
final class IncidentJson {

    /** What the list leaves out: {@code GET /incidents/{id}} has them. */
    static final List<String> EVIDENCE_FIELDS = List.of("kernelEvents", "runtimeFailures", "evidence");

    private IncidentJson() {
    }

    static ObjectNode full(Incident incident) {
        return IncidentPrinter.tree(incident);
    }

    static ObjectNode summary(JsonNode full) {
        ObjectNode summary = full.deepCopy();
        summary.remove(EVIDENCE_FIELDS);
        return summary;
    }

    /**
     * A {@link KernelMemoryEvent} or {@link RuntimeFailureEvent} with {@code "source": "kernel"} or
     * {@code "runtime"} first.
     */
    static ObjectNode event(SpecificRecord event) {
        ObjectNode node = IncidentPrinter.tree(event);
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
