package io.nodeincidents.fleet;

import io.nodeincidents.config.Setting;
import io.nodeincidents.config.Setting.Importance;
import io.nodeincidents.config.Setting.Validator;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * When incidents on several hosts become one fleet alert.
 *
 * @param hostThreshold N: distinct hosts with incidents of one cause that make a fleet problem
 * @param window        the incidents' first evidence must lie within this span
 * @param maxHostsListed cap of {@code FleetAlert.hosts} (hostCount is not capped)
 */
public record FleetSettings(int hostThreshold, Duration window, int maxHostsListed) {

    public static final Setting<Integer> HOST_THRESHOLD = Setting.integer("fleet.host.threshold", 3,
            Validator.atLeast(2), Importance.HIGH,
            "N: incidents of one cause on this many distinct hosts within fleet.window.ms raise a fleet alert.");
    public static final Setting<Duration> WINDOW = Setting.millis("fleet.window.ms", Duration.ofMinutes(10),
            Validator.atLeast(1), Importance.HIGH,
            "Span within which the incidents' first evidence must lie for a fleet alert.");

    /** The settings operators set (the list cap keeps its default), in the order {@code --help} shows them. */
    public static final List<Setting<?>> SETTINGS = List.of(HOST_THRESHOLD, WINDOW);

    /** The declared defaults: 3 hosts within 10 minutes. */
    public static FleetSettings defaults() {
        return new FleetSettings(HOST_THRESHOLD.defaultValue(), WINDOW.defaultValue(), 100);
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
