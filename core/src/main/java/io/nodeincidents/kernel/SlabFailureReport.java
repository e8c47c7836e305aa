package io.nodeincidents.kernel;

import io.nodeincidents.kernel.memory.GfpMask;

import java.util.List;

/**
 * A slab cache failure: {@code kmem_cache_create(NAME) failed with error -12} (with its stack dump and, for
 * conntrack, {@code Unable to create nf_conn slab cache}), a lone "Unable to create nf_conn slab cache", or
 * {@code SLUB: Unable to allocate memory on node -1 (gfp=0x20)} (in any era's form, or SLAB's) with its cache and
 * per-node lines.
 *
 * @param form        which message this is
 * @param cache       cache name ("nf_conntrack_ffff8803eef66180", "kmalloc-256", a per-memcg
 *                    "kmalloc-256(255:cgroup)", "nf_conn"), or null
 * @param errorCode   error returned by kmem_cache_create (-12 = ENOMEM), or null
 * @param gfp         GFP mask of a SLUB failure, or null
 * @param slubNode    the "node" SLUB tried (-1 = any), or null
 * @param objectSize  SLUB object size in bytes, or null
 * @param bufferSize  SLUB buffer size in bytes, or null
 * @param defaultOrder SLUB default slab order, or null
 * @param minOrder    SLUB minimum slab order, or null
 * @param nodes       SLUB per-node usage lines
 */
public record SlabFailureReport(ReportContext context, Form form, String cache, Integer errorCode, GfpMask gfp,
                          Integer slubNode, Integer objectSize, Integer bufferSize, Integer defaultOrder,
                          Integer minOrder, List<NodeUsage> nodes) implements KernelReport {

    /** The message a slab failure was reported with. */
    public enum Form { KMEM_CACHE_CREATE, NF_CONN_CACHE, SLUB_ALLOCATION }

    /** A SLUB "node N: slabs: S, objs: O, free: F" line. */
    public record NodeUsage(int node, long slabs, long objects, long free) {
    }

    public SlabFailureReport {
        nodes = List.copyOf(nodes);
    }

    @Override
    public String summary() {
        String what = switch (form) {
            case KMEM_CACHE_CREATE -> "kmem_cache_create(" + cache + ") failed with error " + errorCode;
            case NF_CONN_CACHE -> "unable to create nf_conn slab cache";
            case SLUB_ALLOCATION -> "SLUB unable to allocate for cache " + cache
                    + (defaultOrder == null ? "" : " (default order " + defaultOrder + ")");
        };
        return (context.comm() == null ? "" : context.comm() + ": ") + what
                + (context.pointsAt() == PointsAt.UNKNOWN ? "" : " [" + context.pointsAt() + "]");
    }
}
