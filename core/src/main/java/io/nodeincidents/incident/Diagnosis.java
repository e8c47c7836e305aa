package io.nodeincidents.incident;

import static io.nodeincidents.incident.Sizes.clip;
import static io.nodeincidents.incident.Sizes.kb;
import static io.nodeincidents.incident.Sizes.plural;

import io.nodeincidents.runtime.PodRef;
import io.nodeincidents.schemas.AllocationFailure;
import io.nodeincidents.schemas.AllocationVerdict;
import io.nodeincidents.schemas.KernelEventKind;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.OomConstraint;
import io.nodeincidents.schemas.OomKill;
import io.nodeincidents.schemas.OomTaskGroup;
import io.nodeincidents.schemas.SlabFailure;
import io.nodeincidents.schemas.ZoneState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the diagnosis of an incident: one paragraph, from the decoded facts, that says what failed, why, and what it
 * did to pods, in words a tired on-call engineer can act on. Pure function of the incident's evidence.
 */
public final class Diagnosis {

    /** What the kernel decoder puts in pointsAt for an allocation under copy_net_ns / nf_conntrack_init_net. */
    static final String NETNS_CONNTRACK_CACHE = "NETNS_CONNTRACK_CACHE";

    private static final int PODS_NAMED = 5;
    /** A victim under this share of the task table's rss freed too little to matter. */
    private static final double TINY_SHARE = 0.01;
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
                case OOM_KILL -> oom(primary, incident, sentences);
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

