package io.nodeincidents.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodeincidents.broker.LocalKafka;
import io.nodeincidents.events.EventRecords;
import io.nodeincidents.events.HostLogState;
import io.nodeincidents.events.NodeEvent;
import io.nodeincidents.events.NodeEventExtractor;
import io.nodeincidents.incident.HostIncidentState;
import io.nodeincidents.incident.HostIncidentStateCodec;
import io.nodeincidents.incident.IncidentAggregator;
import io.nodeincidents.incident.IncidentSettings;
import io.nodeincidents.logs.LogFileReader;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.logs.ReadOptions;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Storms stay bounded: generates storm and fleet log files at a few sizes, runs {@code nodeincidents analyze} on each
 * in a child JVM with a small heap, and prints per size the time and CPU time, both per line and for the lines the size
 * adds to the one before (marginal: what the JVM's start and warm-up do not blur), the child's peak RSS
 * ({@code VmHWM}), its exit code and what it printed; replays each file into the in-process broker and runs the
 * correlator over it in a child JVM with the same heap ({@link StormCorrelator}; {@code --no-correlator} skips it);
 * then runs the correlator's per-host steps ({@link NodeEventExtractor} and
 * {@link IncidentAggregator}, what the topology runs per host) over the same lines in this JVM and prints the largest
 * serialized state each kept, which is what the topology stores and changelogs per line or event.
 *
 * <pre>
 * java -cp "benchmarks/target/nodeincidents-benchmarks.jar:benchmarks/target/lib/*" io.nodeincidents.bench.StormBench \
 *     [--scenario NAME]... [--xmx 256m] [--hosts 1000] [--no-steps] [--no-correlator] [--no-analyze]
 *     [-X correlator.setting=value]... [--generate-only DIR] [SIZE...]
 * </pre>
 *
 * SIZE is bytes with an optional k, M or G suffix (default 10M 100M 1G). Scenarios (default all):
 * <ul>
 * <li>{@code dockerd-repeat}: seed 000 (a dockerd setns failure, an order-6 allocation failure and the nf_conntrack
 * slab failure) once, then its dockerd error line repeated verbatim, same time stamp: one failure of ever more lines;</li>
 * <li>{@code kernel-repeat}: seed 000 whole, repeated, one second apart: an allocation and a slab failure report and
 * a runtime failure every second, one incident;</li>
 * <li>{@code partial-reports}: the first half of seed 000's allocation failure report and the first half of seed
 * 004's memcg OOM report, their lines interleaved, repeated one second apart: reports cut short by others;</li>
 * <li>{@code fleet}: {@code --hosts} hosts logging ordinary lines, 1 ms apart, with a seed report or runtime failure
 * on a random host one time in a hundred.</li>
 * </ul>
 * Files are written to {@code $TMPDIR} (else java.io.tmpdir) and deleted after each run; {@code --generate-only DIR}
 * writes them to DIR and runs nothing.
 */
public final class StormBench {

    private static final String HOST = "storm-node";
    /** 2019-01-23T06:15:31Z, the second of seed 002. */
    private static final long T0_MICROS = 1_548_224_131_000_000L;
    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss", Locale.ROOT);
    private static final ObjectMapper JSON = new ObjectMapper();

    private enum Scenario {
        DOCKERD_REPEAT("dockerd-repeat"), KERNEL_REPEAT("kernel-repeat"), PARTIAL_REPORTS("partial-reports"),
        FLEET("fleet");

        final String label;

        Scenario(String label) {
            this.label = label;
        }

        static Scenario of(String label) {
            for (Scenario s : values()) {
                if (s.label.equals(label)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown scenario " + label + "; known: dockerd-repeat, kernel-repeat,"
                    + " partial-reports, fleet");
        }
    }

    private StormBench() {
    }

