package io.nodeincidents.kernel;

import io.nodeincidents.kernel.memcg.MemcgPath;
import io.nodeincidents.kernel.memory.GfpMask;
import io.nodeincidents.kernel.memory.MemInfo;
import io.nodeincidents.kernel.memory.VerdictRule;
import io.nodeincidents.kernel.memory.ZoneStates;
import io.nodeincidents.kernel.oom.OomCandidate;
import io.nodeincidents.kernel.oom.OomConstraint;
import io.nodeincidents.kernel.oom.OomTask;
import io.nodeincidents.kernel.oom.OomTaskTable;
import io.nodeincidents.kernel.oom.OomVictim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns a completed {@link PendingReport} into a {@link KernelReport}. Pure; never throws on odd lines. */
final class ReportDecoder {

    private static final Pattern KMEM_CACHE_CREATE =
            Pattern.compile("kmem_cache_create\\(([^()\\s]{1,128})\\) failed with error (-?\\d{1,6})");
    private static final Pattern SLUB_HEADER = Pattern.compile(
            "SLUB: Unable to allocate memory on node (-?\\d{1,5})(?: \\(|, )gfp=(0x[0-9a-fA-F]{1,16}(?:\\([^)]{0,512}\\))?)");
    private static final Pattern SLUB_CACHE = Pattern.compile(
            "cache: (\\S{1,128}), object size: (\\d{1,9}), buffer size: (\\d{1,9}), default order: (\\d{1,3}), "
                    + "min order: (\\d{1,3})");
    private static final Pattern SLUB_NODE =
            Pattern.compile("node (\\d{1,5}): slabs: (\\d{1,18}), objs: (\\d{1,18}), free: (\\d{1,18})");
    private static final Pattern MEMCG_USAGE =
            Pattern.compile("memory: usage (\\d{1,18})kB, limit (\\d{1,18})kB, failcnt (\\d{1,18})");
    private static final int MAX_TASKS = 400;

    private ReportDecoder() {
    }

    /** Decodes {@code p}; null only when the lines hold no event at all. */
    static KernelReport decode(PendingReport p, ReportEnd end) {
        if (p.lines().isEmpty()) {
            return null;
        }
        return switch (p.kind()) {
            case ALLOCATION_FAILURE -> allocation(p, end);
            case OOM_KILL -> oom(p, end);
            case SLAB_CACHE_CREATE, NF_CONN_CACHE, SLUB_ALLOCATION -> slab(p, end);
        };
    }

    private static ReportContext context(PendingReport p, ReportEnd end, String headerComm) {
        KernelLines.TaskLine task = null;
        for (String line : p.lines()) {
            task = KernelLines.taskLine(line);
            if (task != null) {
                break;
            }
        }
        List<String> trace = KernelLines.callTrace(p.lines());
        String comm = headerComm != null ? headerComm : task == null ? null : task.comm();
        return new ReportContext(p.host(), p.bootId(), p.firstRealtimeMicros(), p.firstMonotonicMicros(),
                task == null ? null : task.kernelVersion(), comm, task == null ? null : task.pid(), trace,
                PointsAt.fromTrace(trace), p.firstLine(), p.lastLine(), p.lines().size() + p.omittedLines(), end);
    }

    private static AllocationFailure allocation(PendingReport p, ReportEnd end) {
        Headers.Allocation h = Headers.allocation(p.lines().get(0));
        if (h == null) {
            return null;
        }
        String cpuset = h.cpuset();
        String mems = h.memsAllowed();
        ZoneStates zones = new ZoneStates();
        MemInfo memInfo = memInfo(p.lines(), zones);
        for (String line : p.lines()) {
            // 3.x-4.x print "cpuset=/ mems_allowed=0" on a line of its own after the header.
            if (cpuset == null && (line.startsWith("cpuset=") || line.contains(" cpuset="))) {
                cpuset = KernelLines.field(line, "cpuset=", ", ");
                mems = KernelLines.field(line, "mems_allowed=", ", ");
            }
        }
        VerdictRule.Assessment a = VerdictRule.assess(h.order(), h.gfp(), zones.zones());
        return new AllocationFailure(context(p, end, h.comm()), h.order(), h.gfp(), h.nodemask(), cpuset, mems,
                memInfo, zones.zones(), a.verdict(), a.reason());
    }

