package io.nodeincidents.incident;

import static io.nodeincidents.incident.Seeds.MINUTE;
import static io.nodeincidents.incident.Seeds.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.events.EventJson;
import io.nodeincidents.events.EventRecords;
import io.nodeincidents.events.NodeEvent;
import io.nodeincidents.kernel.KernelReport;
import io.nodeincidents.kernel.KernelReportAssembler;
import io.nodeincidents.logs.LineRef;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.OomConstraint;
import io.nodeincidents.schemas.OomKill;
import io.nodeincidents.schemas.OomTaskGroup;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The OOM task table as evidence: seed 003 (RHEL 6, 2.6.32) killed mingetty (60 kB, score 1) while a thousand node
 * workers held the cgroup's memory. The reports go through the real decoder and event mapping.
 */
class OomTaskTableDiagnosisTest {

    private static final String HOST = "tdocker-1";
    /** "Jul 07 02:43:54 host ident: message" of a saved syslog; only the kernel's messages are kept. */
    private static final Pattern SYSLOG =
            Pattern.compile("^[A-Z][a-z]{2} \\d{2} [\\d:]{8} \\S+ ([^:\\[]+)(?:\\[\\d+\\])?: (.*)$");
    private static final long[] NODE_RSS_PAGES = {2157, 2033, 1836, 2030, 3474, 1894, 2051};
    private static final String KILL =
            "Memory cgroup out of memory: Kill process 15947 (init) score 1 or sacrifice child";
    private static final String KILLED = "Killed process 16944, UID 0, (mingetty) total-vm:4064kB, anon-rss:4kB,"
            + " file-rss:56kB";

    private final IncidentAggregator aggregator = new IncidentAggregator(IncidentSettings.defaults());

    @Test
    void seed003TableShowsTheKillMissedNodeAndSaysWhy() {
        List<String> report = new ArrayList<>(preamble());
        report.addAll(seed003Rows());
        report.add(KILL);
        report.add(KILLED);

        Incident incident = resolve(decode(report));

        assertThat(incident.getDiagnosis()).contains(
                "The OOM killer killed mingetty (pid 16944) because memory cgroup",
                "The victim had 60 kB resident;",
                "That kill missed the memory: mingetty held 0.10% of the 61 MiB resident in the task table (11 tasks)"
                        + " and under 0.01% of the cgroup's 8192 MiB usage.",
                "The memory was held by node: 7 tasks, 60 MiB (61900 kB) in total, the largest 13 MiB; then agent"
                        + " (1 task, 404 kB), agentPlugInD (1 task, 112 kB).",
                "On kernel 2.6.32-431.el6.x86_64 the OOM killer scores a task as its rss x 1000 / the pages the cgroup"
                        + " may use",
                "takes 30 off for root (CAP_SYS_ADMIN) and raises anything below 1 to 1: all 11 tasks in the table"
                        + " (each under 0.2% of the 8192 MiB limit) tied at 1; ties go to the first task scanned,"
                        + " so it selected init (pid 15947, score 1) and killed its child mingetty in its place.",
                "A 60 kB kill frees almost nothing, so the cgroup stays at its limit and the OOM killer runs again");
        List<String> steps = incident.getRemediation();
        assertThat(steps.get(0)).startsWith("Now: the memory is held by node (7 tasks, 60 MiB in the task table),"
                + " not by mingetty.");
        assertThat(steps).anySatisfy(s -> assertThat(s).contains("--pids-limit", "pids.max", "podPidsLimit",
                        "Kernel 2.6.32-431.el6.x86_64 has no pids controller (it arrived in 4.3)", "node workers"))
                .anySatisfy(s -> assertThat(s).contains("echo 500 > /proc/self/oom_score_adj", "node processes"))
                .anySatisfy(s -> assertThat(s).startsWith("Upgrade to 3.10 or later")
                        .contains("from 3.5 the OOM killer compares pages and kills the largest task"))
                .noneSatisfy(s -> assertThat(s).contains("Compare what the process really used"))
                .noneSatisfy(s -> assertThat(s).contains("-Xmx"));
    }

