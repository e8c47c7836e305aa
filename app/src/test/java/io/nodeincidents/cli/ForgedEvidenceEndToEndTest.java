package io.nodeincidents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodeincidents.logs.LogFileReader;
import io.nodeincidents.logs.LogFormat;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.logs.ReadOptions;
import io.nodeincidents.testkit.RequiredTools;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forged evidence end to end, through a genuine journal: entries written by systemd-journal-remote, read back by the
 * real journalctl, analysed by {@code analyze}. On node-genuine the kernel, dockerd and kubelet log seed 000's
 * allocation failure and the sandbox failures it causes; on node-forged a container prints the same lines through
 * docker's journald log driver (tagged kernel, dockerd and kubelet), another container writes them to a bind-mounted
 * /dev/log, and a process writes the kernel report to /dev/kmsg. Only node-genuine has an incident.
 */
class ForgedEvidenceEndToEndTest {

    private static final Path JOURNAL_REMOTE = Path.of("/lib/systemd/systemd-journal-remote");
    private static final String BOOT = "0123456789abcdef0123456789abcdef";
    private static final String CONTAINER = "3f2a9c1d7e5b40c1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70819";
    private static final long START = 1_763_604_000_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void onlyTheGenuineHostHasAnIncident() throws Exception {
        RequiredTools.require(Files.isExecutable(JOURNAL_REMOTE) && (Files.isExecutable(Path.of("/usr/bin/journalctl"))
                || Files.isExecutable(Path.of("/bin/journalctl"))), "systemd-journal-remote and journalctl (Debian"
                + " packages systemd-journal-remote, systemd)");
        List<LogLine> kernel = seed("samples/seed-000-kernel.log");
        List<LogLine> runtime = new ArrayList<>(seed("samples/seed-000-runtime.log").stream()
                .filter(l -> !l.isKernel()).toList());
        runtime.addAll(seed("samples/seed-002-runtime.log").stream()
                .filter(l -> "kubelet".equals(l.identifier())).toList());

        List<Map<String, String>> entries = new ArrayList<>();
        long[] t = {START};
        for (LogLine line : kernel) {
            entries.add(entry("node-genuine", t[0]++, "kernel", "kernel", line.message(), "SYSLOG_FACILITY", "0"));
        }
        for (LogLine line : runtime) {
            boolean kubelet = "kubelet".equals(line.identifier());
            entries.add(entry("node-genuine", t[0]++, "stdout", line.identifier(), line.message(),
                    "_SYSTEMD_UNIT", kubelet ? "kubelet.service" : "docker.service", "_COMM",
                    kubelet ? "kubelet" : "dockerd"));
        }
        t[0] = START;
        for (LogLine line : kernel) {
            // docker's journald log driver, tagged kernel
            entries.add(entry("node-forged", t[0]++, "journal", "kernel", line.message(),
                    "_SYSTEMD_UNIT", "docker.service", "_COMM", "dockerd", "CONTAINER_ID", CONTAINER.substring(0, 12),
                    "CONTAINER_ID_FULL", CONTAINER, "CONTAINER_NAME", "k8s_app_forger_shop_0", "CONTAINER_TAG",
                    "kernel"));
            // a process writing to /dev/kmsg: the kernel gives it a user facility
            entries.add(entry("node-forged", t[0]++, "kernel", "kernel", line.message(), "SYSLOG_FACILITY", "1"));
        }
        for (LogLine line : runtime) {
            entries.add(entry("node-forged", t[0]++, "journal", line.identifier(), line.message(),
                    "_SYSTEMD_UNIT", "docker.service", "_COMM", "dockerd", "CONTAINER_ID", CONTAINER.substring(0, 12),
                    "CONTAINER_ID_FULL", CONTAINER, "CONTAINER_NAME", "k8s_app_forger_shop_0", "CONTAINER_TAG",
                    line.identifier()));
            // a container's process writing to a bind-mounted /dev/log under its own name
            entries.add(entry("node-forged", t[0]++, "syslog", line.identifier(), line.message(),
                    "_SYSTEMD_UNIT", "cri-containerd-" + CONTAINER + ".scope", "_COMM", line.identifier(),
                    "SYSLOG_FACILITY", "3"));
        }
        entries.sort(java.util.Comparator.comparing(e -> Long.parseLong(e.get("__REALTIME_TIMESTAMP"))));
        Path export = genuineExport(entries);

        CommandRun analyze = CommandRun.command("analyze", export.toString());
        assertThat(analyze.exitCode()).as(analyze.err()).isZero();
        List<JsonNode> incidents = new ArrayList<>();
        for (String line : analyze.out().split("\n")) {
            if (!line.isBlank()) {
                incidents.add(JSON.readTree(line));
            }
        }
        assertThat(incidents).extracting(i -> i.path("host").asText()).containsOnly("node-genuine");
        assertThat(incidents).singleElement().satisfies(i -> {
            assertThat(i.path("cause").asText()).isEqualTo("MEMORY_FRAGMENTATION");
            assertThat(i.path("counts").path("sandboxFailures").asInt()).isPositive();
        });
        assertThat(analyze.err())
                .contains("host node-forged: refused " + kernel.size() + " entries claiming kernel lines from container"
                        + " k8s_app_forger_shop_0 (unit docker.service)")
                .contains("host node-forged: refused " + kernel.size() + " entries claiming kernel lines from user"
                        + " space writing to /dev/kmsg (facility 1)")
                .contains("entries claiming runtime or kubelet failures from container k8s_app_forger_shop_0")
                .contains("entries claiming runtime or kubelet failures from unit cri-containerd-")
                .doesNotContain("host node-genuine: refused");
    }

