package io.nodeincidents.fleet;

import io.nodeincidents.schemas.FleetAlert;
import io.nodeincidents.schemas.FleetHost;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Rolls host incidents up into fleet alerts: when incidents of one cause began on at least N distinct hosts within a
 * window W, the fleet has a problem rather than one bad node. Pure function of (state per cause, incident); the
 * topology re-keys incidents by cause and keeps one {@link FleetCauseState} per cause.
 *
 * <p>Rules:
 * <ul>
 * <li>An incident counts at its firstSeenMicros; every revision of it (OPEN, UPDATED, RESOLVED) is the same sighting.
 * An incident whose cause changes between revisions is counted under each cause it was emitted with (the state per
 * cause cannot retract it); UNKNOWN causes are not rolled up.</li>
 * <li>A new alert's window starts at the earliest first-seen of the hosts that reach N within W of each other;
 * alertId is the cause and that start (e.g. {@code MEMORY_FRAGMENTATION@2017-11-12T07:15:41Z}), so a replay yields the
 * same id.</li>
 * <li>No re-alert for the same window: a later incident inside an alerted window re-emits the alert (same alertId)
 * only when it adds a host; another incident of an already-listed host emits nothing. Windows of one cause do not
 * overlap: a new window starts after the end of the previous alert's.</li>
 * </ul>
 */
public final class FleetRollup {

    /** What one call produced: the cause's new state and the alerts to emit (0 or 1). */
    public record Step(FleetCauseState state, List<FleetAlert> emitted) {
        public Step {
            Objects.requireNonNull(state, "state");
            emitted = List.copyOf(emitted);
        }
    }

    private final FleetSettings settings;

