package io.nodeincidents.incident;

import static io.nodeincidents.incident.Sizes.kb;

import io.nodeincidents.schemas.AllocationFailure;
import io.nodeincidents.schemas.AllocationVerdict;
import io.nodeincidents.schemas.KernelEventKind;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.OomConstraint;
import io.nodeincidents.schemas.OomKill;
import io.nodeincidents.schemas.OomTaskGroup;
import io.nodeincidents.schemas.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes the remediation of an incident: ordered steps, the most immediate first, fitted to the cause and to the
 * kernel the host runs (vm.watermark_scale_factor exists from 4.6; before 4.6 every network namespace creates its own
 * nf_conntrack slab cache; before 3.10 a memory cgroup with many small tasks can livelock). Pure function of the
 * incident's evidence.
 */
public final class Remediation {

    private static final String COMPACT = "echo 1 > /proc/sys/vm/compact_memory";
    private static final String DROP_ALL = "sync; echo 3 > /proc/sys/vm/drop_caches";

    private Remediation() {
    }

    /** The steps for the incident as it stands, at most about eight. */
    public static List<String> steps(OpenIncident incident) {
        KernelRelease kernel = KernelRelease.parse(incident.kernelVersion());
        boolean conntrack = involvesPerNamespaceConntrack(incident);
        List<String> steps = new ArrayList<>();
        switch (incident.cause()) {
            case MEMORY_FRAGMENTATION -> fragmentation(incident, kernel, conntrack, steps);
            case HIGH_ORDER_ALLOCATION_FAILURE -> highOrder(incident, kernel, conntrack, steps);
            case SLAB_ALLOCATION_FAILURE -> slab(incident, kernel, conntrack, steps);
            case CGROUP_OOM -> cgroupOom(incident, kernel, steps);
            case GLOBAL_OOM -> globalOom(incident, kernel, steps);
            default -> steps.add("Read the kernel report around " + incident.host()
                    + "'s incident time (journalctl -k, or the evidence references) and report the unrecognised"
                    + " pattern.");
        }
        return steps;
    }

    private static void fragmentation(OpenIncident incident, KernelRelease kernel, boolean conntrack,
            List<String> steps) {
        steps.add("Now, on " + incident.host() + ": compact memory with `" + COMPACT + "` (costs CPU for a few"
                + " seconds); compare `cat /proc/buddyinfo` before and after: the right-hand (high-order) columns"
                + " should fill.");
        steps.add("If high orders stay empty, free page cache and reclaimable slab (dentries, inodes) so compaction"
                + " has room: `" + DROP_ALL + "` (1 = page cache only, 2 = dentries and inodes), then compact again."
                + " This is relief, not a fix: the node fragments again.");
        cordonIfPodsFail(incident, steps);
        if (conntrack) {
            upgradeForConntrack(kernel, steps);
        }
        reserves(kernel, steps);
        steps.add("If page cache dominates memory, lower vm.swappiness (e.g. `sysctl -w vm.swappiness=10`): on busy"
                + " Docker hosts this stopped recurring order-4 failures.");
        steps.add("Find what fragments memory: `slabtop -s c` (large reclaimable slab such as dentry or xfs_inode"
                + " pins pages) and /sys/kernel/debug/extfrag/extfrag_index (close to 1000 = fragmentation).");
    }

