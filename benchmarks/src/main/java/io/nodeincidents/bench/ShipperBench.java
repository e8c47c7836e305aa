package io.nodeincidents.bench;

import io.nodeincidents.broker.LocalKafka;
import io.nodeincidents.ingest.cli.ShipCommand;
import io.nodeincidents.ingest.journal.JournalFilter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine;

/**
 * The shipper's speed bench: on one genuine journal, in one run, measures journalctl's JSON output
 * alone (the ceiling of any shipper built on journalctl), {@code journalctl -o json | kcat -P -z lz4}, our shipper
 * with {@code --all} and in its default filtered mode, then the shipper JVM's own CPU and memory while it follows a
 * journal growing at a steady rate, once per memory sampling interval of {@code --sample-intervals} (default the
 * production 30 s, then 1 s to show what a sample costs; 0 turns sampling off), and what reading and encoding one
 * sample of this machine costs in this JVM. Prints figures; asserts nothing about speed.
 *
 * <pre>java -cp "benchmarks/target/nodeincidents-benchmarks.jar:benchmarks/target/lib/*" \
 *     io.nodeincidents.bench.ShipperBench [--entries 200000] [--rounds 3] [--rate 1000] [--seconds 30] [--warmup 90] [--bursts 50] [--dir D]
 *     [--sample-intervals 30000,1000] [--child-jvm-option OPTION]...</pre>
 * {@code --child-jvm-option} adds a JVM option to the shipper child processes (after the image's), e.g.
 * {@code -XX:StartFlightRecording=filename=ship-{child}.jfr,settings=profile} to profile the children ({child}
 * becomes "full" for the full-speed run, "follow" for the steady follow).
 */
public final class ShipperBench {

    /** The shipper image's JVM options (deploy/docker/shipper.Dockerfile), with the heap capped at 64 MB. */
    private static final List<String> CHILD_JVM = List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:-UsePerfData", "-XX:+ExitOnOutOfMemoryError");

    private final int entries;
    private final int rounds;
    private final int rate;
    private final int seconds;
    /** Seconds of following before the CPU window opens: JVM start and JIT compilation are not steady state. */
    private final int warmup;
    /**
     * Appends per second in the steady follow (the rate split into that many bursts). journald writes each entry as
     * it comes, so a node logging 1,000 entries/s from many services grows its journal many times a second, and each
     * growth wakes journalctl --follow, which writes what it found; 50 appends of 20 entries is closer to that than
     * 4 appends of 250, which hid the shipper's cost per wakeup.
     */
    private final int bursts;
    private final Path dir;
    /** The child JVM's options: the image's, then the ones given with --child-jvm-option. */
    private final List<String> childJvm;
    /** ship.memory.sample.interval.ms of each steady follow, in order. */
    private final List<Long> sampleIntervals;
    private List<Path> journal;
    private LocalKafka kafka;
    private Admin admin;
    private int topics;
    /** CPU of the kcat process (without journalctl) per entry, from the last kcat run; at 10 ms resolution. */
    private double kcatCpuMicrosPerEntry;

    private ShipperBench(int entries, int rounds, int rate, int seconds, int warmup, int bursts, Path dir,
                         List<String> extraChildJvm, List<Long> sampleIntervals) {
        this.sampleIntervals = List.copyOf(sampleIntervals);
        this.warmup = warmup;
        this.bursts = bursts;
        List<String> jvm = new ArrayList<>(CHILD_JVM);
        jvm.addAll(extraChildJvm);
        this.childJvm = List.copyOf(jvm);
        this.entries = entries;
        this.rounds = rounds;
        this.rate = rate;
        this.seconds = seconds;
        this.dir = dir;
    }

