package io.nodeincidents.kernel;

import io.nodeincidents.kernel.memcg.ContainerRuntime;
import io.nodeincidents.kernel.memory.Verdict;
import io.nodeincidents.kernel.memory.ZoneCounters;
import io.nodeincidents.kernel.oom.OomScope;
import io.nodeincidents.kernel.oom.OomVictim;
import io.nodeincidents.logs.LineRef;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The five real incident write-ups: what a user must get out of each. */
class SeedReportsTest {

    @Test
    void seed000AllocationFailureIsFragmentationWhileCreatingTheConntrackCacheOfANewNetns() {
        List<KernelReport> reports = KernelFixtures.assemble("seed-000-centos7-order6-conntrack.log", "slave-138");

        assertThat(reports).hasSize(2);
        AllocationFailureReport a = (AllocationFailureReport) reports.get(0);
        assertThat(a.order()).isEqualTo(6);
        assertThat(a.gfp().printed()).isEqualTo("0x10c0d0");
        assertThat(a.gfp().flags()).isEmpty();
        assertThat(a.verdict()).isEqualTo(Verdict.FRAGMENTATION);
        assertThat(a.context().kernelVersion()).isEqualTo("3.10.0-514.el7.x86_64");
        assertThat(a.context().comm()).isEqualTo("exe");
        assertThat(a.context().pid()).isEqualTo(18377);
        assertThat(a.context().pointsAt()).isEqualTo(PointsAt.NETNS_CONNTRACK_CACHE);
        assertThat(a.context().callTrace()).startsWith("dump_stack", "warn_alloc_failed", "__alloc_pages_slowpath")
                .contains("nf_conntrack_init_net", "copy_net_ns", "do_fork")
                .doesNotContain("trace_do_page_fault", "system_call_fastpath")
                .endsWith("stub_clone");
        assertThat(a.context().end()).isEqualTo(ReportEnd.NATURAL_END);
        assertThat(a.context().host()).isEqualTo("slave-138");
        assertThat(a.context().realtimeMicros()).isNotNull();

        ZoneCounters normal = a.zone("Normal");
        assertThat(normal.node()).isZero();
        assertThat(normal.freeKb()).isEqualTo(311184L);
        assertThat(normal.minKb()).isEqualTo(55536L);
        assertThat(normal.lowKb()).isEqualTo(69420L);
        assertThat(normal.highKb()).isEqualTo(83304L);
        assertThat(normal.buddy().blocksPerOrder())
                .containsExactly(34178L, 20118L, 412L, 115L, 46L, 6L, 0L, 0L, 0L, 0L, 0L);
        assertThat(normal.buddy().totalKb()).isEqualTo(311640L);
        assertThat(normal.buddy().migrateTypes().get(0)).isEqualTo("UEM");
        assertThat(normal.largestFreeOrder()).isEqualTo(5);
        assertThat(normal.buddy().blockSizeKb().get(5)).isEqualTo(128L);
        assertThat(a.zone("DMA32").largestFreeOrder()).isEqualTo(3);
        assertThat(a.zone("DMA").largestFreeOrder()).isEqualTo(10);
        assertThat(a.zone("DMA").lowmemReservePages()).containsExactly(0L, 2815L, 15868L, 15868L);

        assertThat(a.memInfo().free()).isEqualTo(113585L);
        assertThat(a.memInfo().freePcp()).isEqualTo(39L);
        assertThat(a.memInfo().slabReclaimable()).isEqualTo(1935137L);
        assertThat(a.memInfo().slabUnreclaimable()).isEqualTo(1709086L);
        assertThat(a.verdictReason()).contains("order >= 6").contains("Normal 311184 kB free");

        SlabFailureReport s = (SlabFailureReport) reports.get(1);
        assertThat(s.form()).isEqualTo(SlabFailureReport.Form.KMEM_CACHE_CREATE);
        assertThat(s.cache()).isEqualTo("nf_conntrack_ffff8803eef66180");
        assertThat(s.errorCode()).isEqualTo(-12);
        assertThat(s.context().pointsAt()).isEqualTo(PointsAt.NETNS_CONNTRACK_CACHE);
        assertThat(s.context().comm()).isEqualTo("exe");
        assertThat(s.context().kernelVersion()).isEqualTo("3.10.0-514.el7.x86_64");
        assertThat(s.context().callTrace()).startsWith("dump_stack", "kmem_cache_create_memcg");
        assertThat(s.context().end()).isEqualTo(ReportEnd.NATURAL_END);
        // first and last line of each report point back into the fixture
        assertThat(a.context().firstLine()).isEqualTo(LineRef.fileLine("seed-000-centos7-order6-conntrack.log", 4));
        // header, task line, hardware, 3 hex lines, "Call Trace:", 16 frames (2 of them "?"), "Unable to create nf_conn slab cache"
        assertThat(s.context().lastLine().line()).isEqualTo(s.context().firstLine().line() + 23);
        assertThat(s.context().lineCount()).isEqualTo(24);
    }

