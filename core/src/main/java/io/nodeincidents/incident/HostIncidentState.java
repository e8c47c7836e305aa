package io.nodeincidents.incident;

import java.util.List;
import java.util.Objects;

/**
 * Everything the correlation remembers about one host between events: the open incident (rarely more than one: only
 * evidence arriving far out of order opens a second), runtime failures not yet joined to a kernel event, and the ids
 * of recent events so a redelivered event is not counted twice. Immutable; the aggregator returns new values.
 *
 * <p>A record of lists of records, Avro-generated records, strings, longs and enums; {@link HostIncidentStateCodec}
 * turns it into bytes for a state store.
 *
 * @param openIncidents   open incidents, oldest first
 * @param pendingFailures runtime failures waiting for a kernel event, oldest first, bounded
 * @param recentEventIds  ids of the most recent kernel and runtime events seen, oldest first, bounded
 * @param droppedFailures runtime failures dropped unjoined because the buffer was full (uncapped counter)
 */
public record HostIncidentState(List<OpenIncident> openIncidents, List<PendingFailure> pendingFailures,
        List<String> recentEventIds, long droppedFailures) {

    private static final HostIncidentState EMPTY = new HostIncidentState(List.of(), List.of(), List.of(), 0);

    public HostIncidentState {
        openIncidents = List.copyOf(openIncidents);
        pendingFailures = List.copyOf(pendingFailures);
        recentEventIds = List.copyOf(recentEventIds);
    }

    /** The state of a host nothing is known about. */
    public static HostIncidentState empty() {
        return EMPTY;
    }

    /** {@code state}, or the empty state for null (a state store returns null for an unknown key). */
    public static HostIncidentState orEmpty(HostIncidentState state) {
        return Objects.requireNonNullElse(state, EMPTY);
    }

    /**
     * True when nothing is open or pending: the store entry may be deleted. Doing so forgets the recent event ids,
     * which only matters for redeliveries older than the gap.
     */
    public boolean isIdle() {
        return openIncidents.isEmpty() && pendingFailures.isEmpty();
    }
}
