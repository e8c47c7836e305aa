package io.nodeincidents.kernel.oom;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.kernel.KernelReport;
import io.nodeincidents.kernel.KernelReportAssembler;
import io.nodeincidents.kernel.OomKillReport;
import io.nodeincidents.logs.LineRef;
import io.nodeincidents.logs.LogLine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the task table says about who held the memory, on seed 003 (RHEL 6, 1,000+ node workers) and plain OOMs. */
class TaskTableSummaryTest {

    /** rss pages of seed 003's node rows, as printed; the reproduction forked 1,280 such workers. */
    private static final long[] NODE_RSS_PAGES = {2157, 2033, 1836, 2030, 3474, 1894, 2051};
    private static final int NODE_WORKERS = 1_280;
    private static final long LIMIT_KB = 8L * 1024 * 1024;
    private static final OomVictim MINGETTY = new OomVictim(16944, "mingetty", 0L, 4064L, 4L, 56L, null, 60L,
            OomVictim.RssSource.KILLED_LINE, 60L);

    @Test
    void seed003TableNamesNodeAsTheConsumerAndTheVictimAsABystander() {
        OomTaskTable table = new OomTaskTable();
        for (String line : seed003TableLines()) {
            table.accept(line);
        }
        List<OomTask> rows = table.rows();
        assertThat(rows).hasSize(11);

        TaskTableSummary s = TaskTableSummary.of(rows, false, MINGETTY, LIMIT_KB);

        assertThat(s.tasks()).isEqualTo(11);
        // the rss column is pages: 26+15+101+28 + 2157+2033+1836+2030+3474+1894+2051 = 15645 pages = 62580 kB
        assertThat(s.rssKb()).isEqualTo(62_580L);
        assertThat(s.groups().get(0)).isEqualTo(new TaskTableSummary.Group("node", 7, 15_475L * 4, 3_474L * 4));
        assertThat(s.largest().pid()).isEqualTo(40395);
        assertThat(s.victimRssKb()).isEqualTo(60L);
        assertThat(s.victimShare()).isBetween(0.0009, 0.001);
        // twice mingetty's 15 pages is 30: agent and the seven node rows, not init (26) or agentPlugInD (28)
        assertThat(s.outweighingVictim()).isEqualTo(8);
        // an 8 GiB limit is 2097152 pages: 0.2% is 4194 pages, more than any row holds
        assertThat(s.limitPages()).isEqualTo(2_097_152L);
        assertThat(s.tasksAtFloor()).isEqualTo(11);
    }

    @Test
    void aThousandWorkerReportKeepsTheFirstRowsAndSaysTheTableWasCut() {
        List<LogLine> lines = new ArrayList<>();
        for (String text : fullReportPreamble()) {
            lines.add(line(text, lines.size() + 1));
        }
        lines.add(line("[ pid ]   uid  tgid total_vm      rss cpu oom_adj oom_score_adj name", lines.size() + 1));
        lines.add(line("[15947]     0 15947    29022       26   5       0             0 init", lines.size() + 1));
        lines.add(line("[16944]     0 16944     1016       15   5       0             0 mingetty", lines.size() + 1));
        lines.add(line("[19813]     0 19813    42155      101   0       0             0 agent", lines.size() + 1));
        for (int i = 0; i < NODE_WORKERS; i++) {
            lines.add(line("[" + (40391 + i) + "] 30000 " + (40391 + i) + "   174693     "
                    + NODE_RSS_PAGES[i % NODE_RSS_PAGES.length] + "   2       0             0 node", lines.size() + 1));
        }
        lines.add(line("Memory cgroup out of memory: Kill process 15947 (init) score 1 or sacrifice child",
                lines.size() + 1));
        lines.add(line("Killed process 16944, UID 0, (mingetty) total-vm:4064kB, anon-rss:4kB, file-rss:56kB",
                lines.size() + 1));

        List<KernelReport> reports = new KernelReportAssembler().assembleAll(lines);
        OomKillReport kill = (OomKillReport) reports.get(0);
        TaskTableSummary s = TaskTableSummary.of(kill);

        // the assembler keeps 400 lines and counts the rest: most of the 1,283 rows are not there to sum
        assertThat(kill.context().lineCount()).isEqualTo(lines.size());
        assertThat(kill.tasks()).hasSizeBetween(300, 399);
        assertThat(s.truncated()).isTrue();
        assertThat(s.tasks()).isEqualTo(kill.tasks().size());
        TaskTableSummary.Group node = s.groups().get(0);
        assertThat(node.name()).isEqualTo("node");
        assertThat(node.tasks()).isEqualTo(s.tasks() - 3);
        assertThat(node.rssKb()).isGreaterThan(2_000_000L); // ~2 GiB in the kept rows alone
        assertThat(s.victimRssKb()).isEqualTo(60L);
        assertThat(s.victimShare()).isLessThan(0.0001);
        assertThat(s.tasksAtFloor()).isEqualTo(s.tasks());
    }

