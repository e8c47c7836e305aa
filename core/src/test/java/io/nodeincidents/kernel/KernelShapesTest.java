package io.nodeincidents.kernel;

import io.nodeincidents.kernel.oom.OomScope;
import io.nodeincidents.kernel.oom.OomVictim;
import io.nodeincidents.logs.LogLine;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.nodeincidents.kernel.KernelEraReportsTest.assembleLines;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shapes the kernel printed its reports in across versions, and the shapes pastes leave them in: each case is
 * written from the printk formats of its era (mm/oom_kill.c, mm/slub.c, mm/page_alloc.c), not from one log.
 */
class KernelShapesTest {

    private static final String CID = "a07d3c191742700df28b349710c93b2014b255b22364decb09b53ca123fa8272";

    // ---- OOM: the 4.19+ summary standing alone ----

    @Test
    void aSummaryAloneIsOneKillWithItsVictimAndConstraint() {
        record Case(String line, OomScope constraint, int pid, String comm) {
        }
        List<Case> cases = List.of(
                new Case("oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=aegis,mems_allowed=0,global_oom,"
                        + "task_memcg=/system.slice/docker-00748bf4e957f82c239a1db8a88579059b7d40c7b5fbd3f43617d31d3f646f12.scope,"
                        + "task=java,pid=7134,uid=1000", OomScope.GLOBAL, 7134, "java"),
                new Case("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=" + CID + ",mems_allowed=0,"
                        + "oom_memcg=/docker/428406e4f18a/kubelet/kubepods/pod1788d98a-0700-426a-8701-2312e4cc2163,"
                        + "task_memcg=/docker/428406e4f18a/kubelet/kubepods/pod1788d98a-0700-426a-8701-2312e4cc2163/" + CID
                        + ",task=uwsgi,pid=11638,uid=0", OomScope.MEMCG, 11638, "uwsgi"),
                new Case("oom-kill:constraint=CONSTRAINT_CPUSET,nodemask=(null),cpuset=test,mems_allowed=0,global_oom,"
                        + "task_memcg=/user.slice/user-0.slice/session-4.scope,task=memkiller,pid=1968,uid=0",
                        OomScope.CPUSET, 1968, "memkiller"),
                new Case("oom-kill:constraint=CONSTRAINT_MEMORY_POLICY,nodemask=1,cpuset=/,mems_allowed=0-1,global_oom,"
                        + "task_memcg=/,task=numa-hog,pid=42,uid=0", OomScope.MEMORY_POLICY, 42, "numa-hog"),
                // odd comms: spaces, colons, brackets, commas, parentheses
                new Case("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
                        + "oom_memcg=/user.slice/user-1000.slice/user@1000.service/app.slice,"
                        + "task_memcg=/user.slice/user-1000.slice/user@1000.service/app.slice/app-firefox.scope,"
                        + "task=Web Content,pid=3201,uid=1000", OomScope.MEMCG, 3201, "Web Content"),
                new Case("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/a,"
                        + "task_memcg=/a,task=runc:[2:INIT],pid=9,uid=0", OomScope.MEMCG, 9, "runc:[2:INIT]"),
                new Case("oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,"
                        + "task_memcg=/,task=a,b,pid=10,uid=0", OomScope.GLOBAL, 10, "a,b"),
                new Case("oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0-1,global_oom,"
                        + "task_memcg=/user.slice/user-0.slice/user@0.service/init.scope,task=(sd-pam),pid=4503,uid=0",
                        OomScope.GLOBAL, 4503, "(sd-pam)"),
                // a prefix a reader left in front (here a journal host elided as "...")
                new Case("... kernel: oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-"
                        + CID + ".scope,mems_allowed=0-1,oom_memcg=/lxc.payload....-lxc/kubepods.slice,"
                        + "task_memcg=/lxc.payload.ny2g2r5hh3-lxc/kubepods.slice/kubepods-burstable.slice/"
                        + "kubepods-burstable-podeded8c65_6e8e_4c6e_a889_3e427565c740.slice/cri-containerd-" + CID
                        + ".scope,task=pt_main_thread,pid=461754,uid=0", OomScope.MEMCG, 461754, "pt_main_thread"));
        for (Case c : cases) {
            assertThat(assembleLines(List.of(c.line()))).as(c.line()).singleElement()
                    .isInstanceOfSatisfying(OomKillReport.class, k -> {
                        assertThat(k.constraint()).isEqualTo(c.constraint());
                        assertThat(k.victim().pid()).isEqualTo(c.pid());
                        assertThat(k.victim().comm()).isEqualTo(c.comm());
                    });
        }
    }