    @Test
    void analyzeEventsPrintsTheTableSummaryWithTheKill() {
        List<String> report = new ArrayList<>(preamble());
        report.addAll(seed003Rows());
        report.add(KILL);
        report.add(KILLED);

        String json = EventJson.line(new NodeEvent.Kernel(report(report)));

        assertThat(json).contains("\"victimComm\":\"mingetty\"", "\"victimRssKb\":60",
                "\"candidatePid\":15947", "\"candidateComm\":\"init\"", "\"candidateScore\":1",
                "\"taskCount\":11", "\"taskTableTruncated\":false", "\"tableRssKb\":62580",
                "\"topConsumers\":[{\"name\":\"node\",\"tasks\":7,\"rssKb\":61900,\"largestRssKb\":13896},",
                "\"largestTaskRssKb\":13896", "\"tasksOutweighingVictim\":8", "\"tasksAtScoreFloor\":11");
    }

    @Test
    void aThousandNodeWorkersAreCountedFromTheRowsKeptAndTheCutIsSaid() {
        List<String> report = new ArrayList<>(preamble());
        report.addAll(seed003Rows().subList(0, 5)); // header, init, mingetty, agent, agentPlugInD
        for (int i = 0; i < 1_280; i++) {
            report.add("[" + (40391 + i) + "] 30000 " + (40391 + i) + "   174693     "
                    + NODE_RSS_PAGES[i % NODE_RSS_PAGES.length] + "   2       0             0 node");
        }
        report.add(KILL);
        report.add(KILLED);

        KernelMemoryEvent event = decode(report);
        OomKill oom = event.getOom();
        assertThat(oom.getTaskTableTruncated()).isTrue();
        OomTaskGroup node = oom.getTopConsumers().get(0);
        assertThat(node.getName()).isEqualTo("node");
        assertThat(node.getTasks()).isEqualTo(oom.getTaskCount() - 4).isGreaterThan(300);
        Incident incident = resolve(event);

        assertThat(incident.getDiagnosis()).contains(
                "That kill missed the memory: mingetty held under 0.01% of the " + Sizes.kb(oom.getTableRssKb())
                        + " resident in the task table (at least " + oom.getTaskCount() + " tasks, the decoder kept"
                        + " only the first rows)",
                "The memory was held by node: " + node.getTasks() + " tasks, " + Sizes.kb(node.getRssKb()) + " ("
                        + node.getRssKb() + " kB) in total",
                oom.getTaskCount() + " tasks in the table (each under 0.2% of the 8192 MiB limit) tied at 1",
                "selected init (pid 15947, score 1) and killed its child mingetty in its place");
    }

    @Test
    void theTailAloneStillExplainsTheScoreOfOne() {
        // what `analyze` gets from seed 003's excerpt: the rows come before the kill lines without a header, so
        // the report starts at the kill and has no table
        Incident incident = resolve(decode(List.of(KILL, KILLED)));

        assertThat(incident.getDiagnosis()).contains(
                "The OOM killer selected init (pid 15947, score 1) and killed its child mingetty in its place.",
                "on kernels before 3.5 (RHEL/CentOS 6's 2.6.32 included) 1 is also the floor",
                "every task scored 1 and the first one scanned was taken, not the one holding the memory",
                "sum its rss column (4 kB pages) per task name");
        assertThat(incident.getRemediation())
                .anySatisfy(s -> assertThat(s).startsWith("Now: find what holds the memory."))
                .anySatisfy(s -> assertThat(s).contains("pids.max", "the pids controller needs kernel 4.3 or later"))
                .anySatisfy(s -> assertThat(s).contains("oom_score_adj"))
                .anySatisfy(s -> assertThat(s).startsWith("If the node's kernel (`uname -r`) is older than 3.5,"
                        + " upgrade to 3.10 or later (RHEL/CentOS 7 or newer): those kernels score tasks in per"
                        + " mille"));
    }

