package io.nodeincidents.incident;

import io.nodeincidents.schemas.KernelEventKind;
import java.util.Objects;

/**
 * What the join needs to remember of one kernel event of an incident once the full report may have been capped away:
 * when it happened and what kind of memory trouble it was.
 *
 * @param eventId    the kernel event's id
 * @param timeMicros its event time, microseconds since the Unix epoch
 * @param kind       allocation failure, OOM kill or slab failure
 * @param order      the allocation order of an allocation failure, -1 when unknown or not an allocation failure
 */
public record KernelMark(String eventId, long timeMicros, KernelEventKind kind, int order) {

    public KernelMark {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(kind, "kind");
    }

    /**
     * Whether this kernel event could keep a pod from starting: a multi-page allocation failure (or one whose order
     * the report did not show) or a slab cache failure. Creating a pod sandbox needs exactly such allocations (a new
     * network namespace with its conntrack cache), so a sandbox failure next to one is plausibly its victim even when
     * the runtime's error text does not say "memory".
     */
    boolean mayBlockPodStart() {
        return kind == KernelEventKind.SLAB_FAILURE || (kind == KernelEventKind.ALLOC_FAILURE && order != 0);
    }
}