    @Test
    void aSummaryKeepsItsMemcgPathsWhateverTheyHold() {
        OomKillReport k = (OomKillReport) assembleLines(List.of(
                "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=x,mems_allowed=0,"
                        + "oom_memcg=/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/"
                        + "kubelet-kubepods-burstable-pod1788d98a_0700_426a_8701_2312e4cc2163.slice,"
                        + "task_memcg=/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/"
                        + "kubelet-kubepods-burstable-pod1788d98a_0700_426a_8701_2312e4cc2163.slice/cri-containerd-"
                        + CID + ".scope,task=uwsgi,pid=11638,uid=0")).get(0);

        assertThat(k.containerId()).isEqualTo(CID);
        assertThat(k.podUid()).isEqualTo("1788d98a-0700-426a-8701-2312e4cc2163");
        assertThat(k.taskMemcg().qosClass()).isEqualTo("burstable");
        OomKillReport odd = (OomKillReport) assembleLines(List.of("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=x,"
                + "mems_allowed=0,oom_memcg=/odd,dir,task_memcg=/odd,dir/with space,task=sh,pid=1,uid=0")).get(0);
        assertThat(odd.oomMemcg().path()).isEqualTo("/odd,dir");
        assertThat(odd.taskMemcg().path()).isEqualTo("/odd,dir/with space");
        // wrapped after a comma by a mail client and joined again with a space
        OomKillReport joined = (OomKillReport) assembleLines(List.of("oom-kill:constraint=CONSTRAINT_CPUSET,nodemask=(null),"
                + "cpuset=test,mems_allowed=0,global_oom, task_memcg=/user.slice/user-0.slice/session-4.scope,"
                + "task=memkiller,pid=1968,uid=0")).get(0);
        assertThat(joined.taskMemcg().path()).isEqualTo("/user.slice/user-0.slice/session-4.scope");
        assertThat(joined.oomMemcg()).isNull();
        OomKillReport cut = (OomKillReport) assembleLines(List.of("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,"
                + "mems_allowed=0,oom_memcg=/kubepods/pod1, task_memcg=/kubepods/pod1/abc,ta")).get(0);
        assertThat(cut.oomMemcg().path()).isEqualTo("/kubepods/pod1");
        assertThat(cut.taskMemcg().path()).isEqualTo("/kubepods/pod1/abc");
    }

    @Test
    void aWrappedSummaryIsReadAcrossItsPieces() {
        // a terminal or mail client cut it; the reader left the pieces as lines, or joined them with a space
        String head = "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/kubepods/"
                + "burstable/pod1788d98a-0700-426a-8701-2312e4cc2163,task_memcg=/kubepods/burstable/pod1788d98a-0700-4";
        String tail = "26a-8701-2312e4cc2163/" + CID + ",task=java,pid=26675,uid=0";
        for (List<String> lines : List.of(List.of(head, tail), List.of(head + " " + tail),
                List.of("[   65.470256]", head, tail), List.of(head.substring(0, 150), head.substring(150), tail),
                List.of(head + tail.substring(0, tail.length() - 9) + " " + tail.substring(tail.length() - 9)))) {
            assertThat(assembleLines(lines)).as(lines.toString()).singleElement()
                    .isInstanceOfSatisfying(OomKillReport.class, k -> {
                        assertThat(k.constraint()).isEqualTo(OomScope.MEMCG);
                        assertThat(k.victim().pid()).isEqualTo(26675);
                        assertThat(k.victim().comm()).isEqualTo("java");
                    });
        }
        // cut for good: still one kill, with what the text says
        assertThat(assembleLines(List.of(head))).singleElement().isInstanceOfSatisfying(OomKillReport.class, k -> {
            assertThat(k.constraint()).isEqualTo(OomScope.MEMCG);
            assertThat(k.victim()).isNull();
        });
    }

    @Test
    void theSummaryVictimFillsInTheTableRssAndTheKilledLineWins() {
        List<KernelReport> reports = assembleLines(List.of(
                "uwsgi invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=-997",
                "Tasks state (memory values in pages):",
                "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
                "[  11638]     0 11638  2109807    76320  9076736  1045307          -997 uwsgi",
                "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/a,"
                        + "task_memcg=/a,task=uwsgi,pid=11638,uid=0",
                "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,"
                        + "task_memcg=/b,task=python,pid=500,uid=0",
                "Out of memory: Killed process 501 (python3) total-vm:100kB, anon-rss:40kB, file-rss:0kB, "
                        + "shmem-rss:0kB, UID:0 pgtables:12kB oom_score_adj:0"));

        assertThat(reports).hasSize(2);
        OomKillReport first = (OomKillReport) reports.get(0);
        assertThat(first.victim().pid()).isEqualTo(11638);
        assertThat(first.victim().rssKb()).isEqualTo(76320L * 4);
        assertThat(first.victim().rssSource()).isEqualTo(OomVictim.RssSource.TASK_TABLE);
        // 4.19-5.0 could still sacrifice a child after the summary named its parent: the kill line is the victim
        OomKillReport second = (OomKillReport) reports.get(1);
        assertThat(second.victim().pid()).isEqualTo(501);
        assertThat(second.victim().comm()).isEqualTo("python3");
        assertThat(second.constraint()).isEqualTo(OomScope.GLOBAL);
    }