    public FleetRollup(FleetSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** An incident revision was emitted; {@code state} is the state of its cause and may be null. */
    public Step onIncident(FleetCauseState state, Incident incident) {
        Objects.requireNonNull(incident, "incident");
        FleetCauseState current = state == null ? FleetCauseState.empty() : state;
        IncidentCause cause = incident.getCause();
        if (cause == null || cause == IncidentCause.UNKNOWN) {
            return new Step(current, List.of());
        }
        long w = settings.windowMicros();
        long first = incident.getFirstSeenMicros();
        long latest = Math.max(current.latestMicros(), first);
        long horizon = latest - 2 * w;

        List<HostSighting> sightings = new ArrayList<>();
        HostSighting sighting = new HostSighting(incident.getHost(), incident.getKernelVersion(),
                incident.getIncidentId(), first);
        boolean known = false;
        for (HostSighting s : current.sightings()) {
            if (s.incidentId().equals(sighting.incidentId())) {
                known = true;
                // a later revision may know the kernel or have an earlier first-seen (late evidence)
                sighting = new HostSighting(s.host(), s.kernelVersion() != null ? s.kernelVersion()
                        : sighting.kernelVersion(), s.incidentId(), Math.min(s.firstSeenMicros(), first));
                sightings.add(sighting);
            } else if (s.firstSeenMicros() >= horizon) {
                sightings.add(s);
            }
        }
        if (!known) {
            sightings.add(sighting);
        }
        List<RaisedAlert> alerts = new ArrayList<>();
        for (RaisedAlert a : current.alerts()) {
            if (a.windowEndMicros() >= horizon) {
                alerts.add(a);
            }
        }

        List<FleetAlert> emitted = new ArrayList<>();
        RaisedAlert covering = null;
        for (RaisedAlert a : alerts) {
            if (a.covers(sighting.firstSeenMicros())) {
                covering = a;
            }
        }
        if (covering != null) {
            if (!covering.lists(sighting.host())) {
                List<HostSighting> hosts = new ArrayList<>(covering.hosts());
                hosts.add(sighting);
                RaisedAlert grown = new RaisedAlert(covering.alertId(), covering.windowStartMicros(),
                        covering.windowEndMicros(), hosts);
                alerts.set(alerts.indexOf(covering), grown);
                emitted.add(toAlert(cause, grown));
            }
        } else {
            RaisedAlert raised = newWindow(cause, sightings, alerts, sighting.firstSeenMicros());
            if (raised != null) {
                alerts.add(raised);
                emitted.add(toAlert(cause, raised));
            }
        }
        return new Step(new FleetCauseState(sightings, alerts, latest), emitted);
    }

    /** The earliest window of length W that holds {@code time}, starts after every earlier alert and has N hosts. */
    private RaisedAlert newWindow(IncidentCause cause, List<HostSighting> sightings, List<RaisedAlert> alerts,
            long time) {
        long w = settings.windowMicros();
        long blockedUntil = Long.MIN_VALUE;
        for (RaisedAlert a : alerts) {
            blockedUntil = Math.max(blockedUntil, a.windowEndMicros());
        }
        List<HostSighting> sorted = new ArrayList<>(sightings);
        sorted.sort(Comparator.comparingLong(HostSighting::firstSeenMicros).thenComparing(HostSighting::host)
                .thenComparing(HostSighting::incidentId));
        for (HostSighting start : sorted) {
            long s = start.firstSeenMicros();
            if (s > time || s < time - w || s <= blockedUntil) {
                continue;
            }
            Map<String, HostSighting> byHost = new LinkedHashMap<>();
            for (HostSighting candidate : sorted) {
                if (candidate.firstSeenMicros() >= s && candidate.firstSeenMicros() <= s + w) {
                    byHost.putIfAbsent(candidate.host(), candidate);
                }
            }
            if (byHost.size() >= settings.hostThreshold()) {
                return new RaisedAlert(alertId(cause, s), s, s + w, new ArrayList<>(byHost.values()));
            }
        }
        return null;
    }

    /** The stable id of the alert for a cause whose window starts at {@code windowStartMicros}. */
    public static String alertId(IncidentCause cause, long windowStartMicros) {
        return cause.name() + "@" + Instant.EPOCH.plus(windowStartMicros, ChronoUnit.MICROS);
    }

    private FleetAlert toAlert(IncidentCause cause, RaisedAlert alert) {
        List<FleetHost> hosts = new ArrayList<>();
        for (HostSighting s : alert.hosts()) {
            if (hosts.size() >= settings.maxHostsListed()) {
                break;
            }
            hosts.add(FleetHost.newBuilder().setHost(s.host()).setKernelVersion(s.kernelVersion())
                    .setIncidentId(s.incidentId()).build());
        }
        return FleetAlert.newBuilder()
                .setAlertId(alert.alertId())
                .setCause(cause)
                .setWindowStartMicros(alert.windowStartMicros())
                .setWindowEndMicros(alert.windowEndMicros())
                .setHostCount(alert.hosts().size())
                .setHosts(hosts)
                .setSummary(summary(cause, alert))
                .build();
    }

    private String summary(IncidentCause cause, RaisedAlert alert) {
        Map<String, Integer> kernels = new TreeMap<>();
        for (HostSighting s : alert.hosts()) {
            kernels.merge(s.kernelVersion() == null ? "unknown kernel" : s.kernelVersion(), 1, Integer::sum);
        }
        List<Map.Entry<String, Integer>> byCount = new ArrayList<>(kernels.entrySet());
        byCount.sort(Map.Entry.<String, Integer>comparingByValue().reversed());
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Integer> e : byCount) {
            if (parts.size() == 5) {
                parts.add("and " + (byCount.size() - 5) + " more kernels");
                break;
            }
            parts.add(e.getKey() + " (" + e.getValue() + (e.getValue() == 1 ? " host)" : " hosts)"));
        }
        java.time.Duration w = settings.window();
        String span = w.toSecondsPart() == 0 && w.toNanosPart() == 0 && w.toMinutes() > 0 ? w.toMinutes() + " min"
                : w.toMillis() + " ms";
        return cause.name() + " on " + alert.hosts().size() + " hosts within " + span + ": "
                + String.join(", ", parts);
    }
}