    /** Feeds every line to {@code zones}; collects Mem-Info counters from "Mem-Info:" to the first zone line. */
    private static MemInfo memInfo(List<String> lines, ZoneStates zones) {
        Map<String, Long> counters = new LinkedHashMap<>();
        boolean inMemInfo = false;
        boolean seen = false;
        for (String line : lines) {
            if (zones.accept(line)) {
                inMemInfo = false;
                continue;
            }
            if (line.startsWith("Mem-Info:")) {
                inMemInfo = !seen;
                seen = true;
                continue;
            }
            if (inMemInfo && !line.startsWith("Node ") && !line.startsWith("CPU ")) {
                MemInfo.accumulate(line, counters);
            }
        }
        return seen ? new MemInfo(counters) : null;
    }

    private static OomKill oom(PendingReport p, ReportEnd end) {
        Headers.Oom h = p.headerSeen() ? Headers.oom(p.lines().get(0)) : null;
        OomConstraint constraint = null;
        boolean memcgHint = false;
        boolean globalHint = false;
        String taskPath = null;
        String oomPath = null;
        Long usage = null;
        Long limit = null;
        Long failcnt = null;
        OomCandidate candidate = null;
        Matcher killed = null;
        OomTaskTable table = new OomTaskTable();
        for (String line : p.lines()) {
            if (table.accept(line)) {
                continue;
            }
            if (line.startsWith("oom-kill:")) {
                constraint = OomConstraint.fromKernel(KernelLines.field(line, "constraint=", ","));
                oomPath = nonNull(KernelLines.field(line, "oom_memcg=", ","), oomPath);
                taskPath = nonNull(KernelLines.field(line, "task_memcg=", ","), taskPath);
                continue;
            }
            int taskIn = line.indexOf("Task in ");
            int limitOf = line.indexOf(" killed as a result of limit of ");
            if (taskIn >= 0 && limitOf > taskIn) {
                memcgHint = true;
                taskPath = nonNull(taskPath, line.substring(taskIn + "Task in ".length(), limitOf));
                oomPath = nonNull(oomPath, line.substring(limitOf + " killed as a result of limit of ".length()));
                continue;
            }
            if (usage == null && line.startsWith("memory: usage ")) {
                Matcher m = MEMCG_USAGE.matcher(line);
                if (m.lookingAt()) {
                    memcgHint = true;
                    usage = Long.parseLong(m.group(1));
                    limit = Long.parseLong(m.group(2));
                    failcnt = Long.parseLong(m.group(3));
                }
                continue;
            }
            if (line.contains("Memory cgroup out of memory")) {
                memcgHint = true;
            } else if (line.contains("Out of memory")) {
                globalHint = true;
            }
            if (candidate == null && line.contains("Kill process ")) {
                Matcher m = ReportStarts.CANDIDATE.matcher(line);
                if (m.find()) {
                    candidate = new OomCandidate(Integer.parseInt(m.group(1)), m.group(2),
                            Long.parseLong(m.group(3)));
                }
            }
            if (killed == null && line.contains("Killed process ") && !line.contains("sharing same memory")) {
                Matcher m = ReportStarts.KILLED.matcher(line);
                if (m.find()) {
                    killed = m;
                }
            }
        }
        ReportContext ctx = context(p, end, h == null ? null : h.comm());
        if (constraint == null || constraint == OomConstraint.UNKNOWN) {
            boolean memcgTrace = ctx.callTrace().contains("mem_cgroup_out_of_memory");
            constraint = memcgHint || memcgTrace ? OomConstraint.MEMCG
                    : globalHint ? OomConstraint.GLOBAL : OomConstraint.UNKNOWN;
        }
        List<OomTask> rows = table.rows();
        OomVictim victim = killed == null ? null : victim(killed, rows);
        return new OomKill(ctx, constraint, h == null ? null : h.gfp(), h == null ? null : h.order(),
                h == null ? null : h.oomScoreAdj(), MemcgPath.parse(taskPath), MemcgPath.parse(oomPath), usage,
                limit, failcnt, candidate, victim, rows.size() > MAX_TASKS ? rows.subList(0, MAX_TASKS) : rows,
                memInfo(p.lines(), new ZoneStates()));
    }