    // ---- OOM: kill and selection lines of every era ----

    @Test
    void killLinesOfEveryEraNameTheVictimAndTheConstraintTheyWerePrintedWith() {
        record Case(String line, int pid, String comm, OomScope constraint) {
        }
        List<Case> cases = List.of(
                new Case("Out of Memory: Killed process 6179 (nautilus).", 6179, "nautilus", OomScope.GLOBAL),
                new Case("Out of memory: Killed process 1848 (named).", 1848, "named", OomScope.GLOBAL),
                new Case("No available memory in cpuset: Killed process 77 (stress).", 77, "stress",
                        OomScope.CPUSET),
                new Case("No available memory (MPOL_BIND): Killed process 78 (numactl).", 78, "numactl",
                        OomScope.MEMORY_POLICY),
                new Case("Out of memory (oom_kill_allocating_task): Killed process 79 (dd) total-vm:1000kB, "
                        + "anon-rss:800kB, file-rss:4kB, shmem-rss:0kB, UID:0 pgtables:40kB oom_score_adj:0", 79, "dd",
                        OomScope.GLOBAL),
                new Case("Memory cgroup out of memory: Killed process 26675 (java) total-vm:2754556kB, "
                        + "anon-rss:258308kB, file-rss:0kB, shmem-rss:0kB", 26675, "java", OomScope.MEMCG),
                new Case("Out of memory: Killed process 4503 ((sd-pam)) total-vm:173972kB, anon-rss:0kB, "
                        + "file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:96kB oom_score_adj:100", 4503, "(sd-pam)",
                        OomScope.GLOBAL),
                new Case("Out of memory: Killed process 10192 (agent:amservice) total-vm:15133192kB", 10192,
                        "agent:amservice", OomScope.GLOBAL),
                new Case("Out of memory: Killed process 3201 (Web Content) total-vm:1kB, anon-rss:1kB", 3201,
                        "Web Content", OomScope.GLOBAL),
                new Case("Out of memory: Killed process 17 (kworker/u16:2])", 17, "kworker/u16:2]",
                        OomScope.GLOBAL),
                // wrapped by a mail client and joined again with spaces
                new Case("Out of memory: Killed  process  1968 (memkiller) total-vm:2099436kB, anon-rss:1971712kB,  "
                        + "file-rss:1024kB", 1968, "memkiller", OomScope.GLOBAL));
        for (Case c : cases) {
            assertThat(assembleLines(List.of(c.line()))).as(c.line()).singleElement()
                    .isInstanceOfSatisfying(OomKillReport.class, k -> {
                        assertThat(k.victim().pid()).isEqualTo(c.pid());
                        assertThat(k.victim().comm()).isEqualTo(c.comm());
                        assertThat(k.constraint()).isEqualTo(c.constraint());
                    });
        }
        OomKillReport rhel6 = (OomKillReport) assembleLines(List.of(
                "Killed process 16944, UID 0, (mingetty) total-vm:4064kB, anon-rss:12kB, file-rss:48kB")).get(0);
        assertThat(rhel6.victim().uid()).isZero();
        assertThat(rhel6.victim().comm()).isEqualTo("mingetty");
        assertThat(rhel6.victim().rssKb()).isEqualTo(60L);
    }

