package io.nodeincidents.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One page of the incident list: incident summaries, newest first ({@link PageCursor#ORDER}), and whether more
 * follow.
 *
 * @param incidents the summaries
 * @param more      true when incidents after the last one match too
 */
public record IncidentPage(List<JsonNode> incidents, boolean more) {

    public IncidentPage {
        incidents = List.copyOf(incidents);
    }

    /** Where the next page starts, or null when this is the last. */
    public String nextCursor() {
        return more && !incidents.isEmpty() ? PageCursor.after(incidents.get(incidents.size() - 1)).encode() : null;
    }

    /** The first {@code limit} of {@code matching} (in any order) after sorting. */
    static IncidentPage of(List<JsonNode> matching, int limit) {
        List<JsonNode> sorted = new ArrayList<>(matching);
        sorted.sort(PageCursor.ORDER);
        return new IncidentPage(sorted.subList(0, Math.min(limit, sorted.size())), sorted.size() > limit);
    }

    /**
     * The pages of several instances (each the first {@code limit} of its part after the same cursor) as one: the
     * first {@code limit} of them all; more follow if any instance had more, or if some were cut here.
     */
    static IncidentPage merge(List<IncidentPage> pages, int limit) {
        List<JsonNode> all = new ArrayList<>();
        boolean more = false;
        for (IncidentPage page : pages) {
            all.addAll(page.incidents());
            more |= page.more();
        }
        IncidentPage merged = of(all, limit);
        return new IncidentPage(merged.incidents(), more || merged.more());
    }

    /** {@code {"incidents": [...], "nextCursor": "..." | null}}. */
    ObjectNode toJson() {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.putArray("incidents").addAll(incidents);
        out.put("nextCursor", nextCursor());
        return out;
    }

    static IncidentPage fromJson(JsonNode page) {
        List<JsonNode> incidents = new ArrayList<>();
        page.path("incidents").forEach(incidents::add);
        return new IncidentPage(incidents, page.hasNonNull("nextCursor"));
    }
}
