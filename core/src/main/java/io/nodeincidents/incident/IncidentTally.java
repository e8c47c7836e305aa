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
 */
public record IncidentTally(int allocationFailures, int oomKills, int slabFailures, int sandboxFailures,
        int containerStartFailures, int containerOomKills, int otherFailures, int unrecognizedFailures) {

    static final IncidentTally NONE = new IncidentTally(0, 0, 0, 0, 0, 0, 0, 0);

    IncidentTally plusKernel(io.nodeincidents.schemas.KernelEventKind kind) {
        return switch (kind) {
            case ALLOC_FAILURE -> new IncidentTally(inc(allocationFailures), oomKills, slabFailures, sandboxFailures,
                    containerStartFailures, containerOomKills, otherFailures, unrecognizedFailures);
            case OOM_KILL -> new IncidentTally(allocationFailures, inc(oomKills), slabFailures, sandboxFailures,
                    containerStartFailures, containerOomKills, otherFailures, unrecognizedFailures);
            case SLAB_FAILURE -> new IncidentTally(allocationFailures, oomKills, inc(slabFailures), sandboxFailures,
                    containerStartFailures, containerOomKills, otherFailures, unrecognizedFailures);
            default -> this;
        };
    }

    IncidentTally plusRuntime(io.nodeincidents.schemas.RuntimeFailureKind kind, boolean recognizedAsMemory) {
        int unrecognized = recognizedAsMemory ? unrecognizedFailures : inc(unrecognizedFailures);
        return switch (kind) {
            case SANDBOX_FAILURE -> new IncidentTally(allocationFailures, oomKills, slabFailures, inc(sandboxFailures),
                    containerStartFailures, containerOomKills, otherFailures, unrecognized);
            case CONTAINER_START_FAILURE -> new IncidentTally(allocationFailures, oomKills, slabFailures,
                    sandboxFailures, inc(containerStartFailures), containerOomKills, otherFailures, unrecognized);
            case CONTAINER_OOM_KILLED -> new IncidentTally(allocationFailures, oomKills, slabFailures, sandboxFailures,
                    containerStartFailures, inc(containerOomKills), otherFailures, unrecognized);
            default -> new IncidentTally(allocationFailures, oomKills, slabFailures, sandboxFailures,
                    containerStartFailures, containerOomKills, inc(otherFailures), unrecognized);
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
                .build();
    }

    private static int inc(int n) {
        return n == Integer.MAX_VALUE ? n : n + 1;
    }

    private static int sat(long n) {
        return (int) Math.min(Integer.MAX_VALUE, n);
    }
}