    @Test
    void aPlainOomWhereTheVictimIsTheLargestTaskHasNothingOutweighingIt() {
        List<OomTask> rows = List.of(
                new OomTask(26632, 0L, 26632L, 1111L, 188L, 0, "sh"),
                new OomTask(26658, 0L, 26658L, 1111L, 196L, 0, "run.sh"),
                new OomTask(26675, 0L, 26675L, 688639L, 64577L, 0, "java"));
        OomVictim java = new OomVictim(26675, "java", null, 2754556L, 258308L, 0L, null, 258308L,
                OomVictim.RssSource.KILLED_LINE, 258308L);

        TaskTableSummary s = TaskTableSummary.of(rows, false, java, 262_144L);

        assertThat(s.outweighingVictim()).isZero();
        assertThat(s.largest().name()).isEqualTo("java");
        assertThat(s.victimShare()).isGreaterThan(0.99);
        assertThat(s.groups().get(0).name()).isEqualTo("java");
        // 64577 pages of a 65536-page limit scores 985, the shells 2 each: nobody at the floor
        assertThat(s.tasksAtFloor()).isZero();
    }

    @Test
    void betterProtectedAndUnkillableTasksDoNotCountAgainstTheChoice() {
        List<OomTask> rows = List.of(
                new OomTask(1, 0L, 1L, 1000L, 10L, 1000, "besteffort"),
                new OomTask(2, 0L, 2L, 100000L, 50000L, -998, "guaranteed"),
                new OomTask(3, 0L, 3L, 100000L, 50000L, -1000, "unkillable"));
        OomVictim v = new OomVictim(1, "besteffort", null, null, null, null, null, null, OomVictim.RssSource.UNKNOWN,
                40L);

        TaskTableSummary s = TaskTableSummary.of(rows, false, v, null);

        assertThat(s.victimRssKb()).isEqualTo(40L);
        assertThat(s.outweighingVictim()).isZero();
        assertThat(s.tasksAtFloor()).isNull(); // no limit: no per-mille score
        assertThat(TaskTableSummary.perMille(rows.get(1), 262_144L)).isEqualTo(190 - 998);
    }

    @Test
    void noTableNoVictim() {
        TaskTableSummary s = TaskTableSummary.of(List.of(), false, null, LIMIT_KB);

        assertThat(s.tasks()).isZero();
        assertThat(s.groups()).isEmpty();
        assertThat(s.largest()).isNull();
        assertThat(s.victimShare()).isNull();
        assertThat(s.tasksAtFloor()).isZero();
    }

    private static List<String> seed003TableLines() {
        List<String> out = new ArrayList<>();
        for (String line : resource("/kernel/seed-003-rhel6-memcg-tail.log")) {
            if (line.startsWith("[")) {
                out.add(line);
            }
        }
        return out;
    }

    /** The RHEL 6 report around seed 003 up to its task table: header, trace, usage, Mem-Info. */
    private static List<String> fullReportPreamble() {
        List<String> out = new ArrayList<>();
        for (String line : resource("/kernel/era-2.6-rhel6-memcg-full.log")) {
            if (line.startsWith("[ pid ]")) {
                break;
            }
            if (!line.isBlank() && !line.startsWith("##")) {
                out.add(line);
            }
        }
        return out;
    }

    private static List<String> resource(String name) {
        try (InputStream in = TaskTableSummaryTest.class.getResourceAsStream(name)) {
            return List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static LogLine line(String message, int number) {
        return new LogLine("tdocker-1", "boot-1", null, 1_000_000L, "kernel", "kernel", null, null, 4, message,
                LineRef.fileLine("seed-003-full.log", number));
    }
}
