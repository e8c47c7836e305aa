package io.nodeincidents.fleet;

import java.time.Duration;
import java.util.Objects;

/**
 * When incidents on several hosts become one fleet alert.
 *
 * @param hostThreshold N: distinct hosts with incidents of one cause that make a fleet problem
 * @param window        the incidents' first evidence must lie within this span
 * @param maxHostsListed cap of {@code FleetAlert.hosts} (hostCount is not capped)
 */
public record FleetSettings(int hostThreshold, Duration window, int maxHostsListed) {

    /** The defaults from the issue: 3 hosts within 10 minutes. */
    public static FleetSettings defaults() {
        return new FleetSettings(3, Duration.ofMinutes(10), 100);
    }

    public FleetSettings {
        if (hostThreshold < 2) {
            throw new IllegalArgumentException("hostThreshold must be at least 2: " + hostThreshold);
        }
        Objects.requireNonNull(window, "window");
        if (window.isZero() || window.isNegative()) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        if (maxHostsListed < 1) {
            throw new IllegalArgumentException("maxHostsListed must be at least 1: " + maxHostsListed);
        }
    }

    long windowMicros() {
        return Math.multiplyExact(window.getSeconds(), 1_000_000L) + window.getNano() / 1_000;
    }
}
