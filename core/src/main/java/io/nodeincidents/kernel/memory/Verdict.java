package io.nodeincidents.kernel.memory;

/** A kernel engineer's reading of a page allocation failure; the rule is documented on {@link VerdictRule}. */
public enum Verdict {
    /** Enough free memory above the watermarks, but no free block of the requested order: fragmentation. */
    FRAGMENTATION,
    /** Free memory at or below the watermarks in every zone the allocation could use: memory ran out. */
    EXHAUSTION,
    /** The report lacked the zone or buddy lines to tell, or showed a usable block (a transient failure). */
    UNDETERMINED
}