    public static void main(String[] args) throws Exception {
        List<Long> sizes = new ArrayList<>();
        List<Scenario> scenarios = new ArrayList<>();
        String xmx = "256m";
        int hosts = 1000;
        boolean steps = true;
        boolean correlator = true;
        boolean analyze = true;
        List<String> correlatorSettings = new ArrayList<>();
        Path generateOnly = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--scenario" -> {
                    for (String s : args[++i].split(",")) {
                        scenarios.add(Scenario.of(s.trim()));
                    }
                }
                case "--xmx" -> xmx = args[++i];
                case "--hosts" -> hosts = Integer.parseInt(args[++i]);
                case "--no-steps" -> steps = false;
                case "--no-correlator" -> correlator = false;
                case "--no-analyze" -> analyze = false;
                case "-X" -> correlatorSettings.add("-Dcorrelator." + args[++i]);
                case "--generate-only" -> generateOnly = Path.of(args[++i]);
                default -> sizes.add(bytes(args[i]));
            }
        }
        if (sizes.isEmpty()) {
            sizes = List.of(10L << 20, 100L << 20, 1L << 30);
        }
        if (scenarios.isEmpty()) {
            scenarios = List.of(Scenario.values());
        }
        Seeds seeds = new Seeds();
        if (generateOnly != null) {
            Files.createDirectories(generateOnly);
            for (Scenario scenario : scenarios) {
                for (long size : sizes) {
                    Path file = generateOnly.resolve(scenario.label + "-" + size + ".log");
                    System.out.printf("%s: %,d lines%n", file, generate(scenario, file, size, hosts, seeds));
                }
            }
            return;
        }
        String tmp = System.getenv("TMPDIR");
        Path dir = Files.createTempDirectory(Path.of(tmp != null && !tmp.isBlank() ? tmp
                : System.getProperty("java.io.tmpdir")), "storm-bench-");
        if (analyze) {
            System.out.printf("analyze in a child JVM with -Xmx%s, %d cores; files in %s%n", xmx,
                    Runtime.getRuntime().availableProcessors(), dir);
            System.out.printf("%-16s %9s %11s %8s %8s %9s %8s %8s %9s %9s %5s  %s%n", "scenario", "size", "lines",
                    "seconds", "us/line", "marginal", "CPU s", "CPU us/l", "marginal", "peak RSS", "exit", "output");
        }
        List<String> stepRows = new ArrayList<>();
        List<String> correlatorRows = new ArrayList<>();
        LocalKafka kafka = correlator ? LocalKafka.start(LocalKafka.Settings.defaults()) : null;
        try {
            for (Scenario scenario : scenarios) {
                // the JVM's start and the set-up, measured on a few lines
                Path small = dir.resolve(scenario.label + "-start.log");
                long startLines = generate(scenario, small, 64 << 10, hosts, seeds);
                Run start = analyze ? analyze(small, xmx, dir) : null;
                Files.deleteIfExists(small);
                if (start != null) {
                    System.out.printf("%-16s %9s %,11d %8.1f %8s %9s %8.1f %8s %9s %6d MB %5d  (the JVM's start and"
                                    + " the set-up)%n", scenario.label, human(64 << 10), startLines, start.seconds(),
                            "", "", start.cpuSeconds(), "", "", start.peakRssKb() / 1024, start.exit());
                }
                // the cost of the lines a size adds to the one before: the JVM's start and warm-up cancel out
                long previousLines = startLines;
                Run previous = start;
                Correlated previousCorrelated = null;
                for (long size : sizes) {
                    Path file = dir.resolve(scenario.label + "-" + size + ".log");
                    long lines = generate(scenario, file, size, hosts, seeds);
                    if (analyze) {
                        Run run = analyze(file, xmx, dir);
                        long added = Math.max(1, lines - previousLines);
                        System.out.printf("%-16s %9s %,11d %8.1f %8.1f %9.1f %8.1f %8.1f %9.1f %6d MB %5d  %s%n",
                                scenario.label, human(Files.size(file)), lines, run.seconds(),
                                run.seconds() * 1e6 / lines, (run.seconds() - previous.seconds()) * 1e6 / added,
                                run.cpuSeconds(), run.cpuSeconds() * 1e6 / lines,
                                (run.cpuSeconds() - previous.cpuSeconds()) * 1e6 / added, run.peakRssKb() / 1024,
                                run.exit(), run.summary());
                        previous = run;
                    }
                    previousLines = lines;
                    if (kafka != null) {
                        Correlated c = correlate(kafka, file, xmx, correlatorSettings, dir);
                        correlatorRows.add(c.failure() != null
                                ? String.format("%-16s %9s %,11d  %s", scenario.label, human(Files.size(file)), lines,
                                        c.failure())
                                : String.format("%-16s %9s %,11d %8.1f %8.1f %9s %6d MB %10d %8d", scenario.label,
                                        human(Files.size(file)), c.entries(), c.seconds(),
                                        c.seconds() * 1e6 / c.entries(), previousCorrelated == null ? "" : String.format(
                                                "%.1f", (c.seconds() - previousCorrelated.seconds()) * 1e6
                                                        / Math.max(1, c.entries() - previousCorrelated.entries())),
                                        c.peakRssKb() / 1024, c.revisions(), c.deadLetters()));
                        previousCorrelated = c.failure() == null ? c : null;
                    }
                    if (steps) {
                        Steps s = steps(file);
                        stepRows.add(String.format("%-16s %9s %,11d %10.2f %,14d %,16d %,10d %,10d",
                                scenario.label, human(Files.size(file)), s.lines(), s.micros() / (double) s.lines(),
                                s.largestLogState(), s.largestIncidentState(), s.events(), s.emitted()));
                    }
                    Files.deleteIfExists(file);
                }
            }
        } finally {
            if (kafka != null) {
                kafka.close();
            }
            try (var left = Files.list(dir)) {
                for (Path p : left.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
        if (correlator) {
            System.out.println();
            System.out.println("the correlator (exactly_once_v2, RocksDB) in a child JVM with -Xmx" + xmx + " on the"
                    + " in-process broker, from the start of the replayed file to its committed end");
            System.out.printf("%-16s %9s %11s %8s %8s %9s %9s %10s %8s%n", "scenario", "size", "entries", "seconds",
                    "us/entry", "marginal", "peak RSS", "revisions", "dead");
            correlatorRows.forEach(System.out::println);
        }
        if (steps) {
            System.out.println();
            System.out.println("the correlator's per-host steps in this JVM (NodeEventExtractor, IncidentAggregator):"
                    + " largest serialized state");
            System.out.printf("%-16s %9s %11s %10s %14s %16s %10s %10s%n", "scenario", "size", "lines", "us/line",
                    "log state B", "incident state B", "events", "revisions");
            stepRows.forEach(System.out::println);
        }
    }

    // ---- generation ----

    /** The seed excerpts the storms are made of, read once. */
    private static final class Seeds {
        final List<LogLine> seed000 = read("mix/seed-000-kernel.log");
        final List<LogLine> seed004 = read("mix/seed-004-kernel.log");
        final List<LogLine> seed002 = read("mix/seed-002-runtime.log");
        final LogLine dockerd = seed000.stream().filter(l -> !l.isKernel()).findFirst().orElseThrow();
        final List<LogLine> partials = interleaved(firstHalf(kernel(seed000)), firstHalf(kernel(seed004)));

        /** A seed's log lines, without the excerpt's "## " comment lines. */
        private static List<LogLine> read(String resource) {
            return LineMix.read(resource, "syslog").stream().filter(l -> !l.message().startsWith("## ")).toList();
        }

        private static List<LogLine> kernel(List<LogLine> lines) {
            return lines.stream().filter(LogLine::isKernel).toList();
        }

        private static List<LogLine> firstHalf(List<LogLine> lines) {
            return lines.subList(0, lines.size() / 2);
        }

        private static List<LogLine> interleaved(List<LogLine> a, List<LogLine> b) {
            List<LogLine> out = new ArrayList<>(a.size() + b.size());
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                if (i < a.size()) {
                    out.add(a.get(i));
                }
                if (i < b.size()) {
                    out.add(b.get(i));
                }
            }
            return out;
        }
    }

    /** Writes syslog lines with RFC 3339 stamps until the file holds {@code size} bytes; returns the lines written. */
    private static long generate(Scenario scenario, Path file, long size, int hosts, Seeds seeds) throws IOException {
        try (Lines out = new Lines(file)) {
            switch (scenario) {
                case DOCKERD_REPEAT -> {
                    out.all(seeds.seed000, HOST, T0_MICROS);
                    while (out.bytes < size) {
                        out.line(seeds.dockerd, HOST, T0_MICROS);
                    }
                }
                case KERNEL_REPEAT -> {
                    for (long t = T0_MICROS; out.bytes < size; t += 1_000_000L) {
                        out.all(seeds.seed000, HOST, t);
                    }
                }
                case PARTIAL_REPORTS -> {
                    for (long t = T0_MICROS; out.bytes < size; t += 1_000_000L) {
                        out.all(seeds.partials, HOST, t);
                    }
                }
                case FLEET -> {
                    Random random = new Random(42);
                    List<List<LogLine>> blocks = List.of(seeds.seed000, seeds.seed004, seeds.seed002);
                    for (long t = T0_MICROS; out.bytes < size; t += 1_000L) {
                        String host = String.format(Locale.ROOT, "node-%04d", random.nextInt(hosts));
                        if (random.nextInt(100) == 0) {
                            out.all(blocks.get(random.nextInt(blocks.size())), host, t);
                        } else {
                            int i = random.nextInt(LineMix.NOISE.length);
                            out.raw(t, host, LineMix.IDENTIFIERS[i], LineMix.NOISE[i]);
                        }
                    }
                }
            }
            return out.lines;
        }
    }

    /** A syslog file being written: {@code 2019-01-23T06:15:31.000000+00:00 HOST IDENT: MESSAGE}. */
    private static final class Lines implements AutoCloseable {
        final Writer out;
        long bytes;
        long lines;
        private long second = Long.MIN_VALUE;
        private String secondText;

        Lines(Path file) throws IOException {
            out = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16);
        }

        void all(List<LogLine> block, String host, long micros) throws IOException {
            for (LogLine line : block) {
                line(line, host, micros);
            }
        }

        void line(LogLine line, String host, long micros) throws IOException {
            String ident = line.isKernel() ? "kernel" : line.identifier() + (line.pid() == null ? ""
                    : "[" + line.pid() + "]");
            raw(micros, host, ident, line.message());
        }

        void raw(long micros, String host, String ident, String message) throws IOException {
            long s = Math.floorDiv(micros, 1_000_000L);
            if (s != second) {
                second = s;
                secondText = SECOND.format(LocalDateTime.ofEpochSecond(s, 0, ZoneOffset.UTC));
            }
            // rsyslog's escape for a line break inside a message (Mem-Info as one record), which the reader undoes
            String text = secondText + '.' + String.format(Locale.ROOT, "%06d", Math.floorMod(micros, 1_000_000L))
                    + "+00:00 " + host + ' ' + ident + ": " + message.replace("\n", "#012") + '\n';
            out.write(text);
            bytes += text.getBytes(StandardCharsets.UTF_8).length;
            lines++;
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    // ---- analyze in a child JVM ----

    private record Run(double seconds, double cpuSeconds, long peakRssKb, int exit, String summary) {
    }

    private static Run analyze(Path file, String xmx, Path dir) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = dir.resolve("analyze.out");
        Path err = dir.resolve("analyze.err");
        Process p = new ProcessBuilder(java, "-Xmx" + xmx, "-cp", System.getProperty("java.class.path"),
                "io.nodeincidents.cli.NodeIncidentsCommand", "analyze", file.toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        long started = System.nanoTime();
        AtomicLong peak = new AtomicLong();
        AtomicLong cpu = new AtomicLong();
        Thread watch = new Thread(() -> {
            // VmHWM is the peak so far: the last look before the process ends is (within 20 ms) the peak; so for
            // the CPU time (all threads: JIT, GC and RocksDB's too)
            while (p.isAlive()) {
                long hwm = ProcessStats.statusKb(p.pid(), "VmHWM");
                if (hwm > 0) {
                    peak.set(hwm);
                }
                long ticks = ProcessStats.cpuTicksOrZero(p.pid());
                if (ticks > 0) {
                    cpu.set(ticks);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-watch");
        watch.setDaemon(true);
        watch.start();
        int exit = p.waitFor();
        double seconds = (System.nanoTime() - started) / 1e9;
        watch.join(1000);
        String summary = summary(out, err);
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return new Run(seconds, cpu.get() / 100.0, peak.get(), exit, summary);
    }

    /**
     * Replays {@code file} into a fresh topic and runs the correlator over it in a child JVM ({@link StormCorrelator});
     * its result line, or its exit code and last error line.
     */
    private static Correlated correlate(LocalKafka kafka, Path file, String xmx, List<String> settings, Path dir)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = dir.resolve("correlator.out");
        Path err = dir.resolve("correlator.err");
        String run = "storm-" + System.nanoTime();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + xmx));
        command.addAll(settings);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), StormCorrelator.class.getName(),
                kafka.bootstrapServers(), file.toString(), run));
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(40, TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor();
        }
        Correlated result = Files.readAllLines(out).stream().map(Correlated::parse).filter(c -> c != null)
                .findFirst().orElse(null);
        if (result == null || p.exitValue() != 0) {
            List<String> errors = Files.readAllLines(err).stream().filter(l -> !l.isBlank()).toList();
            result = new Correlated(0, 0, 0, 0, 0, "exit " + p.exitValue() + ": "
                    + (errors.isEmpty() ? "" : errors.get(errors.size() - 1)));
        }
        Files.copy(err, Path.of(System.getProperty("java.io.tmpdir"), "storm-correlator-last.err"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return result;
    }

    /** A {@link StormCorrelator} run's result line, or what went wrong. */
    private record Correlated(long entries, double seconds, long peakRssKb, long revisions, long deadLetters,
                              String failure) {
        private static final java.util.regex.Pattern LINE = java.util.regex.Pattern.compile("correlator: entries"
                + " (\\d+), caught up ([0-9.]+) s, us/entry [0-9.]+, peak RSS (\\d+) kB, incident revisions (\\d+),"
                + " dead letters (\\d+)");

        static Correlated parse(String line) {
            java.util.regex.Matcher m = LINE.matcher(line);
            return m.matches() ? new Correlated(Long.parseLong(m.group(1)), Double.parseDouble(m.group(2)),
                    Long.parseLong(m.group(3)), Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), null) : null;
        }
    }

    /** Incidents and their counts and list sizes, from analyze's JSON lines; or its last error line. */
    private static String summary(Path out, Path err) throws IOException {
        List<String> parts = new ArrayList<>();
        try (var lines = Files.lines(out)) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (!line.startsWith("{")) {
                    continue;
                }
                JsonNode node = JSON.readTree(line);
                if (!node.has("incidentId")) {
                    parts.add("alert " + node.path("hostCount").asInt() + " hosts");
                    continue;
                }
                JsonNode c = node.path("counts");
                int longestRefs = 0;
                for (JsonNode f : node.path("runtimeFailures")) {
                    longestRefs = Math.max(longestRefs, f.path("evidence").size());
                }
                parts.add(String.format(Locale.ROOT, "alloc %,d slab %,d oom %,d sandbox %,d container %,d"
                                + " (%,d lines) | kept %d+%,d kernel, %d+%,d runtime (<= %d refs each), %d+%,d evidence",
                        c.path("allocationFailures").asInt(), c.path("slabFailures").asInt(),
                        c.path("oomKills").asInt(), c.path("sandboxFailures").asInt(),
                        c.path("containerFailures").asInt(), c.path("runtimeFailureLines").asLong(),
                        node.path("kernelEvents").size(), node.path("kernelEventsOmitted").asLong(),
                        node.path("runtimeFailures").size(), node.path("runtimeFailuresOmitted").asLong(),
                        longestRefs, node.path("evidence").size(), node.path("evidenceOmitted").asLong()));
            }
        }
        List<String> errLines = Files.readAllLines(err);
        String last = errLines.isEmpty() ? "" : errLines.get(errLines.size() - 1);
        if (parts.size() > 1) {
            long incidents = parts.stream().filter(s -> !s.startsWith("alert")).count();
            return incidents + " incidents, " + (parts.size() - incidents) + " fleet alerts; " + last;
        }
        return parts.isEmpty() ? last : "1 incident: " + parts.get(0);
    }

    // ---- the per-host steps in this JVM ----

    private record Steps(long lines, long micros, long largestLogState, long largestIncidentState, long events,
                         long emitted) {
    }

    /**
     * The lines through {@link NodeEventExtractor#step} and the events through {@link IncidentAggregator}, per host,
     * at each host's time; every state as the topology would store it (JSON, {@link HostIncidentStateCodec}).
     */
    private static Steps steps(Path file) throws IOException {
        NodeEventExtractor extractor = new NodeEventExtractor();
        IncidentAggregator aggregator = new IncidentAggregator(IncidentSettings.defaults());
        Map<String, HostLogState> logs = new HashMap<>();
        Map<String, HostIncidentState> incidents = new HashMap<>();
        Map<String, Long> clocks = new HashMap<>();
        long[] n = new long[5]; // lines, largest log state, largest incident state, events, revisions
        long started = System.nanoTime();
        new LogFileReader().read(file, ReadOptions.defaults(), line -> {
            n[0]++;
            long now = clocks.merge(line.host(), line.realtimeMicros() == null ? 0 : line.realtimeMicros(), Math::max);
            HostLogState before = logs.getOrDefault(line.host(), HostLogState.EMPTY);
            NodeEventExtractor.Step step = extractor.step(before, line);
            if (step.state().isEmpty()) {
                logs.remove(line.host());
            } else {
                logs.put(line.host(), step.state());
                if (!step.state().equals(before)) {
                    n[1] = Math.max(n[1], json(step.state()));
                }
            }
            correlate(step.events(), aggregator, incidents, now, n);
        }, rejected -> { });
        for (Map.Entry<String, HostLogState> host : logs.entrySet()) {
            correlate(extractor.flush(host.getValue()).events(), aggregator, incidents, clocks.get(host.getKey()), n);
        }
        for (Map.Entry<String, HostIncidentState> host : incidents.entrySet()) {
            n[4] += aggregator.onTime(host.getValue(), clocks.get(host.getKey()) + TimeUnit.DAYS.toMicros(1))
                    .emitted().size();
        }
        long micros = (System.nanoTime() - started) / 1000;
        return new Steps(n[0], micros, n[1], n[2], n[3], n[4]);
    }

    private static void correlate(List<NodeEvent> events, IncidentAggregator aggregator,
                                  Map<String, HostIncidentState> incidents, long now, long[] n) {
        for (NodeEvent event : events) {
            n[3]++;
            IncidentAggregator.Step step;
            String host;
            if (event instanceof NodeEvent.Kernel kernel) {
                var record = EventRecords.kernelEvent(kernel.report());
                host = record.getHost();
                step = aggregator.onKernelEvent(incidents.get(host), record, now);
            } else {
                var record = EventRecords.runtimeEvent(((NodeEvent.Runtime) event).failure());
                host = record.getHost();
                step = aggregator.onRuntimeFailure(incidents.get(host), record, now);
            }
            n[4] += step.emitted().size();
            if (step.state().isIdle()) {
                incidents.remove(host);
            } else {
                incidents.put(host, step.state());
                n[2] = Math.max(n[2], HostIncidentStateCodec.encode(step.state()).length);
            }
        }
    }

    private static int json(HostLogState state) {
        try {
            return JSON.writeValueAsBytes(state).length;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- sizes ----

    static long bytes(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT).replace("B", "");
        long unit = 1;
        char last = t.charAt(t.length() - 1);
        if (last == 'K' || last == 'M' || last == 'G') {
            unit = last == 'K' ? 1L << 10 : last == 'M' ? 1L << 20 : 1L << 30;
            t = t.substring(0, t.length() - 1);
        }
        return (long) (Double.parseDouble(t) * unit);
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.0f kB", bytes / 1024.0);
    }
}
