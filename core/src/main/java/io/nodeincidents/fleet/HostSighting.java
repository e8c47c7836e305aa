package io.nodeincidents.fleet;

import java.util.Objects;

/**
 * One host's incident of the rolled-up cause, as far as the fleet view needs it.
 *
 * @param host            host name
 * @param kernelVersion   kernel release, or null
 * @param incidentId      the incident
 * @param firstSeenMicros when the incident's evidence began: the time the fleet window compares
 */
public record HostSighting(String host, String kernelVersion, String incidentId, long firstSeenMicros) {

    public HostSighting {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(incidentId, "incidentId");
    }
}
