package io.nodeincidents.kernel;

import io.nodeincidents.kernel.memcg.ContainerRuntime;
import io.nodeincidents.kernel.memory.Verdict;
import io.nodeincidents.kernel.oom.OomScope;
import io.nodeincidents.kernel.oom.OomVictim;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One report per kernel era, written from that era's printk formats. */
class KernelEraReportsTest {

    @Test
    void rhel6AtomicFailureWithEveryZoneUnderMinIsExhaustion() {
        List<KernelReport> reports = KernelFixtures.assemble("era-2.6-rhel6-atomic-exhaustion.log", "db-12");

        AllocationFailureReport a = (AllocationFailureReport) reports.get(0);
        assertThat(reports).hasSize(1);
        assertThat(a.context().comm()).isEqualTo("java");
        assertThat(a.context().pid()).isEqualTo(2345);
        assertThat(a.context().kernelVersion()).isEqualTo("2.6.32-431.el6.x86_64");
        assertThat(a.order()).isEqualTo(2);
        assertThat(a.gfp().printed()).isEqualTo("0x20");
        assertThat(a.verdict()).isEqualTo(Verdict.EXHAUSTION);
        assertThat(a.context().pointsAt()).isEqualTo(PointsAt.NETWORK_RX);
        // "<IRQ>  [<..>] ? __alloc_pages_nodemask" is unreliable and left out; "<EOI>  [<..>] ? .." too
        assertThat(a.context().callTrace()).startsWith("kmem_getpages").contains("net_rx_action")
                .endsWith("ret_from_intr");
        assertThat(a.memInfo().free()).isEqualTo(10342L);
        assertThat(a.memInfo().counters()).doesNotContainKeys("hi", "btch", "usd");
        assertThat(a.zones()).extracting(z -> z.zone()).containsExactly("DMA", "DMA32", "Normal");
        assertThat(a.zone("Normal").largestFreeOrder()).isEqualTo(1);
    }

    @Test
    void rhel6FullMemcgReportKeepsTheVictimAndTheTableRss() {
        OomKillReport kill = (OomKillReport) KernelFixtures.assemble("era-2.6-rhel6-memcg-full.log", "tdocker-1").get(0);

        assertThat(kill.constraint()).isEqualTo(OomScope.MEMCG);
        assertThat(kill.context().comm()).isEqualTo("node");
        assertThat(kill.context().pid()).isEqualTo(40437);
        assertThat(kill.context().kernelVersion()).isEqualTo("2.6.32-431.el6.x86_64");
        // 2.6.32 without frame pointers prints every frame with '?': no reliable trace
        assertThat(kill.context().callTrace()).isEmpty();
        assertThat(kill.context().pointsAt()).isEqualTo(PointsAt.UNKNOWN);
        assertThat(kill.victim().pid()).isEqualTo(16944);
        assertThat(kill.victim().rssKb()).isEqualTo(60L);
        assertThat(kill.victim().tableRssKb()).isEqualTo(60L);
        assertThat(kill.candidate().pid()).isEqualTo(15947);
        assertThat(kill.taskMemcg().containerId())
                .isEqualTo("d96a8ea034f0610b31f1f669b7083d73f7caf7be92dae187ceb86416d05e1955");
        assertThat(kill.memoryLimitKb()).isEqualTo(8388608L);
        assertThat(kill.tasks()).hasSize(3);
        assertThat(kill.gfp().printed()).isEqualTo("0xd0");
        assertThat(kill.oomScoreAdj()).isZero();
    }

    @Test
    void rhel7KubepodsCgroupfsGivesPodAndContainer() {
        OomKillReport kill = (OomKillReport) KernelFixtures.assemble("era-3.10-rhel7-memcg-kubepods-cgroupfs.log", "n7").get(0);

        assertThat(kill.context().kernelVersion()).isEqualTo("3.10.0-957.el7.x86_64");
        assertThat(kill.context().pid()).isEqualTo(30412);
        assertThat(kill.podUid()).isEqualTo("6f4b2f1e-8f63-11e9-9d7a-0050568a1c3e");
        assertThat(kill.containerId()).isEqualTo("8e2b1f3c9d4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c");
        assertThat(kill.taskMemcg().qosClass()).isEqualTo("burstable");
        assertThat(kill.victim().rssKb()).isEqualTo(2093824L + 2224L);
        assertThat(kill.victim().tableRssKb()).isEqualTo(524012L * 4);
        assertThat(kill.victim().shmemRssKb()).isZero();
        assertThat(kill.oomScoreAdj()).isEqualTo(969);
        assertThat(kill.context().pointsAt()).isEqualTo(PointsAt.PAGE_FAULT);
    }

