package io.nodeincidents.kernel;

import io.nodeincidents.kernel.memory.Verdict;
import io.nodeincidents.kernel.oom.OomScope;
import io.nodeincidents.logs.LineRef;
import io.nodeincidents.logs.LogLine;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static io.nodeincidents.kernel.KernelEraReportsTest.assembleLines;
import static io.nodeincidents.kernel.KernelFixtures.kernel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KernelReportAssemblerTest {

    private final KernelReportAssembler assembler = new KernelReportAssembler();
    private static final String HEADER = "exe: page allocation failure: order:6, mode:0x10c0d0";

    @Test
    void anApplicationLogSayingPageAllocationFailureIsNotInput() {
        LogLine app = new LogLine("h", "b", 1L, null, "stdout", "java", "app.service", 77, 6,
                "exe: page allocation failure: order:6, mode:0x10c0d0", LineRef.none());
        PendingReport pending = assembler.step(null, kernel("h", "b", 1, HEADER, 1)).pending();

        KernelReportAssembler.Step s = assembler.step(pending, app);

        assertThat(s.completed()).isEmpty();
        assertThat(s.pending()).isSameAs(pending);
        assertThat(assembler.step(null, app).pending()).isNull();
    }

    @Test
    void kernelLinesAboutOomOrAllocationInOtherSensesMakeNoEvents() {
        List<KernelReport> reports = assembleLines(List.of(
                "oom_kill_process: 16 callbacks suppressed",
                "warn_alloc: 2 callbacks suppressed",
                "oom_reaper: reaped process 9012 (java), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
                "Kill process 1235 (java) sharing same memory",
                "Killed process 1235 (java) sharing same memory",
                "ixgbe 0000:01:00.0 eth0: page allocation failure handled by fallback",
                "Memory cgroup out of memory",
                "Out of memory and no killable processes...",
                "memory: usage 262144kB, limit 262144kB, failcnt 6868",
                "Node 0 Normal: 34178*4kB (UEM) 20118*8kB (UEM) 0*16kB = 297672kB",
                "Call Trace:",
                " [<ffffffff81685fac>] dump_stack+0x19/0x1b",
                " nf_conntrack_init_net+0x101/0x250 [nf_conntrack]",
                "[26675]     0 26675   688639    64577     204       7        0             0 java",
                "cache: kmalloc-256, object size: 256, buffer size: 256, default order: 1, min order: 0"));

        assertThat(reports).isEmpty();
    }

    @Test
    void aLoneOutOfMemoryKilledLineIsOneKill() {
        List<KernelReport> reports = assembleLines(List.of(
                "Out of memory: Killed process 4242 (postgres) total-vm:912300kB, anon-rss:801200kB, file-rss:1000kB, shmem-rss:2000kB, UID:26 pgtables:1800kB oom_score_adj:0",
                "oom_reaper: reaped process 4242 (postgres), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB"));

        assertThat(reports).singleElement().isInstanceOfSatisfying(OomKillReport.class, k -> {
            assertThat(k.victim().pid()).isEqualTo(4242);
            assertThat(k.victim().rssKb()).isEqualTo(804200L);
            assertThat(k.victim().uid()).isEqualTo(26L);
            assertThat(k.constraint()).isEqualTo(OomScope.GLOBAL);
            assertThat(k.context().comm()).isNull();
            assertThat(k.context().end()).isEqualTo(ReportEnd.NATURAL_END);
        });
    }

    @Test
    void twoInterleavedHeadersGiveTwoReportsAndNoCrash() {
        List<KernelReport> reports = assembleLines(List.of(
                "runc:[1:CHILD]: page allocation failure: order:6, mode:0x10c0d0",
                "runc:[2:INIT]: page allocation failure: order:4, mode:0x10c0d0",
                "CPU: 1 PID: 100 Comm: runc:[1:CHILD] Not tainted 3.10.0-514.el7.x86_64 #1",
                "CPU: 2 PID: 101 Comm: runc:[2:INIT] Not tainted 3.10.0-514.el7.x86_64 #1",
                "Call Trace:",
                "Call Trace:",
                " [<ffffffff81685fac>] dump_stack+0x19/0x1b",
                " [<ffffffff81685fac>] dump_stack+0x19/0x1b",
                "Mem-Info:",
                "Node 0 Normal free:311184kB min:55536kB low:69420kB high:83304kB",
                "Node 0 Normal: 1*4kB (U) 0*8kB = 4kB",
                "12 pages reserved"));

        assertThat(reports).hasSize(2);
        assertThat(reports.get(0).context().comm()).isEqualTo("runc:[1:CHILD]");
        assertThat(reports.get(0).context().end()).isEqualTo(ReportEnd.NEXT_REPORT);
        assertThat(reports.get(1).context().comm()).isEqualTo("runc:[2:INIT]");
        assertThat(reports.get(1).context().end()).isEqualTo(ReportEnd.NATURAL_END);
        // each header gets the pid of the task line that names it, not the first one printed
        assertThat(reports.get(0).context().pid()).isEqualTo(100);
        assertThat(reports.get(1).context().pid()).isEqualTo(101);
        assertThat(((AllocationFailureReport) reports.get(1)).zone("Normal")).isNotNull();
    }

    @Test
    void aTruncatedReportCompletesAtFlushOrAfterTheIdleGap() {
        PendingReport p = assembler.step(null, kernel("h", "b", 10_000_000L, HEADER, 1)).pending();
        assertThat(p).isNotNull();

        assertThat(assembler.expire(p, 14_000_000L).pending()).isSameAs(p);
        KernelReportAssembler.Step expired = assembler.expire(p, 16_000_000L);
        assertThat(expired.pending()).isNull();
        assertThat(expired.completed()).singleElement()
                .satisfies(r -> assertThat(r.context().end()).isEqualTo(ReportEnd.IDLE_GAP));
        assertThat(assembler.flush(p)).singleElement()
                .satisfies(r -> assertThat(r.context().end()).isEqualTo(ReportEnd.END_OF_INPUT));
        assertThat(assembler.flush(null)).isEmpty();
    }

    @Test
    void aLineAfterTheIdleGapEndsTheReportAndAFragmentAfterItIsDropped() {
        PendingReport p = assembler.step(null, kernel("h", "b", 10_000_000L, HEADER, 1)).pending();

        KernelReportAssembler.Step s = assembler.step(p, kernel("h", "b", 20_000_000L,
                "Node 0 Normal: 34178*4kB (UEM) 0*8kB = 136712kB", 2));

        assertThat(s.completed()).singleElement()
                .satisfies(r -> assertThat(r.context().end()).isEqualTo(ReportEnd.IDLE_GAP));
        assertThat(s.pending()).isNull();
    }

    @Test
    void idleGapIsConfigurableAndUsesTheMonotonicClockWithoutWallClock() {
        KernelReportAssembler fast = new KernelReportAssembler(Duration.ofMillis(100), 400);
        LogLine h = new LogLine("h", null, null, 1_000_000L, "kernel", null, null, null, null, HEADER, LineRef.none());
        LogLine late = new LogLine("h", null, null, 1_200_000L, "kernel", null, null, null, null, "Mem-Info:",
                LineRef.none());

        KernelReportAssembler.Step s = fast.step(fast.step(null, h).pending(), late);

        assertThat(s.completed()).hasSize(1);
        assertThat(s.completed().get(0).context().monotonicMicros()).isEqualTo(1_000_000L);
        assertThatThrownBy(() -> new KernelReportAssembler(Duration.ofSeconds(-1), 400))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLineFromAnotherBootCompletesThePendingReport() {
        PendingReport p = assembler.step(null, kernel("h", "boot-a", 1, HEADER, 1)).pending();

        KernelReportAssembler.Step s = assembler.step(p, kernel("h", "boot-b", 2, "Mem-Info:", 2));

        assertThat(s.completed()).singleElement().satisfies(r -> {
            assertThat(r.context().end()).isEqualTo(ReportEnd.BOOT_CHANGE);
            assertThat(r.context().bootId()).isEqualTo("boot-a");
        });
        assertThat(s.pending()).isNull();
    }

    @Test
    void aRunawayReportStopsAtTheLineBound() {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        for (int i = 0; i < 5000; i++) {
            lines.add("some unrelated kernel chatter " + i);
        }
        List<KernelReport> reports = assembleLines(lines);

        assertThat(reports).singleElement().satisfies(r -> {
            assertThat(r.context().end()).isEqualTo(ReportEnd.LINE_LIMIT);
            assertThat(r.context().lineCount()).isEqualTo(KernelReportAssembler.DEFAULT_MAX_LINES);
        });
    }

    @Test
    void anOomWithThousandsOfTasksStillFindsItsVictimWithinBoundedState() {
        List<LogLine> lines = new ArrayList<>();
        long t = 1_000_000L;
        lines.add(kernel("h", "b", t, "java invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=0", 1));
        lines.add(kernel("h", "b", t, "[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name", 2));
        for (int i = 0; i < 20_000; i++) {
            lines.add(kernel("h", "b", t, "[" + (1000 + i) + "]     0 " + (1000 + i) + "   1000   20   5   0   0 worker", 3 + i));
        }
        lines.add(kernel("h", "b", t, "Out of memory: Kill process 1500 (worker) score 1 or sacrifice child", 20_003));
        lines.add(kernel("h", "b", t, "Killed process 1500 (worker) total-vm:4000kB, anon-rss:80kB, file-rss:0kB", 20_004));

        PendingReport p = null;
        List<KernelReport> out = new ArrayList<>();
        int maxKept = 0;
        for (LogLine l : lines) {
            KernelReportAssembler.Step s = assembler.step(p, l);
            out.addAll(s.completed());
            p = s.pending();
            maxKept = Math.max(maxKept, p == null ? 0 : p.lines().size());
        }

        assertThat(maxKept).isLessThanOrEqualTo(KernelReportAssembler.DEFAULT_MAX_LINES + 16);
        assertThat(p).isNull();
        assertThat(out).singleElement().isInstanceOfSatisfying(OomKillReport.class, k -> {
            assertThat(k.victim().pid()).isEqualTo(1500);
            assertThat(k.candidate().pid()).isEqualTo(1500);
            assertThat(k.context().end()).isEqualTo(ReportEnd.NATURAL_END);
            assertThat(k.context().lineCount()).isEqualTo(lines.size());
            assertThat(k.tasks().size()).isLessThan(KernelReportAssembler.DEFAULT_MAX_LINES);
            assertThat(k.context().lastLine().line()).isEqualTo(20_004L);
        });
    }

    @Test
    void kmemCacheCreateWithoutItsNewlineStillGivesCacheAndKernel() {
        // 3.10's printk lacks "\n", so the next line is glued on
        List<KernelReport> reports = assembleLines(List.of(
                "kmem_cache_create(nf_conntrack_ffff8803eef66180) failed with error -12CPU: 1 PID: 18377 Comm: exe Not tainted 3.10.0-514.el7.x86_64 #1",
                "Call Trace:",
                " [<ffffffff81685fac>] dump_stack+0x19/0x1b",
                " [<ffffffffa03719e1>] nf_conntrack_init_net+0x101/0x250 [nf_conntrack]",
                "Unable to create nf_conn slab cache"));

        assertThat(reports).singleElement().isInstanceOfSatisfying(SlabFailureReport.class, s -> {
            assertThat(s.cache()).isEqualTo("nf_conntrack_ffff8803eef66180");
            assertThat(s.errorCode()).isEqualTo(-12);
            assertThat(s.context().kernelVersion()).isEqualTo("3.10.0-514.el7.x86_64");
            assertThat(s.context().pid()).isEqualTo(18377);
            assertThat(s.context().pointsAt()).isEqualTo(PointsAt.NETNS_CONNTRACK_CACHE);
        });
    }

    @Test
    void aLoneNfConnLineIsASlabFailure() {
        assertThat(assembleLines(List.of("Unable to create nf_conn slab cache"))).singleElement()
                .isInstanceOfSatisfying(SlabFailureReport.class, s -> {
                    assertThat(s.form()).isEqualTo(SlabFailureReport.Form.NF_CONN_CACHE);
                    assertThat(s.cache()).isEqualTo("nf_conn");
                });
    }

    @Test
    void slubFailuresOfBothErasEndAtTheirFirstForeignLine() {
        List<KernelReport> reports = assembleLines(List.of(
                "SLUB: Unable to allocate memory on node -1 (gfp=0x20)",
                "  cache: kmalloc-256, object size: 256, buffer size: 256, default order: 1, min order: 0",
                "  node 0: slabs: 2204, objs: 35264, free: 0",
                "  node 1: slabs: 1100, objs: 17600, free: 3",
                "e1000e: eth0 NIC Link is Up",
                "SLUB: Unable to allocate memory on node -1, gfp=0xa20(GFP_ATOMIC)",
                "  cache: skbuff_head_cache, object size: 232, buffer size: 256, default order: 1, min order: 0",
                "  skbuff_head_cache debugging increased min order, use slub_debug=O to disable.",
                "  node 0: slabs: 10, objs: 320, free: 0"));

        assertThat(reports).hasSize(2);
        SlabFailureReport old = (SlabFailureReport) reports.get(0);
        assertThat(old.form()).isEqualTo(SlabFailureReport.Form.SLUB_ALLOCATION);
        assertThat(old.cache()).isEqualTo("kmalloc-256");
        assertThat(old.gfp().printed()).isEqualTo("0x20");
        assertThat(old.slubNode()).isEqualTo(-1);
        assertThat(old.defaultOrder()).isEqualTo(1);
        assertThat(old.nodes()).extracting(SlabFailureReport.NodeUsage::slabs).containsExactly(2204L, 1100L);
        assertThat(old.context().end()).isEqualTo(ReportEnd.NATURAL_END);
        assertThat(old.context().lineCount()).isEqualTo(4);
        SlabFailureReport recent = (SlabFailureReport) reports.get(1);
        assertThat(recent.gfp().flags()).containsExactly("GFP_ATOMIC");
        assertThat(recent.cache()).isEqualTo("skbuff_head_cache");
        assertThat(recent.nodes()).hasSize(1);
    }

    @Test
    void aWholeReportInOneMessageSplitAtNewlinesDecodesLikeSeparateLines() {
        List<LogLine> separate = KernelFixtures.load("seed-000-centos7-order6-conntrack.log", "slave-138");
        String joined = separate.stream().filter(LogLine::isKernel).map(LogLine::message)
                .collect(Collectors.joining("\n"));
        LogLine one = KernelFixtures.withMessage(separate.get(1), joined);

        List<KernelReport> fromOne = assembler.assembleAll(List.of(one));
        List<KernelReport> fromMany = assembler.assembleAll(separate);

        assertThat(fromOne).hasSize(2);
        AllocationFailureReport a = (AllocationFailureReport) fromOne.get(0);
        AllocationFailureReport b = (AllocationFailureReport) fromMany.get(0);
        assertThat(a.verdict()).isEqualTo(Verdict.FRAGMENTATION);
        assertThat(a.zones()).isEqualTo(b.zones());
        assertThat(a.memInfo()).isEqualTo(b.memInfo());
        assertThat(a.context().callTrace()).isEqualTo(b.context().callTrace());
    }

    @Test
    void stepIsPureTheSamePendingGivesTheSameResult() {
        PendingReport p = assembler.step(null, kernel("h", "b", 1, HEADER, 1)).pending();
        LogLine next = kernel("h", "b", 2, "Mem-Info:", 2);

        KernelReportAssembler.Step first = assembler.step(p, next);
        KernelReportAssembler.Step second = assembler.step(p, next);

        assertThat(first).isEqualTo(second);
        assertThat(p.lines()).containsExactly(HEADER);
        assertThatThrownBy(() -> first.pending().lines().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void headerFormsOfEveryEraAndOddProcessNames() {
        record Case(String line, String comm, int order, String mode, List<String> flags) {
        }
        List<Case> cases = List.of(
                new Case("exe: page allocation failure: order:6, mode:0x10c0d0", "exe", 6, "0x10c0d0", List.of()),
                new Case("swapper/0: page allocation failure. order:3, mode:0x20", "swapper/0", 3, "0x20", List.of()),
                new Case("CPU 11/KVM: page allocation failure: order:4, mode:0x24040c0(GFP_KERNEL|__GFP_COMP), nodemask=(null)",
                        "CPU 11/KVM", 4, "0x24040c0", List.of("GFP_KERNEL", "__GFP_COMP")),
                new Case("java.exe: page allocation failure: order:0, mode:0x40dc0(GFP_KERNEL|__GFP_COMP|__GFP_ZERO), nodemask=(null),cpuset=/,mems_allowed=0",
                        "java.exe", 0, "0x40dc0", List.of("GFP_KERNEL", "__GFP_COMP", "__GFP_ZERO")),
                new Case("runc:[1:CHILD]: page allocation failure: order:6, mode:0x10c0d0", "runc:[1:CHILD]", 6,
                        "0x10c0d0", List.of()));
        for (Case c : cases) {
            assertThat(assembleLines(List.of(c.line()))).as(c.line()).singleElement()
                    .isInstanceOfSatisfying(AllocationFailureReport.class, a -> {
                        assertThat(a.context().comm()).isEqualTo(c.comm());
                        assertThat(a.order()).isEqualTo(c.order());
                        assertThat(a.gfp().printed()).isEqualTo(c.mode());
                        assertThat(a.gfp().flags()).isEqualTo(c.flags());
                    });
        }
    }

    @Test
    void oomHeaderFormsOfEveryEra() {
        assertThat(Headers.oom("node invoked oom-killer: gfp_mask=0xd0, order=0, oom_adj=0, oom_score_adj=0"))
                .isEqualTo(new Headers.Oom("node", io.nodeincidents.kernel.memory.GfpMask.parse("0xd0"), 0, 0));
        Headers.Oom h = Headers.oom(
                "CPU 3/KVM invoked oom-killer: gfp_mask=0x6200ca(GFP_HIGHUSER_MOVABLE), nodemask=(null), order=2, oom_score_adj=-998");
        assertThat(h.comm()).isEqualTo("CPU 3/KVM");
        assertThat(h.order()).isEqualTo(2);
        assertThat(h.oomScoreAdj()).isEqualTo(-998);
        assertThat(h.gfp().flags()).containsExactly("GFP_HIGHUSER_MOVABLE");
    }
}