    public static void main(String[] args) throws Exception {
        int entries = 200_000;
        int rounds = 3;
        int rate = 1000;
        int seconds = 30;
        int warmup = 90; // C1 still compiles a method a second 50 s in (0.2% of a core); by 90 s it has stopped
        int bursts = 50;
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "nodeincidents-shipbench");
        List<String> extraChildJvm = new ArrayList<>();
        List<Long> sampleIntervals = List.of(30_000L, 1_000L);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--entries" -> entries = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--bursts" -> bursts = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                case "--child-jvm-option" -> extraChildJvm.add(args[++i]);
                case "--sample-intervals" -> sampleIntervals = java.util.Arrays.stream(args[++i].split(","))
                        .map(String::strip).map(Long::valueOf).toList();
                default -> {
                    System.err.println("usage: ShipperBench [--entries N] [--rounds R] [--rate PER_S] [--seconds S] [--warmup S] [--bursts PER_S]"
                            + " [--dir DIR] [--sample-intervals MS,...] [--child-jvm-option OPTION]...");
                    System.exit(2);
                }
            }
        }
        new ShipperBench(entries, rounds, rate, seconds, warmup, bursts, dir, extraChildJvm, sampleIntervals).run();
        System.exit(0);
    }

    private void run() throws Exception {
        journal = BenchJournal.cached(dir, entries);
        long[] lines = countJson(List.of());
        long filteredLines = countJson(JournalFilter.defaults().matchArguments())[0];
        if (lines[0] != entries) {
            throw new IllegalStateException("the journal holds " + lines[0] + " entries, expected " + entries);
        }
        System.out.printf("journal: %s, %,d entries, %,d bytes of JSON (%d bytes/entry); default filter matches %,d"
                + " (%.1f%%)%n", journal, lines[0], lines[1], lines[1] / lines[0], filteredLines,
                100.0 * filteredLines / lines[0]);
        kafka = LocalKafka.start(LocalKafka.Settings.defaults());
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
        try {
            measure(filteredLines);
        } finally {
            admin.close();
            kafka.close();
        }
    }

    private void measure(long filteredLines) throws Exception {
        List<Double> ceiling = new ArrayList<>();
        List<Double> filteredCeiling = new ArrayList<>();
        List<Double> kcat = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        List<Double> filtered = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            System.out.printf("round %d of %d%n", round, rounds);
            ceiling.add(report("journalctl -o json > /dev/null", entries, journalctlToNull(List.of())));
            filteredCeiling.add(report("journalctl -o json MATCHES > /dev/null (entries of the journal)", entries,
                    journalctlToNull(JournalFilter.defaults().matchArguments())));
            kcat.add(report("journalctl -o json | kcat -P -z lz4", entries, kcatPipe()));
            all.add(report("ship --all (in-process)", entries, shipInProcess(true, entries)));
            filtered.add(report("ship, default filter (in-process, entries of the journal)", entries,
                    shipInProcess(false, filteredLines)));
        }
        ChildRun child = shipChild();
        System.out.printf("  %-60s %8.1f s %,10.0f entries/s (JVM start included; max RSS %d MB)%n",
                "ship --all (child JVM, " + String.join(" ", childJvm) + ")", child.seconds(),
                entries / child.seconds(), child.maxRssKb() / 1024);
        List<Steady> steadies = new ArrayList<>();
        for (long interval : sampleIntervals) {
            steadies.add(steadyFollow(interval));
        }
        SampleCost sampleCost = sampleCost();

        double bestAll = max(all);
        double bestKcat = max(kcat);
        System.out.println();
        System.out.printf("%-58s %s%n", "what (best of " + rounds + " rounds; all rounds in brackets)", "figure");
        row("journalctl -o json > /dev/null (ceiling)", ceiling, "entries/s");
        row("journalctl -o json | kcat -P -z lz4", kcat, "entries/s");
        row("ship --all (acked, cursor saved)", all, "entries/s");
        System.out.printf("%-58s %.2f (goal >= 0.9)%n", "ratio ship --all / kcat", bestAll / bestKcat);
        System.out.printf("%-58s %.2f%n", "ratio ship --all / ceiling", bestAll / max(ceiling));
        row("journalctl -o json MATCHES > /dev/null (journal entries)", filteredCeiling, "entries/s");
        row("ship, default filter: journal entries read", filtered, "entries/s");
        System.out.printf("%-58s %,.0f shipped/s (%.1f%% of entries)%n", "ship, default filter: shipped",
                max(filtered) * filteredLines / entries, 100.0 * filteredLines / entries);
        System.out.printf("%-58s %,.0f entries/s (%.1f s incl. JVM start)%n", "ship --all, child JVM -Xmx64m",
                entries / child.seconds(), child.seconds());
        System.out.printf("%-58s ship JVM %.1f us (incl. JVM start), kcat %.1f us (journalctl not counted)%n",
                "CPU per entry shipped at full speed", child.cpuMicrosPerEntry(), kcatCpuMicrosPerEntry);
        for (Steady steady : steadies) {
            String sampling = steady.sampleIntervalMs() == 0 ? "memory sampling off"
                    : String.format("memory sampled every %s s", steady.sampleIntervalMs() / 1000.0);
            System.out.printf("%-58s %.2f%% of a core (journalctl: %.2f%%) at %,.0f entries/s for %d s, %d appends/s%n",
                    "ship JVM CPU, following, " + sampling, steady.jvmCpuPercent(), steady.journalctlCpuPercent(),
                    steady.rate(), seconds, bursts);
            StringBuilder threads = new StringBuilder();
            steady.threadCpuPercent().forEach((name, percent) -> threads.append(threads.isEmpty() ? "" : ", ")
                    .append(String.format("%s %.2f%%", name, percent)));
            System.out.printf("%-58s %s%n", "  by thread", threads);
            if (steady.sampleIntervalMs() > 0) {
                Double sampler = steady.threadCpuPercent().get("memory-sampler");
                double samplerMs = sampler == null ? 0 : sampler / 100 * seconds * 1000;
                System.out.printf("%-58s %d in the window; sampling thread %.1f ms of CPU in all, %.2f ms per sample"
                        + " (10 ms ticks)%n", "  memory samples", steady.samples(), samplerMs,
                        steady.samples() == 0 ? Double.NaN : samplerMs / steady.samples());
            }
            System.out.printf("%-58s %.1f MB used after GC (of -Xmx64m); max RSS %d MB (full speed: %d MB)%n",
                    "  ship JVM heap", steady.heapUsedKb() / 1024.0, steady.maxRssKb() / 1024,
                    child.maxRssKb() / 1024);
        }
        System.out.printf("%-58s %.2f ms of CPU to read this machine's files, %.2f ms to encode (Avro, %d bytes),"
                        + " in this JVM after warm-up; %.4f%% of a core at one sample per 30 s%n",
                "one memory sample", sampleCost.readMillis(), sampleCost.encodeMillis(), sampleCost.bytes(),
                100 * (sampleCost.readMillis() + sampleCost.encodeMillis()) / 30_000);
    }

    private record SampleCost(double readMillis, double encodeMillis, int bytes) {
    }

    /** CPU of reading and encoding one sample of this machine (NodeMemorySampler on /proc), C2-compiled. */
    private static SampleCost sampleCost() {
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        io.nodeincidents.nodememory.NodeMemorySampler sampler = io.nodeincidents.nodememory.NodeMemorySampler
                .defaults();
        try (io.nodeincidents.registry.SpecificAvroSerializer<io.nodeincidents.schemas.NodeMemorySample> serializer =
                     new io.nodeincidents.registry.SpecificAvroSerializer<>()) {
            serializer.configure(Map.of("schema.registry.url", "mock://shipbench-samples"), false);
            int bytes = 0;
            for (int i = 0; i < 500; i++) {
                bytes = serializer.serialize("node.memory", sampler.read("bench", i)).length;
            }
            int n = 1000;
            io.nodeincidents.schemas.NodeMemorySample[] samples = new io.nodeincidents.schemas.NodeMemorySample[n];
            long t0 = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                samples[i] = sampler.read("bench", i);
            }
            long t1 = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                bytes = serializer.serialize("node.memory", samples[i]).length;
            }
            long t2 = cpu.getCurrentThreadCpuTime();
            return new SampleCost((t1 - t0) / 1e6 / n, (t2 - t1) / 1e6 / n, bytes);
        }
    }

    private static void row(String what, List<Double> values, String unit) {
        StringBuilder all = new StringBuilder();
        for (double v : values) {
            all.append(all.isEmpty() ? "" : ", ").append(String.format("%,.0f", v));
        }
        System.out.printf("%-58s %,.0f %s [%s]%n", what, max(values), unit, all);
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    private static double report(String what, long count, double seconds) {
        double perSecond = count / seconds;
        System.out.printf("  %-60s %8.2f s %,10.0f entries/s%n", what, seconds, perSecond);
        return perSecond;
    }

    private List<String> journalctlCommand(List<String> matches) {
        List<String> command = new ArrayList<>(List.of("journalctl", "--output=json", "--all", "--no-pager",
                "--quiet"));
        journal.forEach(file -> command.add("--file=" + file));
        command.addAll(matches);
        return command;
    }

    /** Lines and bytes journalctl prints (also warms the page cache). */
    private long[] countJson(List<String> matches) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(journalctlCommand(matches)).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        long lines = 0;
        long bytes = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = p.getInputStream()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                bytes += n;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
        }
        p.waitFor();
        return new long[] {lines, bytes};
    }

    private double journalctlToNull(List<String> matches) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(journalctlCommand(matches)).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("journalctl failed");
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private String newTopic(String name) throws Exception {
        String topic = "bench." + name + "." + (++topics);
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        return topic;
    }

    private long endOffset(String topic) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS).get(tp).offset();
    }

    /** journalctl piped into kcat (no shell: a process pipeline); done when every record is in the topic. */
    private double kcatPipe() throws Exception {
        String topic = newTopic("kcat");
        long t0 = System.nanoTime();
        List<Process> pipeline = ProcessBuilder.startPipeline(List.of(
                new ProcessBuilder(journalctlCommand(List.of())).redirectError(ProcessBuilder.Redirect.DISCARD),
                new ProcessBuilder("kcat", "-P", "-b", kafka.bootstrapServers(), "-t", topic, "-z", "lz4")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.INHERIT)));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        long kcatTicks = 0;
        while (endOffset(topic) < entries) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("kcat did not deliver every entry: " + endOffset(topic));
            }
            kcatTicks = Math.max(kcatTicks, ProcessStats.cpuTicksOrZero(pipeline.get(1).pid()));
            Thread.sleep(10);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        kcatCpuMicrosPerEntry = kcatTicks * 10_000.0 / entries;
        for (Process p : pipeline) {
            p.waitFor(60, TimeUnit.SECONDS);
        }
        return seconds;
    }

    /** The ship command line; {@code files} holding one directory means {@code --directory}. */
    private List<String> shipArguments(boolean all, List<Path> files, Path cursor, String topic, boolean follow) {
        return shipArguments(all, files, cursor, topic, follow, 0, null);
    }

    /** With {@code sampleIntervalMs} above 0 and {@code memoryTopic}, memory samples go there that often. */
    private List<String> shipArguments(boolean all, List<Path> files, Path cursor, String topic, boolean follow,
                                       long sampleIntervalMs, String memoryTopic) {
        List<String> args = new ArrayList<>();
        files.forEach(file -> {
            args.add(Files.isDirectory(file) ? "--directory" : "--file");
            args.add(file.toString());
        });
        args.addAll(List.of("--from-beginning", "--cursor-file", cursor.toString(),
                "--bootstrap-servers", kafka.bootstrapServers(), "--schema-registry-url", "mock://shipbench",
                "-X", "journal.entries.topic=" + topic, "-X", "ship.metrics.port=-1", "-X", "ship.host=node-a",
                "-X", "ship.status.interval.ms=0"));
        args.addAll(List.of("-X", "ship.memory.sample.interval.ms=" + sampleIntervalMs));
        if (memoryTopic != null) {
            args.addAll(List.of("-X", "node.memory.topic=" + memoryTopic));
        }
        if (all) {
            args.add("--all");
        }
        if (!follow) {
            args.add("--no-follow");
        }
        return args;
    }

    /** Our shipper in this JVM, as {@code nodeincidents ship --no-follow}: done when it returned (cursor saved). */
    private double shipInProcess(boolean all, long expected) throws Exception {
        String topic = newTopic(all ? "all" : "filtered");
        Path cursor = Files.createTempFile(dir, "cursor", ".txt");
        Files.delete(cursor);
        List<String> args = shipArguments(all, journal, cursor, topic, false);
        long t0 = System.nanoTime();
        int status = new CommandLine(new ShipCommand()).execute(args.toArray(String[]::new));
        double seconds = (System.nanoTime() - t0) / 1e9;
        long shipped = endOffset(topic);
        if (status != 0 || shipped != expected || !Files.exists(cursor)) {
            throw new IllegalStateException("ship exited " + status + " with " + shipped + " records in the topic,"
                    + " expected " + expected + "; cursor saved: " + Files.exists(cursor));
        }
        Files.delete(cursor);
        return seconds;
    }

    private record ChildRun(double seconds, long maxRssKb, double cpuMicrosPerEntry) {
    }

    private Process startChild(boolean follow, List<Path> files, Path cursor, String topic) throws IOException {
        return startChild(follow, files, cursor, topic, 0, null);
    }

    private Process startChild(boolean follow, List<Path> files, Path cursor, String topic, long sampleIntervalMs,
                               String memoryTopic) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String which = follow ? "follow" : "full";
        childJvm.forEach(option -> command.add(option.replace("{child}", which)));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ShipCommand.class.getName()));
        command.addAll(shipArguments(true, files, cursor, topic, follow, sampleIntervalMs, memoryTopic));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child-ship.log").toFile()).start();
    }

    /** The shipper as its own process with the image's JVM options: full speed, heap capped at 64 MB. */
    private ChildRun shipChild() throws Exception {
        String topic = newTopic("child");
        Path cursor = dir.resolve("child.cursor");
        Files.deleteIfExists(cursor);
        long t0 = System.nanoTime();
        Process p = startChild(false, journal, cursor, topic);
        long maxRss = 0;
        long ticks = 0;
        while (!p.waitFor(20, TimeUnit.MILLISECONDS)) {
            maxRss = Math.max(maxRss, ProcessStats.statusKb(p.pid(), "VmHWM"));
            ticks = Math.max(ticks, ProcessStats.cpuTicksOrZero(p.pid()));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (p.exitValue() != 0 || endOffset(topic) != entries) {
            throw new IllegalStateException("child ship exited " + p.exitValue() + " with " + endOffset(topic)
                    + " records; see " + dir.resolve("child-ship.log"));
        }
        return new ChildRun(seconds, maxRss, ticks * 10_000.0 / entries);
    }

    /** @param threadCpuPercent the JVM's CPU by thread name (as the kernel knows it, 15 characters), largest first */
    private record Steady(long sampleIntervalMs, double rate, double jvmCpuPercent, double journalctlCpuPercent,
                          long heapUsedKb, long maxRssKb, Map<String, Double> threadCpuPercent, long samples) {
    }

    /**
     * The shipper (child JVM, image options) following a journal file that systemd-journal-remote appends to at
     * {@code rate} entries/s; CPU from /proc/PID/stat (utime+stime) over {@code seconds} after a warm-up.
     */
    private Steady steadyFollow(long sampleIntervalMs) throws Exception {
        Path followDir = dir.resolve("follow");
        if (Files.exists(followDir)) {
            try (var old = Files.list(followDir)) {
                for (Path p : old.toList()) {
                    Files.delete(p);
                }
            }
        }
        Path file = followDir.resolve("node-a.journal");
        Random random = new Random(7);
        long[] written = {0};
        long nextMicros = System.currentTimeMillis() * 1000;
        BenchJournal.append(file, 0, 1, nextMicros, random);
        nextMicros += 1000;
        written[0] = 1;
        // one writer appending all along, as journald does (a new systemd-journal-remote per batch would find the
        // file open by the reader's mmap and, once it grew, rotate it as "uncleanly shut down")
        Process writer = new ProcessBuilder(BenchJournal.JOURNAL_REMOTE.toString(), "-o", file.toString(), "-")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(followDir.resolve("journal-remote.log").toFile()))
                .start();
        java.io.OutputStream feed = writer.getOutputStream();
        String topic = newTopic("follow");
        String memoryTopic = newTopic("memory");
        Path cursor = dir.resolve("follow.cursor");
        Files.deleteIfExists(cursor);
        Process p = startChild(true, List.of(followDir), cursor, topic, sampleIntervalMs, memoryTopic);
        System.out.printf("  steady follow, memory sampling %s%n", sampleIntervalMs == 0 ? "off"
                : "every " + sampleIntervalMs + " ms");
        int batchesPerSecond = bursts;
        int batch = rate / batchesPerSecond;
        long periodNanos = 1_000_000_000L / batchesPerSecond;
        long start = System.nanoTime();
        long next = start;
        long cpu0 = -1;
        long jcpu0 = -1;
        long shipped0 = 0;
        long samples0 = 0;
        long t0 = 0;
        long maxRss = 0;
        long journalctlPid = -1;
        Map<Long, ThreadTicks> threads0 = Map.of();
        try {
            for (int i = 0; i < (warmup + seconds) * batchesPerSecond; i++) {
                if (i == warmup * batchesPerSecond) {
                    journalctlPid = p.children().filter(c -> c.info().command().orElse("").contains("journalctl"))
                            .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
                    t0 = System.nanoTime();
                    cpu0 = ProcessStats.cpuTicks(p.pid());
                    threads0 = threadTicks(p.pid());
                    jcpu0 = journalctlPid < 0 ? 0 : ProcessStats.cpuTicks(journalctlPid);
                    shipped0 = endOffset(topic);
                    samples0 = endOffset(memoryTopic);
                }
                // times never go backwards, or systemd-journal-remote rotates the file
                nextMicros = Math.max(nextMicros, System.currentTimeMillis() * 1000);
                BenchJournal.writeExport(feed, written[0], batch, nextMicros, random);
                feed.flush();
                nextMicros += batch * 1000L;
                written[0] += batch;
                maxRss = Math.max(maxRss, ProcessStats.statusKb(p.pid(), "VmHWM"));
                next += periodNanos;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                }
                if (!p.isAlive()) {
                    throw new IllegalStateException("the shipper ended; see " + dir.resolve("child-ship.log"));
                }
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            feed.close();
            writer.waitFor(60, TimeUnit.SECONDS);
            long cpu = ProcessStats.cpuTicks(p.pid()) - cpu0;
            Map<String, Double> byThread = threadCpuPercent(threads0, threadTicks(p.pid()), wall);
            long jcpu = journalctlPid < 0 ? 0 : ProcessStats.cpuTicks(journalctlPid) - jcpu0;
            long shipped = endOffset(topic) - shipped0;
            long samples = endOffset(memoryTopic) - samples0;
            long heapKb = heapUsedAfterGc(p.pid());
            maxRss = Math.max(maxRss, ProcessStats.statusKb(p.pid(), "VmHWM"));
            long hz = 100; // USER_HZ on Linux
            Steady steady = new Steady(sampleIntervalMs, shipped / wall, 100.0 * cpu / hz / wall,
                    100.0 * jcpu / hz / wall, heapKb, maxRss, byThread, samples);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (endOffset(topic) < written[0] && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            if (endOffset(topic) != written[0]) {
                throw new IllegalStateException("followed " + written[0] + " entries, " + endOffset(topic)
                        + " in the topic");
            }
            return steady;
        } finally {
            writer.destroy();
            p.destroy(); // SIGTERM: flush, save the cursor, exit 0
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private record ThreadTicks(String name, long ticks) {
    }

    /** Each thread's name and CPU ticks (utime+stime) from /proc/PID/task. */
    private static Map<Long, ThreadTicks> threadTicks(long pid) throws IOException {
        Map<Long, ThreadTicks> threads = new java.util.HashMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    threads.put(Long.parseLong(task.getFileName().toString()),
                            new ThreadTicks(name, Long.parseLong(f[11]) + Long.parseLong(f[12])));
                } catch (IOException | RuntimeException e) {
                    // the thread ended between two looks
                }
            }
        }
        return threads;
    }

    /** CPU per thread name over the window (threads born meanwhile count from zero), in % of a core, largest first. */
    private static Map<String, Double> threadCpuPercent(Map<Long, ThreadTicks> before, Map<Long, ThreadTicks> after,
                                                        double wallSeconds) {
        Map<String, Long> ticks = new java.util.HashMap<>();
        after.forEach((tid, t) -> {
            ThreadTicks b = before.get(tid);
            long delta = t.ticks() - (b == null ? 0 : b.ticks());
            if (delta > 0) {
                ticks.merge(t.name().replaceAll("[0-9]+$", "#"), delta, Long::sum);
            }
        });
        Map<String, Double> percent = new java.util.LinkedHashMap<>();
        ticks.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> percent.put(e.getKey(), 100.0 * e.getValue() / 100 / wallSeconds));
        return percent;
    }

    /** Used heap (KB) after a full GC, through jcmd. */
    private static long heapUsedAfterGc(long pid) throws IOException, InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        run(jcmd, Long.toString(pid), "GC.run");
        String info = run(jcmd, Long.toString(pid), "GC.heap_info");
        Matcher m = Pattern.compile("total (\\d+)K, used (\\d+)K").matcher(info);
        long used = 0;
        while (m.find()) {
            used += Long.parseLong(m.group(2)); // serial GC: young and tenured generations
        }
        return used;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }
}
