package io.nodeincidents.alerting;

import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentCounts;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.Severity;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An incident revision as one Alertmanager alert.
 *
 * <p>Labels (what Alertmanager groups, routes, silences and de-duplicates by): {@code alertname} (the cause in
 * UpperCamelCase, {@code MemoryFragmentation} for MEMORY_FRAGMENTATION), {@code cause} (the cause as in the incident),
 * {@code host}, {@code severity} (lower case) and {@code incident_id}. Annotations: {@code summary} (one line),
 * {@code description} (the diagnosis) and {@code runbook} (the remediation steps, one numbered line each).
 *
 * <p>Times: startsAt is the incident's first evidence. A resolved incident ends at its last evidence; an open one
 * ends {@code ahead} from now, and is posted again before that while it stays open, so it keeps firing while the
 * correlator runs and Alertmanager resolves it by itself if the correlator stops. Event times come from the host's
 * clock: both are kept at or before now and endsAt at or after startsAt, as Alertmanager rejects an alert that ends
 * before it starts.
 */
public final class IncidentAlerts {

    private final String generatorBase;

    /** @param generatorBase the query API's base URL; an alert links to the console's page of the incident */
    public IncidentAlerts(String generatorBase) {
        String base = generatorBase.strip();
        this.generatorBase = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /** The alert of {@code incident} at {@code now}; endsAt {@code ahead} of now unless it is resolved. */
    public Alert alert(Incident incident, Instant now, Duration ahead) {
        return build(incident, now, incident.getStatus() == IncidentStatus.RESOLVED ? null : ahead);
    }

    /** The alert of {@code incident} ended now: the one of a revision whose labels a later revision changed. */
    Alert ended(Incident incident, Instant now) {
        return build(incident, now, Duration.ZERO);
    }

    /** {@code ahead} null: ends at the last evidence. */
    private Alert build(Incident incident, Instant now, Duration ahead) {
        Instant startsAt = min(micros(incident.getFirstSeenMicros()), now);
        Instant endsAt = ahead == null ? max(startsAt, min(micros(incident.getLastSeenMicros()), now))
                : now.plus(ahead);
        return new Alert(labels(incident), annotations(incident), startsAt, endsAt,
                generatorBase + "/console/incidents/" + URLEncoder.encode(incident.getIncidentId(), StandardCharsets.UTF_8)
                        .replace("+", "%20"));
    }

    static Map<String, String> labels(Incident incident) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("alertname", alertName(cause(incident)));
        labels.put("cause", cause(incident).name());
        labels.put("host", incident.getHost());
        labels.put("severity", severity(incident).name().toLowerCase(Locale.ROOT));
        labels.put("incident_id", incident.getIncidentId());
        return labels;
    }

    private static Map<String, String> annotations(Incident incident) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("summary", summary(incident));
        annotations.put("description", incident.getDiagnosis() == null ? "" : incident.getDiagnosis());
        List<String> steps = new ArrayList<>();
        List<String> remediation = incident.getRemediation() == null ? List.of() : incident.getRemediation();
        for (int i = 0; i < remediation.size(); i++) {
            steps.add((i + 1) + ". " + remediation.get(i));
        }
        annotations.put("runbook", String.join("\n", steps));
        return annotations;
    }

    /** MEMORY_FRAGMENTATION -> MemoryFragmentation. */
    static String alertName(IncidentCause cause) {
        StringBuilder name = new StringBuilder();
        for (String word : cause.name().split("_")) {
            if (!word.isEmpty()) {
                name.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
            }
        }
        return name.toString();
    }

    /** "Memory fragmentation on node-1: 3 allocation failures, 2 pod sandbox failures (revision 2, updated)". */
    static String summary(Incident incident) {
        String cause = cause(incident).name().toLowerCase(Locale.ROOT).replace('_', ' ');
        StringBuilder line = new StringBuilder(Character.toUpperCase(cause.charAt(0)) + cause.substring(1))
                .append(" on ").append(incident.getHost());
        List<String> counts = new ArrayList<>();
        IncidentCounts c = incident.getCounts();
        if (c != null) {
            count(counts, c.getAllocationFailures(), "allocation failure");
            count(counts, c.getSlabFailures(), "slab failure");
            count(counts, c.getOomKills(), "OOM kill");
            count(counts, c.getSandboxFailures(), "pod sandbox failure");
            count(counts, c.getContainerFailures(), "container failure");
        }
        if (!counts.isEmpty()) {
            line.append(": ").append(String.join(", ", counts));
        }
        IncidentStatus status = incident.getStatus() == null ? IncidentStatus.OPEN : incident.getStatus();
        line.append(" (revision ").append(incident.getRevision()).append(", ")
                .append(status.name().toLowerCase(Locale.ROOT)).append(')');
        // a host name is the only free text here: a summary stays one line
        return line.toString().replaceAll("[\\r\\n]+", " ");
    }

    private static void count(List<String> counts, int n, String what) {
        if (n > 0) {
            counts.add(n + " " + what + (n == 1 ? "" : "s"));
        }
    }

    private static IncidentCause cause(Incident incident) {
        return incident.getCause() == null ? IncidentCause.UNKNOWN : incident.getCause();
    }

    private static Severity severity(Incident incident) {
        return incident.getSeverity() == null ? Severity.MEDIUM : incident.getSeverity();
    }

    private static Instant micros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
