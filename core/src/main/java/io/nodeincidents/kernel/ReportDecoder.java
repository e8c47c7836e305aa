package io.nodeincidents.kernel;

import io.nodeincidents.kernel.memcg.MemcgPath;
import io.nodeincidents.kernel.memory.GfpMask;
import io.nodeincidents.kernel.memory.MemInfo;
import io.nodeincidents.kernel.memory.VerdictRule;
import io.nodeincidents.kernel.memory.ZoneStates;
import io.nodeincidents.kernel.oom.OomCandidate;
import io.nodeincidents.kernel.oom.OomScope;
import io.nodeincidents.kernel.oom.OomTask;
import io.nodeincidents.kernel.oom.OomTaskTable;
import io.nodeincidents.kernel.oom.OomVictim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns a completed {@link PendingReport} into a {@link KernelReport}. Pure; never throws on odd lines. */
final class ReportDecoder {

    private static final Pattern KMEM_CACHE_CREATE =
            Pattern.compile("kmem_cache_create\\(([^()\\s]{1,128})\\) failed with error (-?\\d{1,6})");
    private static final Pattern SLUB_HEADER = Pattern.compile(
            "(?:SLUB|SLAB): Unable to allocate memory on (?:CPU \\d{1,6} \\(of node -?\\d{1,5}\\) on )?node (-?\\d{1,5})"
                    + "(?: \\(|, )gfp=(0x[0-9a-fA-F]{1,16}(?:\\([^)]{0,512}\\))?)");
    private static final Pattern SLUB_NODE =
            Pattern.compile("node (\\d{1,5}): slabs: (\\d{1,18}), objs: (\\d{1,18}), free: (\\d{1,18})");
    private static final Pattern MEMCG_USAGE =
            Pattern.compile("memory: usage (\\d{1,18})kB, limit (\\d{1,18})kB, failcnt (\\d{1,18})");
    private static final int MAX_TASKS = 400;
    /** Lines at the start of an allocation report read for headers and lone "comm:" lines. */
    private static final int MAX_HEADER_LINES = 16;
    /** Task lines looked at to tell which of several headers a dump belongs to. */
    private static final int MAX_TASK_LINES = 8;
    /** Lines a wrapped (or pr_cont-split) oom-kill summary may continue on. */
    private static final int MAX_SUMMARY_PIECES = 4;
    /** Longest cache name kept; a per-memcg one ("kmalloc-256(255:<64 hex digits>)") is about 80. */
    private static final int MAX_CACHE_NAME = 256;

    private ReportDecoder() {
    }

    /**
     * Decodes {@code p}: one report, several when allocation failure headers of CPUs failing together preceded
     * their dumps, none when the lines hold no event at all.
     */
    static List<KernelReport> decode(PendingReport p, ReportEnd end) {
        if (p.lines().isEmpty()) {
            return List.of();
        }
        return switch (p.kind()) {
            case ALLOCATION_FAILURE -> allocations(p, end);
            case OOM_KILL -> List.of(oom(p, end));
            case SLAB_CACHE_CREATE -> slabAfterHeaders(p, end);
            case NF_CONN_CACHE, SLUB_ALLOCATION -> List.of(slab(p, end));
        };
    }

    private static ReportContext context(PendingReport p, ReportEnd end, String headerComm) {
        // the task line of the report's own task when several CPUs' lines interleave, else the first
        KernelLines.TaskLine first = null;
        KernelLines.TaskLine own = null;
        int seen = 0;
        for (String line : p.lines()) {
            KernelLines.TaskLine t = KernelLines.taskLine(line);
            if (t == null) {
                continue;
            }
            if (first == null) {
                first = t;
            }
            if (headerComm == null || headerComm.equals(t.comm())) {
                own = t;
                break;
            }
            if (++seen >= MAX_TASK_LINES) {
                break;
            }
        }
        KernelLines.TaskLine task = own != null ? own : first;
        List<String> trace = KernelLines.callTrace(p.lines());
        String comm = headerComm != null ? headerComm : task == null ? null : task.comm();
        return new ReportContext(p.host(), p.bootId(), p.firstRealtimeMicros(), p.firstMonotonicMicros(),
                task == null ? null : task.kernelVersion(), comm, task == null ? null : task.pid(), trace,
                PointsAt.fromTrace(trace), p.firstLine(), p.lastLine(), p.lines().size() + p.omittedLines(), end,
                p.lines());
    }

    /** The headers an allocation report begins with, and how many of its lines they took. */
    private record Lead(List<Headers.Allocation> headers, int lines) {
    }