    private static void highOrder(OpenIncident incident, KernelRelease kernel, boolean conntrack,
            List<String> steps) {
        KernelMemoryEvent primary = incident.primaryEvent();
        AllocationFailure allocation = primary == null ? null : primary.getAllocation();
        AllocationVerdict verdict = allocation == null ? AllocationVerdict.UNDETERMINED : allocation.getVerdict();
        int order = allocation == null ? -1 : allocation.getOrder();
        if (verdict == AllocationVerdict.EXHAUSTION || order == 0) {
            steps.add("Now, on " + incident.host() + ": find what uses the memory: `ps aux --sort=-rss | head`,"
                    + " `slabtop -s c` for kernel memory, `cat /proc/meminfo`.");
            steps.add("Relieve pressure: `" + DROP_ALL + "` frees page cache and reclaimable slab; move or evict pods"
                    + " without memory limits." + (order > 0 ? " Then `" + COMPACT + "` for the high orders." : ""));
            cordonIfPodsFail(incident, steps);
            reserves(kernel, steps);
            steps.add("Stop overcommitting the node: memory requests and limits on every pod, and"
                    + " kubelet --system-reserved / --kube-reserved with --eviction-hard=memory.available<500Mi.");
        } else {
            steps.add("Now, on " + incident.host() + ": `cat /proc/buddyinfo`. If the high-order columns are zero"
                    + " while `free` shows plenty, memory is fragmented: `" + COMPACT + "`. If free memory itself is"
                    + " low, it is exhausted: find the consumer (`ps aux --sort=-rss | head`, `slabtop -s c`).");
            steps.add("For immediate relief either way: `" + DROP_ALL + "`.");
            cordonIfPodsFail(incident, steps);
            if (conntrack) {
                upgradeForConntrack(kernel, steps);
            }
            reserves(kernel, steps);
        }
    }

    private static void slab(OpenIncident incident, KernelRelease kernel, boolean conntrack, List<String> steps) {
        steps.add("Now, on " + incident.host() + ": see which slab caches are large (`slabtop -s c`) and whether"
                + " high-order blocks are missing (`cat /proc/buddyinfo`).");
        steps.add("Free reclaimable slab (dentries, inodes) and defragment: `sync; echo 2 > /proc/sys/vm/drop_caches`,"
                + " then `" + COMPACT + "`.");
        cordonIfPodsFail(incident, steps);
        if (conntrack) {
            upgradeForConntrack(kernel, steps);
        }
        reserves(kernel, steps);
    }

    private static void cgroupOom(OpenIncident incident, KernelRelease kernel, List<String> steps) {
        KernelMemoryEvent primary = incident.primaryEvent();
        OomKill oom = primary == null ? null : primary.getOom();
        String victim = oom == null || oom.getVictimComm() == null ? "" : oom.getVictimComm();
        Diagnosis.ScoreEra era = Diagnosis.ScoreEra.of(primary == null ? incident.kernelVersion()
                : Diagnosis.kernelVersion(primary, incident));
        boolean misdirected = Diagnosis.misdirected(oom, era);
        boolean atFloor = Diagnosis.selectedAtFloor(oom, era);
        String consumer = victim;
        if (misdirected || atFloor) {
            // the victim was a bystander: the steps are about the tasks that held the memory
            consumer = misdirectedKill(oom, kernel, era, "inside the container", steps);
        } else {
            StringBuilder size = new StringBuilder("Compare what the process really used with the limit: the OOM"
                    + " report's task table counts rss in 4 kB pages, so multiply by 4 for kB");
            if (oom != null && oom.getVictimRssKb() != null && oom.getMemoryLimitKb() != null) {
                size.append(" (here ").append(victim.isEmpty() ? "the victim" : victim).append(" had ")
                        .append(kb(oom.getVictimRssKb())).append(" resident against a ")
                        .append(kb(oom.getMemoryLimitKb())).append(" limit)");
            }
            steps.add(size.append('.').toString());
        }
        if (isJvm(consumer)) {
            steps.add("A JVM needs more than its heap: -Xmx plus metaspace, thread stacks (about 1 MiB per thread),"
                    + " code cache, direct buffers and GC structures. Measure with -XX:NativeMemoryTracking=summary and"
                    + " `jcmd <pid> VM.native_memory summary`.");
            steps.add("Then raise the container's memory limit (resources.limits.memory) or lower the heap: -Xmx well"
                    + " below the limit, or -XX:MaxRAMPercentage=75 on container-aware JVMs (8u191+, 10+), and cap"
                    + " metaspace with -XX:MaxMetaspaceSize.");
        } else {
            steps.add("Raise the container's memory limit (resources.limits.memory) or cut the process's memory use;"
                    + " watch memory.usage_in_bytes (cgroup v1) or memory.current (cgroup v2) over time to tell a leak"
                    + " from a limit that is simply too small.");
        }
        // without a task table nothing shows whether small tasks tied; with one, the checks above already decided
        if (kernel.olderThan(3, 10) && !misdirected && !atFloor && (oom == null || oom.getTaskCount() == null)) {
            steps.add("On kernel " + kernel.text() + " (before 3.10), if the container runs hundreds of small"
                    + " processes, the OOM killer cannot tell them apart: each under 0.2% of the limit scores 1, they"
                    + " tie, the first task scanned is killed and almost nothing is freed, and the container can hang."
                    + " Keep the number of processes per container low, or upgrade to 3.10 or later.");
        }
        steps.add("Check the restart loop: `kubectl describe pod` shows Last State: OOMKilled and the restart count.");
    }

