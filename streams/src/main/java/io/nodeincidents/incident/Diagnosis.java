package io.nodeincidents.incident;

import static io.nodeincidents.incident.Sizes.clip;
import static io.nodeincidents.incident.Sizes.kb;
import static io.nodeincidents.incident.Sizes.plural;

import io.nodeincidents.schemas.AllocationFailure;
import io.nodeincidents.schemas.AllocationVerdict;
import io.nodeincidents.schemas.KernelEventKind;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.OomConstraint;
import io.nodeincidents.schemas.OomKill;
import io.nodeincidents.schemas.SlabFailure;
import io.nodeincidents.schemas.ZoneState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Writes the diagnosis of an incident: one paragraph, from the decoded facts, that says what failed, why, and what it
 * did to pods, in words a tired on-call engineer can act on. Pure function of the incident's evidence.
 */
public final class Diagnosis {

    /** What the kernel decoder puts in pointsAt for an allocation under copy_net_ns / nf_conntrack_init_net. */
    static final String NETNS_CONNTRACK_CACHE = "NETNS_CONNTRACK_CACHE";

    private static final int PODS_NAMED = 5;
    private static final Set<String> ALLOCATOR_FRAME_PREFIXES = Set.of("dump_stack", "warn_alloc", "__alloc_pages",
            "alloc_pages", "__get_free_pages", "kmalloc", "__kmalloc", "kmem_cache_alloc", "new_slab", "allocate_slab",
            "__slab_alloc", "___slab_alloc", "slab_out_of_memory");

    private Diagnosis() {
    }

    /** The diagnosis paragraph for the incident as it stands. */
    public static String write(OpenIncident incident) {
        KernelMemoryEvent primary = incident.primaryEvent();
        List<String> sentences = new ArrayList<>();
        if (primary == null) {
            sentences.add("Kernel memory trouble on " + incident.host() + ".");
        } else {
            switch (primary.getKind()) {
                case ALLOC_FAILURE -> allocation(primary, incident, sentences);
                case SLAB_FAILURE -> slab(primary, sentences, true);
                case OOM_KILL -> oom(primary, sentences);
                default -> sentences.add("Kernel memory trouble on " + incident.host() + ": "
                        + clip(primary.getSummary(), 300) + ".");
            }
        }
        if (primary != null && primary.getKind() != KernelEventKind.SLAB_FAILURE) {
            KernelMemoryEvent slab = incident.firstOfKind(KernelEventKind.SLAB_FAILURE);
            if (slab != null) {
                slab(slab, sentences, false);
            }
        }
        pods(incident, sentences);
        others(incident, primary, sentences);
        return String.join(" ", sentences);
    }

    private static void allocation(KernelMemoryEvent event, OpenIncident incident, List<String> out) {
        AllocationFailure allocation = event.getAllocation();
        String who = task(event.getComm(), event.getPid());
        KernelRelease kernel = KernelRelease.parse(event.getKernelVersion() != null ? event.getKernelVersion()
                : incident.kernelVersion());
        StringBuilder s = new StringBuilder(who);
        if (allocation == null) {
            s.append(" hit a page allocation failure");
        } else if (allocation.getOrder() == 0) {
            s.append(" could not get a single free page (order 0)");
        } else {
            s.append(" could not get ").append(1L << Math.min(allocation.getOrder(), 40))
                    .append(" contiguous pages (order ").append(allocation.getOrder()).append(")");
        }
        s.append(where(event, kernel));
        out.add(s.append('.').toString());
        if (allocation != null) {
            zones(allocation, out);
        }
    }

    private static String where(KernelMemoryEvent event, KernelRelease kernel) {
        String pointsAt = event.getPointsAt();
        if (NETNS_CONNTRACK_CACHE.equals(pointsAt)) {
            String base = " in nf_conntrack_init_net under copy_net_ns: every new pod sandbox creates a network"
                    + " namespace";
            if (kernel.atLeast(4, 6)) {
                return base + ", and setting up its connection tracking needed this allocation";
            }
            String on = kernel.known() ? "on kernel " + kernel.text() : "on kernels before 4.6";
            return base + ", and " + on + " each one creates its own nf_conntrack slab cache";
        }
        if (pointsAt != null && !pointsAt.isBlank()) {
            return switch (pointsAt) {
                case "FORK" -> " while forking a process";
                case "PAGE_FAULT" -> " in a page fault";
                default -> " (the call trace points at " + clip(pointsAt, 60) + ")";
            };
        }
        for (String frame : event.getCallTrace()) {
            if (ALLOCATOR_FRAME_PREFIXES.stream().noneMatch(frame::startsWith)) {
                return " in " + clip(frame, 80);
            }
        }
        return "";
    }

