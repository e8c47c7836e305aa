package io.nodeincidents.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Genuine journal files for the shipper bench, written by Debian's {@code systemd-journal-remote} from the Journal
 * Export Format, with a node's usual mix: about 83% ordinary service lines (sshd, systemd, nginx, cron, an
 * application), 5% kernel, 7% kubelet, 4% dockerd, 1% containerd, each with the trusted fields journald adds
 * (about 550 bytes per entry as journalctl JSON).
 */
final class BenchJournal {

    static final Path JOURNAL_REMOTE = Path.of("/lib/systemd/systemd-journal-remote");
    private static final String BOOT_ID = "4f1c2b3a9d8e7f60a1b2c3d4e5f60718";
    /** Entries of the cached journal are 1 ms apart from here (2023-11-14). */
    static final long BASE_MICROS = 1_700_000_000_000_000L;

    private record Service(String identifier, String unit, String comm, String exe, String cmdline, String transport,
                           int uid, String[] messages) {
    }

    private static final Service SSHD = new Service("sshd", "ssh.service", "sshd", "/usr/sbin/sshd",
            "sshd: deploy [priv]", "syslog", 0, new String[] {
                "Accepted publickey for deploy from 10.20.%d.%d port %d ssh2: RSA SHA256:Zm9vYmFyYmF6cXV4cXV1eA",
                "pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=%d)",
                "Received disconnect from 10.20.%d.%d port %d:11: disconnected by user",
            });
    private static final Service SYSTEMD = new Service("systemd", "init.scope", "systemd", "/usr/lib/systemd/systemd",
            "/sbin/init", "journal", 0, new String[] {
                "Started Session %d of User deploy.",
                "Created slice libcontainer_%d_systemd_test_default.slice.",
                "run-containerd-runc-k8s.io-%d-runc.%d.mount: Deactivated successfully.",
            });
    private static final Service NGINX = new Service("nginx", "nginx.service", "nginx", "/usr/sbin/nginx",
            "nginx: worker process", "stdout", 33, new String[] {
                "10.1.%d.%d - - [14/Nov/2023:22:13:20 +0000] \"GET /api/v1/items?page=%d HTTP/1.1\" 200 5316 \"-\""
                        + " \"okhttp/4.9.3\"",
            });
    private static final Service CRON = new Service("CRON", "cron.service", "cron", "/usr/sbin/cron",
            "/usr/sbin/CRON -f", "syslog", 0, new String[] {
                "(root) CMD (/usr/lib/sysstat/debian-sa1 1 %d)",
                "pam_unix(cron:session): session closed for user root after %d.%d s",
            });
    private static final Service APP = new Service("orders", "orders.service", "java", "/usr/lib/jvm/bin/java",
            "/usr/lib/jvm/bin/java -Xmx2g -jar /opt/orders/orders.jar", "stdout", 1001, new String[] {
                "INFO  [2023-11-14 22:13:20,352] com.example.OrderService: processed order %d in %d ms (%d items)",
                "WARN  [2023-11-14 22:13:21,017] com.example.PaymentClient: retrying call %d after %d ms: timeout %d",
            });
    private static final Service KUBELET = new Service("kubelet", "kubelet.service", "kubelet", "/usr/bin/kubelet",
            "/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml", "stdout", 0, new String[] {
                "I1114 22:13:20.352386   %d kubelet.go:2430] \"SyncLoop (PLEG): event for pod\" pod=\"shop/web-7f9c"
                        + "-%d\" event={\"ID\":\"1a2b3c\",\"Type\":\"ContainerStarted\",\"Data\":\"%d\"}",
                "I1114 22:13:21.100001   %d prober.go:107] \"Probe succeeded\" probeType=\"Readiness\" pod=\"shop/api"
                        + "-5d8-%d\" containerName=\"api\" %d",
            });
    private static final Service DOCKERD = new Service("dockerd", "docker.service", "dockerd", "/usr/bin/dockerd",
            "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock", "stdout", 0, new String[] {
                "time=\"2023-11-14T22:13:20.288446233Z\" level=info msg=\"ignoring event\" container=%d%d"
                        + " module=libcontainerd namespace=moby topic=/tasks/delete type=%d",
            });
    private static final Service CONTAINERD = new Service("containerd", "containerd.service", "containerd",
            "/usr/bin/containerd", "/usr/bin/containerd", "stdout", 0, new String[] {
                "time=\"2023-11-14T22:13:20.1Z\" level=info msg=\"shim disconnected\" id=%d%d namespace=k8s.io %d",
            });
    private static final String[] KERNEL = {
        "IPv6: ADDRCONF(NETDEV_CHANGE): veth%d%d: link becomes ready %d",
        "cni0: port %d(veth%d) entered forwarding state %d",
        "EXT4-fs (dm-%d): mounted filesystem with ordered data mode. Opts: (null). Quota mode: none. %d %d",
        "nf_conntrack: default automatic helper assignment has been turned off for security reasons %d %d %d",
    };

