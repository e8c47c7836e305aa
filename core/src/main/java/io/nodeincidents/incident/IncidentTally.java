package io.nodeincidents.incident;

import io.nodeincidents.schemas.IncidentCounts;

/**
 * Uncapped counts of the evidence joined into one incident; finer than {@link IncidentCounts}, which it becomes on
 * emission.
 *
 * @param allocationFailures    page allocation failure reports
 * @param oomKills              kernel OOM kill reports
 * @param slabFailures          slab failure reports
 * @param sandboxFailures       pod sandbox creation failures
 * @param containerStartFailures container create/start failures
 * @param containerOomKills     containers the runtime reported OOM-killed
 * @param otherFailures         other memory-related runtime failures
 * @param unrecognizedFailures  joined sandbox/container failures whose error was not recognised as memory-related
 *                              (they joined only because they sat next to an allocation or slab failure); included in
 *                              the counts above
 * @param runtimeFailureLines   log lines of the joined runtime failures, every repeat counted (a failure folded from
 *                              20,000 repeats of one error line is one failure and 20,000 lines)
 */
public record IncidentTally(int allocationFailures, int oomKills, int slabFailures, int sandboxFailures,
        int containerStartFailures, int containerOomKills, int otherFailures, int unrecognizedFailures,
        long runtimeFailureLines) {

    static final IncidentTally NONE = new IncidentTally(0, 0, 0, 0, 0, 0, 0, 0, 0);

    IncidentTally plusKernel(io.nodeincidents.schemas.KernelEventKind kind) {
        return switch (kind) {
            case ALLOC_FAILURE -> new IncidentTally(inc(allocationFailures), oomKills, slabFailures, sandboxFailures,
                    containerStartFailures, containerOomKills, otherFailures, unrecognizedFailures,
                    runtimeFailureLines);
            case OOM_KILL -> new IncidentTally(allocationFailures, inc(oomKills), slabFailures, sandboxFailures,
                    containerStartFailures, containerOomKills, otherFailures, unrecognizedFailures,
                    runtimeFailureLines);
            case SLAB_FAILURE -> new IncidentTally(allocationFailures, oomKills, inc(slabFailures), sandboxFailures,
                    containerStartFailures, containerOomKills, otherFailures, unrecognizedFailures,
                    runtimeFailureLines);
            default -> this;
        };
    }

    /** One more runtime failure of {@code kind}, read from {@code lines} log lines. */
    IncidentTally plusRuntime(io.nodeincidents.schemas.RuntimeFailureKind kind, boolean recognizedAsMemory,
            long lines) {
        int unrecognized = recognizedAsMemory ? unrecognizedFailures : inc(unrecognizedFailures);
        long allLines = lines <= 0 ? runtimeFailureLines : lines > Long.MAX_VALUE - runtimeFailureLines
                ? Long.MAX_VALUE : runtimeFailureLines + lines;
        return switch (kind) {
            case SANDBOX_FAILURE -> new IncidentTally(allocationFailures, oomKills, slabFailures, inc(sandboxFailures),
                    containerStartFailures, containerOomKills, otherFailures, unrecognized, allLines);
            case CONTAINER_START_FAILURE -> new IncidentTally(allocationFailures, oomKills, slabFailures,
                    sandboxFailures, inc(containerStartFailures), containerOomKills, otherFailures, unrecognized,
                    allLines);
            case CONTAINER_OOM_KILLED -> new IncidentTally(allocationFailures, oomKills, slabFailures, sandboxFailures,
                    containerStartFailures, inc(containerOomKills), otherFailures, unrecognized, allLines);
            default -> new IncidentTally(allocationFailures, oomKills, slabFailures, sandboxFailures,
                    containerStartFailures, containerOomKills, inc(otherFailures), unrecognized, allLines);
        };
    }

    /** Pods or containers could not start. */
    boolean podsFailedToStart() {
        return sandboxFailures > 0 || containerStartFailures > 0;
    }

    /** Workloads were killed, by the kernel or as the runtime reports. */
    boolean workloadsKilled() {
        return oomKills > 0 || containerOomKills > 0;
    }

    IncidentCounts toAvro() {
        return IncidentCounts.newBuilder()
                .setAllocationFailures(allocationFailures)
                .setOomKills(oomKills)
                .setSlabFailures(slabFailures)
                .setSandboxFailures(sandboxFailures)
                .setContainerFailures(sat(containerStartFailures + (long) containerOomKills + otherFailures))
                .setRuntimeFailureLines(runtimeFailureLines)
                .build();
    }

    private static int inc(int n) {
        return n == Integer.MAX_VALUE ? n : n + 1;
    }

    private static int sat(long n) {
        return (int) Math.min(Integer.MAX_VALUE, n);
    }
}