    @Test
    void selectionLinesOfEveryEraBelongToTheKillThatFollows() {
        record Case(List<String> lines, int candidate, int victim, String comm, OomScope constraint) {
        }
        List<Case> cases = List.of(
                // 2.6.16-2.6.19: the selection always said "Out of Memory"; the kill line names the constraint
                new Case(List.of("Out of Memory: Kill process  1848 (named) score 12591 and children.",
                        "Out of memory: Killed process  1848 (named)."), 1848, 1848, "named", OomScope.GLOBAL),
                new Case(List.of("Out of Memory: Kill process 300 (hog) score 900 and children.",
                        "No available memory in cpuset: Killed process 301 (hog-child)."), 300, 301, "hog-child",
                        OomScope.CPUSET),
                // 2.6.2x
                new Case(List.of("Out of memory: kill process 12475 (qemu) score 7899 or a child",
                        "Killed process 12475 (qemu)"), 12475, 12475, "qemu", OomScope.GLOBAL),
                new Case(List.of("Out of memory (oom_kill_allocating_task): kill process 55 (make) score 0 or a child",
                        "Killed process 56 (cc1)"), 55, 56, "cc1", OomScope.GLOBAL),
                new Case(List.of("No available memory (MPOL_BIND): kill process 60 (numa) score 0 or a child",
                        "Killed process 60 (numa)"), 60, 60, "numa", OomScope.MEMORY_POLICY),
                // 2.6.3x-4.18
                new Case(List.of("Memory cgroup out of memory: Kill process 19302 (java) score 1337 or sacrifice child",
                        "Killed process 19302 (java) total-vm:1kB, anon-rss:1kB, file-rss:0kB"), 19302, 19302, "java",
                        OomScope.MEMCG));
        for (Case c : cases) {
            assertThat(assembleLines(c.lines())).as(c.lines().toString()).singleElement()
                    .isInstanceOfSatisfying(OomKillReport.class, k -> {
                        assertThat(k.candidate().pid()).isEqualTo(c.candidate());
                        assertThat(k.victim().pid()).isEqualTo(c.victim());
                        assertThat(k.victim().comm()).isEqualTo(c.comm());
                        assertThat(k.constraint()).isEqualTo(c.constraint());
                    });
        }
    }

    @Test
    void aKillLineAWrapCutIsReadWhole() {
        record Case(List<String> lines, int pid, String comm) {
        }
        List<Case> cases = List.of(
                new Case(List.of("Out of memory: Killed", "process 1968 (memkiller) total-vm:2099436kB, anon-rss:1971712kB,",
                        "file-rss:1024kB, shmem-rss:0kB, UID:0 pgtables:3904kB oom_score_adj:0"), 1968, "memkiller"),
                new Case(List.of("Out of memory: Killed process", "3035 (oomprocs) total-vm:1056800kB, anon-rss:8kB,"),
                        3035, "oomprocs"),
                new Case(List.of("Out of Memory: Killed process", "6179 (nautilus)."), 6179, "nautilus"),
                new Case(List.of("Out of memory: Killed process 1968 (memk", "iller) total-vm:2099436kB"), 1968,
                        "memkiller"),
                new Case(List.of("Out of memory: Killed", "process", "10192 (agent:amservice) total-vm:15133192kB"),
                        10192, "agent:amservice"),
                // within a report the kill line needs no message before it
                new Case(List.of("sh invoked oom-killer: gfp_mask=0x14200ca, order=0, oom_score_adj=0",
                        "Out of memory: Kill process 19961 (python) score 17 or sacrifice child",
                        "Killed process", "31357 (sh) total-vm:5400kB, anon-rss:252kB, file-rss:4kB"), 31357, "sh"));
        for (Case c : cases) {
            assertThat(assembleLines(c.lines())).as(c.lines().toString()).singleElement()
                    .isInstanceOfSatisfying(OomKillReport.class, k -> {
                        assertThat(k.victim().pid()).isEqualTo(c.pid());
                        assertThat(k.victim().comm()).isEqualTo(c.comm());
                        assertThat(k.constraint()).isEqualTo(OomScope.GLOBAL);
                        assertThat(k.context().end()).isEqualTo(ReportEnd.NATURAL_END);
                    });
        }
        // each wrapped kill line of an old report is still its own kill
        assertThat(assembleLines(List.of("Out of Memory: Killed process", "6179 (nautilus).",
                "Out of Memory: Killed process", "6203 (clock-applet).")))
                .extracting(r -> ((OomKillReport) r).victim().pid()).containsExactly(6179, 6203);
        // a cut line the next does not continue: one kill, the victim not stated
        assertThat(assembleLines(List.of("Out of memory: Killed process", "oom_reaper: reaped process 3035 (oomprocs), "
                + "now anon-rss:0kB"))).singleElement().satisfies(r -> assertThat(((OomKillReport) r).victim()).isNull());
        // without a message saying so, a lone "Killed process" ending a line is no kill
        assertThat(assembleLines(List.of("Killed process", "Killed"))).isEmpty();
        // a task table row whose name ends in "kill" continues nothing
        List<KernelReport> rows = assembleLines(List.of("x invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=0",
                "[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name",
                "[ 1234]     0  1234     1000      100       4        0             0 pkill",
                "[ 1235]     0  1235     1000      100       4        0             0 kill",
                "Out of memory: Kill process 1234 (pkill) score 1 or sacrifice child",
                "Killed process 1234 (pkill) total-vm:4000kB, anon-rss:400kB, file-rss:0kB"));
        assertThat(rows).singleElement().isInstanceOfSatisfying(OomKillReport.class, k -> {
            assertThat(k.tasks()).extracting(t -> t.name()).containsExactly("pkill", "kill");
            assertThat(k.candidate().pid()).isEqualTo(1234);
            assertThat(k.victim().comm()).isEqualTo("pkill");
        });
    }

