package io.nodeincidents.kernel;

/** The kind of report a {@link PendingReport} is collecting. */
public enum ReportKind {
    /** "X: page allocation failure: order:N, mode:0x.." and its dump. */
    ALLOCATION_FAILURE,
    /** "X invoked oom-killer: .." (or a report whose header was lost) up to "Killed process". */
    OOM_KILL,
    /** "kmem_cache_create(NAME) failed with error E" and its stack dump. */
    SLAB_CACHE_CREATE,
    /** "SLUB: Unable to allocate memory on [CPU C (of node M) on ]node N" (or SLAB's) and its cache/node lines. */
    SLUB_ALLOCATION,
    /** A lone "Unable to create nf_conn slab cache". */
    NF_CONN_CACHE
}
