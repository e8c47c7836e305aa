package io.nodeincidents.forecast;

/**
 * A FRAGMENTATION_RISK incident open on a host.
 *
 * @param incidentId       its stable id
 * @param revision         the last revision emitted
 * @param openedMicros     time of the sample that opened it
 * @param order            the order at risk (the highest one, when several are)
 * @param belowThreshold   whether the order's blocks were already below the threshold (not just projected to be)
 * @param compactSuccess   vmstat compact_success when it opened, null when not sampled
 */
public record OpenRisk(String incidentId, int revision, long openedMicros, int order, boolean belowThreshold,
                       Long compactSuccess) {

    /** The next revision, about {@code order}. */
    OpenRisk next(int order, boolean belowThreshold) {
        return new OpenRisk(incidentId, revision + 1, openedMicros, order, belowThreshold, compactSuccess);
    }
}