    @Test
    void seed004WhereTheVictimIsTheLargestTaskGetsNoneOfIt() {
        KernelMemoryEvent event = decode(resource("/kernel/seed-004-ubuntu-4.4-docker-memcg.log"));
        assertThat(event.getOom().getTaskCount()).isEqualTo(3);
        assertThat(event.getOom().getTasksOutweighingVictim()).isZero();

        Incident incident = resolve(event);

        assertNothingAboutAMisdirectedKill(incident);
        assertThat(incident.getDiagnosis()).contains("killed java (pid 26675)", "252 MiB resident (258308 kB)");
        assertThat(incident.getRemediation().get(0)).startsWith("Compare what the process really used");
    }

    @Test
    void aPlainOldKernelOomOfTheBiggestWorkerGetsNoneOfIt() {
        // same RHEL 6 kernel and cgroup, but one worker holds most of the limit: score 921, and it was killed
        List<String> report = new ArrayList<>(preamble());
        report.add("[ pid ]   uid  tgid total_vm      rss cpu oom_adj oom_score_adj name");
        report.add("[15947]     0 15947    29022       26   5       0             0 init");
        report.add("[40391] 30000 40391  2174693  1932000   2       0             0 node");
        report.add("[40392] 30000 40392   174693     2033   1       0             0 node");
        report.add("Memory cgroup out of memory: Kill process 40391 (node) score 921 or sacrifice child");
        report.add("Killed process 40391, UID 30000, (node) total-vm:8698772kB, anon-rss:7727000kB, file-rss:1000kB");

        Incident incident = resolve(decode(report));

        assertNothingAboutAMisdirectedKill(incident);
        assertThat(incident.getDiagnosis()).contains("killed node (pid 40391)");
    }

    @Test
    void aModernKernelKillingTheLargestOfManyEqualWorkersIsNotMisdirected() {
        KernelMemoryEvent.Builder event = Seeds.seed004MemcgOom("web-1", T0).setKernelVersion("5.15.0-91-generic");
        event.setOom(OomKill.newBuilder(event.getOom()).setVictimComm("worker").setVictimRssKb(8_300L)
                .setTaskCount(400).setTableRssKb(3_300_000L).setTasksOutweighingVictim(0)
                .setLargestTaskRssKb(8_300L).setTasksAtScoreFloor(400)
                .setTopConsumers(List.of(OomTaskGroup.newBuilder().setName("worker").setTasks(400)
                        .setRssKb(3_300_000L).setLargestRssKb(8_300L).build()))
                .build());

        assertNothingAboutAMisdirectedKill(resolve(event.build()));
    }

    @Test
    void aBystanderOnAnUnknownKernelGetsBothEraRules() {
        KernelMemoryEvent.Builder event = Seeds.seed004MemcgOom("web-2", T0).setKernelVersion(null);
        event.setOom(OomKill.newBuilder(event.getOom()).setConstraint(OomConstraint.MEMCG).setVictimComm("sshd")
                .setVictimPid(812).setVictimRssKb(900L).setMemoryUsageKb(null).setMemoryLimitKb(null)
                .setTaskCount(3).setTableRssKb(2_000_900L).setTasksOutweighingVictim(2)
                .setLargestTaskRssKb(1_500_000L).setTopConsumers(List.of(
                        OomTaskGroup.newBuilder().setName("python").setTasks(2).setRssKb(2_000_000L)
                                .setLargestRssKb(1_500_000L).build(),
                        OomTaskGroup.newBuilder().setName("sshd").setTasks(1).setRssKb(900L).setLargestRssKb(900L)
                                .build()))
                .build());

        Incident incident = resolve(event.build());

        assertThat(incident.getDiagnosis()).contains(
                "That kill missed the memory: sshd held 0.04% of the 1954 MiB resident in the task table (3 tasks).",
                "The memory was held by python: 2 tasks, 1953 MiB (2000000 kB) in total",
                "The report does not name the kernel. Before 3.5",
                "from 3.5 on it compares pages and takes the largest.");
    }