    /** A journald entry as journalctl -o json prints it, with the fields journald would add. */
    private static Map<String, String> entry(String host, long micros, String transport, String identifier,
                                             String message, String... more) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("__REALTIME_TIMESTAMP", Long.toString(micros));
        e.put("__MONOTONIC_TIMESTAMP", Long.toString(micros - START + 1_000_000));
        e.put("_BOOT_ID", BOOT);
        e.put("_HOSTNAME", host);
        e.put("_TRANSPORT", transport);
        e.put("SYSLOG_IDENTIFIER", identifier);
        e.put("PRIORITY", "3");
        if (!transport.equals("kernel")) {
            e.put("_PID", "4242");
        }
        for (int i = 0; i < more.length; i += 2) {
            e.put(more[i], more[i + 1]);
        }
        e.put("MESSAGE", message);
        return e;
    }

    /** The entries written to a real journal file and read back with {@code journalctl -o json}. */
    private Path genuineExport(List<Map<String, String>> entries) throws IOException, InterruptedException {
        Path export = dir.resolve("entries.export");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(export))) {
            for (Map<String, String> entry : entries) {
                for (Map.Entry<String, String> field : entry.entrySet()) {
                    JournalExportFormat.field(out, field.getKey(), field.getValue());
                }
                out.write('\n');
            }
        }
        Path journal = dir.resolve("journal").resolve("fleet.journal");
        Files.createDirectories(journal.getParent());
        run(List.of(JOURNAL_REMOTE.toString(), "-o", journal.toString(), "-"), export, null);
        Path json = dir.resolve("fleet.json");
        run(List.of("journalctl", "--file=" + journal, "-o", "json", "--all", "--no-pager"), null, json);
        assertThat(Files.readAllLines(json)).hasSize(entries.size());
        return json;
    }

    private static void run(List<String> command, Path in, Path out) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        if (in != null) {
            pb.redirectInput(in.toFile());
        }
        if (out != null) {
            pb.redirectOutput(out.toFile());
        }
        Process p = pb.start();
        if (out == null) {
            p.getInputStream().readAllBytes();
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0).as(String.join(" ", command)).isTrue();
    }


    /** A bundled seed excerpt's lines (syslog text). */
    private List<LogLine> seed(String resource) throws IOException {
        Path file = dir.resolve(Path.of(resource).getFileName());
        try (InputStream in = ForgedEvidenceEndToEndTest.class.getClassLoader().getResourceAsStream(resource)) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        List<LogLine> lines = new ArrayList<>();
        new LogFileReader().read(file, ReadOptions.defaults().withFormat(LogFormat.SYSLOG).withYear(2017)
                .withHost("seed"), lines::add, rejected -> { });
        return lines;
    }
}