    @Test
    void oneOldHeaderFollowedByManyKillLinesIsOneKillPerLine() {
        // 2.6.15: "oom-killer: gfp_mask=.., order=.." with no task name, the dump, then a kill per process
        List<KernelReport> reports = assembleLines(List.of(
                "oom-killer: gfp_mask=0xd1, order=0",
                "Call Trace:<ffffffff8014d7bc>{out_of_memory+48}",
                "Mem-info:",
                "DMA per-cpu:",
                "Free pages:       87768kB (0kB HighMem)",
                "1310720 pages of RAM",
                "Out of Memory: Killed process 6179 (nautilus).",
                "Out of Memory: Killed process 6203 (clock-applet).",
                "Out of Memory: Killed process 6158 (gnome-settings-).",
                "Out of Memory: Killed process 6166 (gnome-settings-)."));

        assertThat(reports).hasSize(4).allSatisfy(r -> assertThat(((OomKillReport) r).constraint())
                .isEqualTo(OomScope.GLOBAL));
        assertThat(reports).extracting(r -> ((OomKillReport) r).victim().pid()).containsExactly(6179, 6203, 6158, 6166);
        OomKillReport first = (OomKillReport) reports.get(0);
        assertThat(first.gfp().printed()).isEqualTo("0xd1");
        assertThat(first.order()).isZero();
    }

    @Test
    void severalKillsInARowAreOneEventEach() {
        List<KernelReport> reports = assembleLines(List.of(
                // a grep for the summaries of two kills
                "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/a,task_memcg=/a,task=a,pid=1,uid=0",
                "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/a,task_memcg=/a,task=b,pid=2,uid=0",
                "Memory cgroup out of memory: Killed process 2 (b) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB",
                "oom_reaper: reaped process 2 (b), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
                // memory.oom.group: the rest of the group is killed after the victim
                "Tasks in /a are going to be killed due to memory.oom.group set",
                "Memory cgroup out of memory: Killed process 3 (c) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB",
                // old kernels retrying: the selections of two tasks, then the kill
                "Memory cgroup out of memory: Kill process 10 (x) score 900 or sacrifice child",
                "Memory cgroup out of memory: Kill process 11 (y) score 800 or sacrifice child",
                "Killed process 11 (y) total-vm:1kB, anon-rss:1kB, file-rss:0kB"));

        assertThat(reports).hasSize(5).allSatisfy(r -> assertThat(((OomKillReport) r).constraint())
                .isEqualTo(OomScope.MEMCG));
        assertThat(reports).extracting(r -> ((OomKillReport) r).victim() == null ? null : ((OomKillReport) r).victim().pid())
                .containsExactly(1, 2, 3, null, 11);
    }

    @Test
    void theSameSelectionPrintedTwiceIsOneKill() {
        List<KernelReport> reports = assembleLines(List.of(
                "Killed process 19271 (trashapplet)",
                "Out of memory: kill process 12475 (qemu) score 7899 or a child",
                "Out of memory: kill process 12475 (qemu) score 7899 or a child",
                "Killed process 12475 (qemu)"));

        assertThat(reports).extracting(r -> ((OomKillReport) r).victim().comm()).containsExactly("trashapplet", "qemu");
        assertThat(((OomKillReport) reports.get(1)).constraint()).isEqualTo(OomScope.GLOBAL);
    }

    @Test
    void gluedLinesNameTheFirstKillWithoutSwallowingTheNext() {
        OomKillReport k = (OomKillReport) assembleLines(List.of(
                "Killed process 19271 (trashapplet)Out of memory: kill process 12475 (qemu) score 7899 or a child"))
                .get(0);

        assertThat(k.victim().comm()).isEqualTo("trashapplet");
    }

