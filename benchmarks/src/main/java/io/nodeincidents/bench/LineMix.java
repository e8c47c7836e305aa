package io.nodeincidents.bench;

import io.nodeincidents.logs.LineRef;
import io.nodeincidents.logs.LogFileReader;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.logs.ReadOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A realistic journal for the decoders: about 99% ordinary lines (sshd, systemd, kubelet and dockerd info, nginx,
 * ordinary kernel messages, application noise) and 1% relevant ones, which are whole seed reports (an order-6
 * allocation failure with Mem-Info and buddy lists, a memcg OOM with its task table) and runtime/kubelet failures.
 */
final class LineMix {

    static final String[] NOISE = {
        "Accepted publickey for deploy from 10.20.3.4 port 53122 ssh2: RSA SHA256:Zm9vYmFyYmF6cXV4",
        "Started Session 4211 of user deploy.",
        "I0123 14:15:31.352386   26037 kubelet.go:1916] SyncLoop (PLEG): \"web-7f9c_shop(1a2b3c)\", event: &pleg.PodLifecycleEvent{ID:\"1a2b3c\", Type:\"ContainerStarted\"}",
        "I0123 14:15:32.100001   26037 prober.go:116] Readiness probe for \"api-5d8_shop(9f8e7d):api\" succeeded",
        "time=\"2019-01-23T14:15:31.288446233+08:00\" level=info msg=\"shim containerd-shim started\" address=/containerd-shim/moby/5b9be8c5/shim.sock debug=false pid=8812",
        "10.1.2.3 - - [23/Jan/2019:14:15:31 +0800] \"GET /api/v1/items?page=2 HTTP/1.1\" 200 5316 \"-\" \"okhttp/3.12.1\"",
        "IPv6: ADDRCONF(NETDEV_CHANGE): vethb81d9f3: link becomes ready",
        "docker0: port 3(vethb81d9f3) entered forwarding state",
        "EXT4-fs (dm-3): mounted filesystem with ordered data mode. Opts: (null)",
        "INFO  [2019-01-23 14:15:31,352] com.example.OrderService: processed order 88231 in 12 ms",
        "pam_unix(sshd:session): session opened for user deploy by (uid=0)",
        "Created slice libcontainer_8812_systemd_test_default.slice.",
        "E0123 14:15:33.000001   26037 summary.go:102] Failed to get system container stats for \"/system.slice/docker.service\": failed to get cgroup stats",
        "level=warning msg=\"Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.\"",
    };
    static final String[] IDENTIFIERS = {
        "sshd", "systemd", "kubelet", "kubelet", "dockerd", "nginx", "kernel", "kernel", "kernel", "java",
        "sshd", "systemd", "kubelet", "dockerd"
    };

    private LineMix() {
    }

    /** {@code total} lines over {@code hosts} hosts, relevant lines about 1% of them, in time order. */
    static List<LogLine> build(int total, int hosts, long seed) {
        List<List<LogLine>> relevant = List.of(read("mix/seed-000-kernel.log", "syslog"),
                read("mix/seed-004-kernel.log", "syslog"), read("mix/seed-002-runtime.log", "syslog"));
        Random random = new Random(seed);
        List<LogLine> lines = new ArrayList<>(total + 200);
        long time = 1_548_224_131_000_000L;
        int relevantBudget = total / 100;
        int relevantUsed = 0;
        while (lines.size() < total) {
            time += 1_000 + random.nextInt(2_000);
            String host = "node-" + random.nextInt(hosts);
            if (relevantUsed < relevantBudget && random.nextInt(100) == 0) {
                List<LogLine> block = relevant.get(random.nextInt(relevant.size()));
                for (LogLine line : block) {
                    lines.add(new LogLine(host, null, time, null, line.transport(), line.identifier(), line.unit(),
                            line.pid(), line.priority(), line.message(), line.ref()));
                }
                relevantUsed += block.size();
                continue;
            }
            int i = random.nextInt(NOISE.length);
            String identifier = IDENTIFIERS[i];
            boolean kernel = identifier.equals("kernel");
            // each daemon's own unit and process, as journald files them: the runtime's lines reach the classifier
            String unit = kernel ? null : identifier.equals("dockerd") ? "docker.service" : identifier + ".service";
            lines.add(new LogLine(host, null, time, null, kernel ? "kernel" : "syslog", identifier, unit,
                    kernel ? null : identifier, null, null, 1000 + i, 6, kernel ? 0 : 3, NOISE[i],
                    new LineRef(null, "bench", (long) lines.size())));
        }
        return lines.subList(0, total);
    }

    /** The lines of one of the mix's seed excerpts ({@code mix/seed-000-kernel.log}, ...), as read by replay. */
    static List<LogLine> read(String resource, String format) {
        try (InputStream in = LineMix.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            Path tmp = Files.createTempFile("mix", ".log");
            Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            List<LogLine> lines = new ArrayList<>();
            new LogFileReader().read(tmp, ReadOptions.defaults().withFormat(io.nodeincidents.logs.LogFormat.SYSLOG)
                    .withYear(2019), lines::add, rejected -> { });
            Files.delete(tmp);
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
