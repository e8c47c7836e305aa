package io.nodeincidents.correlation;

import io.nodeincidents.fleet.FleetCauseState;
import io.nodeincidents.fleet.FleetRollup;
import io.nodeincidents.schemas.FleetAlert;
import io.nodeincidents.schemas.Incident;
import java.util.List;

/**
 * Runs {@link FleetRollup} over incident revisions by cause, with one {@link FleetCauseState} per cause in a
 * {@link StateMap}. The rollup has no time of its own (it reads the incidents' first-seen times), so revisions are
 * taken in the order they were emitted.
 */
public final class FleetCauses {

    private final FleetRollup rollup;
    private final StateMap<FleetCauseState> states;

    public FleetCauses(FleetRollup rollup, StateMap<FleetCauseState> states) {
        this.rollup = rollup;
        this.states = states;
    }

    /** The key of an incident's cause. */
    public static String causeOf(Incident incident) {
        return String.valueOf(incident.getCause());
    }

    /** One incident revision under {@code cause}: the alerts it (re-)emits. */
    public List<FleetAlert> onIncident(String cause, Incident incident) {
        FleetRollup.Step step = rollup.onIncident(states.get(cause), incident);
        states.put(cause, step.state());
        return step.emitted();
    }
}