    @Test
    void onAPageScoringKernelASmallVictimIsPutDownToASacrificedChild() {
        KernelMemoryEvent.Builder event = Seeds.seed004MemcgOom("web-3", T0);
        event.setOom(OomKill.newBuilder(event.getOom()).setVictimComm("sshd").setVictimPid(812).setVictimRssKb(900L)
                .setCandidatePid(1).setCandidateComm("supervisord").setCandidateScore(0L)
                .setTaskCount(3).setTableRssKb(250_900L).setTasksOutweighingVictim(1).setLargestTaskRssKb(240_000L)
                .setTopConsumers(List.of(OomTaskGroup.newBuilder().setName("python").setTasks(1).setRssKb(240_000L)
                        .setLargestRssKb(240_000L).build()))
                .build());

        Incident incident = resolve(event.build());

        assertThat(incident.getDiagnosis()).contains(
                "That kill missed the memory: sshd held 0.36% of the 245 MiB resident in the task table (3 tasks)",
                "On kernel 4.4.0-28-generic the OOM killer compares tasks by pages (rss, page tables, swap) plus"
                        + " oom_score_adj and takes the largest",
                "(it selected supervisord (pid 1, score 0) and killed its child sshd in its place).")
                .doesNotContain("tied at", "30 off");
        assertThat(incident.getRemediation()).noneSatisfy(s -> assertThat(s).startsWith("Upgrade to 3.10"));
    }

    private static void assertNothingAboutAMisdirectedKill(Incident incident) {
        assertThat(incident.getDiagnosis()).doesNotContain("missed the memory", "was held by", "tied at", "floor",
                "scan");
        assertThat(incident.getRemediation()).noneSatisfy(s -> assertThat(s).containsAnyOf("pids", "oom_score_adj",
                "Now: the memory is held by"));
    }

    private Incident resolve(KernelMemoryEvent event) {
        HostIncidentState state = aggregator.onKernelEvent(null, event, event.getTimeMicros()).state();
        List<Incident> out = aggregator.onTime(state, event.getTimeMicros() + 30 * MINUTE).emitted();
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private static KernelMemoryEvent decode(List<String> messages) {
        return EventRecords.kernelEvent(report(messages));
    }

    private static KernelReport report(List<String> messages) {
        List<LogLine> lines = new ArrayList<>();
        for (String m : messages) {
            lines.add(new LogLine(HOST, "boot-1", T0, null, "kernel", "kernel", null, null, 4, m,
                    LineRef.fileLine("seed-003.log", lines.size() + 1)));
        }
        List<KernelReport> reports = new KernelReportAssembler().assembleAll(lines);
        assertThat(reports).isNotEmpty();
        return reports.get(0);
    }

    /** Seed 003's task table as printed (header and 11 rows), from the decoder fixture. */
    private static List<String> seed003Rows() {
        return resource("/kernel/seed-003-rhel6-memcg-tail.log").stream().filter(l -> l.startsWith("[")).toList();
    }

    /** The RHEL 6 report around seed 003 up to its task table: header, trace, usage 8 GiB of 8 GiB, Mem-Info. */
    private static List<String> preamble() {
        List<String> out = new ArrayList<>();
        for (String line : resource("/kernel/era-2.6-rhel6-memcg-full.log")) {
            if (line.startsWith("[ pid ]")) {
                break;
            }
            out.add(line);
        }
        return out;
    }

    private static List<String> resource(String name) {
        try (InputStream in = OomTaskTableDiagnosisTest.class.getResourceAsStream(name)) {
            List<String> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                Matcher syslog = SYSLOG.matcher(line);
                if (syslog.matches()) {
                    if (syslog.group(1).equals("kernel")) {
                        out.add(syslog.group(2));
                    }
                } else if (!line.isBlank() && !line.startsWith("##")) {
                    out.add(line);
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