    @Test
    void debian419SystemdDriverDockerPageCacheCharge() {
        List<KernelReport> reports = KernelFixtures.assemble("era-4.19-debian-memcg-systemd-docker.log", "w3");

        assertThat(reports).as("oom_reaper after the kill is not another report").hasSize(1);
        OomKillReport kill = (OomKillReport) reports.get(0);
        assertThat(kill.gfp().printed()).isEqualTo("0x6000c0");
        assertThat(kill.gfp().flags()).containsExactly("GFP_KERNEL");
        assertThat(kill.oomScoreAdj()).isEqualTo(999);
        assertThat(kill.constraint()).isEqualTo(OomScope.MEMCG);
        assertThat(kill.podUid()).isEqualTo("0f4e3c4a-1b2c-4d5e-8f90-a1b2c3d4e5f6");
        assertThat(kill.taskMemcg().qosClass()).isEqualTo("besteffort");
        assertThat(kill.containerId()).isEqualTo("4d1c0b9a8f7e6d5c4b3a29180f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6");
        assertThat(kill.taskMemcg().runtime()).isEqualTo(ContainerRuntime.DOCKER);
        assertThat(kill.victim().pid()).isEqualTo(9012);
        assertThat(kill.victim().rssKb()).isEqualTo(516096L).isEqualTo(kill.victim().tableRssKb());
        assertThat(kill.candidate()).isNull();
        assertThat(kill.context().kernelVersion()).isEqualTo("4.19.0-16-amd64");
        assertThat(kill.context().callTrace()).contains("oom_kill_process", "try_charge", "ext4_da_write_begin")
                .doesNotContain("__alloc_pages_nodemask", "oom_kill_process.cold.30");
        assertThat(kill.context().pointsAt()).isEqualTo(PointsAt.MEMCG_CHARGE);
    }

    @Test
    void ubuntu515CgroupV2Containerd() {
        OomKillReport kill = (OomKillReport) KernelFixtures.assemble("era-5.15-ubuntu-memcg-v2-containerd.log", "ip").get(0);

        assertThat(kill.context().kernelVersion()).isEqualTo("5.15.0-1051-aws");
        assertThat(kill.taskMemcg().runtime()).isEqualTo(ContainerRuntime.CONTAINERD);
        assertThat(kill.containerId()).isEqualTo("a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90");
        assertThat(kill.podUid()).isEqualTo("4c1d9a3e-5b6f-4a7c-9d8e-1f2a3b4c5d6e");
        assertThat(kill.memoryLimitKb()).isEqualTo(1048576L);
        assertThat(kill.victim().uid()).isEqualTo(1000L);
        assertThat(kill.victim().rssKb()).isEqualTo(1047772L).isEqualTo(kill.victim().tableRssKb());
        assertThat(kill.context().callTrace()).startsWith("dump_stack_lvl").endsWith("asm_exc_page_fault")
                .doesNotContain("RIP");
        assertThat(kill.context().pointsAt()).isEqualTo(PointsAt.PAGE_FAULT);
    }

