package io.nodeincidents.kernel.oom;

import io.nodeincidents.kernel.KernelReportAssembler;
import io.nodeincidents.kernel.OomKillReport;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an OOM report's task table says about who held the memory: totals, the tasks grouped by name, how the victim
 * compares, and how many tasks sit at the floor of the per-mille badness score. Pure; all sizes in kB (rss pages x
 * {@link OomTask#PAGE_KB}).
 *
 * <p>The figures cover the rows the decoder kept. A report that reached the assembler's line bound lost the rows
 * after it ({@link #truncated()}), so counts and totals are then lower bounds and the victim's share an upper one.
 *
 * @param tasks             rows summarised
 * @param truncated         whether the report reached the line bound, so the table may have had more rows
 * @param rssKb             total rss of those rows
 * @param groups            the rows grouped by task name, largest total rss first
 * @param largest           the row with the largest rss, or null when no row has one
 * @param victimRssKb       the victim's rss: its table row when listed, else the "Killed process" line; null when
 *                          the report named no victim or gave no size for it
 * @param outweighingVictim rows other than the victim holding at least twice its rss without a lower
 *                          oom_score_adj: tasks a kill by size would have preferred
 * @param limitPages        memory the kernel scores against, in pages: the cgroup limit; null when not in the report
 * @param tasksAtFloor      killable rows whose per-mille badness is at most 1, null without {@code limitPages}
 */
public record TaskTableSummary(int tasks, boolean truncated, long rssKb, List<Group> groups, OomTask largest,
                               Long victimRssKb, int outweighingVictim, Long limitPages, Integer tasksAtFloor) {

    /** oom_score_adj that makes a task unkillable (OOM_SCORE_ADJ_MIN). */
    static final int UNKILLABLE = -1000;

    /**
     * Tasks of one name.
     *
     * @param name         task name (comm)
     * @param tasks        rows with that name
     * @param rssKb        their total rss
     * @param largestRssKb the largest single rss among them
     */
    public record Group(String name, int tasks, long rssKb, long largestRssKb) {
    }

    public TaskTableSummary {
        groups = List.copyOf(groups);
    }

    /** The summary of {@code kill}'s task table; {@link #tasks()} is 0 when the report had none. */
    public static TaskTableSummary of(OomKillReport kill) {
        // lineCount includes the rows counted past the bound; reaching the bound is the only way rows go missing
        boolean truncated = kill.context().lineCount() >= KernelReportAssembler.DEFAULT_MAX_LINES;
        return of(kill.tasks(), truncated, kill.victim(), kill.memoryLimitKb());
    }

    /**
     * The summary of {@code rows}.
     *
     * @param rows      task table rows
     * @param truncated whether rows may be missing
     * @param victim    the killed task, or null
     * @param limitKb   the memory cgroup limit in kB, or null (global OOM, or not printed)
     */
    public static TaskTableSummary of(List<OomTask> rows, boolean truncated, OomVictim victim, Long limitKb) {
        long total = 0;
        OomTask largest = null;
        OomTask victimRow = null;
        Map<String, long[]> byName = new LinkedHashMap<>();
        for (OomTask t : rows) {
            long rss = t.rssKb() == null ? 0 : Math.max(0, t.rssKb());
            total += rss;
            if (t.rssKb() != null && (largest == null || rss > largest.rssKb())) {
                largest = t;
            }
            if (victim != null && victimRow == null && t.pid() == victim.pid()) {
                victimRow = t;
            }
            long[] g = byName.computeIfAbsent(t.name(), n -> new long[3]);
            g[0]++;
            g[1] += rss;
            g[2] = Math.max(g[2], rss);
        }
        List<Group> groups = new ArrayList<>(byName.size());
        byName.forEach((name, g) -> groups.add(new Group(name, (int) g[0], g[1], g[2])));
        // ties keep the printed order (stable sort): the first-listed name first
        groups.sort(Comparator.comparingLong(Group::rssKb).reversed());

        Long victimRss = victimRow != null && victimRow.rssKb() != null ? victimRow.rssKb()
                : victim == null ? null : victim.rssKb();
        int outweighing = 0;
        if (victimRss != null) {
            int victimAdj = adj(victimRow);
            for (OomTask t : rows) {
                if (t == victimRow || t.rssKb() == null || adj(t) == UNKILLABLE || adj(t) < victimAdj) {
                    continue;
                }
                if (t.rssKb() > victimRss && t.rssKb() >= 2 * victimRss) {
                    outweighing++;
                }
            }
        }

        Long limitPages = limitKb == null || limitKb <= 0 ? null : Math.max(1, limitKb / OomTask.PAGE_KB);
        Integer atFloor = null;
        if (limitPages != null) {
            int n = 0;
            for (OomTask t : rows) {
                if (t.rssPages() != null && adj(t) != UNKILLABLE && perMille(t, limitPages) <= 1) {
                    n++;
                }
            }
            atFloor = n;
        }
        return new TaskTableSummary(rows.size(), truncated, total, groups, largest, victimRss, outweighing,
                limitPages, atFloor);
    }

    /**
     * The badness of {@code t} as kernels 2.6.36 to 3.4 (and RHEL 6's 2.6.32) compute it: rss x 1000 / allowed pages
     * plus oom_score_adj, before the floor of 1. Page tables and swap are left out because that era's table does
     * not print them. The root discount of 30 is left out and the cgroup limit stands in for the allowed pages
     * (to which RHEL 6 adds swap): both can only make this score higher than the kernel's, never lower.
     */
    public static long perMille(OomTask t, long allowedPages) {
        long rss = t.rssPages() == null ? 0 : Math.max(0, t.rssPages());
        return rss * 1000 / Math.max(1, allowedPages) + adj(t);
    }

    /** The top {@code n} groups. */
    public List<Group> top(int n) {
        return groups.subList(0, Math.min(n, groups.size()));
    }

    /** The victim's share of the listed rss (0..1), or null when either is unknown or the table holds none. */
    public Double victimShare() {
        return victimRssKb == null || rssKb <= 0 ? null : Math.min(1.0, (double) victimRssKb / rssKb);
    }

    private static int adj(OomTask t) {
        return t == null || t.oomScoreAdj() == null ? 0 : t.oomScoreAdj();
    }
}
