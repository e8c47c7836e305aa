package io.nodeincidents.alerting;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One alert as Alertmanager's API v2 takes it ({@code postableAlert}). Alertmanager tells alerts apart by their labels
 * alone: the same labels posted again update the alert, different labels make another one.
 *
 * @param endsAt null: Alertmanager sets it to now + its resolve_timeout
 */
public record Alert(Map<String, String> labels, Map<String, String> annotations, Instant startsAt, Instant endsAt,
        String generatorUrl) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Alert {
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
        Objects.requireNonNull(startsAt, "startsAt");
    }

    /** The label set in one string: equal for the alerts Alertmanager takes for the same one. */
    public String identity() {
        return new TreeMap<>(labels).toString();
    }

    /** The request body of {@code POST /api/v2/alerts} for {@code alerts}. */
    static String json(Collection<Alert> alerts) {
        ArrayNode array = JSON.createArrayNode();
        for (Alert alert : alerts) {
            ObjectNode node = array.addObject();
            ObjectNode labels = node.putObject("labels");
            new TreeMap<>(alert.labels()).forEach(labels::put);
            ObjectNode annotations = node.putObject("annotations");
            new TreeMap<>(alert.annotations()).forEach(annotations::put);
            // Instant.toString is ISO-8601 in UTC, which is RFC 3339
            node.put("startsAt", alert.startsAt().toString());
            if (alert.endsAt() != null) {
                node.put("endsAt", alert.endsAt().toString());
            }
            if (alert.generatorUrl() != null) {
                node.put("generatorURL", alert.generatorUrl());
            }
        }
        return array.toString();
    }
}