    /**
     * The headers at the start of {@code lines}. CPUs failing together print their headers (or, on 4.9-era
     * kernels, lone "comm:" pieces and headless headers) before their dumps; a headless header takes the earliest
     * unclaimed lone comm.
     */
    private static Lead lead(List<String> lines) {
        List<Headers.Allocation> slots = new ArrayList<>(1);
        ArrayDeque<String> comms = new ArrayDeque<>(2);
        int i = 0;
        for (; i < lines.size() && i < MAX_HEADER_LINES; i++) {
            String line = lines.get(i);
            String fragment = Headers.commFragment(line);
            if (fragment != null) {
                comms.add(fragment);
                continue;
            }
            List<Headers.Allocation> headers = line.contains("page allocation failure") ? Headers.allocations(line)
                    : List.of();
            if (headers.isEmpty()) {
                break;
            }
            for (Headers.Allocation h : headers) {
                String comm = h.comm();
                if (comm != null && comm.contains(": ")) {
                    // "swapper/8: swapper/6: page allocation failure..": pieces of two CPUs' headers (or a prefix a
                    // reader left); the header's own comm is the one printed right before it
                    String[] parts = comm.split(": ", Headers.MAX_HEADERS_PER_LINE);
                    for (int j = 0; j < parts.length - 1; j++) {
                        comms.add(parts[j]);
                    }
                    comm = parts[parts.length - 1];
                }
                slots.add(h.withComm(comm == null ? comms.poll() : comm));
            }
        }
        return new Lead(slots, i);
    }

    /**
     * One failure per header. The dump goes to the header its task line names (else the last header, the one it
     * follows); the other headers give what they print, and the pid of a task line naming them.
     */
    private static List<KernelReport> allocations(PendingReport p, ReportEnd end) {
        List<Headers.Allocation> slots = lead(p.lines()).headers();
        if (slots.isEmpty()) {
            return List.of();
        }
        if (slots.size() == 1) {
            return List.of(allocation(p, end, slots.get(0)));
        }
        List<KernelLines.TaskLine> tasks = taskLines(p.lines());
        int owner = slots.size() - 1;
        if (!tasks.isEmpty() && task(tasks, slots.get(owner).comm()) == null) {
            for (int i = 0; i < slots.size(); i++) {
                if (Objects.equals(slots.get(i).comm(), tasks.get(0).comm())) {
                    owner = i;
                    break;
                }
            }
        }
        List<KernelReport> out = new ArrayList<>(slots.size());
        for (int i = 0; i < slots.size(); i++) {
            out.add(i == owner ? allocation(p, end, slots.get(i)) : headerOnly(p, slots.get(i), tasks));
        }
        return out;
    }

    /** The line of {@code p} that printed header {@code h}, as the only line people are shown for it. */
    private static List<String> headerLine(PendingReport p, Headers.Allocation h) {
        for (String line : p.lines()) {
            if (line.contains("allocation failure") && (h.comm() == null || line.contains(h.comm()))) {
                return List.of(line);
            }
        }
        return List.of();
    }

    /** A failure of which only the header was printed (or kept): its pid when a task line names its comm. */
    private static AllocationFailureReport headerOnly(PendingReport p, Headers.Allocation h, List<KernelLines.TaskLine> tasks) {
        KernelLines.TaskLine t = task(tasks, h.comm());
        String version = tasks.isEmpty() ? null : tasks.get(0).kernelVersion();
        ReportContext ctx = new ReportContext(p.host(), p.bootId(), p.firstRealtimeMicros(), p.firstMonotonicMicros(),
                version, h.comm(), t == null ? null : t.pid(), List.of(), PointsAt.UNKNOWN, p.firstLine(),
                p.firstLine(), 1, ReportEnd.NEXT_REPORT, headerLine(p, h));
        VerdictRule.Assessment a = VerdictRule.assess(h.order(), h.gfp(), List.of());
        return new AllocationFailureReport(ctx, h.order(), h.gfp(), h.nodemask(), h.cpuset(), h.memsAllowed(), null,
                List.of(), a.verdict(), a.reason());
    }

    private static List<KernelLines.TaskLine> taskLines(List<String> lines) {
        List<KernelLines.TaskLine> tasks = new ArrayList<>(2);
        for (String line : lines) {
            KernelLines.TaskLine t = KernelLines.taskLine(line);
            if (t != null && tasks.add(t) && tasks.size() >= MAX_TASK_LINES) {
                break;
            }
        }
        return tasks;
    }

    private static KernelLines.TaskLine task(List<KernelLines.TaskLine> tasks, String comm) {
        if (comm == null) {
            return null;
        }
        for (KernelLines.TaskLine t : tasks) {
            if (comm.equals(t.comm())) {
                return t;
            }
        }
        return null;
    }