    @Test
    void twoHostsReportsInOneFileStaySeparate() {
        List<LogLine> lines = List.of(
                KernelFixtures.kernel("oldserver", "b", 1, "Out of memory: Kill process 19961 (python) score 17 or sacrifice child", 1),
                KernelFixtures.kernel("newserver", "c", 1, "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,"
                        + "mems_allowed=0,global_oom,task_memcg=/user.slice,task=oomprocs,pid=3035,uid=10383", 2),
                KernelFixtures.kernel("oldserver", "b", 2, "Killed process 31357 (sh) total-vm:5400kB, anon-rss:252kB", 3),
                KernelFixtures.kernel("newserver", "c", 2, "Out of memory: Killed process 3035 (oomprocs) total-vm:1kB", 4));

        List<KernelReport> reports = new KernelReportAssembler().assembleAll(lines);

        assertThat(reports).hasSize(2).extracting(r -> ((OomKillReport) r).victim().pid()).containsExactlyInAnyOrder(31357, 3035);
        assertThat(reports).allSatisfy(r -> assertThat(((OomKillReport) r).constraint()).isEqualTo(OomScope.GLOBAL));
    }

    // ---- SLUB ----

    @Test
    void slubHeadersOfEveryEraAndCacheNamesAsPrinted() {
        record Case(String header, String cacheLine, String cache, String gfp, int node) {
        }
        List<Case> cases = List.of(
                new Case("SLUB: Unable to allocate memory on node -1 (gfp=0x20)",
                        "  cache: kmalloc-256(255:2cb79029be5b5466fd679edb12b9130c8c9e64b33b7a4807464a472aef70161f), "
                                + "object size: 256, buffer size: 256, default order: 1, min order: 0",
                        "kmalloc-256(255:2cb79029be5b5466fd679edb12b9130c8c9e64b33b7a4807464a472aef70161f)", "0x20", -1),
                new Case("SLUB: Unable to allocate memory on node -1, gfp=0x900(GFP_NOWAIT|__GFP_ZERO)",
                        "  cache: page->ptl, object size: 72, buffer size: 72, default order: 0, min order: 0",
                        "page->ptl", "0x900", -1),
                new Case("SLUB: Unable to allocate memory on CPU 3 (of node 0) on node -1, gfp=0x820(GFP_ATOMIC)",
                        "  cache: kmalloc-rnd-05-64, object size: 64, buffer size: 128, default order: 0, min order: 0",
                        "kmalloc-rnd-05-64", "0x820", -1),
                new Case("SLUB: Unable to allocate memory on node 1, gfp=0xa20(GFP_ATOMIC)",
                        "  cache: kmalloc-1k(1234:session-1.scope), object size: 1024, buffer size: 1024, default order: 3, min order: 0",
                        "kmalloc-1k(1234:session-1.scope)", "0xa20", 1),
                new Case("SLAB: Unable to allocate memory on node 0 (gfp=0xd0)",
                        "  cache: size-4096, object size: 4096, order: 0", "size-4096", "0xd0", 0));
        for (Case c : cases) {
            assertThat(assembleLines(List.of(c.header(), c.cacheLine(), "  node 0: slabs: 1, objs: 2, free: 0")))
                    .as(c.header()).singleElement().isInstanceOfSatisfying(SlabFailureReport.class, s -> {
                        assertThat(s.cache()).isEqualTo(c.cache());
                        assertThat(s.gfp().printed()).isEqualTo(c.gfp());
                        assertThat(s.slubNode()).isEqualTo(c.node());
                    });
        }
    }

    @Test
    void slubWarningsInterleavedWithAnotherCpusStackAreOneFailurePerHeader() {
        List<KernelReport> reports = assembleLines(List.of(
                "  node 0: slabs: 235, objs: 7520, free: 0",
                "Call Trace:",
                "SLUB: Unable to allocate memory on CPU 0 (of node 0) on node -1, gfp=0x820(GFP_ATOMIC)",
                " <TASK>",
                "  cache: kmalloc-rnd-05-64, object size: 64, buffer size: 128, default order: 0, min order: 0",
                " dump_stack_lvl+0x76/0xa0",
                "  node 0: slabs: 235, objs: 7520, free: 0",
                "SLUB: Unable to allocate memory on node -1, gfp=0xa20(GFP_ATOMIC)",
                " ? ss_skb_split+0x1dc/0x210 [tempesta_fw]",
                "  cache: kmalloc-8k, object size: 8192, buffer size: 24576, default order: 3, min order: 3",
                " tfw_h2_frame_process+0x8ff/0xd00 [tempesta_fw]",
                "  kmalloc-8k debugging increased min order, use slub_debug=O to disable.",
                " ? tfw_h2_frame_recv+0x38e0/0x38e0 [tempesta_fw]",
                "  node 0: slabs: 117, objs: 117, free: 0",
                " tfw_http_msg_process+0x9e/0xc0 [tempesta_fw]",
                "smsc95xx 1-1.1:1.0 eth0: kevent 2 may have been dropped",
                "SLUB: Unable to allocate memory on node -1 (gfp=0x20)",
                // a terminal wrapped the cache line mid-word and the reader joined it with a space
                "  cache: kmalloc-192, object size: 192, buffer size: 192, default o rder: 0, min order: 0",
                "  node 0: slabs: 1119, objs: 23499, free: 0"));

        assertThat(reports).extracting(r -> ((SlabFailureReport) r).cache())
                .containsExactly("kmalloc-rnd-05-64", "kmalloc-8k", "kmalloc-192");
        SlabFailureReport wrapped = (SlabFailureReport) reports.get(2);
        assertThat(wrapped.objectSize()).isEqualTo(192);
        assertThat(wrapped.defaultOrder()).isNull();
        assertThat(wrapped.minOrder()).isZero();
    }