    /** Steps for a kill that missed the memory; returns the name of the task that held it ("" when unknown). */
    private static String misdirectedKill(OomKill oom, KernelRelease kernel, Diagnosis.ScoreEra era, String where,
            List<String> steps) {
        OomTaskGroup top = oom.getTopConsumers().isEmpty() ? null : oom.getTopConsumers().get(0);
        String name = top == null ? "" : top.getName();
        String shown = Sizes.clip(name, 60);
        if (top != null) {
            String atLeast = oom.getTaskTableTruncated() ? "at least " : "";
            steps.add("Now: the memory is held by " + shown + " (" + atLeast
                    + Sizes.plural(top.getTasks(), "task", "tasks") + ", " + atLeast + kb(top.getRssKb())
                    + " in the task table), not by " + Sizes.clip(oom.getVictimComm(), 60)
                    + ". Confirm " + where + " with `ps -eo pid,rss,comm --sort=-rss | head` (rss in kB there)"
                    + " and count its processes with `ps -e --no-headers | wc -l`.");
        } else {
            steps.add("Now: find what holds the memory. The task table above the kill lists every task the OOM killer"
                    + " chose from; sum its rss column (4 kB pages) per name, or " + where + " run"
                    + " `ps -eo pid,rss,comm --sort=-rss | head` (rss in kB there) and count the processes with"
                    + " `ps -e --no-headers | wc -l`.");
        }
        String workers = top == null ? "workers" : shown + " workers";
        StringBuilder pids = new StringBuilder("Run fewer processes per container, or cap them with a pids limit:"
                + " `docker run --pids-limit N`, the pids cgroup's pids.max, or Kubernetes podPidsLimit in the kubelet"
                + " configuration");
        if (kernel.olderThan(4, 3)) {
            pids.append(". Kernel ").append(kernel.text()).append(" has no pids controller (it arrived in 4.3): cap")
                    .append(" the number of ").append(workers).append(" in the application's configuration, or with")
                    .append(" `ulimit -u` for their user");
        } else if (!kernel.known()) {
            pids.append(" (the pids controller needs kernel 4.3 or later; before that, cap the number of ")
                    .append(workers).append(" in the application)");
        }
        steps.add(pids.append('.').toString());
        steps.add("Make the OOM killer choose the " + (top == null ? "workers" : shown + " processes") + ": have each"
                + " raise its own oom_score_adj when it starts (`echo 500 > /proc/self/oom_score_adj`; raising needs no"
                + " privilege) and leave init, sshd and getty at 0. A container-wide setting (--oom-score-adj, the"
                + " pod's QoS class) moves every task alike and does not change which one is chosen.");
        if (era.mayTie()) {
            String target = kernel.known() && !kernel.isEnterpriseLinux(6) ? "3.10 or later"
                    : "3.10 or later (RHEL/CentOS 7 or newer)";
            String why = " tasks in per mille of the memory they may use with a floor of 1, so hundreds of small"
                    + " processes tie and the first task scanned is killed; from 3.5 the OOM killer compares pages and"
                    + " kills the largest task.";
            steps.add(kernel.known() ? "Upgrade to " + target + ". Kernel " + kernel.text() + " scores" + why
                    : "If the node's kernel (`uname -r`) is older than 3.5, upgrade to " + target + ": those kernels"
                            + " score" + why);
        }
        return name;
    }

