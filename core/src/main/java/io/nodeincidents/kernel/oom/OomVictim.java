package io.nodeincidents.kernel.oom;

/**
 * The task the OOM killer actually killed ("Killed process M (x) total-vm:..").
 *
 * @param pid         killed pid
 * @param comm        its name
 * @param uid         its uid when printed (RHEL 6 ", UID U," and 5.x "UID:U"), else null
 * @param totalVmKb   virtual size in kB ("total-vm", or "vsz" on 2.6), or null
 * @param anonRssKb   anonymous resident memory in kB, or null
 * @param fileRssKb   file-backed resident memory in kB, or null
 * @param shmemRssKb  shared memory resident in kB, or null
 * @param rssKb       resident memory in kB: anon+file+shmem from the Killed line when printed, else the task
 *                    table's rss pages x 4; null when neither was in the report
 * @param rssSource   where {@code rssKb} came from
 * @param tableRssKb  the task table's rss for this pid in kB (pages x 4), or null when the row was not seen
 */
public record OomVictim(int pid, String comm, Long uid, Long totalVmKb, Long anonRssKb, Long fileRssKb,
                        Long shmemRssKb, Long rssKb, RssSource rssSource, Long tableRssKb) {

    /** Where a victim's RSS figure came from. */
    public enum RssSource { KILLED_LINE, TASK_TABLE, UNKNOWN }
}