    @Test
    void debian510UnshareOrder4IsFragmentation() {
        List<KernelReport> reports = KernelFixtures.assemble("era-5.10-debian-unshare-fragmentation.log", "g");

        assertThat(reports).as("'0 pages hwpoisoned' after the natural end is ignored").hasSize(1);
        AllocationFailureReport a = (AllocationFailureReport) reports.get(0);
        assertThat(a.context().comm()).isEqualTo("runc:[1:CHILD]");
        assertThat(a.gfp().printed()).isEqualTo("0x40dc0");
        assertThat(a.gfp().flags()).containsExactly("GFP_KERNEL", "__GFP_COMP", "__GFP_ZERO");
        assertThat(a.nodemask()).isEqualTo("(null)");
        assertThat(a.cpuset()).isEqualTo("/");
        assertThat(a.memsAllowed()).isEqualTo("0");
        assertThat(a.verdict()).isEqualTo(Verdict.FRAGMENTATION);
        assertThat(a.zone("Normal").largestFreeOrder()).isEqualTo(3);
        assertThat(a.memInfo().free()).isEqualTo(88210L);
        assertThat(a.memInfo().counters()).doesNotContainKey("shmem_thp");
        assertThat(a.context().pointsAt()).isEqualTo(PointsAt.NETWORK_NAMESPACE);
        assertThat(a.context().callTrace()).contains("warn_alloc", "__alloc_pages_slowpath", "copy_net_ns");
    }

    @Test
    void el10AtomicRxOnASmallVmIsExhaustion() {
        AllocationFailureReport a = (AllocationFailureReport) KernelFixtures.assemble("era-6.12-atomic-rx-exhaustion.log", "e")
                .get(0);

        assertThat(a.context().comm()).isEqualTo("kworker/u16:2");
        assertThat(a.context().pid()).isEqualTo(2291);
        assertThat(a.context().kernelVersion()).isEqualTo("6.12.0-55.9.1.el10_0.x86_64");
        assertThat(a.order()).isZero();
        assertThat(a.verdict()).isEqualTo(Verdict.EXHAUSTION);
        assertThat(a.zones()).extracting(z -> z.zone()).containsExactly("DMA", "DMA32");
        assertThat(a.context().pointsAt()).isEqualTo(PointsAt.NETWORK_RX);
        assertThat(a.context().callTrace()).doesNotContain("__pfx_warn_alloc").contains("asm_common_interrupt");
        assertThat(a.memInfo().free()).isEqualTo(4602L);
    }

    @Test
    void ubuntu68GlobalOomUsesTheSixXTaskTable() {
        OomKillReport kill = (OomKillReport) KernelFixtures.assemble("era-6.8-global-oom.log", "bare-1").get(0);

        assertThat(kill.constraint()).isEqualTo(OomScope.GLOBAL);
        assertThat(kill.oomMemcg()).isNull();
        assertThat(kill.taskMemcg().path()).isEqualTo("/user.slice/user-0.slice/session-3.scope");
        assertThat(kill.containerId()).isNull();
        assertThat(kill.victim().rssKb()).isEqualTo(7800000L).isEqualTo(kill.victim().tableRssKb());
        assertThat(kill.tasks()).extracting(t -> t.name()).contains("systemd-journal", "stress-ng");
        assertThat(kill.tasks().get(0).oomScoreAdj()).isEqualTo(-250);
        assertThat(kill.memInfo().free()).isEqualTo(25210L);
        assertThat(kill.context().pointsAt()).isEqualTo(PointsAt.PAGE_FAULT);
        assertThat(kill.summary()).contains("GLOBAL").contains("stress-ng");
    }

    @Test
    void rssFromTheTableWhenTheKilledLineHasNone() {
        List<String> lines = List.of(
                "mysqld invoked oom-killer: gfp_mask=0x201da, order=0, oom_adj=0, oom_score_adj=0",
                "[ pid ]   uid  tgid total_vm      rss cpu oom_adj oom_score_adj name",
                "[ 2211]    27  2211   912345   200000   1       0             0 mysqld",
                "Out of memory: Kill process 2211 (mysqld) score 901 or sacrifice child",
                "Killed process 2211 (mysqld)");
        OomKillReport kill = (OomKillReport) assembleLines(lines).get(0);

        assertThat(kill.victim().rssKb()).isEqualTo(800000L);
        assertThat(kill.victim().rssSource()).isEqualTo(OomVictim.RssSource.TASK_TABLE);
        assertThat(kill.constraint()).isEqualTo(OomScope.GLOBAL);
    }

    static List<KernelReport> assembleLines(List<String> messages) {
        List<io.nodeincidents.logs.LogLine> lines = new java.util.ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            lines.add(KernelFixtures.kernel("h", "b", 1_000_000L + i, messages.get(i), i + 1));
        }
        return new KernelReportAssembler().assembleAll(lines);
    }
}
