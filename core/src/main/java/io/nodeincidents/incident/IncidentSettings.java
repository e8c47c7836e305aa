package io.nodeincidents.incident;

import io.nodeincidents.config.Setting;
import io.nodeincidents.config.Setting.Importance;
import io.nodeincidents.config.Setting.Validator;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the per-host correlation behaves: the join window, how late evidence may arrive, when an episode ends, how often
 * an open incident may be re-emitted, and the caps that keep every list (and so every state-store value and every
 * emitted record) bounded.
 *
 * @param window           W: a runtime failure joins a kernel event when their event times are at most this far apart
 *                         (before or after)
 * @param grace            how late (behind stream time) evidence may still arrive: unjoined runtime failures are kept
 *                         for {@code window + grace}, and resolution waits {@code gap + grace}
 * @param gap              G: kernel evidence closer than this to an open incident belongs to it; an incident without
 *                         new evidence for G (plus grace) is resolved
 * @param updateInterval   an UPDATED revision is emitted at most once per this interval, and only for material changes
 * @param maxKernelEvents  cap of {@code Incident.kernelEvents}: the first half of it are the first reports, the rest
 *                         the latest ones (and so for the next two)
 * @param maxRuntimeFailures cap of {@code Incident.runtimeFailures}
 * @param maxAffectedPods  cap of {@code Incident.affectedPods} (the first pods are kept)
 * @param maxEvidence      cap of {@code Incident.evidence}
 * @param maxPendingFailures cap of the per-host buffer of runtime failures not yet joined (the oldest are dropped)
 * @param maxOpenIncidents most incidents open at once on one host (only out-of-order evidence opens a second one); the
 *                         oldest is resolved early when a new one would exceed it
 * @param maxRememberedIds how many recent event ids a host remembers to drop redelivered events
 */
public record IncidentSettings(
        Duration window,
        Duration grace,
        Duration gap,
        Duration updateInterval,
        int maxKernelEvents,
        int maxRuntimeFailures,
        int maxAffectedPods,
        int maxEvidence,
        int maxPendingFailures,
        int maxOpenIncidents,
        int maxRememberedIds) {

    public static final Setting<Duration> WINDOW = Setting.millis("correlation.window.ms", Duration.ofMinutes(2),
            Validator.atLeast(1), Importance.HIGH, "W: a runtime failure joins a kernel memory event when their event"
                    + " times are at most this far apart (before or after).");
    public static final Setting<Duration> GRACE = Setting.millis("correlation.grace.ms", Duration.ofSeconds(30),
            Validator.atLeast(0), Importance.HIGH, "How late (behind its host's time) evidence may arrive and still"
                    + " be joined; incidents resolve gap + grace after their last evidence.");
    public static final Setting<Duration> GAP = Setting.millis("correlation.gap.ms", Duration.ofMinutes(10),
            Validator.atLeast(1), Importance.HIGH, "G: kernel evidence closer than this to an open incident belongs"
                    + " to it; an incident quiet for G (plus grace) is resolved. Must be at least the window.");
    public static final Setting<Duration> UPDATE_INTERVAL = Setting.millis("incident.update.interval.ms",
            Duration.ofMinutes(1), Validator.atLeast(0), Importance.MEDIUM, "An UPDATED revision of an open incident"
                    + " is emitted at most once per this interval, and only for material changes.");

    /** The settings operators set (the caps keep their defaults), in the order {@code --help} shows them. */
    public static final List<Setting<?>> SETTINGS = List.of(WINDOW, GRACE, GAP, UPDATE_INTERVAL);

    /** The declared defaults: W = 2 min, G = 10 min; 30 s grace; at most one UPDATED per minute. */
    public static IncidentSettings defaults() {
        return new IncidentSettings(WINDOW.defaultValue(), GRACE.defaultValue(), GAP.defaultValue(),
                UPDATE_INTERVAL.defaultValue(), 20, 50, 50, 100, 200, 4, 1000);
    }

    public IncidentSettings {
        requirePositive(window, "window");
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative: " + grace);
        }
        requirePositive(gap, "gap");
        Objects.requireNonNull(updateInterval, "updateInterval");
        if (updateInterval.isNegative()) {
            throw new IllegalArgumentException("updateInterval must not be negative: " + updateInterval);
        }
        if (gap.compareTo(window) < 0) {
            // a failure joined within W of the last kernel event must not land after the incident ended
            throw new IllegalArgumentException("gap (" + gap + ") must be at least the window (" + window + ")");
        }
        for (int cap : new int[] {maxKernelEvents, maxRuntimeFailures, maxAffectedPods, maxEvidence,
                maxPendingFailures, maxOpenIncidents, maxRememberedIds}) {
            if (cap < 1) {
                throw new IllegalArgumentException("every cap must be at least 1: " + cap);
            }
        }
    }

    public IncidentSettings withWindow(Duration value) {
        return new IncidentSettings(value, grace, gap, updateInterval, maxKernelEvents, maxRuntimeFailures,
                maxAffectedPods, maxEvidence, maxPendingFailures, maxOpenIncidents, maxRememberedIds);
    }

    public IncidentSettings withGrace(Duration value) {
        return new IncidentSettings(window, value, gap, updateInterval, maxKernelEvents, maxRuntimeFailures,
                maxAffectedPods, maxEvidence, maxPendingFailures, maxOpenIncidents, maxRememberedIds);
    }

    public IncidentSettings withGap(Duration value) {
        return new IncidentSettings(window, grace, value, updateInterval, maxKernelEvents, maxRuntimeFailures,
                maxAffectedPods, maxEvidence, maxPendingFailures, maxOpenIncidents, maxRememberedIds);
    }

    public IncidentSettings withUpdateInterval(Duration value) {
        return new IncidentSettings(window, grace, gap, value, maxKernelEvents, maxRuntimeFailures,
                maxAffectedPods, maxEvidence, maxPendingFailures, maxOpenIncidents, maxRememberedIds);
    }

    /** Same settings with every list cap (not the id memory) set to {@code cap}; for tests and small deployments. */
    public IncidentSettings withListCaps(int cap) {
        return new IncidentSettings(window, grace, gap, updateInterval, cap, cap, cap, cap, cap, maxOpenIncidents,
                maxRememberedIds);
    }

    long windowMicros() {
        return micros(window);
    }

    long graceMicros() {
        return micros(grace);
    }

    long gapMicros() {
        return micros(gap);
    }

    long updateIntervalMicros() {
        return micros(updateInterval);
    }

    private static long micros(Duration d) {
        return Math.multiplyExact(d.getSeconds(), 1_000_000L) + d.getNano() / 1_000;
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