    private static OomVictim victim(Matcher m, List<OomTask> rows) {
        int pid = Integer.parseInt(m.group(1));
        Long uid = m.group(2) != null ? Long.valueOf(m.group(2)) : m.group(8) != null ? Long.valueOf(m.group(8)) : null;
        Long totalVm = num(m.group(4));
        Long anon = num(m.group(5));
        Long file = num(m.group(6));
        Long shmem = num(m.group(7));
        Long tableRss = null;
        for (OomTask t : rows) {
            if (t.pid() == pid) {
                tableRss = t.rssKb();
                break;
            }
        }
        Long rss = null;
        OomVictim.RssSource source = OomVictim.RssSource.UNKNOWN;
        if (anon != null || file != null || shmem != null) {
            rss = (anon == null ? 0 : anon) + (file == null ? 0 : file) + (shmem == null ? 0 : shmem);
            source = OomVictim.RssSource.KILLED_LINE;
        } else if (tableRss != null) {
            rss = tableRss;
            source = OomVictim.RssSource.TASK_TABLE;
        }
        return new OomVictim(pid, m.group(3), uid, totalVm, anon, file, shmem, rss, source, tableRss);
    }

    private static SlabFailure slab(PendingReport p, ReportEnd end) {
        String first = p.lines().get(0);
        SlabFailure.Form form;
        String cache = null;
        Integer error = null;
        GfpMask gfp = null;
        Integer slubNode = null;
        Integer objectSize = null;
        Integer bufferSize = null;
        Integer defaultOrder = null;
        Integer minOrder = null;
        List<SlabFailure.NodeUsage> nodes = new ArrayList<>();
        switch (p.kind()) {
            case SLAB_CACHE_CREATE -> {
                form = SlabFailure.Form.KMEM_CACHE_CREATE;
                Matcher m = KMEM_CACHE_CREATE.matcher(first);
                if (m.find()) {
                    cache = m.group(1);
                    error = Integer.valueOf(m.group(2));
                }
            }
            case NF_CONN_CACHE -> {
                form = SlabFailure.Form.NF_CONN_CACHE;
                cache = "nf_conn";
            }
            default -> {
                form = SlabFailure.Form.SLUB_ALLOCATION;
                Matcher m = SLUB_HEADER.matcher(first);
                if (m.find()) {
                    slubNode = Integer.valueOf(m.group(1));
                    gfp = GfpMask.parse(m.group(2));
                }
                for (String line : p.lines()) {
                    Matcher c = SLUB_CACHE.matcher(line);
                    if (cache == null && c.lookingAt()) {
                        cache = c.group(1);
                        objectSize = Integer.valueOf(c.group(2));
                        bufferSize = Integer.valueOf(c.group(3));
                        defaultOrder = Integer.valueOf(c.group(4));
                        minOrder = Integer.valueOf(c.group(5));
                        continue;
                    }
                    Matcher n = SLUB_NODE.matcher(line);
                    if (n.lookingAt() && nodes.size() < 64) {
                        nodes.add(new SlabFailure.NodeUsage(Integer.parseInt(n.group(1)), Long.parseLong(n.group(2)),
                                Long.parseLong(n.group(3)), Long.parseLong(n.group(4))));
                    }
                }
            }
        }
        return new SlabFailure(context(p, end, null), form, cache, error, gfp, slubNode, objectSize, bufferSize,
                defaultOrder, minOrder, nodes);
    }

    private static Long num(String s) {
        return s == null ? null : Long.valueOf(s);
    }

    private static String nonNull(String preferred, String fallback) {
        return preferred != null ? preferred : fallback;
    }
}
