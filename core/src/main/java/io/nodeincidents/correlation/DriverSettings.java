package io.nodeincidents.correlation;

import io.nodeincidents.fleet.FleetSettings;
import io.nodeincidents.incident.IncidentSettings;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the per-host steps and their ticks are set with, the same for the streaming app and offline analysis.
 *
 * @param extractionTick  how often, in stream time, what went idle is completed
 * @param correlationTick how often, in stream time, open incidents are checked for due updates and resolution
 * @param dedupRetention  how long, in stream time, an entry's identity is remembered to drop repeats
 */
public record DriverSettings(Duration extractionTick, Duration correlationTick, Duration dedupRetention,
                             IncidentSettings incident, FleetSettings fleet) {

    public DriverSettings {
        Objects.requireNonNull(extractionTick, "extractionTick");
        Objects.requireNonNull(correlationTick, "correlationTick");
        Objects.requireNonNull(dedupRetention, "dedupRetention");
        Objects.requireNonNull(incident, "incident");
        Objects.requireNonNull(fleet, "fleet");
    }

    /**
     * How long the clock of a quiet host is kept: a day of stream time, or longer if anything of a host (an open
     * incident, a dedup identity) is kept longer, so that nothing of a host outlives its clock.
     */
    public Duration clockRetention() {
        Duration keepsIncident = incident.window().plus(incident.gap()).plus(incident.grace())
                .plus(incident.updateInterval()).multipliedBy(2);
        Duration longest = Duration.ofDays(1);
        for (Duration d : List.of(keepsIncident, dedupRetention)) {
            longest = d.compareTo(longest) > 0 ? d : longest;
        }
        return longest;
    }
}