    private static void zones(AllocationFailure allocation, List<String> out) {
        AllocationVerdict verdict = allocation.getVerdict();
        if (verdict == AllocationVerdict.FRAGMENTATION) {
            ZoneState zone = pick(allocation.getZones(), true);
            if (zone == null) {
                out.add("The kernel report shows free memory above the watermarks but no free block of the requested"
                        + " size: memory is fragmented, not exhausted.");
                return;
            }
            StringBuilder s = new StringBuilder("Zone ").append(zone.getZone()).append(" had ")
                    .append(kb(zone.getFreeKb())).append(" free, above its low watermark (")
                    .append(kb(zone.getLowKb())).append("), but ");
            Integer largest = zone.getLargestFreeOrder();
            if (largest == null) {
                s.append("no free block of order ").append(allocation.getOrder());
            } else if (largest < 0) {
                s.append("its buddy free lists were empty");
            } else {
                s.append("no free block larger than order ").append(largest).append(" (")
                        .append(Sizes.block(largest)).append(")");
            }
            out.add(s.append(": memory is fragmented, not exhausted.").toString());
        } else if (verdict == AllocationVerdict.EXHAUSTION) {
            ZoneState zone = pick(allocation.getZones(), false);
            if (zone == null) {
                out.add("Free memory was at or below the watermarks: memory is exhausted.");
            } else {
                out.add("Zone " + zone.getZone() + " had only " + kb(zone.getFreeKb())
                        + " free, at or below its low watermark (" + kb(zone.getLowKb())
                        + "): memory is exhausted, not merely fragmented.");
            }
        } else if (allocation.getOrder() == 0) {
            out.add("An order-0 failure means not even one page was free: memory is exhausted.");
        } else {
            out.add("The report lacks the zone and buddy lines that would tell fragmentation from exhaustion;"
                    + " cat /proc/buddyinfo on the host shows which orders are empty now.");
        }
    }

    /** The zone that tells the story: the fullest zone above (or for exhaustion: at or below) its low watermark. */
    private static ZoneState pick(List<ZoneState> zones, boolean aboveLow) {
        ZoneState best = null;
        for (ZoneState z : zones) {
            if (z.getFreeKb() == null || z.getLowKb() == null || (z.getFreeKb() > z.getLowKb()) != aboveLow) {
                continue;
            }
            if (best == null || (aboveLow ? z.getFreeKb() > best.getFreeKb() : "Normal".equals(z.getZone()))) {
                best = z;
            }
        }
        return best;
    }

    private static void slab(KernelMemoryEvent event, List<String> out, boolean primary) {
        SlabFailure slab = event.getSlab();
        String cache = slab == null || slab.getCache() == null ? "a slab cache" : clip(slab.getCache(), 80);
        String error = slab == null || slab.getErrorCode() == null ? ""
                : " with error " + slab.getErrorCode() + (slab.getErrorCode() == -12 ? " (ENOMEM)" : "");
        if (primary) {
            StringBuilder s = new StringBuilder("The kernel could not create or grow slab cache ").append(cache)
                    .append(error);
            if (event.getComm() != null) {
                s.append(" for ").append(task(event.getComm(), event.getPid()));
            }
            String where = where(event, KernelRelease.parse(event.getKernelVersion()));
            out.add(s.append(where).append('.').toString());
            out.add("No page allocation failure report came with it, so the reports do not say whether memory was"
                    + " fragmented or exhausted; cat /proc/buddyinfo on the host shows which orders are empty now.");
        } else {
            out.add("kmem_cache_create(" + cache + ") failed" + error + " as a result.");
        }
    }

    private static void oom(KernelMemoryEvent event, List<String> out) {
        OomKill oom = event.getOom();
        if (oom == null) {
            out.add("The OOM killer ran on " + event.getHost() + ".");
            return;
        }
        String victim = task(oom.getVictimComm(), oom.getVictimPid());
        StringBuilder s = new StringBuilder();
        if (IncidentCauseRules.isMemcg(oom)) {
            s.append("The OOM killer killed ").append(victim);
            if (oom.getMemcg() != null) {
                s.append(" because memory cgroup ").append(clip(oom.getMemcg(), 160)).append(" hit its limit");
            } else {
                s.append(" because its memory cgroup hit its limit");
            }
            if (oom.getMemoryLimitKb() != null) {
                s.append(": usage ").append(oom.getMemoryUsageKb() == null ? "?" : kb(oom.getMemoryUsageKb()))
                        .append(" of a ").append(kb(oom.getMemoryLimitKb())).append(" limit");
            }
            s.append('.');
        } else {
            s.append(oom.getConstraint() == OomConstraint.CPUSET ? "The nodes of a cpuset ran out of memory"
                    : oom.getConstraint() == OomConstraint.MEMORY_POLICY
                            ? "The nodes allowed by a memory policy ran out of memory"
                            : "The host ran out of memory");
            s.append(": the OOM killer killed ").append(victim);
            if (event.getComm() != null) {
                s.append(" after ").append(clip(event.getComm(), 60)).append(" could not get memory");
                if (oom.getOrder() != null) {
                    s.append(" (order ").append(oom.getOrder()).append(")");
                }
            }
            s.append('.');
        }
        out.add(s.toString());
        if (oom.getVictimRssKb() != null) {
            long rss = oom.getVictimRssKb();
            out.add("The victim had " + kb(rss) + " resident (" + rss + " kB); in the task table above the kill the"
                    + " rss column counts 4 kB pages, not kB (" + rss / 4 + " pages here).");
        }
        List<String> where = new ArrayList<>();
        if (oom.getContainerId() != null) {
            where.add("container " + PodRef.shortId(oom.getContainerId()));
        }
        if (oom.getPodUid() != null) {
            where.add("pod UID " + oom.getPodUid());
        }
        if (!where.isEmpty()) {
            out.add("It ran in " + String.join(", ", where) + ".");
        }
    }

