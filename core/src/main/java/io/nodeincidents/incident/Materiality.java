package io.nodeincidents.incident;

import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.Severity;

/**
 * The parts of an incident whose change is worth a new revision. Two incidents with equal materiality say the same
 * thing to the on-call engineer, even if one holds more evidence or a later lastSeen.
 *
 * <p>Material: the cause, the severity, the number of affected pods listed (a new pod is material), the kernel version
 * becoming known, and any count crossing a threshold of 1, 2, 5, 10, 20, 50, 100, ... (so the first OOM kill or the
 * first sandbox failure is material, the 4th of the same kind is not, the 5th is). Not material: lastSeenMicros moving,
 * more evidence references, more of the same within a threshold band.
 */
public record Materiality(IncidentCause cause, Severity severity, int affectedPods, boolean kernelVersionKnown,
        int allocationFailuresBand, int oomKillsBand, int slabFailuresBand, int sandboxFailuresBand,
        int containerFailuresBand) {

    static Materiality of(IncidentCause cause, Severity severity, int affectedPods, boolean kernelVersionKnown,
            IncidentTally tally) {
        return new Materiality(cause, severity, affectedPods, kernelVersionKnown,
                band(tally.allocationFailures()), band(tally.oomKills()), band(tally.slabFailures()),
                band(tally.sandboxFailures()),
                band(tally.containerStartFailures() + tally.containerOomKills() + tally.otherFailures()));
    }

    /** Index of the highest threshold in 1, 2, 5, 10, 20, 50, ... that {@code n} reaches; 0 for n &lt; 1. */
    static int band(long n) {
        int band = 0;
        long threshold = 1;
        int step = 0;
        while (n >= threshold) {
            band++;
            threshold = switch (step++ % 3) {
                case 0 -> threshold * 2;        // 1 -> 2
                case 1 -> threshold / 2 * 5;    // 2 -> 5
                default -> threshold * 2;       // 5 -> 10
            };
        }
        return band;
    }
}
