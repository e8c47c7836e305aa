package io.nodeincidents.kernel.oom;

/**
 * One row of an OOM report's task table. The kernel prints total_vm and rss in PAGES, not kB (the classic
 * misreading); {@link #rssKb()} converts assuming 4 kB pages (x86-64, most arm64 distributions).
 *
 * @param pid          the row's pid
 * @param uid          uid, or null when the column is missing
 * @param tgid         thread group id, or null
 * @param totalVmPages virtual size in pages, or null
 * @param rssPages     resident set in pages, or null
 * @param oomScoreAdj  oom_score_adj, or null
 * @param name         task name (may contain spaces)
 */
public record OomTask(int pid, Long uid, Long tgid, Long totalVmPages, Long rssPages, Integer oomScoreAdj,
                      String name) {

    /** Assumed page size for converting the table's page counts. */
    public static final long PAGE_KB = 4;

    /** Resident set in kB (rss pages x 4), or null. */
    public Long rssKb() {
        return rssPages == null ? null : rssPages * PAGE_KB;
    }
}