    @Test
    void slubLinesAWrapCutAreReadAsFarAsTheySay() {
        List<KernelReport> reports = assembleLines(List.of(
                "SLUB: Unable to allocate memory on",
                "node -1 (gfp=0x20)",
                "  cache: kmalloc-2 56, object size: 256, buffer size: 256, default order: 1, min order: 0",
                "  node 0: slabs: 299, objs: 9568, free: 0",
                // boot's message about a node's own structure is no failure
                "SLUB: Unable to allocate memory from node 1",
                "SLUB: Allocating a useless per node structure in order to be able to continue"));

        assertThat(reports).singleElement().isInstanceOfSatisfying(SlabFailureReport.class, s -> {
            assertThat(s.cache()).isEqualTo("kmalloc-256");
            assertThat(s.nodes()).hasSize(1);
        });
    }

    @Test
    void aSlubHeaderWithoutItsCacheLinesIsStillOneFailure() {
        List<KernelReport> reports = assembleLines(List.of(
                "SLUB: Unable to allocate memory on node -1 (gfp=0x8020)",
                "SLUB: Unable to allocate memory on node -1 (gfp=0x20)",
                "  cache: kmalloc-256, object size: 256, buffer size: 256, default order: 1, min order: 0"));

        assertThat(reports).extracting(r -> ((SlabFailureReport) r).cache()).containsExactly(null, "kmalloc-256");
    }

    @Test
    void aSlubWarningFollowedByUnrelatedLinesEndsWithinItsBound() {
        List<String> lines = new ArrayList<>();
        lines.add("SLUB: Unable to allocate memory on node -1 (gfp=0x20)");
        for (int i = 0; i < 20; i++) {
            lines.add("e1000e: eth0 NIC Link is Up " + i);
        }
        lines.add("  cache: kmalloc-256, object size: 256, buffer size: 256, default order: 1, min order: 0");

        assertThat(assembleLines(lines)).singleElement()
                .satisfies(r -> assertThat(((SlabFailureReport) r).cache()).isNull());
    }

    // ---- page allocation failures ----

    @Test
    void twoCpusHeadersInterleavedBeforeTheirDumpsGiveBothWithTheirComms() {
        // 4.9 warn_alloc(): "comm: " then pr_cont pieces, which a second CPU's output split and glued
        List<KernelReport> reports = assembleLines(List.of(
                "swapper/8: ",
                "swapper/6: ",
                "page allocation failure: order:0page allocation failure: order:0, mode:0x2080020(GFP_ATOMIC) , "
                        + "mode:0x2080020(GFP_ATOMIC)",
                "CPU: 8 PID: 0 Comm: swapper/8 Tainted: G             L  4.9.0-5-amd64 #1 Debian 4.9.65-3+deb9u2",
                "Hardware name: HP ProLiant DL380 Gen9/ProLiant DL380 Gen9, BIOS P89 10/25/2017",
                " 0000000000000000 ffffffffa8729964 ffffffffa8dfeb10 ffff88963f403bf0"));

        assertThat(reports).hasSize(2);
        AllocationFailureReport eight = (AllocationFailureReport) reports.get(0);
        AllocationFailureReport six = (AllocationFailureReport) reports.get(1);
        assertThat(eight.context().comm()).isEqualTo("swapper/8");
        assertThat(eight.context().pid()).isZero();
        assertThat(eight.order()).isZero();
        assertThat(six.context().comm()).isEqualTo("swapper/6");
        assertThat(six.context().pid()).isNull();
        assertThat(six.order()).isZero();
        assertThat(six.context().kernelVersion()).isEqualTo("4.9.0-5-amd64");
    }

