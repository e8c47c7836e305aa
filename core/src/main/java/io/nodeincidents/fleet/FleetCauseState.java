package io.nodeincidents.fleet;

import java.util.List;

/**
 * What the fleet rollup remembers for one cause (the topology keys this state by cause): recent incidents of that
 * cause, one entry per incident, and the alerts raised. Both lists are pruned to twice the window behind the latest
 * incident seen. Immutable.
 *
 * @param sightings    recent incidents of the cause, oldest first
 * @param alerts       alerts raised whose windows are still recent
 * @param latestMicros latest first-seen time of any incident of the cause (the rollup's own clock), or
 *                     Long.MIN_VALUE before the first
 */
public record FleetCauseState(List<HostSighting> sightings, List<RaisedAlert> alerts, long latestMicros) {

    private static final FleetCauseState EMPTY = new FleetCauseState(List.of(), List.of(), Long.MIN_VALUE);

    public FleetCauseState {
        sightings = List.copyOf(sightings);
        alerts = List.copyOf(alerts);
    }

    public static FleetCauseState empty() {
        return EMPTY;
    }
}
