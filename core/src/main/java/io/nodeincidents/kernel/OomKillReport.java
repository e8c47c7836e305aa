package io.nodeincidents.kernel;

import io.nodeincidents.kernel.memcg.MemcgPath;
import io.nodeincidents.kernel.memory.GfpMask;
import io.nodeincidents.kernel.memory.MemInfo;
import io.nodeincidents.kernel.oom.OomCandidate;
import io.nodeincidents.kernel.oom.OomScope;
import io.nodeincidents.kernel.oom.OomTask;
import io.nodeincidents.kernel.oom.OomVictim;

import java.util.List;

/**
 * An OOM killer report, global or in a memory cgroup. The context's comm/pid are the task that invoked the OOM
 * killer; the {@link #victim()} is the task that was killed. RSS figures are kB (task table pages x 4).
 *
 * @param constraint    why the OOM killer ran
 * @param gfp           gfp_mask of the allocation that invoked it, or null when the header was not seen
 * @param order         order of that allocation, or null
 * @param oomScoreAdj   oom_score_adj of the invoking task, or null
 * @param taskMemcg     memcg of the selected task ("Task in A", task_memcg=), or null
 * @param oomMemcg      memcg whose limit was hit ("limit of B", oom_memcg=), or null (global OOM)
 * @param memoryUsageKb cgroup memory usage from "memory: usage X kB, limit Y kB, failcnt Z", or null
 * @param memoryLimitKb cgroup memory limit, or null
 * @param failcnt       times the limit was hit, or null
 * @param candidate     the task selected ("Kill process N (x) score S"), or null (not printed after 4.19)
 * @param victim        the task killed ("Killed process M"), or null when the report ended before it
 * @param tasks         the task table rows kept (bounded), in printed order
 * @param memInfo       Mem-Info counters of a global OOM, or null
 */
public record OomKillReport(ReportContext context, OomScope constraint, GfpMask gfp, Integer order,
                      Integer oomScoreAdj, MemcgPath taskMemcg, MemcgPath oomMemcg, Long memoryUsageKb,
                      Long memoryLimitKb, Long failcnt, OomCandidate candidate, OomVictim victim,
                      List<OomTask> tasks, MemInfo memInfo) implements KernelReport {

    public OomKillReport {
        tasks = List.copyOf(tasks);
    }

    /** Container id of the killed task (from the task memcg, else the limited memcg), or null. */
    public String containerId() {
        if (taskMemcg != null && taskMemcg.containerId() != null) {
            return taskMemcg.containerId();
        }
        return oomMemcg == null ? null : oomMemcg.containerId();
    }

    /** Pod UID of the killed task, or null. */
    public String podUid() {
        if (taskMemcg != null && taskMemcg.podUid() != null) {
            return taskMemcg.podUid();
        }
        return oomMemcg == null ? null : oomMemcg.podUid();
    }

    @Override
    public String summary() {
        StringBuilder s = new StringBuilder(constraint == OomScope.MEMCG ? "memcg OOM" : "OOM (" + constraint + ")");
        if (victim != null) {
            s.append(": killed ").append(victim.comm()).append(" pid ").append(victim.pid());
            if (victim.rssKb() != null) {
                s.append(", RSS ").append(victim.rssKb()).append(" kB");
            }
        } else {
            s.append(": no victim seen");
        }
        if (oomMemcg != null) {
            s.append(", limit of ").append(oomMemcg.path());
        }
        if (memoryLimitKb != null) {
            s.append(" (").append(memoryUsageKb).append("/").append(memoryLimitKb).append(" kB)");
        }
        if (context.comm() != null) {
            s.append(", invoked by ").append(context.comm());
        }
        return s.toString();
    }
}
