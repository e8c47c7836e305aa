package io.nodeincidents.output;

import io.nodeincidents.schemas.AffectedPod;
import io.nodeincidents.schemas.FleetAlert;
import io.nodeincidents.schemas.FleetHost;
import io.nodeincidents.schemas.Incident;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Incidents and fleet alerts for people: a short readable block per incident (what {@code demo} and
 * {@code analyze --output text} print). Their JSON ({@code analyze}'s default) is the query API's,
 * {@link io.nodeincidents.query.IncidentJson}.
 */
public final class IncidentPrinter {

    private static final int MAX_PODS_SHOWN = 6;

    private IncidentPrinter() {
    }

    /** A few lines: headline, diagnosis, affected pods, remediation. */
    public static String text(Incident incident) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%s %s %s on %s%s, %s .. %s (incident %s, revision %d)%n",
                incident.getStatus(), incident.getSeverity(), incident.getCause(), incident.getHost(),
                incident.getKernelVersion() == null ? "" : " (kernel " + incident.getKernelVersion() + ")",
                time(incident.getFirstSeenMicros()), time(incident.getLastSeenMicros()), incident.getIncidentId(),
                incident.getRevision()));
        out.append("  ").append(incident.getDiagnosis()).append(System.lineSeparator());
        List<AffectedPod> pods = incident.getAffectedPods();
        if (!pods.isEmpty()) {
            String shown = pods.stream().limit(MAX_PODS_SHOWN).map(IncidentPrinter::pod)
                    .collect(Collectors.joining(", "));
            out.append("  affected pods: ").append(shown)
                    .append(pods.size() > MAX_PODS_SHOWN ? " and " + (pods.size() - MAX_PODS_SHOWN) + " more" : "")
                    .append(System.lineSeparator());
        }
        List<String> steps = incident.getRemediation();
        for (int i = 0; i < steps.size(); i++) {
            out.append("  ").append(i + 1).append(". ").append(steps.get(i)).append(System.lineSeparator());
        }
        return out.toString();
    }

    /** One line: the cause and the hosts with their kernels. */
    public static String text(FleetAlert alert) {
        List<String> hosts = new ArrayList<>();
        for (FleetHost host : alert.getHosts()) {
            hosts.add(host.getHost() + (host.getKernelVersion() == null ? "" : " (" + host.getKernelVersion() + ")"));
        }
        return String.format("FLEET %s on %d hosts, %s .. %s: %s%n", alert.getCause(), alert.getHostCount(),
                time(alert.getWindowStartMicros()), time(alert.getWindowEndMicros()), String.join(", ", hosts));
    }

    private static String pod(AffectedPod pod) {
        String name = pod.getPod() != null ? pod.getPod() : pod.getContainerId() != null
                ? "container " + pod.getContainerId().substring(0, Math.min(12, pod.getContainerId().length()))
                : pod.getPodUid() != null ? "pod uid " + pod.getPodUid() : "?";
        return pod.getNamespace() == null ? name : pod.getNamespace() + "/" + name;
    }

    private static String time(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), 0).toString();
    }
}
