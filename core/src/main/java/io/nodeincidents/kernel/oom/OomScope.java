package io.nodeincidents.kernel.oom;

/**
 * Why the OOM killer ran. Kernels before 4.19 print no constraint; there a memcg report ("Task in .. killed as a
 * result of limit of ..", "Memory cgroup out of memory") is MEMCG and a plain "Out of memory:" is taken as
 * GLOBAL, although a cpuset- or mempolicy-constrained OOM printed the same words on those kernels.
 */
public enum OomScope {
    /** A memory cgroup hit its limit (CONSTRAINT_MEMCG). */
    MEMCG,
    /** The whole machine ran out (CONSTRAINT_NONE). */
    GLOBAL,
    /** Constrained by a cpuset's memory nodes (CONSTRAINT_CPUSET). */
    CPUSET,
    /** Constrained by a NUMA memory policy (CONSTRAINT_MEMORY_POLICY). */
    MEMORY_POLICY,
    /** The report did not say. */
    UNKNOWN;

    /** Maps the oom-kill line's "constraint=CONSTRAINT_X" value. */
    public static OomScope fromKernel(String value) {
        if (value == null) {
            return UNKNOWN;
        }
        return switch (value) {
            case "CONSTRAINT_MEMCG" -> MEMCG;
            case "CONSTRAINT_NONE" -> GLOBAL;
            case "CONSTRAINT_CPUSET" -> CPUSET;
            case "CONSTRAINT_MEMORY_POLICY" -> MEMORY_POLICY;
            default -> UNKNOWN;
        };
    }
}