    @Test
    void seed001HeaderWithoutCommOrModeStillGivesTheOrder() {
        List<KernelReport> reports = KernelFixtures.assemble("seed-001-journal-order4.log", "jenkins-1");

        assertThat(reports).singleElement().isInstanceOfSatisfying(AllocationFailureReport.class, a -> {
            assertThat(a.order()).isEqualTo(4);
            assertThat(a.context().comm()).isNull();
            assertThat(a.gfp().printed()).isNull();
            assertThat(a.verdict()).isEqualTo(Verdict.UNDETERMINED);
            assertThat(a.context().end()).isEqualTo(ReportEnd.END_OF_INPUT);
        });
    }

    @Test
    void seed002BothHeaderFormsAndTheRuntimeLinesAroundThemAreNotReports() {
        List<KernelReport> reports = KernelFixtures.assemble("seed-002-tke-headers.log", "dc05");

        assertThat(reports).hasSize(2).allSatisfy(r -> assertThat(r).isInstanceOf(AllocationFailureReport.class));
        AllocationFailureReport runc = (AllocationFailureReport) reports.get(0);
        AllocationFailureReport mysqld = (AllocationFailureReport) reports.get(1);
        assertThat(runc.context().comm()).isEqualTo("runc:[1:CHILD]");
        assertThat(runc.order()).isEqualTo(6);
        assertThat(runc.verdict()).isEqualTo(Verdict.UNDETERMINED);
        assertThat(mysqld.context().comm()).isEqualTo("mysqld");
        assertThat(mysqld.order()).isEqualTo(4);
        assertThat(mysqld.gfp().printed()).isEqualTo("0x10c0d0");
    }

    @Test
    void seed003VictimIsTheKilledChildNotTheSelectedInit() {
        List<KernelReport> reports = KernelFixtures.assemble("seed-003-rhel6-memcg-tail.log", "tdocker-1");

        assertThat(reports).hasSize(2);
        OomKillReport kill = (OomKillReport) reports.get(0);
        assertThat(kill.victim().pid()).isEqualTo(16944);
        assertThat(kill.victim().comm()).isEqualTo("mingetty");
        assertThat(kill.victim().uid()).isZero();
        assertThat(kill.victim().rssKb()).isEqualTo(60L);
        assertThat(kill.candidate().pid()).isEqualTo(15947);
        assertThat(kill.candidate().comm()).isEqualTo("init");
        assertThat(kill.constraint()).isEqualTo(OomScope.MEMCG);
        assertThat(kill.context().end()).isEqualTo(ReportEnd.NATURAL_END);
        // the next report's header arrives without the rest: kept as a truncated OOM with no victim
        OomKillReport next = (OomKillReport) reports.get(1);
        assertThat(next.context().comm()).isEqualTo("node");
        assertThat(next.gfp().printed()).isEqualTo("0xd0");
        assertThat(next.order()).isZero();
        assertThat(next.victim()).isNull();
        assertThat(next.context().end()).isEqualTo(ReportEnd.END_OF_INPUT);
    }

    @Test
    void seed004RssIsPagesTimesFourAndTheContainerIsTheDockerCgroup() {
        List<KernelReport> reports = KernelFixtures.assemble("seed-004-ubuntu-4.4-docker-memcg.log", "ip-10-1-2-125");

        assertThat(reports).singleElement().isInstanceOf(OomKillReport.class);
        OomKillReport kill = (OomKillReport) reports.get(0);
        String id = "0ead341e639c2f2bd27a38666aa0834c969e8c7e6d2fb21516a2c698adce8d5f";
        assertThat(kill.victim().pid()).isEqualTo(26675);
        assertThat(kill.victim().comm()).isEqualTo("java");
        assertThat(kill.victim().rssKb()).isEqualTo(258308L);
        assertThat(kill.victim().rssSource()).isEqualTo(OomVictim.RssSource.KILLED_LINE);
        assertThat(kill.victim().tableRssKb()).isEqualTo(258308L);
        assertThat(kill.victim().totalVmKb()).isEqualTo(2754556L);
        assertThat(kill.tasks()).extracting(t -> t.name()).containsExactly("sh", "run.sh", "java");
        assertThat(kill.tasks().get(2).rssPages()).isEqualTo(64577L);
        assertThat(kill.taskMemcg().path()).isEqualTo("/docker/" + id);
        assertThat(kill.containerId()).isEqualTo(id);
        assertThat(kill.taskMemcg().runtime()).isEqualTo(ContainerRuntime.DOCKER);
        assertThat(kill.podUid()).isNull();
        assertThat(kill.constraint()).isEqualTo(OomScope.MEMCG);
        assertThat(kill.memoryUsageKb()).isEqualTo(262144L);
        assertThat(kill.memoryLimitKb()).isEqualTo(262144L);
        assertThat(kill.failcnt()).isEqualTo(6868L);
        assertThat(kill.candidate().score()).isEqualTo(988L);
        assertThat(kill.gfp().printed()).isEqualTo("0x2400040");
        assertThat(kill.context().comm()).isEqualTo("java");
        assertThat(kill.context().pid()).isEqualTo(26686);
        assertThat(kill.context().kernelVersion()).isEqualTo("4.4.0-28-generic");
        assertThat(kill.context().pointsAt()).isEqualTo(PointsAt.PAGE_FAULT);
        assertThat(kill.context().callTrace()).startsWith("dump_stack", "dump_header", "oom_kill_process",
                "mem_cgroup_out_of_memory").doesNotContain("mem_cgroup_iter");
        assertThat(kill.summary()).contains("java pid 26675").contains("258308 kB");
    }
}
