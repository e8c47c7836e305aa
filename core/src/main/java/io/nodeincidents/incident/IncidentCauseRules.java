package io.nodeincidents.incident;

import io.nodeincidents.schemas.AllocationFailure;
import io.nodeincidents.schemas.AllocationVerdict;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.OomConstraint;
import io.nodeincidents.schemas.OomKill;
import io.nodeincidents.schemas.Severity;
import java.util.Collection;
import java.util.List;

/**
 * Which cause one kernel report points to, which cause wins when an episode holds several, and how severe an incident
 * is.
 *
 * <p>Per report: an allocation failure with verdict FRAGMENTATION is {@code MEMORY_FRAGMENTATION}; any other
 * allocation failure (EXHAUSTION, UNDETERMINED, or order 0, where nothing but exhaustion can explain it) is
 * {@code HIGH_ORDER_ALLOCATION_FAILURE}; a slab failure is {@code SLAB_ALLOCATION_FAILURE}; an OOM kill in a memory
 * cgroup (constraint MEMCG, or an unknown constraint with a cgroup limit in the report) is {@code CGROUP_OOM}; any
 * other OOM kill (GLOBAL, CPUSET, MEMORY_POLICY, unknown) is {@code GLOBAL_OOM}: the host, not one container, ran out.
 *
 * <p>Precedence in one episode, the cause that explains the others first: {@link #PRECEDENCE}. Fragmentation explains
 * slab-cache and high-order failures and can push the kernel into OOM kills although memory is free, so it wins over
 * everything; a global OOM explains exhaustion-type allocation failures; a failed high-order allocation is usually why
 * a slab cache could not be created (the order-6 failure comes first, kmem_cache_create fails after it); a
 * memory cgroup hitting its own limit is the most local trouble and loses to any host-wide cause. The diagnosis still
 * names the other kinds the episode holds.
 *
 * <p>Severity: CRITICAL when pod sandboxes or containers failed to start, HIGH when workloads were killed (kernel OOM
 * kill or runtime-reported OOMKilled container), MEDIUM for kernel trouble without visible pod impact. LOW is not
 * used: every kernel memory failure is worth a look.
 */
public final class IncidentCauseRules {

    /** Causes from most to least explanatory; the first one present in an episode is the incident's cause. */
    public static final List<IncidentCause> PRECEDENCE = List.of(
            IncidentCause.MEMORY_FRAGMENTATION,
            IncidentCause.GLOBAL_OOM,
            IncidentCause.HIGH_ORDER_ALLOCATION_FAILURE,
            IncidentCause.SLAB_ALLOCATION_FAILURE,
            IncidentCause.CGROUP_OOM,
            IncidentCause.UNKNOWN);

    private IncidentCauseRules() {
    }

    /** The cause a single kernel report points to. */
    public static IncidentCause causeOf(KernelMemoryEvent event) {
        if (event.getKind() == null) {
            return IncidentCause.UNKNOWN;
        }
        return switch (event.getKind()) {
            case ALLOC_FAILURE -> allocationCause(event.getAllocation());
            case SLAB_FAILURE -> IncidentCause.SLAB_ALLOCATION_FAILURE;
            case OOM_KILL -> isMemcg(event.getOom()) ? IncidentCause.CGROUP_OOM : IncidentCause.GLOBAL_OOM;
            default -> IncidentCause.UNKNOWN;
        };
    }

    /** The winning cause among those seen in one episode, by {@link #PRECEDENCE}; UNKNOWN for none. */
    public static IncidentCause winning(Collection<IncidentCause> seen) {
        for (IncidentCause cause : PRECEDENCE) {
            if (seen.contains(cause)) {
                return cause;
            }
        }
        return IncidentCause.UNKNOWN;
    }

    /** Severity from the uncapped counts of an incident. */
    public static Severity severity(IncidentTally tally) {
        if (tally.podsFailedToStart()) {
            return Severity.CRITICAL;
        }
        if (tally.workloadsKilled()) {
            return Severity.HIGH;
        }
        return Severity.MEDIUM;
    }

    private static IncidentCause allocationCause(AllocationFailure allocation) {
        if (allocation != null && allocation.getVerdict() == AllocationVerdict.FRAGMENTATION) {
            return IncidentCause.MEMORY_FRAGMENTATION;
        }
        // EXHAUSTION, UNDETERMINED, order 0, or a report without details: the enum's "cannot tell why, or exhausted"
        return IncidentCause.HIGH_ORDER_ALLOCATION_FAILURE;
    }

    static boolean isMemcg(OomKill oom) {
        if (oom == null) {
            return false;
        }
        if (oom.getConstraint() == OomConstraint.MEMCG) {
            return true;
        }
        return oom.getConstraint() == OomConstraint.UNKNOWN && oom.getMemoryLimitKb() != null;
    }
}