    private static void oom(KernelMemoryEvent event, OpenIncident incident, List<String> out) {
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
            out.add("The victim had " + kb(rss) + " resident" + (rss >= 1024 ? " (" + rss + " kB)" : "")
                    + "; in the task table above the kill the rss column counts 4 kB pages, not kB (" + rss / 4
                    + " pages here).");
        }
        ScoreEra era = ScoreEra.of(kernelVersion(event, incident));
        if (misdirected(oom, era)) {
            misdirectedKill(oom, era, kernelVersion(event, incident), out);
        } else if (selectedAtFloor(oom, era)) {
            floorWithoutTable(oom, era, kernelVersion(event, incident), out);
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

    /**
     * How the OOM killer of a kernel scores tasks. PER_MILLE: 2.6.36 to 3.4 and RHEL 6's 2.6.32, which carries the
     * same code: rss x 1000 / allowed pages, 30 off for CAP_SYS_ADMIN, plus oom_score_adj, at least 1; ties keep the
     * first task scanned. PAGES: 3.5 on, tasks compared by pages (a 3% root discount until 4.17, a floor of one page
     * until 5.9). OLDER: before 2.6.36, badness() from virtual size, CPU time and children.
     */
    enum ScoreEra {
        PER_MILLE, PAGES, OLDER, UNKNOWN;

        private static final Pattern V26 = Pattern.compile("^2\\.6\\.(\\d{1,3})");

        static ScoreEra of(String kernelVersion) {
            KernelRelease k = KernelRelease.parse(kernelVersion);
            if (!k.known()) {
                return UNKNOWN;
            }
            if (k.isEnterpriseLinux(6) || (k.atLeast(3, 0) && k.olderThan(3, 5))) {
                return PER_MILLE;
            }
            if (k.atLeast(3, 5)) {
                return PAGES;
            }
            Matcher m = V26.matcher(kernelVersion.strip());
            return m.find() && Integer.parseInt(m.group(1)) >= 36 ? PER_MILLE : OLDER;
        }

        /** Whether a score of 1 may be the per-mille floor, where every small task ties. */
        boolean mayTie() {
            return this == PER_MILLE || this == UNKNOWN;
        }
    }

    static String kernelVersion(KernelMemoryEvent event, OpenIncident incident) {
        return event.getKernelVersion() != null ? event.getKernelVersion() : incident.kernelVersion();
    }

    /**
     * The kill hit a bystander: the task table holds tasks at least twice the victim's size that were not better
     * protected by oom_score_adj, and the victim held under 1% of the table's rss or the table tied at the score
     * floor. A victim that is the largest task (the ordinary OOM) never qualifies.
     */
    static boolean misdirected(OomKill oom, ScoreEra era) {
        if (oom == null || oom.getTaskCount() == null || oom.getTableRssKb() == null || oom.getVictimRssKb() == null
                || oom.getTasksOutweighingVictim() == null || oom.getTasksOutweighingVictim() == 0) {
            return false;
        }
        Double share = share(oom.getVictimRssKb(), oom.getTableRssKb());
        return (share != null && share < TINY_SHARE) || tiedAtFloor(oom, era) != null;
    }

    /**
     * No task table came with the report, but the selected task's score of 1 says it held almost nothing and may have
     * tied. (A printed 0 only comes from 3.5 on, where the score is scaled from pages and the largest task wins.)
     */
    static boolean selectedAtFloor(OomKill oom, ScoreEra era) {
        return oom != null && oom.getTaskCount() == null && oom.getVictimPid() != null
                && oom.getCandidateScore() != null && oom.getCandidateScore() == 1 && era.mayTie();
    }

    /**
     * Tasks tied at the score floor of 1 where the era allows ties: counted against the limit, or all of them when the
     * selected task scored 1 (the highest score was the floor). Null when unknown or fewer than 2.
     */
    static Integer tiedAtFloor(OomKill oom, ScoreEra era) {
        if (!era.mayTie() || oom.getTaskCount() == null) {
            return null;
        }
        Integer tied = oom.getTasksAtScoreFloor();
        if (tied == null && oom.getCandidateScore() != null && oom.getCandidateScore() == 1) {
            tied = oom.getTaskCount(); // the highest score was 1, so every killable task scored 1
        }
        return tied == null || tied < 2 ? null : tied;
    }

    private static void misdirectedKill(OomKill oom, ScoreEra era, String kernelVersion, List<String> out) {
        String victim = clip(oom.getVictimComm(), 60);
        long victimRss = oom.getVictimRssKb();
        String tasks = oom.getTaskTableTruncated()
                ? "at least " + plural(oom.getTaskCount(), "task", "tasks") + ", the decoder kept only the first rows"
                : plural(oom.getTaskCount(), "task", "tasks");
        StringBuilder s = new StringBuilder("That kill missed the memory: ").append(victim).append(" held ")
                .append(percent(share(victimRss, oom.getTableRssKb()))).append(" of the ")
                .append(kb(oom.getTableRssKb())).append(" resident in the task table (").append(tasks).append(")");
        Long cgroup = oom.getMemoryUsageKb() != null ? oom.getMemoryUsageKb() : oom.getMemoryLimitKb();
        if (cgroup != null && cgroup > 0) {
            s.append(" and ").append(percent(share(victimRss, cgroup))).append(" of the cgroup's ").append(kb(cgroup))
                    .append(oom.getMemoryUsageKb() != null ? " usage" : " limit");
        }
        out.add(s.append('.').toString());
        List<OomTaskGroup> top = oom.getTopConsumers();
        if (!top.isEmpty()) {
            OomTaskGroup first = top.get(0);
            StringBuilder t = new StringBuilder("The memory was held by ").append(clip(first.getName(), 60))
                    .append(": ").append(plural(first.getTasks(), "task", "tasks")).append(", ")
                    .append(kb(first.getRssKb())).append(" (").append(first.getRssKb()).append(" kB)");
            if (first.getTasks() > 1) {
                t.append(" in total, the largest ").append(kb(first.getLargestRssKb()));
            }
            List<String> next = new ArrayList<>();
            for (OomTaskGroup g : top.subList(1, Math.min(3, top.size()))) {
                next.add(clip(g.getName(), 60) + " (" + plural(g.getTasks(), "task", "tasks") + ", "
                        + kb(g.getRssKb()) + ")");
            }
            if (!next.isEmpty()) {
                t.append("; then ").append(String.join(", ", next));
            }
            out.add(t.append('.').toString());
        }
        String selected = selection(oom);
        Integer tied = tiedAtFloor(oom, era);
        String on = kernelVersion == null ? null : "kernel " + clip(kernelVersion, 60);
        switch (era) {
            case PER_MILLE -> out.add("On " + on + " the OOM killer scores a task as its rss x 1000 / the pages "
                    + allowed(oom) + " (page tables and swap included), takes 30 off for root (CAP_SYS_ADMIN) and"
                    + " raises anything below 1 to 1" + (tied == null ? "" : ": " + tied(tied, oom))
                    + "; ties go to the first task scanned" + (selected.isEmpty() ? "" : ", so it " + selected) + ".");
            case UNKNOWN -> {
                String rule = "The report does not name the kernel. Before 3.5 (RHEL/CentOS 6's 2.6.32 included) the"
                        + " OOM killer scores a task as its rss x 1000 / the pages " + allowed(oom) + ", takes 30 off for"
                        + " root (CAP_SYS_ADMIN), raises anything below 1 to 1 and gives ties to the first task"
                        + " scanned; from 3.5 on it compares pages and takes the largest.";
                if (!selected.isEmpty()) {
                    rule += " Here it " + selected + (tied == null ? "" : "; on a kernel before 3.5 " + tied(tied, oom))
                            + ".";
                } else if (tied != null) {
                    rule += " On a kernel before 3.5 " + tied(tied, oom) + ".";
                }
                out.add(rule);
            }
            case PAGES -> out.add("On " + on + " the OOM killer compares tasks by pages (rss, page tables, swap)"
                    + " plus oom_score_adj and takes the largest, so a victim this small means the larger tasks were"
                    + " exiting or could not be killed, or it was a child sacrificed for the task selected"
                    + (selected.isEmpty() ? "." : " (it " + selected + ")."));
            case OLDER -> out.add("On " + on + " (before 2.6.36) the OOM killer's badness() weighs virtual size, CPU"
                    + " time and children, not resident memory, so a small task can outscore the real consumer"
                    + (selected.isEmpty() ? "" : "; here it " + selected) + ".");
        }
        out.add(aftermath(oom, victimRss, era));
    }

    private static void floorWithoutTable(OomKill oom, ScoreEra era, String kernelVersion, List<String> out) {
        String selected = selection(oom);
        String when = era == ScoreEra.PER_MILLE ? "on kernel " + clip(kernelVersion, 60)
                : "on kernels before 3.5 (RHEL/CentOS 6's 2.6.32 included)";
        out.add("The OOM killer " + (selected.isEmpty() ? "selected a task with score 1" : selected) + ". A score of"
                + " 1 in 1000 means the selected task held at most about 0.2% of the memory "
                + (IncidentCauseRules.isMemcg(oom) ? "the cgroup may use" : "the kernel could give out") + ", and "
                + when + " 1 is also the floor (rss x 1000 / the pages " + allowed(oom) + ", 30 off for root,"
                + " anything below 1 raised to 1): every task scored 1 and the first one scanned was taken, not the"
                + " one holding the memory.");
        String sentence = oom.getVictimRssKb() == null ? "" : aftermath(oom, oom.getVictimRssKb(), era) + " ";
        out.add(sentence + "The task table printed above the kill was not decoded with this report: sum its rss column"
                + " (4 kB pages) per task name to see who held the memory.");
    }

    /** "selected init (pid 1, score 1) and killed its child mingetty in its place", or "" when not printed. */
    private static String selection(OomKill oom) {
        if (oom.getCandidateComm() == null || oom.getCandidatePid() == null) {
            return "";
        }
        String score = oom.getCandidateScore() == null ? "" : ", score " + oom.getCandidateScore();
        String selected = "selected " + clip(oom.getCandidateComm(), 60) + " (pid " + oom.getCandidatePid() + score
                + ")";
        if (oom.getVictimPid() != null && !oom.getVictimPid().equals(oom.getCandidatePid())) {
            selected += " and killed its child " + clip(oom.getVictimComm(), 60) + " in its place";
        }
        return selected;
    }

    /** "all 11 tasks in the table (each under 0.2% of the 8192 MiB limit) tied at 1" */
    private static String tied(int tied, OomKill oom) {
        boolean all = oom.getTaskCount() != null && tied == oom.getTaskCount() && !oom.getTaskTableTruncated();
        String under = oom.getMemoryLimitKb() == null || oom.getTasksAtScoreFloor() == null ? ""
                : " (each under 0.2% of the " + kb(oom.getMemoryLimitKb()) + " limit)";
        return (all ? "all " + tied + " tasks" : tied + " tasks") + " in the table" + under + " tied at 1";
    }

    /** The pages a score is taken against: the cgroup limit, or all RAM and swap (cpuset/mempolicy: their nodes'). */
    private static String allowed(OomKill oom) {
        return IncidentCauseRules.isMemcg(oom) ? "the cgroup may use"
                : oom.getConstraint() == OomConstraint.GLOBAL ? "of RAM and swap" : "it may use";
    }

    private static String aftermath(OomKill oom, long victimRssKb, ScoreEra era) {
        String s = "A " + kb(victimRssKb) + " kill frees almost nothing, so "
                + (IncidentCauseRules.isMemcg(oom) ? "the cgroup stays at its limit" : "memory stays short")
                + " and the OOM killer runs again";
        return era == ScoreEra.PER_MILLE ? s + "; on kernels of this era a container in that state has been seen to"
                + " hang." : s + ".";
    }

    static Double share(Long part, Long whole) {
        return part == null || whole == null || whole <= 0 ? null : Math.min(1.0, (double) part / whole);
    }

    private static String percent(Double share) {
        if (share == null) {
            return "an unknown share";
        }
        if (share < 0.0001) {
            return "under 0.01%";
        }
        return String.format(Locale.ROOT, share < 0.01 ? "%.2f%%" : share < 0.1 ? "%.1f%%" : "%.0f%%", share * 100);
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
