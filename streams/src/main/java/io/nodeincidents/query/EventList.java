package io.nodeincidents.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A host's events in a time range, oldest first.
 *
 * @param host      the host
 * @param events    each a {@code KernelMemoryEvent} or {@code RuntimeFailureEvent} as JSON, with its {@code source}
 * @param truncated true when more events lie in the range than were asked for
 */
public record EventList(String host, List<JsonNode> events, boolean truncated) {

    public EventList {
        events = List.copyOf(events);
    }

    ObjectNode toJson() {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("host", host);
        out.putArray("events").addAll(events);
        out.put("truncated", truncated);
        return out;
    }

    static EventList fromJson(JsonNode list) {
        List<JsonNode> events = new ArrayList<>();
        list.path("events").forEach(events::add);
        return new EventList(list.path("host").asText(), events, list.path("truncated").asBoolean());
    }
}