    private static void pods(OpenIncident incident, List<String> out) {
        IncidentTally t = incident.tally();
        List<String> what = new ArrayList<>();
        if (t.sandboxFailures() > 0) {
            what.add(t.sandboxFailures() == 1 ? "1 pod sandbox failed to start"
                    : t.sandboxFailures() + " pod sandboxes failed to start");
        }
        if (t.containerStartFailures() > 0) {
            what.add(plural(t.containerStartFailures(), "container", "containers") + " failed to start");
        }
        if (t.containerOomKills() > 0) {
            what.add("the runtime reported " + plural(t.containerOomKills(), "container", "containers")
                    + " OOM-killed");
        }
        if (t.otherFailures() > 0) {
            what.add(plural(t.otherFailures(), "other runtime failure", "other runtime failures")
                    + " with memory errors");
        }
        if (what.isEmpty()) {
            if (incident.cause() != io.nodeincidents.schemas.IncidentCause.CGROUP_OOM
                    && incident.cause() != io.nodeincidents.schemas.IncidentCause.GLOBAL_OOM) {
                out.add("No pod or container failure has been seen with it yet.");
            }
            return;
        }
        long span = incident.lastSeenMicros() - incident.firstSeenMicros();
        String when = span <= 60_000_000L ? "in the same minute" : "within " + ((span + 59_999_999L) / 60_000_000L)
                + " minutes";
        StringBuilder s = new StringBuilder(capitalize(String.join(", ", what))).append(' ').append(when);
        List<String> labels = new ArrayList<>();
        for (PodRef pod : incident.affectedPods()) {
            if (pod.pod() != null && labels.size() < PODS_NAMED) {
                labels.add(clip(pod.label(), 120));
            }
        }
        if (!labels.isEmpty()) {
            long named = incident.affectedPods().stream().filter(p -> p.pod() != null).count();
            long startFailures = (long) t.sandboxFailures() + t.containerStartFailures();
            if (startFailures > named) {
                // kubelet retries: every attempt is a new sandbox, for the same few pods
                s.append(", retries for ").append(plural(named, "pod", "pods"));
            }
            s.append(": ").append(String.join(", ", labels));
            if (named > labels.size()) {
                s.append(" and ").append(named - labels.size()).append(" more");
            }
        }
        s.append('.');
        if (t.unrecognizedFailures() > 0) {
            s.append(' ').append(t.unrecognizedFailures() == 1 ? "One of these failures" : t.unrecognizedFailures()
                    + " of these failures").append(" carried no memory error; counted because it happened next to the"
                    + " allocation failure.");
        }
        out.add(s.toString());
    }

    private static void others(OpenIncident incident, KernelMemoryEvent primary, List<String> out) {
        IncidentTally t = incident.tally();
        KernelEventKind main = primary == null ? null : primary.getKind();
        List<String> parts = new ArrayList<>();
        if (t.allocationFailures() > (main == KernelEventKind.ALLOC_FAILURE ? 1 : 0)) {
            parts.add(plural(t.allocationFailures(), "page allocation failure", "page allocation failures"));
        }
        if (t.oomKills() > (main == KernelEventKind.OOM_KILL ? 1 : 0)) {
            parts.add(plural(t.oomKills(), "OOM kill", "OOM kills"));
        }
        if (t.slabFailures() > 1) { // the first one has its own sentence
            parts.add(plural(t.slabFailures(), "slab failure", "slab failures"));
        }
        if (!parts.isEmpty()) {
            out.add("In all, this episode holds " + String.join(", ", parts) + ".");
        }
    }

    private static String task(String comm, Integer pid) {
        String name = comm == null ? "A task" : clip(comm, 60);
        return pid == null ? name : name + " (pid " + pid + ")";
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
