package io.nodeincidents.fleet;

import java.util.List;
import java.util.Objects;

/**
 * A fleet alert already emitted, remembered so the same window is not alerted again unless its host set grows.
 *
 * @param alertId           stable id: cause and window start
 * @param windowStartMicros start of the window (the earliest first-seen of its hosts)
 * @param windowEndMicros   start + window length
 * @param hosts             one sighting per host, in the order they joined
 */
public record RaisedAlert(String alertId, long windowStartMicros, long windowEndMicros, List<HostSighting> hosts) {

    public RaisedAlert {
        Objects.requireNonNull(alertId, "alertId");
        hosts = List.copyOf(hosts);
    }

    boolean covers(long timeMicros) {
        return timeMicros >= windowStartMicros && timeMicros <= windowEndMicros;
    }

    boolean lists(String host) {
        return hosts.stream().anyMatch(h -> h.host().equals(host));
    }
}
