package io.nodeincidents.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.logs.ReadOptions;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.OomTableRow;
import io.nodeincidents.schemas.RuntimeFailureEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the event records carry for people to read: the report's own lines, the OOM task table, a failure's line. */
class EventRecordsTest {

    @TempDir
    Path dir;

    private List<NodeEvent> events(String... lines) throws IOException {
        Path file = dir.resolve("messages");
        Files.write(file, List.of(lines));
        List<NodeEvent> events = new ArrayList<>();
        new OfflineAnalysis().run(List.of(file), ReadOptions.defaults(), events::add, r -> { });
        return events;
    }

    private static List<String> resource(String name) throws IOException {
        try (var in = EventRecordsTest.class.getResourceAsStream("/kernel/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("##")).toList();
        }
    }

    private KernelMemoryEvent kernelEvent(List<String> lines) throws IOException {
        List<NodeEvent> events = events(lines.toArray(String[]::new));
        NodeEvent.Kernel kernel = (NodeEvent.Kernel) events.stream().filter(e -> e instanceof NodeEvent.Kernel)
                .findFirst().orElseThrow();
        return EventRecords.kernelEvent(kernel.report());
    }

    @Test
    void anOomKillCarriesItsTaskTableInKilobytesAndTheReportsLines() throws IOException {
        KernelMemoryEvent event = kernelEvent(resource("era-6.8-global-oom.log"));

        List<OomTableRow> rows = event.getOom().getTasks();
        assertThat(rows).extracting(OomTableRow::getName)
                .containsExactly("stress-ng", "systemd-journal", "systemd-resolve");
        OomTableRow victim = rows.get(0);
        assertThat(victim.getPid()).isEqualTo(event.getOom().getVictimPid()).isEqualTo(5512);
        assertThat(victim.getRssKb()).as("1,950,000 pages of 4 kB").isEqualTo(7_800_000L);
        assertThat(victim.getTotalVmKb()).isEqualTo(8_400_000L);
        assertThat(rows.get(1).getOomScoreAdj()).isEqualTo(-250);
        assertThat(rows.get(1).getUid()).isEqualTo(0L);

        assertThat(event.getLines()).first().asString().startsWith("stress-ng invoked oom-killer:");
        assertThat(event.getLines()).last().asString().startsWith("Out of memory: Killed process 5512 (stress-ng)");
        assertThat(event.getLines()).noneMatch(l -> l.contains("bare-1 kernel:"));
        assertThat(event.getLinesOmitted()).isZero();
    }

    @Test
    void aLongReportKeepsItsFirstAndLastLinesAndTheVictimsRowAndCountsTheRest() throws IOException {
        List<String> lines = new ArrayList<>();
        String at = "Oct 05 13:37:00 bare-1 kernel: ";
        lines.add(at + "java invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0");
        lines.add(at + "CPU: 3 PID: 77 Comm: java Not tainted 6.8.0-45-generic #45-Ubuntu");
        lines.add(at + "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name");
        for (int pid = 1000; pid < 1300; pid++) {
            lines.add(at + String.format("[%7d]     0 %5d    12345 %8d   114688        0             0 worker",
                    pid, pid, 10_000 + pid));
        }
        lines.add(at + String.format("[%7d]     0 %5d    12345 %8d   114688        0             0 java", 77, 77, 5));
        lines.add(at + "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,"
                + "task_memcg=/,task=java,pid=77,uid=0");
        lines.add(at + "Out of memory: Killed process 77 (java) total-vm:49380kB, anon-rss:20kB, file-rss:0kB, "
                + "shmem-rss:0kB, UID:0 pgtables:112kB oom_score_adj:0");

        KernelMemoryEvent event = kernelEvent(lines);

        assertThat(event.getLines()).hasSize(EventRecords.HEAD_LINES + EventRecords.TAIL_LINES);
        assertThat(event.getLines().get(0)).startsWith("java invoked oom-killer");
        assertThat(event.getLines()).last().asString().startsWith("Out of memory: Killed process 77 (java)");
        assertThat(event.getLinesOmitted()).isEqualTo(lines.size() - event.getLines().size());
        List<OomTableRow> rows = event.getOom().getTasks();
        assertThat(rows).hasSize(EventRecords.TABLE_ROWS + 1);
        assertThat(rows.get(0).getPid()).as("largest rss first").isEqualTo(1299);
        assertThat(rows.get(rows.size() - 1)).as("the small victim, added after the largest")
                .satisfies(r -> {
                    assertThat(r.getPid()).isEqualTo(77);
                    assertThat(r.getRssKb()).isEqualTo(20L);
                });
    }

    @Test
    void aRuntimeFailureCarriesItsFirstLineCut() throws IOException {
        String chain = "x".repeat(5000);
        List<NodeEvent> events = events("Oct 05 13:37:00 node-1 kubelet[123]: E1005 13:37:00.000000 123 "
                + "kuberuntime_sandbox.go:54] CreatePodSandbox for pod \"web-1_default(uid)\" failed: rpc error: "
                + "code = Unknown desc = failed to start sandbox container: " + chain);
        RuntimeFailureEvent failure = events.stream().filter(e -> e instanceof NodeEvent.Runtime)
                .map(e -> EventRecords.runtimeEvent(((NodeEvent.Runtime) e).failure())).findFirst().orElseThrow();
        assertThat(failure.getLine()).startsWith("E1005 13:37:00.000000 123 kuberuntime_sandbox.go:54] CreatePodSandbox")
                .hasSize(io.nodeincidents.runtime.RuntimeFailure.MAX_LINE_CHARS);
    }
}