    private static void globalOom(OpenIncident incident, KernelRelease kernel, List<String> steps) {
        KernelMemoryEvent primary = incident.primaryEvent();
        OomKill oom = primary == null ? null : primary.getOom();
        if (oom != null && (oom.getConstraint() == OomConstraint.CPUSET
                || oom.getConstraint() == OomConstraint.MEMORY_POLICY)) {
            steps.add("Check the cpuset or memory policy of the allocating task: the NUMA nodes it may use ran out"
                    + " even if the host as a whole has free memory.");
        }
        Diagnosis.ScoreEra era = Diagnosis.ScoreEra.of(primary == null ? incident.kernelVersion()
                : Diagnosis.kernelVersion(primary, incident));
        if (Diagnosis.misdirected(oom, era) || Diagnosis.selectedAtFloor(oom, era)) {
            // the victim was a bystander: the steps are about the tasks that held the memory
            misdirectedKill(oom, kernel, era, "on " + incident.host(), steps);
        } else {
            steps.add("Now, on " + incident.host() + ": find the biggest consumers: `ps aux --sort=-rss | head`; in"
                    + " the OOM report's task table rss is in 4 kB pages, multiply by 4 for kB.");
        }
        steps.add("Give every pod memory requests and limits so a runaway workload hits its own cgroup limit, not the"
                + " node's; reserve memory for the system with kubelet --system-reserved and --kube-reserved, and let"
                + " the kubelet evict before the kernel kills (--eviction-hard=memory.available<500Mi).");
        steps.add("If page cache or slab crowd out applications: `" + DROP_ALL + "` for relief; then raise"
                + " vm.min_free_kbytes so reclaim starts earlier.");
        steps.add("If the sum of the pods' requests exceeds what the node has, add memory or move workloads off it.");
    }

    private static void cordonIfPodsFail(OpenIncident incident, List<String> steps) {
        if (incident.severity() == Severity.CRITICAL) {
            steps.add("If pods keep failing to start, cordon the node (`kubectl cordon " + incident.host() + "`) so"
                    + " new pods go elsewhere until the steps above hold.");
        }
    }

    private static void upgradeForConntrack(KernelRelease kernel, List<String> steps) {
        if (kernel.atLeast(4, 6)) {
            return;
        }
        StringBuilder s = new StringBuilder("Upgrade the kernel");
        s.append(kernel.known() ? " (" + kernel.text() + ")" : "").append(": before 4.6 every network namespace"
                + " creates its own nf_conntrack slab cache, a high-order (order-6) allocation for every new pod"
                + " sandbox; from 4.6 on one cache is shared.");
        if (kernel.isEnterpriseLinux(7)) {
            s.append(" On RHEL/CentOS 7 that means leaving the 3.10.0 series, e.g. for RHEL 8 (4.18) or a long-term"
                    + " kernel such as ELRepo's kernel-lt.");
        }
        steps.add(s.toString());
    }

    private static void reserves(KernelRelease kernel, List<String> steps) {
        String s = "Keep more memory free so kswapd and compaction start earlier: raise vm.min_free_kbytes (e.g. 1-3%"
                + " of RAM; `sysctl -w`, persisted in /etc/sysctl.d/)";
        if (kernel.atLeast(4, 6)) {
            s += " and vm.watermark_scale_factor (e.g. 200 = 2% of memory between watermarks).";
        } else if (kernel.known()) {
            s += "; vm.watermark_scale_factor only exists from kernel 4.6 on.";
        } else {
            s += ", and on kernels 4.6 and later vm.watermark_scale_factor (e.g. 200).";
        }
        steps.add(s);
    }

    /** The incident's allocation or slab failure was the per-namespace conntrack cache of a new pod sandbox. */
    private static boolean involvesPerNamespaceConntrack(OpenIncident incident) {
        for (KernelMemoryEvent e : incident.exemplars()) {
            if (Diagnosis.NETNS_CONNTRACK_CACHE.equals(e.getPointsAt())) {
                return true;
            }
            if (e.getKind() == KernelEventKind.SLAB_FAILURE && e.getSlab() != null && e.getSlab().getCache() != null
                    && e.getSlab().getCache().startsWith("nf_conntrack")) {
                return true;
            }
        }
        return false;
    }

    private static boolean isJvm(String comm) {
        String c = comm.toLowerCase(Locale.ROOT);
        return c.equals("java") || c.startsWith("java ") || c.contains("jvm");
    }
}