    private static AllocationFailureReport allocation(PendingReport p, ReportEnd end, Headers.Allocation h) {
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
        return new AllocationFailureReport(context(p, end, h.comm()), h.order(), h.gfp(), h.nodemask(), cpuset, mems,
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

    private static OomKillReport oom(PendingReport p, ReportEnd end) {
        Headers.Oom h = p.headerSeen() ? Headers.oom(p.lines().get(0)) : null;
        boolean memcgHint = false;
        boolean globalHint = false;
        OomScope killedSays = null;
        OomScope candidateSays = null;
        String taskPath = null;
        String oomPath = null;
        Long usage = null;
        Long limit = null;
        Long failcnt = null;
        OomCandidate candidate = null;
        OomLines.Killed killed = null;
        OomLines.Summary summary = null;
        String wrappedSummary = null;
        int summaryPieces = 0;
        OomTaskTable table = new OomTaskTable();
        for (String line : p.lines()) {
            if (wrappedSummary != null) {
                // a summary wrapped before its ",task=x,pid=N,uid=U" end continues on the next line
                if (summaryPieces < MAX_SUMMARY_PIECES && ReportStarts.classify(line) == null
                        && !OomTaskTable.isRow(line) && wrappedSummary.length() + line.length() <= KernelLines.MAX_LINE) {
                    wrappedSummary = wrappedSummary + line;
                    summaryPieces++;
                    OomLines.Summary joined = OomLines.summary(wrappedSummary);
                    if (joined != null && joined.pid() != null) {
                        summary = joined;
                        oomPath = nonNull(joined.oomMemcg(), oomPath);
                        taskPath = nonNull(joined.taskMemcg(), taskPath);
                        wrappedSummary = null;
                    }
                    continue;
                }
                wrappedSummary = null;
            }
            if (table.accept(line)) {
                continue;
            }
            int at = OomLines.summaryAt(line);
            if (at >= 0) {
                OomLines.Summary s = OomLines.summary(line);
                if (summary == null && s != null) {
                    summary = s;
                    oomPath = nonNull(s.oomMemcg(), oomPath);
                    taskPath = nonNull(s.taskMemcg(), taskPath);
                    wrappedSummary = s.pid() == null ? line.substring(at) : null;
                }
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
            } else if (OomLines.isOutOfMemory(line)) {
                globalHint = true;
            }
            if (candidate == null) {
                OomLines.Candidate c = OomLines.candidate(line);
                if (c != null) {
                    candidate = new OomCandidate(c.pid(), c.comm(), c.score());
                    candidateSays = OomLines.constraintOf(c.message());
                }
            }
            if (killed == null) {
                killed = OomLines.killed(line);
                killedSays = killed == null ? null : OomLines.constraintOf(killed.message());
            }
        }
        ReportContext ctx = context(p, end, h == null ? null : h.comm());
        OomScope constraint = summary == null ? OomScope.UNKNOWN : summary.constraint();
        if (constraint == OomScope.UNKNOWN) {
            // no summary (before 4.19): the memcg lines, else the words the kill or selection was printed with
            boolean memcgTrace = ctx.callTrace().contains("mem_cgroup_out_of_memory");
            constraint = memcgHint || memcgTrace ? OomScope.MEMCG
                    : killedSays != null ? killedSays
                    : candidateSays != null ? candidateSays
                    : globalHint ? OomScope.GLOBAL : OomScope.UNKNOWN;
        }
        List<OomTask> rows = table.rows();
        OomVictim victim = killed != null ? victim(killed, rows)
                : summary != null && summary.pid() != null ? victim(summary, rows) : null;
        return new OomKillReport(ctx, constraint, h == null ? null : h.gfp(), h == null ? null : h.order(),
                h == null ? null : h.oomScoreAdj(), MemcgPath.parse(taskPath), MemcgPath.parse(oomPath), usage,
                limit, failcnt, candidate, victim, rows.size() > MAX_TASKS ? rows.subList(0, MAX_TASKS) : rows,
                memInfo(p.lines(), new ZoneStates()));
    }

    private static OomVictim victim(OomLines.Killed k, List<OomTask> rows) {
        Long tableRss = tableRss(k.pid(), rows);
        Long anon = k.anonRssKb();
        Long file = k.fileRssKb();
        Long shmem = k.shmemRssKb();
        Long rss = null;
        OomVictim.RssSource source = OomVictim.RssSource.UNKNOWN;
        if (anon != null || file != null || shmem != null) {
            rss = (anon == null ? 0 : anon) + (file == null ? 0 : file) + (shmem == null ? 0 : shmem);
            source = OomVictim.RssSource.KILLED_LINE;
        } else if (tableRss != null) {
            rss = tableRss;
            source = OomVictim.RssSource.TASK_TABLE;
        }
        return new OomVictim(k.pid(), k.comm(), k.uid(), k.totalVmKb(), anon, file, shmem, rss, source, tableRss);
    }

    /** The victim a summary names when its "Killed process" line is not in the text. */
    private static OomVictim victim(OomLines.Summary s, List<OomTask> rows) {
        Long tableRss = tableRss(s.pid(), rows);
        return new OomVictim(s.pid(), s.task(), s.uid(), null, null, null, null, tableRss,
                tableRss == null ? OomVictim.RssSource.UNKNOWN : OomVictim.RssSource.TASK_TABLE, tableRss);
    }

    private static Long tableRss(int pid, List<OomTask> rows) {
        for (OomTask t : rows) {
            if (t.pid() == pid) {
                return t.rssKb();
            }
        }
        return null;
    }

    /**
     * A kmem_cache_create failure, after the headers of the allocation failures it carries: kmem_cache_create's
     * own allocation failed and the header was printed without its dump (or the paste left the dump out); the
     * task line that follows names the task of both.
     */
    private static List<KernelReport> slabAfterHeaders(PendingReport p, ReportEnd end) {
        Lead lead = lead(p.lines());
        if (lead.headers().isEmpty() || lead.lines() >= p.lines().size()) {
            return List.of(slab(p, end));
        }
        PendingReport own = new PendingReport(p.kind(), p.headerSeen(), p.host(), p.bootId(), p.firstRealtimeMicros(),
                p.firstMonotonicMicros(), p.lastRealtimeMicros(), p.lastMonotonicMicros(), p.firstLine(),
                p.lastLine(), p.lines().subList(lead.lines(), p.lines().size()), p.omittedLines(), p.skippedLines());
        List<KernelLines.TaskLine> tasks = taskLines(own.lines());
        List<KernelReport> out = new ArrayList<>(lead.headers().size() + 1);
        for (Headers.Allocation h : lead.headers()) {
            out.add(headerOnly(p, h, tasks));
        }
        out.add(slab(own, end));
        return out;
    }

    private static SlabFailureReport slab(PendingReport p, ReportEnd end) {
        String first = p.lines().get(0);
        SlabFailureReport.Form form;
        String cache = null;
        Integer error = null;
        GfpMask gfp = null;
        Integer slubNode = null;
        Integer objectSize = null;
        Integer bufferSize = null;
        Integer defaultOrder = null;
        Integer minOrder = null;
        List<SlabFailureReport.NodeUsage> nodes = new ArrayList<>();
        switch (p.kind()) {
            case SLAB_CACHE_CREATE -> {
                form = SlabFailureReport.Form.KMEM_CACHE_CREATE;
                Matcher m = KMEM_CACHE_CREATE.matcher(first);
                if (m.find()) {
                    cache = m.group(1);
                    error = Integer.valueOf(m.group(2));
                }
            }
            case NF_CONN_CACHE -> {
                form = SlabFailureReport.Form.NF_CONN_CACHE;
                cache = "nf_conn";
            }
            default -> {
                form = SlabFailureReport.Form.SLUB_ALLOCATION;
                Matcher m = SLUB_HEADER.matcher(first);
                if (m.find()) {
                    slubNode = Integer.valueOf(m.group(1));
                    gfp = GfpMask.parse(m.group(2));
                }
                for (String line : p.lines()) {
                    if (cache == null && line.startsWith("cache: ")) {
                        // "cache: NAME, object size: ..": a per-memcg name keeps its "(id:cgroup)" part; a field
                        // cut by a terminal wrap is left out, and a space in the name is such a wrap joined again
                        int comma = line.indexOf(", object size:");
                        int stop = comma > 0 ? comma : line.indexOf(", ");
                        stop = stop < 0 ? line.length() : stop;
                        if (stop > "cache: ".length() && stop - "cache: ".length() <= MAX_CACHE_NAME) {
                            cache = line.substring("cache: ".length(), stop).replace(" ", "");
                            String rest = line.substring(stop);
                            objectSize = KernelLines.leadingInt(KernelLines.field(rest, "object size: ", ","));
                            bufferSize = KernelLines.leadingInt(KernelLines.field(rest, "buffer size: ", ","));
                            defaultOrder = KernelLines.leadingInt(KernelLines.field(rest, "default order: ", ","));
                            minOrder = KernelLines.leadingInt(KernelLines.field(rest, "min order: ", ","));
                        }
                        continue;
                    }
                    Matcher n = SLUB_NODE.matcher(line);
                    if (n.lookingAt() && nodes.size() < 64) {
                        nodes.add(new SlabFailureReport.NodeUsage(Integer.parseInt(n.group(1)), Long.parseLong(n.group(2)),
                                Long.parseLong(n.group(3)), Long.parseLong(n.group(4))));
                    }
                }
            }
        }
        return new SlabFailureReport(context(p, end, null), form, cache, error, gfp, slubNode, objectSize, bufferSize,
                defaultOrder, minOrder, nodes);
    }

    private static String nonNull(String preferred, String fallback) {
        return preferred != null ? preferred : fallback;
    }
}
