package io.nodeincidents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code analyze} as a user runs it, on the seeds' real log excerpts. */
class AnalyzeCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Run(int exitCode, List<JsonNode> events, String out, String err) {
        Stream<JsonNode> kind(String kind) {
            return events.stream().filter(e -> e.path("kind").asText().equals(kind));
        }
    }

    private static Run analyze(String... args) {
        CommandRun run = CommandRun.command("analyze", args);
        List<JsonNode> events = new ArrayList<>();
        for (String line : run.out().split("\n")) {
            if (line.startsWith("{")) {
                try {
                    events.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return new Run(run.exitCode(), events, run.out(), run.err());
    }

    private static String fixture(String name) {
        try {
            return Path.of(AnalyzeCommandTest.class.getResource("/" + name).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void whichUnitsAreTheRuntimeAndTheKubeletIsASetting(@TempDir Path dir) throws IOException {
        // a journalctl -o json export of a node whose kubelet runs as acme-kubelet.service
        String failure = "E0123 14:15:31.352386   26037 remote_runtime.go:91] RunPodSandbox from runtime service"
                + " failed: rpc error: code = 2 desc = failed to start sandbox container for pod \"web-1\": Error"
                + " response from daemon: oci runtime error: container_linux.go:247: starting container process"
                + " caused \"process_linux.go:245: running exec setns process for init caused \\\"exit status 6\\\"\"";
        Map<String, String> entry = new java.util.LinkedHashMap<>();
        entry.put("__REALTIME_TIMESTAMP", "1548224131352386");
        entry.put("__CURSOR", "s=1;i=1;b=0123456789abcdef0123456789abcdef");
        entry.put("_BOOT_ID", "0123456789abcdef0123456789abcdef");
        entry.put("_HOSTNAME", "dc05");
        entry.put("_TRANSPORT", "stdout");
        entry.put("SYSLOG_IDENTIFIER", "kubelet");
        entry.put("_SYSTEMD_UNIT", "acme-kubelet.service");
        entry.put("_COMM", "kubelet");
        entry.put("MESSAGE", failure);
        Path export = dir.resolve("dc05.json");
        Files.writeString(export, JSON.writeValueAsString(entry) + "\n");

        Run defaults = analyze("--events", export.toString());
        assertThat(defaults.exitCode()).isZero();
        assertThat(defaults.kind("SANDBOX_FAILURE")).isEmpty();
        assertThat(defaults.err()).contains("host dc05: refused 1 entries claiming runtime or kubelet failures from"
                + " unit acme-kubelet.service, process kubelet, transport stdout", "1 entries refused");

        Run configured = analyze("--events", "-X", "trust.runtime.units=acme-kubelet.service", export.toString());
        assertThat(configured.exitCode()).as(configured.err()).isZero();
        assertThat(configured.kind("SANDBOX_FAILURE")).hasSize(1);
        assertThat(configured.err()).contains("0 entries refused");

        Run typo = analyze("--events", "-X", "trust.runtime.unit=acme-kubelet.service", export.toString());
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.err().strip()).isEqualTo("analyze: unknown setting trust.runtime.unit (correlate --help lists"
                + " them)");
    }

    @Test
    void seed000ShowsFragmentationInNfConntrackNotExhaustion() {
        Run run = analyze("--events", "--year", "2017", fixture("kernel/seed-000-centos7-order6-conntrack.log"));

        assertThat(run.exitCode()).isZero();
        JsonNode alloc = run.kind("ALLOC_FAILURE").findFirst().orElseThrow();
        assertThat(alloc.path("host").asText()).isEqualTo("slave-138");
        assertThat(alloc.path("order").asInt()).isEqualTo(6);
        assertThat(alloc.path("gfpMask").asText()).isEqualTo("0x10c0d0");
        assertThat(alloc.path("kernelVersion").asText()).isEqualTo("3.10.0-514.el7.x86_64");
        assertThat(alloc.path("largestFreeOrder").path("Normal").asInt()).as("no free block above order 5").isEqualTo(5);
        assertThat(alloc.path("verdict").asText()).isEqualTo("FRAGMENTATION");
        assertThat(alloc.path("callTrace").toString()).contains("nf_conntrack_init_net", "copy_net_ns");
        assertThat(alloc.path("pointsAt").asText()).isEqualTo("NETNS_CONNTRACK_CACHE");
        JsonNode normal = null;
        for (JsonNode zone : alloc.path("zones")) {
            if (zone.path("zone").asText().equals("Normal")) {
                normal = zone;
            }
        }
        assertThat(normal).isNotNull();
        assertThat(normal.path("freeKb").asLong()).as("~300 MB free in Normal").isEqualTo(311184L);
        assertThat(normal.path("freeKb").asLong()).isGreaterThan(normal.path("highKb").asLong());

        JsonNode slab = run.kind("SLAB_FAILURE").findFirst().orElseThrow();
        assertThat(slab.path("cache").asText()).isEqualTo("nf_conntrack_ffff8803eef66180");
        assertThat(slab.path("errorCode").asInt()).isEqualTo(-12);
    }

    @Test
    void aDmesgPasteWithoutTimesStillResolvesItsIncident() {
        // dmesg's [seconds since boot] is no wall-clock time: the report completes only when time runs out at the
        // end of the input, and its incident must still resolve and be printed
        Run run = analyze(Path.of("../corpus/kernel-alloc/qemu-5.10-order2-curl-dmesg-after-module-lines.log")
                .toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.events()).hasSize(1);
        assertThat(run.events().get(0).path("status").asText()).isEqualTo("RESOLVED");
        assertThat(run.events().get(0).path("cause").asText()).isEqualTo("HIGH_ORDER_ALLOCATION_FAILURE");
        assertThat(run.err()).doesNotContain("did not resolve");
    }

    @Test
    void seed002SandboxFailureIsOneMemoryRelatedFailureOfThePod() {
        Run run = analyze("--events", "--year", "2019", fixture("runtime/seed-002-dc05.log"));

        assertThat(run.exitCode()).isZero();
        List<JsonNode> sandbox = run.kind("SANDBOX_FAILURE").toList();
        assertThat(sandbox).as("kubelet prints four lines for one failure").hasSize(1);
        assertThat(sandbox.get(0).path("pod").asText()).isEqualTo("matchdataserver-1255064836-t4b2w");
        assertThat(sandbox.get(0).path("namespace").asText()).isEqualTo("basic");
        assertThat(sandbox.get(0).path("podUid").asText()).isEqualTo("485fd485-1ed6-11e9-8661-0a587f8021ea");
        assertThat(sandbox.get(0).path("memoryRelated").asBoolean()).isTrue();
        assertThat(run.kind("CONTAINER_START_FAILURE"))
                .allSatisfy(e -> assertThat(e.path("memoryRelated").asBoolean()).isTrue());
    }

    @Test
    void seed004VictimRssIsReportedInKilobytesNotPages() {
        Run run = analyze("--events", "--year", "2016", fixture("kernel/seed-004-ubuntu-4.4-docker-memcg.log"));

        JsonNode oom = run.kind("OOM_KILL").findFirst().orElseThrow();
        assertThat(oom.path("constraint").asText()).isEqualTo("MEMCG");
        assertThat(oom.path("victimPid").asInt()).isEqualTo(26675);
        assertThat(oom.path("victimComm").asText()).isEqualTo("java");
        // 64577 pages in the task table = 258308 kB = ~252 MiB, not 64 MB
        assertThat(oom.path("victimRssKb").asLong()).isEqualTo(258_308L);
        assertThat(oom.path("memoryLimitKb").asLong()).isEqualTo(262_144L);
        assertThat(oom.path("containerId").asText()).startsWith("0ead341e639c");
    }

    @Test
    void seed003ReportsTheKilledProcessNotTheCandidate() {
        Run run = analyze("--events", "--host", "tdocker-1", fixture("kernel/seed-003-rhel6-memcg-tail.log"));

        assertThat(run.exitCode()).isZero();
        assertThat(run.kind("OOM_KILL").map(e -> e.path("victimPid").asInt())).contains(16944)
                .doesNotContain(15947);
    }

    @Test
    void seed003IncidentExplainsTheMisdirectedKillFromItsTaskTable() {
        Run run = analyze("--host", "tdocker-1", fixture("kernel/seed-003-rhel6-memcg-tail.log"));

        assertThat(run.exitCode()).isZero();
        assertThat(run.events()).singleElement().satisfies(incident -> {
            assertThat(incident.path("cause").asText()).isEqualTo("CGROUP_OOM");
            assertThat(incident.path("diagnosis").asText())
                    .contains("killed mingetty (pid 16944)")
                    .contains("That kill missed the memory: mingetty held 0.10% of the 61 MiB resident in the task"
                            + " table (11 tasks)")
                    .contains("The memory was held by node: 7 tasks, 60 MiB (61900 kB)")
                    .contains("selected init (pid 15947, score 1)")
                    .contains("all 11 tasks in the table tied at 1");
            assertThat(incident.path("remediation").toString()).contains("pids").contains("oom_score_adj")
                    .contains("3.10");
        });
    }

    @Test
    void lookAlikesPrintNothingMemoryRelated(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("negatives.log");
        Files.writeString(log, String.join("\n",
                "Jan 23 14:15:31 node-9 kubelet: E0123 14:15:31.352386 26037 remote_runtime.go:91] RunPodSandbox from"
                        + " runtime service failed: rpc error: code = Unknown desc = failed to set up sandbox container"
                        + " network for pod \"web-1\": NetworkPlugin cni failed: network plugin is not ready: cni config"
                        + " uninitialized",
                "Jan 23 14:15:32 node-9 kubelet: E0123 14:15:32.000001 26037 pod_workers.go:190] Error syncing pod"
                        + " 1a2b (\"web-2_shop(1a2b)\"), skipping: failed to \"StartContainer\" for \"web\" with"
                        + " ErrImagePull: \"rpc error: code = Unknown desc = Error response from daemon: pull access"
                        + " denied for nosuch\"",
                "Jan 23 14:15:33 node-9 java: ERROR cache: page allocation failure in pool, retrying",
                "Jan 23 14:15:34 node-9 kernel: nf_conntrack: table full, dropping packet",
                "Jan 23 14:15:35 node-9 sshd[812]: Accepted publickey for ops from 10.0.0.9 port 53122",
                "Jan 23 14:15:36 node-9 dockerd: time=\"2019-01-23T14:15:36Z\" level=error msg=\"Handler for POST"
                        + " /v1.24/containers/abc/start returned error: mkdir /var/lib/docker/overlay2/abc/merged: no"
                        + " space left on device\"",
                ""));

        Run run = analyze("--events", "--year", "2019", log.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.events()).noneMatch(e -> e.path("source").asText().equals("kernel"));
        assertThat(run.events()).noneMatch(e -> e.path("memoryRelated").asBoolean());
    }

    @Test
    void textOutputIsOneReadableLinePerEvent() {
        Run run = analyze("--events", "--output", "text", "--year", "2016",
                fixture("kernel/seed-004-ubuntu-4.4-docker-memcg.log"));
        assertThat(run.out()).contains("ip-10-1-2-125 kernel OOM_KILL").contains("java pid 26675")
                .contains("258308 kB");
    }

    @Test
    void withoutEventsItPrintsTheIncidentTheCorrelatorWouldEmit() {
        Run run = analyze("--year", "2016", fixture("kernel/seed-004-ubuntu-4.4-docker-memcg.log"));

        assertThat(run.exitCode()).isZero();
        assertThat(run.events()).singleElement().satisfies(incident -> {
            assertThat(incident.path("cause").asText()).isEqualTo("CGROUP_OOM");
            assertThat(incident.path("host").asText()).isEqualTo("ip-10-1-2-125");
            assertThat(incident.path("status").asText()).as("the offline run ends the episode").isEqualTo("RESOLVED");
            assertThat(incident.path("diagnosis").asText()).contains("252 MiB").contains("64577 pages");
        });

        Run text = analyze("--output", "text", "--year", "2016", fixture("kernel/seed-004-ubuntu-4.4-docker-memcg.log"));
        assertThat(text.out()).contains("RESOLVED HIGH CGROUP_OOM on ip-10-1-2-125").contains("killed java (pid 26675)");
    }

    @Test
    void unusableInputExitsWith2AndOneLineReason(@TempDir Path dir) throws IOException {
        Run missing = analyze("--events", dir.resolve("nope.log").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.log").contains("no such file");

        Run badFormat = analyze("--format", "xml", fixture("runtime/seed-002-dc05.log"));
        assertThat(badFormat.exitCode()).isEqualTo(2);
        assertThat(badFormat.err()).contains("unknown format 'xml'");

        Path binary = dir.resolve("core.bin");
        byte[] junk = new byte[4096];
        new java.util.Random(7).nextBytes(junk);
        Files.write(binary, junk);
        Run bin = analyze(binary.toString());
        assertThat(bin.exitCode()).isEqualTo(2);
        assertThat(bin.err().strip().lines()).hasSize(1);
    }

    @Test
    void aHostlessDmesgTCaptureIsAnalysedAsHostUnknownAndSaysSo(@TempDir Path dir) throws IOException {
        Path capture = Files.writeString(dir.resolve("dmesg-T.txt"), """
                [Tue Nov 12 15:15:41 2017] exe: page allocation failure: order:6, mode:0x10c0d0
                [Tue Nov 12 15:15:41 2017] CPU: 1 PID: 18377 Comm: exe Not tainted 3.10.0-514.el7.x86_64 #1
                [Tue Nov 12 15:15:41 2017] Call Trace:
                [Tue Nov 12 15:15:41 2017]  [<ffffffff8168863d>] dump_stack+0x19/0x1b
                [Tue Nov 12 15:15:41 2017]  [<ffffffff81186ba0>] warn_alloc_failed+0x110/0x180
                [Tue Nov 12 15:15:41 2017]  [<ffffffffa0396a21>] nf_conntrack_init_net+0x101/0x250 [nf_conntrack]
                [Tue Nov 12 15:15:41 2017] kmem_cache_create(nf_conntrack_ffff8803eef66180) failed with error -12
                """);
        Run run = analyze("--events", capture.toString());
        assertThat(run.exitCode()).isZero();
        assertThat(run.kind("ALLOC_FAILURE")).singleElement().satisfies(e -> {
            assertThat(e.path("host").asText()).isEqualTo("unknown");
            assertThat(e.path("order").asInt()).isEqualTo(6);
            assertThat(e.path("pid").asInt()).isEqualTo(18377);
        });
        assertThat(run.err()).contains(capture + " names no host").contains("'unknown'").contains("--host");

        Run named = analyze("--events", "--host", "slave-138", capture.toString());
        assertThat(named.kind("ALLOC_FAILURE")).singleElement()
                .satisfies(e -> assertThat(e.path("host").asText()).isEqualTo("slave-138"));
        assertThat(named.err()).doesNotContain("names no host");
    }

    @Test
    void incidentIdsDependOnWhatHappenedNotOnTheFileNameOrLineNumbers(@TempDir Path dir) throws IOException {
        Path original = Path.of(fixture("kernel/seed-000-centos7-order6-conntrack.log"));
        Path renamed = Files.copy(original, dir.resolve("messages-20171112"));
        Path prepended = dir.resolve("ticket-4711.txt");
        Files.writeString(prepended, "Nov 12 15:15:30 slave-138 sshd[99]: Accepted publickey for root\n"
                + Files.readString(original));
        List<String> ids = new ArrayList<>();
        for (Path copy : List.of(original, renamed, prepended)) {
            Run run = analyze("--year", "2017", "--host", "slave-138", copy.toString());
            assertThat(run.exitCode()).isZero();
            assertThat(run.events()).isNotEmpty();
            ids.add(run.events().stream().map(e -> e.path("incidentId").asText()).toList().toString());
        }
        assertThat(ids.get(0)).isNotEqualTo("[]");
        assertThat(ids).containsOnly(ids.get(0));
    }

    @Test
    void standardInputIsReadWithADash() throws IOException {
        java.io.InputStream stdin = System.in;
        try {
            System.setIn(Files.newInputStream(Path.of(fixture("kernel/seed-004-ubuntu-4.4-docker-memcg.log"))));
            Run run = analyze("--events", "-");
            assertThat(run.exitCode()).isZero();
            assertThat(run.kind("OOM_KILL")).singleElement()
                    .satisfies(e -> assertThat(e.path("victimPid").asInt()).isEqualTo(26675));
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void aDirectoryOrABinaryFileWithAnExplicitFormatIsRefusedWithExit2(@TempDir Path dir) throws IOException {
        Run directory = analyze("--events", dir.toString());
        assertThat(directory.exitCode()).isEqualTo(2);
        assertThat(directory.err().strip().lines()).singleElement().asString().contains("is a directory");

        byte[] junk = new byte[8192];
        new java.util.Random(3).nextBytes(junk);
        Path binary = Files.write(dir.resolve("core"), junk);
        Run explicit = analyze("--events", "--format", "syslog", "--host", "h", binary.toString());
        assertThat(explicit.exitCode()).isEqualTo(2);
        assertThat(explicit.err()).contains("does not look like a text log");
    }

    @Test
    void aTruncatedGzipIsNamedAndWhatWasReadIsStillAnalysed(@TempDir Path dir) throws IOException {
        byte[] log = Files.readAllBytes(Path.of(fixture("kernel/seed-004-ubuntu-4.4-docker-memcg.log")));
        java.io.ByteArrayOutputStream packed = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(packed)) {
            gz.write(log);
            for (int i = 0; i < 3000; i++) {
                gz.write(("Jul 13 09:00:" + String.format("%02d", i % 60) + " ip-10-1-2-125 sshd[1]: session " + i
                        + " " + Integer.toHexString(i * 7919) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        byte[] whole = packed.toByteArray();
        Path gz = Files.write(dir.resolve("syslog.2.gz"), java.util.Arrays.copyOf(whole, whole.length - 2000));
        Run run = analyze("--events", "--year", "2016", gz.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains(gz.toString()).contains("truncated or corrupt");
        assertThat(run.kind("OOM_KILL")).hasSize(1);
    }

    @Test
    void operatorRulesExtendTheBundledOnesAndABadRuleIsNamed(@TempDir Path dir) throws IOException {
        Path log = Files.writeString(dir.resolve("youki.log"),
                "Nov 12 15:15:41 node-7 youki[311]: container init failed: cannot allocate memory for rootfs\n");
        assertThat(analyze("--events", log.toString()).events()).isEmpty();

        Path rules = Files.writeString(dir.resolve("rules.json"), """
                {"rules": [{"name": "youki-init", "kind": "CONTAINER_START_FAILURE",
                            "contains": ["container init failed"]}]}
                """);
        Run extended = analyze("--events", "--rules", rules.toString(), log.toString());
        assertThat(extended.kind("CONTAINER_START_FAILURE")).singleElement()
                .satisfies(e -> assertThat(e.path("memoryRelated").asBoolean()).isTrue());

        Path bad = Files.writeString(dir.resolve("bad.json"), """
                {"rules": [{"name": "broken", "kind": "CONTAINER_START_FAILURE", "contains": ["x"], "regex": "(unclosed"}]}
                """);
        Run refused = analyze("--events", "--rules", bad.toString(), log.toString());
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err().strip().lines()).singleElement().asString().contains(bad.toString())
                .contains("\"broken\"").contains("regex");
    }

    @Test
    void aRuntimeLineWithoutATimeNeverCrashesTheMerge(@TempDir Path dir) throws IOException {
        // the kubelet's lines for one failure, one pasted without its syslog prefix: no time on it
        Path log = Files.writeString(dir.resolve("mixed.log"), """
                E1106 09:58:48.855639     558 kuberuntime_sandbox.go:54] CreatePodSandbox for pod "web-1_prod(2ffdece1-c2d0-11e7-98cb-005056008ce3)" failed: rpc error: code = Unknown desc = failed to start sandbox container for pod "web-1": cannot allocate memory
                Nov 06 09:58:48 node-3 kubelet[558]: E1106 09:58:48.855652     558 kuberuntime_manager.go:632] createPodSandbox for pod "web-1_prod(2ffdece1-c2d0-11e7-98cb-005056008ce3)" failed: rpc error: code = Unknown desc = failed to start sandbox container for pod "web-1": cannot allocate memory
                """);
        Run run = analyze("--events", "--year", "2017", log.toString());
        assertThat(run.exitCode()).isZero();
        assertThat(run.kind("SANDBOX_FAILURE")).isNotEmpty()
                .allSatisfy(e -> assertThat(e.path("pod").asText()).isEqualTo("web-1"));
    }
}
