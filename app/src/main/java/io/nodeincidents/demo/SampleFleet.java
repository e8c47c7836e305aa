package io.nodeincidents.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodeincidents.logs.LogFileReader;
import io.nodeincidents.logs.LogFormat;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.logs.ReadOptions;
import io.nodeincidents.nodememory.BuddyInfoFile;
import io.nodeincidents.schemas.NodeMemorySample;
import io.nodeincidents.schemas.ZoneState;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The demo's fleet: journals of several hosts in {@code journalctl -o json} form, built from the seeds' real log
 * excerpts (bundled under {@code samples/}) and re-timed to one night, with plenty of ordinary noise around them.
 *
 * <ul>
 *   <li>{@code slave-138}, {@code slave-139}, {@code slave-141} (CentOS 7, 3.10.0-514): the order-6 page
 *       allocation failure in {@code nf_conntrack_init_net} with its kmem_cache_create failure, dockerd's
 *       {@code exit status 6} and kubelet pod sandbox failures, a few minutes apart: fragmentation on three hosts,
 *       a fleet-wide problem.</li>
 *   <li>{@code ip-10-1-2-125} (Ubuntu, 4.4.0-28): a memcg OOM kill of a JVM.</li>
 *   <li>{@code node-quiet-07}: ordinary noise only.</li>
 *   <li>{@code node-lookalike-12}: look-alikes that must not become incidents: CNI not ready, image pulls, an
 *       application saying "page allocation failure", a full conntrack table, a user-namespace setns error, a full
 *       disk; and a container whose output (docker's journald log driver) forges seed 000's kernel report and
 *       kubelet's sandbox failures.</li>
 * </ul>
 *
 * Deterministic: the same files every time, so {@code analyze} and the streaming app can be compared on them.
 */
public final class SampleFleet {

    /** Start of the night the samples cover. */
    public static final Instant NIGHT = Instant.parse("2026-11-20T02:00:00Z");
    /** How long each host's journal runs. */
    public static final long SPAN_MICROS = 40L * 60 * 1_000_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One sample host and what happens on it. */
    public record SampleHost(String host, String kernel, String expectation) {
    }

    public static final List<SampleHost> HOSTS = List.of(
            new SampleHost("slave-138", "3.10.0-514.el7.x86_64", "MEMORY_FRAGMENTATION: order-6 nf_conntrack, pod sandboxes failing"),
            new SampleHost("slave-139", "3.10.0-514.el7.x86_64", "MEMORY_FRAGMENTATION: same kernel, same failure"),
            new SampleHost("slave-141", "3.10.0-514.el7.x86_64", "MEMORY_FRAGMENTATION: same kernel, same failure"),
            new SampleHost("ip-10-1-2-125", "4.4.0-28-generic", "CGROUP_OOM: java killed at its 256 MiB limit"),
            new SampleHost("node-quiet-07", "5.15.0-91-generic", "nothing"),
            new SampleHost("node-lookalike-12", "5.15.0-91-generic", "nothing: look-alikes only"));

    private static final String[][] NOISE = {
        {"sshd", "syslog", "sshd.service", "Accepted publickey for deploy from 10.20.3.4 port 53122 ssh2: RSA SHA256:Zm9vYmFyYmF6cXV4"},
        {"systemd", "journal", null, "Started Session 4211 of user deploy."},
        {"kubelet", "stdout", "kubelet.service", "I1120 02:00:00.000000    2604 prober.go:116] Readiness probe for \"api-5d8f7_shop(9f8e7d6c-1111-4222-8333-944455556666):api\" succeeded"},
        {"kubelet", "stdout", "kubelet.service", "I1120 02:00:00.000000    2604 kubelet.go:1916] SyncLoop (PLEG): \"web-7f9c4_shop(1a2b3c4d-1111-4222-8333-944455556666)\", event: &pleg.PodLifecycleEvent{ID:\"1a2b3c4d\", Type:\"ContainerStarted\"}"},
        {"dockerd", "stdout", "docker.service", "time=\"2026-11-20T02:00:00.000000000Z\" level=info msg=\"shim containerd-shim started\" address=/containerd-shim/moby/5b9be8c5/shim.sock debug=false pid=8812"},
        {"kernel", "kernel", null, "IPv6: ADDRCONF(NETDEV_CHANGE): vethb81d9f3: link becomes ready"},
        {"kernel", "kernel", null, "docker0: port 3(vethb81d9f3) entered forwarding state"},
        {"nginx", "stdout", "nginx.service", "10.1.2.3 - - [20/Nov/2026:02:00:00 +0000] \"GET /api/v1/items?page=2 HTTP/1.1\" 200 5316 \"-\" \"okhttp/3.12.1\""},
        {"java", "stdout", "orders.service", "INFO  [main] com.example.OrderService: processed order 88231 in 12 ms"},
        {"crond", "syslog", "crond.service", "(root) CMD (/usr/lib64/sa/sa1 1 1)"},
    };

    private static final String[] LOOKALIKES = {
        "kubelet|E1120 02:10:01.000000    2604 remote_runtime.go:91] RunPodSandbox from runtime service failed: rpc error: code = Unknown desc = failed to set up sandbox container \"4f1c\" network for pod \"web-9\": NetworkPlugin cni failed to set up pod \"web-9_shop\" network: network plugin is not ready: cni config uninitialized",
        "kubelet|E1120 02:12:30.000000    2604 pod_workers.go:190] Error syncing pod 7e7e7e7e-1111-4222-8333-944455556666 (\"web-2_shop(7e7e7e7e-1111-4222-8333-944455556666)\"), skipping: failed to \"StartContainer\" for \"web\" with ErrImagePull: \"rpc error: code = Unknown desc = Error response from daemon: pull access denied for nosuch/web\"",
        "java|ERROR [pool-3] com.example.Cache: page allocation failure in slab pool 'orders', retrying with smaller pages",
        "kernel|nf_conntrack: nf_conntrack: table full, dropping packet",
        "dockerd|time=\"2026-11-20T02:20:00.000000000Z\" level=error msg=\"containerd: start container\" error=\"oci runtime error: container_linux.go:247: starting container process caused \\\"process_linux.go:245: running exec setns process for init caused \\\\\\\"exit status 34\\\\\\\"\\\"\\n\" id=9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d",
        "dockerd|time=\"2026-11-20T02:25:00.000000000Z\" level=error msg=\"Handler for POST /v1.24/containers/abc/start returned error: mkdir /var/lib/docker/overlay2/abc/merged: no space left on device\"",
    };

    /** When, after {@link #NIGHT}, the fragmenting hosts' first allocation fails (microseconds). */
    static final Map<String, Long> FAILURE_AFTER = Map.of(
            "slave-138", minutes(15) + 41_000_000L,
            "slave-139", minutes(18) + 3_000_000L,
            "slave-141", minutes(21) + 27_000_000L);

    /** Seed 000's /proc/buddyinfo: its healthy peer's Normal zone, the failing node's Normal and DMA32, and DMA. */
    private static final long[] HEALTHY_NORMAL = {108, 1708, 952, 1064, 957, 690, 285, 145, 12, 1, 0};
    private static final long[] FAILING_NORMAL = {40153, 12774, 302, 17, 0, 0, 0, 0, 0, 0, 0};
    private static final long[] DMA32 = {8409, 8079, 1340, 74, 6, 0, 0, 0, 0, 0, 0};
    private static final long[] DMA = {1, 0, 0, 1, 2, 1, 1, 0, 1, 1, 3};
    /** How often the sample hosts' shippers read their memory counters. */
    public static final long SAMPLE_INTERVAL_MICROS = 30_000_000L;
    /** Memory samples start this long before {@link #NIGHT}: the forecast reads the last hour. */
    public static final long SAMPLES_BEFORE_MICROS = minutes(60);

    private SampleFleet() {
    }

    /**
     * The hosts' memory samples, every 30 s from an hour before the night to its end, in time order: the fragmenting
     * hosts' Normal zone decays from seed 000's healthy table to its failing one over the hour before their first
     * failure (then stays failed), every other host keeps the healthy table within a tenth either way.
     */
    public static List<NodeMemorySample> memorySamples() {
        long start = NIGHT.getEpochSecond() * 1_000_000L;
        List<NodeMemorySample> samples = new ArrayList<>();
        for (SampleHost host : HOSTS) {
            Random random = new Random(("memory/" + host.host()).hashCode());
            String boot = hex(random, 16);
            Long failure = FAILURE_AFTER.get(host.host());
            long compactStall = 1_000 + random.nextInt(1_000);
            for (long t = start - SAMPLES_BEFORE_MICROS; t < start + SPAN_MICROS; t += SAMPLE_INTERVAL_MICROS) {
                double decay = failure == null ? 0
                        : Math.min(1, Math.max(0, (double) (t - (start + failure - minutes(60))) / minutes(60)));
                List<Long> normal = new ArrayList<>();
                for (int order = 0; order < HEALTHY_NORMAL.length; order++) {
                    double blocks = HEALTHY_NORMAL[order] + (FAILING_NORMAL[order] - HEALTHY_NORMAL[order]) * decay;
                    normal.add(Math.round(blocks * (0.9 + 0.2 * random.nextDouble())));
                }
                compactStall += decay > 0 ? 3 + random.nextInt(5) : random.nextInt(2);
                samples.add(NodeMemorySample.newBuilder().setHost(host.host()).setSampledAtMicros(t)
                        .setBootId(boot).setKernelVersion(host.kernel())
                        .setZones(List.of(zone("DMA", list(DMA)), zone("DMA32", list(DMA32)), zone("Normal", normal)))
                        .setVmstat(Map.of("compact_stall", compactStall, "compact_fail", compactStall / 3,
                                "compact_success", compactStall / 2))
                        .build());
            }
        }
        samples.sort(Comparator.comparingLong(NodeMemorySample::getSampledAtMicros));
        return samples;
    }

    private static ZoneState zone(String name, List<Long> blocks) {
        long pages = 0;
        for (int order = 0; order < blocks.size(); order++) {
            pages += blocks.get(order) << order;
        }
        return ZoneState.newBuilder().setNode(0).setZone(name).setFreeBlocks(blocks).setBuddyTotalKb(pages * 4)
                .setFreeKb(pages * 4).setLargestFreeOrder(BuddyInfoFile.largestFreeOrder(blocks)).build();
    }

    private static List<Long> list(long[] blocks) {
        List<Long> list = new ArrayList<>();
        for (long b : blocks) {
            list.add(b);
        }
        return list;
    }

    /** Writes one {@code <host>.json} per sample host into {@code dir}; returns the files in host order. */
    public static List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        for (SampleHost host : HOSTS) {
            Path file = dir.resolve(host.host() + ".json");
            try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                for (Map<String, String> entry : journal(host)) {
                    out.write(JSON.writeValueAsString(entry));
                    out.write('\n');
                }
            }
            files.add(file);
        }
        return files;
    }

    /** The host's journal entries as journalctl -o json field maps, in time order. */
    static List<Map<String, String>> journal(SampleHost host) {
        Random random = new Random(host.host().hashCode());
        long start = NIGHT.getEpochSecond() * 1_000_000L;
        List<Event> events = new ArrayList<>();
        for (long t = start; t < start + SPAN_MICROS; t += 500_000L + random.nextInt(1_000_000)) {
            String[] noise = NOISE[random.nextInt(NOISE.length)];
            events.add(new Event(t, noise[0], noise[1], noise[2], noise[3]));
        }
        switch (host.host()) {
            case "slave-138" -> fragmentation(events, start + FAILURE_AFTER.get("slave-138"), "slave-138",
                    List.of("matchdataserver-1255064836-t4b2w", "nginx-ingress-7d4b9-x2k8p", "redis-0"));
            case "slave-139" -> fragmentation(events, start + FAILURE_AFTER.get("slave-139"), "slave-139",
                    List.of("orders-6c9d7-p4r2s", "payments-58f6b-9kq2w"));
            case "slave-141" -> fragmentation(events, start + FAILURE_AFTER.get("slave-141"), "slave-141",
                    List.of("search-0"));
            case "ip-10-1-2-125" -> addAll(events, start + minutes(22), seedLines("samples/seed-004-kernel.log"));
            case "node-lookalike-12" -> {
                long t = start + minutes(10);
                for (String lookalike : LOOKALIKES) {
                    String[] parts = lookalike.split("\\|", 2);
                    boolean kernel = parts[0].equals("kernel");
                    String unit = kernel ? null : parts[0].equals("dockerd") ? "docker.service" : parts[0] + ".service";
                    events.add(new Event(t, parts[0], kernel ? "kernel" : "stdout", unit, parts[1]));
                    t += minutes(3);
                }
            }
            default -> {
            }
        }
        if (host.host().equals("node-lookalike-12")) {
            forgery(events, start + minutes(30));
        }
        events.sort(Comparator.comparingLong(Event::time));
        String boot = hex(random, 16);
        String seqnumId = hex(random, 16);
        String machine = hex(random, 16);
        List<Map<String, String>> entries = new ArrayList<>(events.size());
        long seqnum = 1_000 + random.nextInt(100_000);
        long bootedAt = start - minutes(60L * 24 * 9);
        for (Event event : events) {
            long monotonic = event.time() - bootedAt;
            Map<String, String> entry = new LinkedHashMap<>();
            entry.put("__CURSOR", "s=" + seqnumId + ";i=" + Long.toHexString(seqnum) + ";b=" + boot + ";m="
                    + Long.toHexString(monotonic) + ";t=" + Long.toHexString(event.time()) + ";x="
                    + Long.toHexString(seqnum * 0x9E3779B97F4A7C15L));
            entry.put("__REALTIME_TIMESTAMP", Long.toString(event.time()));
            entry.put("__MONOTONIC_TIMESTAMP", Long.toString(monotonic));
            entry.put("_BOOT_ID", boot);
            entry.put("_MACHINE_ID", machine);
            entry.put("_HOSTNAME", host.host());
            entry.put("_TRANSPORT", event.transport());
            entry.put("SYSLOG_IDENTIFIER", event.identifier());
            if (event.transport().equals("kernel")) {
                entry.put("PRIORITY", "4");
                entry.put("SYSLOG_FACILITY", "0");
                entry.put("_SOURCE_MONOTONIC_TIMESTAMP", Long.toString(monotonic));
            } else {
                entry.put("PRIORITY", event.message().contains("level=error") || event.message().startsWith("E") ? "3" : "6");
                entry.put("_PID", Integer.toString(900 + Math.floorMod(event.comm().hashCode(), 3000)));
                entry.put("_COMM", event.comm());
                if (event.unit() != null) {
                    entry.put("_SYSTEMD_UNIT", event.unit());
                }
                if (event.container() != null) {
                    // what docker's journald log driver adds to a container's output
                    entry.put("CONTAINER_ID", event.container().substring(0, 12));
                    entry.put("CONTAINER_ID_FULL", event.container());
                    entry.put("CONTAINER_NAME", FORGER_NAME);
                    entry.put("CONTAINER_TAG", event.container().substring(0, 12));
                }
            }
            entry.put("MESSAGE", event.message());
            entries.add(entry);
            seqnum++;
        }
        return entries;
    }

    /**
     * One journal entry: {@code comm} and {@code unit} as journald sets them from the sender, {@code container} the full
     * id docker's journald log driver marks a container's output with (or null).
     */
    private record Event(long time, String identifier, String transport, String unit, String comm, String container,
                         String message) {

        /** A daemon's own line: its process name is its identifier. */
        Event(long time, String identifier, String transport, String unit, String message) {
            this(time, identifier, transport, unit, identifier, null, message);
        }
    }

    /** The container on node-lookalike-12 that prints a kernel report and kubelet failures of its own making. */
    static final String FORGER_NAME = "k8s_app_forger-6d5f8_shop_3c1d9e7a-1111-4222-8333-944455556666_0";
    private static final String FORGER_ID = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f";

    /**
     * A container's stdout through docker's journald log driver: it names itself kernel, then kubelet, and prints
     * seed 000's whole kernel report and kubelet's sandbox failures. journald files it under docker.service and
     * dockerd, the driver marks it with the container: no incident may come of it.
     */
    private static void forgery(List<Event> events, long at) {
        long t = at;
        for (LogLine line : seedLines("samples/seed-000-kernel.log")) {
            events.add(new Event(t, "kernel", "journal", "docker.service", "dockerd", FORGER_ID, line.message()));
            t += 50L;
        }
        for (LogLine line : seedLines("samples/seed-002-runtime.log")) {
            if ("kubelet".equals(line.identifier())) {
                events.add(new Event(t + 100_000L, "kubelet", "journal", "docker.service", "dockerd", FORGER_ID,
                        line.message()));
                t += 200L;
            }
        }
    }

    /** The order-6 kernel report and dockerd errors, then kubelet's four lines per failed pod sandbox, retried. */
    private static void fragmentation(List<Event> events, long at, String host, List<String> pods) {
        addAll(events, at, seedLines("samples/seed-000-kernel.log"));
        List<LogLine> runtime = seedLines("samples/seed-000-runtime.log").stream().filter(l -> !l.isKernel()).toList();
        addAll(events, at + 100_000L, runtime);
        List<LogLine> kubelet = seedLines("samples/seed-002-runtime.log").stream()
                .filter(l -> "kubelet".equals(l.identifier())).toList();
        int podIndex = 0;
        for (String pod : pods) {
            String uid = String.format("485fd485-1ed6-11e9-8661-%012x", (long) Math.abs((host + pod).hashCode()));
            for (int attempt = 0; attempt < 2; attempt++) {
                long t = at + 200_000L + podIndex * 900_000L + attempt * 31_000_000L;
                for (LogLine line : kubelet) {
                    String message = line.message().replace("matchdataserver-1255064836-t4b2w", pod)
                            .replace("485fd485-1ed6-11e9-8661-0a587f8021ea", uid).replace("basic", "prod");
                    events.add(new Event(t, "kubelet", "stdout", "kubelet.service", message));
                    t += 200L;
                }
            }
            podIndex++;
        }
    }

    private static void addAll(List<Event> events, long at, List<LogLine> lines) {
        long t = at;
        for (LogLine line : lines) {
            boolean kernel = line.isKernel();
            String identifier = line.identifier() == null ? (kernel ? "kernel" : "unknown") : line.identifier();
            if (kernel) {
                events.add(new Event(t, identifier, "kernel", null, null, null, line.message()));
            } else {
                // the seeds' dockerd and docker lines come from the docker daemon's unit, as on a real node
                boolean docker = identifier.equals("dockerd") || identifier.equals("docker");
                events.add(new Event(t, identifier, "stdout", docker ? "docker.service" : identifier + ".service",
                        docker ? "dockerd" : identifier, null, line.message()));
            }
            t += 50L;
        }
    }

    private static long minutes(long minutes) {
        return minutes * 60 * 1_000_000L;
    }

    private static String hex(Random random, int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }

    /** The lines of a bundled seed excerpt (syslog text), in order. */
    static List<LogLine> seedLines(String resource) {
        try (InputStream in = SampleFleet.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing bundled sample " + resource);
            }
            Path tmp = Files.createTempFile("nodeincidents-seed", ".log");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                List<LogLine> lines = new ArrayList<>();
                new LogFileReader().read(tmp, ReadOptions.defaults().withFormat(LogFormat.SYSLOG).withYear(2017)
                        .withHost("seed"), lines::add, rejected -> {
                            throw new IllegalStateException("bundled sample " + resource + " has a bad line: " + rejected);
                        });
                return lines;
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