    @Test
    void twoCpusCommsPrintedIntoOneLineGoToTheHeadersThatFollowThem() {
        List<KernelReport> reports = assembleLines(List.of(
                "swapper/8: swapper/6: page allocation failure: order:0, mode:0x2080020(GFP_ATOMIC)",
                "page allocation failure: order:1, mode:0x2080020(GFP_ATOMIC)",
                "CPU: 6 PID: 0 Comm: swapper/6 Tainted: G             L  4.9.0-5-amd64 #1"));

        assertThat(reports).extracting(r -> r.context().comm()).containsExactly("swapper/6", "swapper/8");
        assertThat(reports).extracting(r -> ((AllocationFailureReport) r).order()).containsExactly(0, 1);
        assertThat(reports.get(0).context().pid()).isZero();
        assertThat(reports.get(1).context().pid()).isNull();
        // a prefix a reader left before the comm is no comm
        assertThat(assembleLines(List.of("kernel: earlyoom: page allocation failure: order:0, mode:0x40cc0")))
                .singleElement().satisfies(r -> assertThat(r.context().comm()).isEqualTo("earlyoom"));
    }

    @Test
    void wholeHeadersOfTwoCpusBeforeTheDumpsGiveEachItsOwnTask() {
        List<KernelReport> reports = assembleLines(List.of(
                "kworker/3:1: page allocation failure: order:2, mode:0x20",
                "swapper/5: page allocation failure: order:0, mode:0x20",
                "CPU: 3 PID: 1234 Comm: kworker/3:1 Not tainted 3.10.0-514.el7.x86_64 #1",
                "Call Trace:",
                " [<ffffffff81685fac>] dump_stack+0x19/0x1b",
                " [<ffffffff81186160>] warn_alloc_failed+0x110/0x180",
                "12 pages reserved"));

        assertThat(reports).hasSize(2);
        AllocationFailureReport kworker = (AllocationFailureReport) reports.get(0);
        assertThat(kworker.context().pid()).isEqualTo(1234);
        assertThat(kworker.context().callTrace()).contains("warn_alloc_failed");
        assertThat(kworker.context().end()).isEqualTo(ReportEnd.NATURAL_END);
        AllocationFailureReport swapper = (AllocationFailureReport) reports.get(1);
        assertThat(swapper.context().comm()).isEqualTo("swapper/5");
        assertThat(swapper.context().pid()).as("not the other CPU's task").isNull();
        assertThat(swapper.order()).isZero();
    }

    @Test
    void loneCommLinesThatBeginNoHeaderMakeNothing() {
        assertThat(assembleLines(List.of("swapper/8: ", "Call Trace:", "Mem-Info:", "something: ", "Events:")))
                .isEmpty();
        assertThat(assembleLines(List.of("Call Trace:", "page allocation failure: order:1, mode:0x20")))
                .singleElement().satisfies(r -> assertThat(r.context().comm()).isNull());
    }

    @Test
    void anAllocationHeaderWhoseDumpIsMissingTakesThePidOfTheKmemCacheCreateDumpOfTheSameTask() {
        List<KernelReport> reports = assembleLines(List.of(
                "runc:[1:CHILD]: page allocation failure: order:6, mode:0xc0d0",
                "kmem_cache_create(nf_conntrack_48971) failed with error -12",
                "CPU: 13 PID: 187290 Comm: runc:[1:CHILD] Tainted: G ------------ T 3.10.0-1160.49.1.el7.x86_64 #1",
                "Hardware name: HPE ProLiant DL388 Gen10/ProLiant DL388 Gen10, BIOS U30 11/13/2019",
                "Call Trace:",
                " [<ffffffffa0183539>] dump_stack+0x19/0x1b",
                " [<ffffffff9fbe5e87>] kmem_cache_create+0x187/0x1b0",
                "Unable to create nf_conn slab cache"));

        assertThat(reports).hasSize(2);
        AllocationFailureReport a = (AllocationFailureReport) reports.get(0);
        assertThat(a.context().comm()).isEqualTo("runc:[1:CHILD]");
        assertThat(a.context().pid()).isEqualTo(187290);
        assertThat(a.order()).isEqualTo(6);
        SlabFailureReport s = (SlabFailureReport) reports.get(1);
        assertThat(s.cache()).isEqualTo("nf_conntrack_48971");
        assertThat(s.errorCode()).isEqualTo(-12);
        assertThat(s.context().pid()).isEqualTo(187290);
        assertThat(s.context().callTrace()).contains("kmem_cache_create");
    }
}