    private BenchJournal() {
    }

    /** Which entries of the mix the default filter (kernel, kubelet, container runtimes) ships. */
    static boolean shippedByDefault(long n) {
        int slot = (int) Math.floorMod(n * 7919L, 100L);
        return slot < 17;
    }

    /** Writes entries {@code first .. first+count-1} of the mix in export format, realtime from {@code baseMicros}. */
    static void writeExport(OutputStream out, long first, int count, long baseMicros, Random random)
            throws IOException {
        StringBuilder sb = new StringBuilder(1024);
        for (long n = first; n < first + count; n++) {
            sb.setLength(0);
            long realtime = baseMicros + (n - first) * 1000;
            field(sb, "__REALTIME_TIMESTAMP", Long.toString(realtime));
            field(sb, "__MONOTONIC_TIMESTAMP", Long.toString(5_000_000_000L + realtime - BASE_MICROS));
            field(sb, "_BOOT_ID", BOOT_ID);
            field(sb, "_HOSTNAME", "node-a");
            int slot = (int) Math.floorMod(n * 7919L, 100L);
            if (slot < 5) {
                field(sb, "_TRANSPORT", "kernel");
                field(sb, "SYSLOG_IDENTIFIER", "kernel");
                field(sb, "SYSLOG_FACILITY", "0");
                field(sb, "PRIORITY", "6");
                field(sb, "_SOURCE_MONOTONIC_TIMESTAMP", Long.toString(5_000_000_000L + realtime - BASE_MICROS - 7));
                field(sb, "MESSAGE", format(KERNEL[random.nextInt(KERNEL.length)], random));
            } else {
                Service s = slot < 12 ? KUBELET : slot < 16 ? DOCKERD : slot < 17 ? CONTAINERD
                        : switch (slot % 5) {
                            case 0 -> SSHD;
                            case 1 -> SYSTEMD;
                            case 2 -> NGINX;
                            case 3 -> CRON;
                            default -> APP;
                        };
                field(sb, "_TRANSPORT", s.transport());
                field(sb, "SYSLOG_IDENTIFIER", s.identifier());
                field(sb, "PRIORITY", "6");
                field(sb, "_PID", Integer.toString(1000 + random.nextInt(30_000)));
                field(sb, "_UID", Integer.toString(s.uid()));
                field(sb, "_COMM", s.comm());
                field(sb, "_CMDLINE", s.cmdline());
                field(sb, "_SYSTEMD_CGROUP", "/system.slice/" + s.unit());
                field(sb, "_SYSTEMD_UNIT", s.unit());
                field(sb, "MESSAGE", format(s.messages()[random.nextInt(s.messages().length)], random));
            }
            sb.append('\n');
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append(name).append('=').append(value).append('\n');
    }

    private static String format(String template, Random random) {
        return String.format(template, random.nextInt(255), random.nextInt(255), 1024 + random.nextInt(60_000));
    }

    /**
     * Appends entries to {@code journalFile} (created if missing) through systemd-journal-remote, 1 ms apart from
     * {@code baseMicros}. Times must not go backwards across calls: systemd-journal-remote would rotate the file.
     */
    static void append(Path journalFile, long first, int count, long baseMicros, Random random)
            throws IOException, InterruptedException {
        Files.createDirectories(journalFile.getParent());
        Process p = new ProcessBuilder(JOURNAL_REMOTE.toString(), "-o", journalFile.toString(), "-")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        journalFile.resolveSibling("journal-remote.log").toFile()))
                .start();
        try (OutputStream out = new BufferedOutputStream(p.getOutputStream(), 1 << 16)) {
            writeExport(out, first, count, baseMicros, random);
        }
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("systemd-journal-remote failed writing " + journalFile);
        }
    }

    /**
     * The journal of {@code entries} entries under {@code dir}, built once and reused: the files journalctl should
     * read (systemd-journal-remote may rotate a large one).
     */
    static List<Path> cached(Path dir, int entries) throws IOException, InterruptedException {
        Path journalDir = dir.resolve("journal-" + entries);
        Path done = journalDir.resolve("complete");
        if (!Files.exists(done)) {
            if (Files.exists(journalDir)) {
                try (Stream<Path> old = Files.list(journalDir)) {
                    for (Path p : old.toList()) {
                        Files.delete(p);
                    }
                }
            }
            System.out.printf("building a %,d-entry journal in %s (once) ...%n", entries, journalDir);
            long t0 = System.nanoTime();
            append(journalDir.resolve("node-a.journal"), 0, entries, BASE_MICROS, new Random(42));
            Files.writeString(done, "");
            System.out.printf("  built in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        }
        try (Stream<Path> files = Files.list(journalDir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".journal")
                    || p.getFileName().toString().endsWith(".journal~")).sorted().toList();
        }
    }
}
