package io.nodeincidents.bench;

import io.nodeincidents.broker.LocalKafka;
import io.nodeincidents.ingest.entries.JournalEntries;
import io.nodeincidents.ingest.produce.EntryProducerConfig;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.schemas.EntrySource;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.SourceKind;
import io.nodeincidents.topology.CorrelatorSettings;
import io.nodeincidents.topology.IncidentTopology;
import io.nodeincidents.topology.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The correlator's speed through the real in-process broker, in one run: produces a realistic journal (about 99%
 * ordinary entries of ~550 bytes, 1% relevant ones including whole kernel reports, many hosts) to
 * {@code journal.entries}; measures the ceiling (a plain consumer reading the topic with byte-array deserializers and
 * no processing, what Kafka's ConsumerPerformance does); then, each in a JVM of its own ({@code --child}) and warmed
 * up until the JIT is quiet, Kafka Streams with no processing (bytes, then Avro-decoded values) and the real topology
 * with exactly_once_v2 (the default) and at_least_once, from the beginning until the committed offsets reach the end;
 * with the correlator caught up, it times incidents from the send of their evidence to their arrival at a
 * read_committed consumer. Prints a table with the ceiling beside the figures and a summary line. A command, never a
 * test: figures depend on the machine.
 *
 * <p>Usage: {@code CorrelatorBench [--entries 1000000] [--hosts 1000] [--partitions 2] [--latency-runs 60]
 * [--warmup-runs 1] [--max-warmup-runs 6] [--guarantees exactly_once_v2,at_least_once]
 * [-X streams.property=value ...]}; {@code -X} settings go to every Streams application run (to try e.g.
 * {@code commit.interval.ms}), never changing the guarantee under test; {@code -Dbench.child.options="..."} adds
 * JVM options to the children.
 */
public final class CorrelatorBench {

    private static final String REGISTRY = "mock://bench";
    private static final Duration CATCH_UP_LIMIT = Duration.ofMinutes(10);
    private static final Duration INCIDENT_LIMIT = Duration.ofSeconds(30);

    private final int entries;
    private final int hosts;
    private final int partitions;
    private final int latencyRuns;
    private final int warmupRuns;
    private final int maxWarmupRuns;
    /** JIT compiler time per entry (us) of a warm-up run below which the JIT counts as quiet. */
    private static final double JIT_QUIET_US_PER_ENTRY = 1.0;
    private final List<String> guarantees;
    private final Map<String, String> extra;
    private final List<String[]> rows = new ArrayList<>();
    private LocalKafka kafka;
    private String bootstrap;
    private long lastEventMicros;
    private int latencyHost;
    /** The first guarantee's figures, for the summary line: pass-through bytes and Avro, correlator, latency p99. */
    private double streamsBytes;
    private double streamsAvro;
    private long latencyP99Millis = -1;
    /** The last latency figure measured ({@link #latency}). */
    private String lastLatency = "";

    private CorrelatorBench(int entries, int hosts, int partitions, int latencyRuns, int warmupRuns,
                            int maxWarmupRuns, List<String> guarantees, Map<String, String> extra) {
        this.warmupRuns = warmupRuns;
        this.maxWarmupRuns = Math.max(warmupRuns, maxWarmupRuns);
        this.guarantees = guarantees;
        this.entries = entries;
        this.hosts = hosts;
        this.partitions = partitions;
        this.latencyRuns = latencyRuns;
        this.extra = extra;
    }

    public static void main(String[] args) throws Exception {
        int entries = 1_000_000;
        int hosts = 1_000;
        int partitions = 2;
        int latencyRuns = 60;
        int warmupRuns = 1;
        int maxWarmupRuns = 6;
        List<String> guarantees = List.of(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE);
        Map<String, String> extra = new LinkedHashMap<>();
        String child = null;
        String childBootstrap = null;
        long lastEventMicros = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--child" -> child = args[++i];
                case "--bootstrap" -> childBootstrap = args[++i];
                case "--last-event-micros" -> lastEventMicros = Long.parseLong(args[++i]);
                case "--entries" -> entries = Integer.parseInt(args[++i]);
                case "--hosts" -> hosts = Integer.parseInt(args[++i]);
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                case "--latency-runs" -> latencyRuns = Integer.parseInt(args[++i]);
                case "--warmup-runs" -> warmupRuns = Integer.parseInt(args[++i]);
                case "--max-warmup-runs" -> maxWarmupRuns = Integer.parseInt(args[++i]);
                case "--guarantees" -> guarantees = List.of(args[++i].split(","));
                case "-X" -> {
                    String[] kv = args[++i].split("=", 2);
                    extra.put(kv[0], kv[1]);
                }
                default -> {
                    System.err.println("usage: CorrelatorBench [--entries N] [--hosts N] [--partitions N]"
                            + " [--latency-runs N] [--warmup-runs N] [--max-warmup-runs N] [--guarantees G,G]"
                            + " [-X streams.property=value ...]");
                    System.exit(2);
                }
            }
        }
        CorrelatorBench bench = new CorrelatorBench(entries, hosts, partitions, latencyRuns, warmupRuns, maxWarmupRuns,
                guarantees, extra);
        if (child != null) {
            bench.bootstrap = childBootstrap;
            bench.lastEventMicros = lastEventMicros;
            bench.child(child, EntryProducerConfig.TOPIC_DEFAULT);
        } else {
            bench.run();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        System.out.printf("CorrelatorBench: %,d entries over %d hosts, %d partitions, %d cores, load average %s%n",
                entries, hosts, partitions, Runtime.getRuntime().availableProcessors(), loadAverage());
        if (!extra.isEmpty()) {
            System.out.println("extra Streams settings: " + extra);
        }
        kafka = LocalKafka.start(LocalKafka.Settings.defaults());
        bootstrap = kafka.bootstrapServers();
        try {
            String topic = EntryProducerConfig.TOPIC_DEFAULT;
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    bootstrap))) {
                List<NewTopic> topics = new ArrayList<>();
                for (String name : List.of(topic, "incidents", "fleet.alerts", "journal.deadletter")) {
                    topics.add(new NewTopic(name, partitions, (short) 1));
                }
                admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
            }
            produceMix(topic);
            double ceiling = ceiling(topic);
            rows.add(row("ceiling: plain consumer, byte[] deserializers, no processing (before)",
                    rate(ceiling), "", loadAverage()));
            double[] perf = consumerPerformance(topic);
            rows.add(row("Kafka's ConsumerPerformance tool: nMsg.sec (group join included) | fetch.nMsg.sec",
                    rate(perf[0]) + " | " + rate(perf[1]), "", loadAverage()));
            Map<String, Double> ours = new LinkedHashMap<>();
            // each Kafka Streams application in a JVM of its own, as in production: in one JVM with the broker, the
            // producers and the other applications, the JIT kept recompiling the code they share (records, maps,
            // deserializers) as each phase changed its type profiles, and never went quiet
            for (String[] result : childResults("pass-through")) {
                if (result[0].equals("avro")) {
                    streamsAvro = Double.parseDouble(result[1]);
                } else {
                    streamsBytes = Double.parseDouble(result[1]);
                }
                rows.add(row("Kafka Streams alone, " + guarantees.get(0) + ": source to committed end, "
                                + (result[0].equals("avro") ? "values Avro-decoded into JournalEntry" : "byte[] values")
                                + ", no processing", rate(Double.parseDouble(result[1])),
                        String.format(Locale.ROOT, "%.2f x ceiling", Double.parseDouble(result[1]) / ceiling),
                        result[2]));
            }
            for (String[] result : childResults("correlator")) {
                String guarantee = result[0];
                double perSecond = Double.parseDouble(result[1]);
                ours.put(guarantee, perSecond);
                rows.add(row("correlator, " + guarantee + (guarantee.equals(StreamsConfig.EXACTLY_ONCE_V2)
                                ? " (default)" : " (reference)") + ": start of topic to committed end",
                        rate(perSecond), String.format(Locale.ROOT, "%.2f x ceiling (goal >= 0.6)",
                                perSecond / ceiling), result[2]));
                rows.add(row("incident latency, " + guarantee + ": send of seed 002 runtime lines + seed 000 kernel"
                        + " report (new host) to OPEN incident at a read_committed consumer", result[4],
                        "p99 <= 500 ms", result[2]));
                if (guarantee.equals(guarantees.get(0))) {
                    latencyP99Millis = Long.parseLong(result[3]);
                }
            }
            double again = ceiling(topic);
            rows.add(row("ceiling again (after the correlator runs)", rate(again), "", loadAverage()));
            ceiling = Math.max(ceiling, again);
            printTable();
            double ceilingHigh = ceiling;
            StringBuilder summary = new StringBuilder();
            ours.forEach((g, perSecond) -> summary.append(String.format(Locale.ROOT, ", %s %.2f", g,
                    perSecond / Math.max(1, ceilingHigh))));
            System.out.printf("ours/ceiling against the highest ceiling measured (%s)%s%n", rate(ceilingHigh),
                    summary);
            StringBuilder againstTool = new StringBuilder();
            ours.forEach((g, perSecond) -> againstTool.append(String.format(Locale.ROOT,
                    ", %s %.2f of nMsg.sec and %.2f of fetch.nMsg.sec", g, perSecond / Math.max(1, perf[0]),
                    perSecond / Math.max(1, perf[1]))));
            System.out.printf("ours against Kafka's ConsumerPerformance (%s nMsg.sec, %s fetch.nMsg.sec)%s%n",
                    rate(perf[0]), rate(perf[1]), againstTool);
            double correlator = ours.get(guarantees.get(0));
            // one line in a fixed shape, so that runs can be compared by a script
            System.out.printf(Locale.ROOT, "summary: correlator %d/s, streams-avro %d/s, streams-bytes %d/s,"
                            + " ratio-avro %.2f, latency-p99 %d ms%n", Math.round(correlator), Math.round(streamsAvro),
                    Math.round(streamsBytes), correlator / Math.max(1, streamsAvro), latencyP99Millis);
        } finally {
            kafka.close();
        }
    }

    /**
     * Runs one {@code --child} JVM of this bench against the parent's broker ({@code pass-through} or
     * {@code correlator}), copies its output here and returns its results, one array per {@code child-result:} line
     * (the fields after the prefix, split at tabs).
     */
    private List<String[]> childResults(String kind) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // -Dbench.child.options="...": JVM options for the children (a profiler agent, GC logging)
        String options = System.getProperty("bench.child.options", "").strip();
        if (!options.isEmpty()) {
            command.addAll(List.of(options.split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CorrelatorBench.class.getName(),
                "--child", kind, "--bootstrap", bootstrap, "--last-event-micros", Long.toString(lastEventMicros),
                // a child's latency scenarios come after everything produced here, in event time
                "--entries", Integer.toString(entries), "--hosts", Integer.toString(hosts),
                "--partitions", Integer.toString(partitions), "--latency-runs", Integer.toString(latencyRuns),
                "--warmup-runs", Integer.toString(warmupRuns), "--max-warmup-runs", Integer.toString(maxWarmupRuns),
                "--guarantees", String.join(",", guarantees)));
        extra.forEach((k, v) -> command.addAll(List.of("-X", k + "=" + v)));
        Path errors = Path.of(System.getProperty("java.io.tmpdir"), "correlator-bench-" + kind + ".err");
        Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
        List<String[]> results = new ArrayList<>();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith(CHILD_RESULT)) {
                    results.add(line.substring(CHILD_RESULT.length()).split("\t"));
                } else {
                    System.out.println(line);
                }
            }
        }
        if (!process.waitFor(CATCH_UP_LIMIT.toMinutes(), TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("the " + kind + " child JVM failed (exit "
                    + (process.isAlive() ? "none" : process.exitValue()) + "); its log: " + errors);
        }
        return results;
    }

    private static final String CHILD_RESULT = "child-result: ";

    /** The child JVM's part: the Kafka Streams applications of {@code kind}, warmed up, then measured. */
    private void child(String kind, String topic) throws Exception {
        expectSameSchemaIds(topic);
        if (kind.equals("pass-through")) {
            for (boolean decode : new boolean[] {false, true}) {
                for (int w = 0; w < maxWarmupRuns; w++) {
                    double[] run = passThroughRun(guarantees.get(0), topic, decode, "warmup-" + w);
                    if (w + 1 >= warmupRuns && run[1] < JIT_QUIET_US_PER_ENTRY) {
                        break;
                    }
                }
                double perSecond = passThroughRun(guarantees.get(0), topic, decode, null)[0];
                System.out.println(CHILD_RESULT + (decode ? "avro" : "bytes") + "\t" + perSecond + "\t"
                        + loadAverage());
            }
            System.exit(0);
        }
        // the JIT compiles Kafka Streams' and our per-record paths over the first runs; a long-running correlator
        // pays that once, so the warm-up goes on until the compilers are quiet (or a bound), and says so
        for (int w = 0; w < maxWarmupRuns; w++) {
            double compileUs = topologyRun(guarantees.get(0), topic, "warmup-" + w)[1];
            if (w + 1 >= warmupRuns && compileUs < JIT_QUIET_US_PER_ENTRY) {
                break;
            }
            if (w + 1 == maxWarmupRuns) {
                System.out.printf(Locale.ROOT, "warm-up: the JIT compilers still took %.1f us per entry after %d"
                        + " runs%n", compileUs, maxWarmupRuns);
            }
        }
        for (String guarantee : guarantees) {
            double[] run = topologyRun(guarantee, topic, null);
            System.out.println(CHILD_RESULT + guarantee + "\t" + run[0] + "\t" + loadAverage() + "\t"
                    + (long) run[2] + "\t" + lastLatency);
        }
        System.exit(0);
    }

    /**
     * Registers JournalEntry's schema in this JVM's in-memory registry as the parent did before producing, and checks
     * that the topic's records carry the id it got: each JVM has its own {@code mock://} registry.
     */
    private void expectSameSchemaIds(String topic) {
        expectSameSchemaIds(bootstrap, topic, Topics.from(new CorrelatorSettings(baseSettings("bench-child",
                guarantees.get(0)))).journalEntries().valueSerde().serializer());
    }

    /**
     * Registers JournalEntry's schema through {@code values} (this JVM's in-memory registry) and checks that the
     * topic's records carry the id it got.
     */
    static void expectSameSchemaIds(String bootstrap, String topic, Serializer<JournalEntry> values) {
        byte[] ours = values.serialize(topic, asShipped(LineMix.build(1, 1, 42).get(0), 0));
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition first = new TopicPartition(topic, 0);
            consumer.assign(List.of(first));
            consumer.seekToBeginning(List.of(first));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (!Arrays.equals(r.value(), 0, 5, ours, 0, 5)) {
                        throw new IllegalStateException("the child's registry gave JournalEntry another schema id"
                                + " than the records carry");
                    }
                    return;
                }
            }
        }
        throw new IllegalStateException("no record in " + topic);
    }

    /** Produces the mix as the shipper would (its producer settings, entries keyed by host). */
    private void produceMix(String topic) {
        List<LogLine> lines = LineMix.build(entries, hosts, 42);
        Map<String, Object> props = producerProps();
        Topics topics = Topics.from(new CorrelatorSettings(baseSettings("bench-producer", "exactly_once_v2")));
        Serializer<JournalEntry> values = topics.journalEntries().valueSerde().serializer();
        long[] ordinaryBytes = new long[2];
        long[] relevantBytes = new long[2];
        long start = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                (t, b) -> b)) {
            long index = 0;
            for (LogLine line : lines) {
                JournalEntry entry = asShipped(line, index++);
                byte[] value = values.serialize(topic, entry);
                long[] sizes = line.ref().file() != null && line.ref().file().equals("bench") ? ordinaryBytes
                        : relevantBytes;
                sizes[0]++;
                sizes[1] += value.length;
                producer.send(new ProducerRecord<>(topic, entry.getHost(), value));
                lastEventMicros = Math.max(lastEventMicros, line.realtimeMicros());
            }
            producer.flush();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("produced %,d entries in %.1f s: %,d ordinary (%.0f bytes serialized on average),"
                        + " %,d relevant (%.0f bytes), load average %s%n", entries, seconds, ordinaryBytes[0],
                (double) ordinaryBytes[1] / ordinaryBytes[0], relevantBytes[0],
                (double) relevantBytes[1] / Math.max(1, relevantBytes[0]), loadAverage());
    }

    /**
     * The entry a journald shipper sends for {@code line}: boot id, cursor, monotonic time and the usual trusted
     * fields, as {@code journalctl -o json} gives them (which is what makes an ordinary entry ~550 bytes).
     */
    static JournalEntry asShipped(LogLine line, long index) {
        String bootId = String.format("%032x", (long) line.host().hashCode() & 0xffffffffL);
        long mono = 86_400_000_000L + index * 1_500;
        String cursor = "s=" + bootId + ";i=" + Long.toHexString(0x1f0000 + index) + ";b=" + bootId + ";m="
                + Long.toHexString(mono) + ";t=" + Long.toHexString(line.realtimeMicros()) + ";x="
                + Long.toHexString(index * 0x9E3779B97F4A7C15L);
        JournalEntry base = JournalEntries.fromLogLine(line, SourceKind.JOURNALD, fieldsOf(line), null, false);
        return JournalEntry.newBuilder(base)
                .setBootId(bootId)
                .setCursor(cursor)
                .setMonotonicMicros(mono)
                .setSource(EntrySource.newBuilder(base.getSource()).setFile(null).setLine(null).build())
                .build();
    }

    private static final Map<String, Map<String, String>> FIELDS = new HashMap<>();

    private static Map<String, String> fieldsOf(LogLine line) {
        String id = line.identifier() == null ? "unknown" : line.identifier();
        return FIELDS.computeIfAbsent(id, name -> {
            Map<String, String> f = new LinkedHashMap<>();
            f.put("SYSLOG_FACILITY", name.equals("kernel") ? "0" : "3");
            f.put("_MACHINE_ID", "5f1c0b6e2d8e4a4fa1c3b2d9e8f70a61");
            if (!name.equals("kernel")) {
                f.put("_UID", "0");
                f.put("_GID", "0");
                f.put("_COMM", name);
                f.put("_EXE", "/usr/bin/" + name);
                f.put("_CMDLINE", "/usr/bin/" + name + " --config=/etc/" + name + "/config.yaml --v=2");
                f.put("_SYSTEMD_CGROUP", "/system.slice/" + name + ".service");
                f.put("_SYSTEMD_UNIT", name + ".service");
                f.put("_SYSTEMD_SLICE", "system.slice");
            } else {
                f.put("_KERNEL_SUBSYSTEM", "memory");
            }
            return Map.copyOf(f);
        });
    }

    /** Entries/s of a plain consumer reading the whole topic with no processing (what ConsumerPerformance does). */
    private double ceiling(String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, 2 * 1024 * 1024); // ConsumerPerformance's default
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                parts.add(new TopicPartition(topic, p));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long total = consumer.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
            long count = 0;
            long bytes = 0;
            long start = System.nanoTime();
            while (count < total) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    count++;
                    bytes += r.serializedValueSize();
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("ceiling: %,d entries (%.0f MB) in %.2f s = %s (%.1f MB/s), load average %s%n",
                    count, bytes / 1e6, seconds, rate(count / seconds), bytes / 1e6 / seconds, loadAverage());
            return count / seconds;
        }
    }

    /**
     * Kafka's own consumer benchmark ({@code kafka-consumer-perf-test}'s class) reading the whole topic in this JVM, as
     * the reference figure was taken: its nMsg.sec (timed from before the consumer group join) and
     * fetch.nMsg.sec (from the first record on), as printed entries/s.
     */
    private double[] consumerPerformance(String topic) throws Exception {
        long total;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap))) {
            total = endOffsets(admin, topic).values().stream().mapToLong(Long::longValue).sum();
        }
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            org.apache.kafka.tools.ConsumerPerformance.main(new String[] {"--bootstrap-server",
                    bootstrap, "--topic", topic, "--num-records", Long.toString(total),
                    "--timeout", "120000", "--group", "bench-consumer-performance-" + System.nanoTime(),
                    "--hide-header"});
        } finally {
            System.setOut(stdout);
        }
        String out = captured.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
        String[] columns = out.lines().reduce((a, b) -> b).orElse("").split(",\\s*");
        if (columns.length < 10) {
            throw new IllegalStateException("unexpected ConsumerPerformance output: " + out);
        }
        double perSecond = Double.parseDouble(columns[5]);
        double fetchPerSecond = Double.parseDouble(columns[9]);
        System.out.printf("Kafka's ConsumerPerformance: %s records, nMsg.sec %s, rebalance %s ms, fetch.nMsg.sec %s,"
                + " load average %s%n", columns[4], rate(perSecond), columns[6], rate(fetchPerSecond), loadAverage());
        return new double[] {perSecond, fetchPerSecond};
    }

    /**
     * What Kafka Streams itself reaches on this topic with the correlator's Streams settings and {@code guarantee}, and
     * no processing: a source whose records go nowhere, their values as bytes or Avro-decoded. The distance from the
     * plain consumer's ceiling to this is the framework's (polling into tasks, record contexts, transactions and
     * commits), not the correlator's.
     */
    private double[] passThroughRun(String guarantee, String topic, boolean decode, String warmup)
            throws Exception {
        String appId = "bench-pass-through-" + (warmup == null ? "" : warmup + "-") + (decode ? "avro-" : "bytes-")
                + guarantee.replace('_', '-');
        CorrelatorSettings settings = new CorrelatorSettings(baseSettings(appId, guarantee));
        Properties props = new Properties();
        props.putAll(settings.streamsProperties());
        Path stateDir = Path.of((String) props.get(StreamsConfig.STATE_DIR_CONFIG));
        org.apache.kafka.streams.StreamsBuilder builder = new org.apache.kafka.streams.StreamsBuilder();
        if (decode) {
            Topics topics = Topics.from(settings);
            builder.stream(topic, org.apache.kafka.streams.kstream.Consumed.with(
                            org.apache.kafka.common.serialization.Serdes.ByteArray(),
                            topics.journalEntries().valueSerde()))
                    .foreach((key, value) -> { });
        } else {
            builder.stream(topic, org.apache.kafka.streams.kstream.Consumed.with(
                            org.apache.kafka.common.serialization.Serdes.ByteArray(),
                            org.apache.kafka.common.serialization.Serdes.ByteArray()))
                    .foreach((key, value) -> { });
        }
        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        CountDownLatch running = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        watch(streams, running, failure);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap))) {
            Map<TopicPartition, Long> end = endOffsets(admin, topic);
            long total = end.values().stream().mapToLong(Long::longValue).sum();
            streams.start();
            if (!running.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the pass-through application did not reach RUNNING");
            }
            long runningAt = System.nanoTime();
            long streamCpuBefore = streamThreadCpuNanos();
            long compileBefore = compileMillis();
            long done = waitCommitted(admin, appId, end, failure);
            long streamCpu = streamThreadCpuNanos() - streamCpuBefore;
            double compileUs = (compileMillis() - compileBefore) * 1e3 / total;
            double perSecond = total / ((done - runningAt) / 1e9);
            System.out.printf(Locale.ROOT, "Kafka Streams alone (%s, %s%s): %s, stream thread %.1f us per entry,"
                    + " JIT compilers %.1f us per entry, load average %s%n", guarantee,
                    decode ? "Avro-decoded" : "bytes", warmup == null ? "" : ", " + warmup + ", not measured",
                    rate(perSecond), streamCpu / 1e3 / total, compileUs, loadAverage());
            return new double[] {perSecond, compileUs};
        } finally {
            streams.close(Duration.ofSeconds(60));
            streams.cleanUp();
            deleteQuietly(stateDir);
        }
    }

    /** Counts {@code running} down when {@code streams} runs; keeps what stops a stream thread in {@code failure}. */
    static void watch(KafkaStreams streams, CountDownLatch running, AtomicReference<Throwable> failure) {
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            failure.set(e);
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                    .SHUTDOWN_CLIENT;
        });
    }

    /**
     * Runs the topology from the beginning with {@code guarantee} (then, unless a warm-up, the latency runs); returns
     * its entries/s, the JIT compilers' time per entry (us) while it ran and the incident latency p99 (ms, or -1).
     */
    private double[] topologyRun(String guarantee, String topic, String warmup) throws Exception {
        String appId = "bench-" + (warmup == null ? "" : warmup + "-") + guarantee.replace('_', '-');
        Map<String, Object> base = baseSettings(appId, guarantee);
        // outputs of their own per run: the query store reads the incidents topic from its start, and must not find
        // the revisions of the runs before
        namedOutputs(base, appId);
        CorrelatorSettings settings = new CorrelatorSettings(base);
        createOutputs(bootstrap, settings, partitions);
        Properties props = new Properties();
        props.putAll(settings.streamsProperties());
        Path stateDir = Path.of((String) props.get(StreamsConfig.STATE_DIR_CONFIG));
        KafkaStreams streams = new KafkaStreams(IncidentTopology.topology(settings), props);
        CountDownLatch running = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        watch(streams, running, failure);
        double perSecond;
        double compileUs;
        long latencyP99 = -1;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap))) {
            Map<TopicPartition, Long> end = endOffsets(admin, topic);
            long total = end.values().stream().mapToLong(Long::longValue).sum();
            long start = System.nanoTime();
            streams.start();
            if (!running.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the topology did not reach RUNNING");
            }
            long runningAt = System.nanoTime();
            Map<String, Long> threadsBefore = cpuByThreadGroup();
            long streamCpuBefore = streamThreadCpuNanos();
            long processCpuBefore = processCpuNanos();
            long compileBefore = compileMillis();
            long done = waitCommitted(admin, appId, end, failure);
            compileUs = (compileMillis() - compileBefore) * 1e3 / total;
            long streamCpu = streamThreadCpuNanos() - streamCpuBefore;
            long processCpu = processCpuNanos() - processCpuBefore;
            Map<String, Long> threadsAfter = cpuByThreadGroup();
            double seconds = (done - runningAt) / 1e9;
            perSecond = total / seconds;
            if (warmup != null) {
                System.out.printf(Locale.ROOT, "%s (%s, not measured): caught up with %,d entries in %.2f s = %s,"
                        + " JIT compilers %.1f us per entry%n", warmup, guarantee, total, seconds, rate(perSecond),
                        compileUs);
                return new double[] {perSecond, compileUs, -1};
            }
            System.out.printf("%s: caught up with %,d entries %.2f s after RUNNING (%.2f s after start) = %s,"
                            + " load average %s%n", guarantee, total, seconds, (done - start) / 1e9, rate(perSecond),
                    loadAverage());
            System.out.println(guarantee + " stream thread time shares: " + threadRatios(streams));
            System.out.println(guarantee + " offsets written (records and transaction markers) per topic: "
                    + writtenPerTopic(admin, appId));
            // CPU per entry depends far less on what else the machine runs than entries/s do
            System.out.printf(Locale.ROOT, "%s CPU per entry: stream thread %.1f us, whole JVM"
                    + " %.1f us, JIT compilers %.1f us%n", guarantee, streamCpu / 1e3 / total, processCpu / 1e3 / total,
                    compileUs);
            StringBuilder byGroup = new StringBuilder();
            threadsAfter.entrySet().stream()
                    .map(e -> Map.entry(e.getKey(), e.getValue() - threadsBefore.getOrDefault(e.getKey(), 0L)))
                    .filter(e -> e.getValue() > 0)
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                    .forEach(e -> byGroup.append(String.format(Locale.ROOT, "%s%s %.1f us", byGroup.length() == 0
                            ? "" : ", ", e.getKey(), e.getValue() / 1e3 / total)));
            System.out.println(guarantee + " CPU per entry by thread (Linux names, 15 characters): " + byGroup);
            latencyP99 = latency(topic, settings, failure);
        } finally {
            streams.close(Duration.ofSeconds(60));
            streams.cleanUp();
            deleteQuietly(stateDir);
        }
        return new double[] {perSecond, compileUs, latencyP99};
    }

    /** Names every output of the correlator in {@code settings} after application {@code appId}. */
    static void namedOutputs(Map<String, Object> settings, String appId) {
        for (var output : Topics.DECLARED) {
            if (output != Topics.JOURNAL_ENTRIES) {
                settings.put(output.nameSetting().name(), appId + "." + output.nameSetting().defaultValue());
            }
        }
    }

    /** Creates the correlator's output topics of {@code settings} as they are declared, with {@code partitions}. */
    static void createOutputs(String bootstrap, CorrelatorSettings settings, int partitions) throws Exception {
        Topics topics = Topics.from(settings);
        List<NewTopic> outputs = new ArrayList<>();
        for (var output : topics.all()) {
            if (output != topics.journalEntries()) {
                outputs.add(new NewTopic(output.name(), partitions, (short) 1).configs(output.configs()));
            }
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(outputs).all().get(60, TimeUnit.SECONDS);
        }
    }

    /** Time the JIT compilers have spent so far, summed over their threads. */
    private static long compileMillis() {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    /**
     * With the application caught up: for a new host each time, the runtime failure lines of seed 002 at T and
     * seed 000's kernel report (order-6 allocation failure and nf_conntrack slab failure) at T + 3 s. Both complete
     * on their natural end, no idle gap involved: the runtime failure when the host's next line is past its 2 s
     * fold window (the report's first line), the report at its last line ("Unable to create nf_conn slab cache").
     * Timed from the send of the scenario's first record to the OPEN incident at a read_committed consumer.
     */
    private long latency(String topic, CorrelatorSettings settings, AtomicReference<Throwable> failure)
            throws Exception {
        List<LogLine> runtime = LineMix.read("mix/seed-002-runtime.log", "syslog");
        List<LogLine> kernel = LineMix.read("mix/seed-000-kernel.log", "syslog");
        Topics topics = Topics.from(settings);
        Map<String, Object> consumerProps = new HashMap<>();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, Object> producerProps = producerProps();
        List<Long> micros = new ArrayList<>();
        int missed = 0;
        try (KafkaProducer<String, JournalEntry> producer = new KafkaProducer<>(producerProps,
                new StringSerializer(), topics.journalEntries().valueSerde().serializer());
             KafkaConsumer<String, Incident> incidents = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                     topics.incidents().valueSerde().deserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                parts.add(new TopicPartition(settings.incidentsTopic(), p));
            }
            incidents.assign(parts);
            incidents.seekToEnd(parts);
            parts.forEach(incidents::position);
            java.util.Random random = new java.util.Random(7);
            for (int run = 0; run < latencyRuns; run++) {
                String host = "latency-" + latencyHost++;
                lastEventMicros += 30_000_000L; // each scenario 30 s of event time after the last
                long t = lastEventMicros;
                List<JournalEntry> scenario = new ArrayList<>();
                long index = 10_000_000L + latencyHost * 1_000L;
                for (LogLine l : runtime) {
                    scenario.add(asShipped(moved(l, host, t), index++));
                }
                for (LogLine l : kernel) {
                    scenario.add(asShipped(moved(l, host, t + 3_000_000L), index++));
                }
                lastEventMicros = t + 3_000_000L;
                long sent = System.nanoTime();
                for (JournalEntry e : scenario) {
                    producer.send(new ProducerRecord<>(topic, host, e));
                }
                producer.flush();
                long deadline = sent + INCIDENT_LIMIT.toNanos();
                long arrived = -1;
                while (arrived < 0 && System.nanoTime() < deadline && failure.get() == null) {
                    for (ConsumerRecord<String, Incident> r : incidents.poll(Duration.ofMillis(5))) {
                        if (arrived < 0 && host.equals(r.value().getHost())) {
                            arrived = System.nanoTime();
                        }
                    }
                }
                if (arrived < 0) {
                    missed++;
                } else {
                    micros.add((arrived - sent) / 1_000);
                }
                Thread.sleep(100 + random.nextInt(400)); // out of step with the commit interval
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("the topology failed", failure.get());
        }
        long[] sorted = micros.stream().mapToLong(Long::longValue).sorted().toArray();
        String figure = sorted.length == 0 ? "none arrived" : String.format(Locale.ROOT,
                "p50 %d ms, p99 %d ms, max %d ms (%d runs%s)", percentile(sorted, 50) / 1000,
                percentile(sorted, 99) / 1000, sorted[sorted.length - 1] / 1000, sorted.length,
                missed > 0 ? ", " + missed + " missed" : "");
        System.out.printf("%s incident latency: %s, load average %s%n", settings.streamsProperties()
                .get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG), figure, loadAverage());
        lastLatency = figure;
        return sorted.length == 0 ? -1 : percentile(sorted, 99) / 1000;
    }

    /** Where the stream threads spent their time (Kafka Streams' poll/process/punctuate/commit-ratio metrics). */
    /** CPU time of this JVM's Kafka Streams threads so far. */
    private static long streamThreadCpuNanos() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().contains("-StreamThread-")
                    && !info.getThreadName().contains("producer")) {
                sum += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return sum;
    }

    /**
     * CPU time so far of this JVM's threads (JIT compiler, GC and RocksDB threads too, from /proc/self/task on Linux;
     * else the Java threads), by name with digits and ids blanked out.
     */
    private static Map<String, Long> cpuByThreadGroup() {
        Map<String, Long> sums = new HashMap<>();
        Path tasks = Path.of("/proc/self/task");
        if (Files.isDirectory(tasks)) {
            long tickNanos = 10_000_000L; // USER_HZ = 100 on Linux
            try (var dirs = Files.list(tasks)) {
                for (Path task : (Iterable<Path>) dirs::iterator) {
                    try {
                        String name = Files.readString(task.resolve("comm")).strip();
                        String stat = Files.readString(task.resolve("stat"));
                        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
                        sums.merge(name.replaceAll("\\d+", "N"), ticks * tickNanos, Long::sum);
                    } catch (java.io.IOException | RuntimeException gone) {
                        // the thread ended meanwhile
                    }
                }
            } catch (java.io.IOException e) {
                return sums;
            }
            return sums;
        }
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                String group = info.getThreadName().replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "ID")
                        .replaceAll("\\d+", "N");
                sums.merge(group, Math.max(0, threads.getThreadCpuTime(info.getThreadId())), Long::sum);
            }
        }
        return sums;
    }

    /** CPU time of this whole JVM so far (broker, producer and consumer threads included). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static String threadRatios(KafkaStreams streams) {
        StringBuilder out = new StringBuilder();
        streams.metrics().forEach((name, metric) -> {
            if (name.group().equals("stream-thread-metrics") && name.name().endsWith("-ratio")) {
                out.append(String.format(Locale.ROOT, "%s%s %.2f", out.length() == 0 ? "" : ", ", name.name(),
                        ((Number) metric.metricValue()).doubleValue()));
            }
        });
        return out.toString();
    }

    private static LogLine moved(LogLine l, String host, long micros) {
        return new LogLine(host, null, micros, null, l.transport(), l.identifier(), l.unit(), l.pid(),
                l.priority(), l.message(), l.ref());
    }

    private static long percentile(long[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private long waitCommitted(Admin admin, String appId, Map<TopicPartition, Long> end,
                               AtomicReference<Throwable> failure) throws Exception {
        return waitCommitted(admin, appId, end, failure, CATCH_UP_LIMIT);
    }

    /** Waits until {@code appId} committed {@code end} on every partition; the time it did, from System.nanoTime. */
    static long waitCommitted(Admin admin, String appId, Map<TopicPartition, Long> end,
                              AtomicReference<Throwable> failure, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (failure.get() != null) {
                throw new IllegalStateException("the topology failed", failure.get());
            }
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(appId)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            boolean all = true;
            for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                // an empty partition gets no committed offset
                if (e.getValue() > 0 && (c == null || c.offset() < e.getValue())) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return System.nanoTime();
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("not caught up within " + limit);
    }

    /** The end offsets, summed over partitions, of the application's internal topics and of its outputs. */
    private static String writtenPerTopic(Admin admin, String appId) throws Exception {
        StringBuilder out = new StringBuilder();
        for (String topic : new java.util.TreeSet<>(admin.listTopics().names().get())) {
            if (topic.startsWith(appId) || List.of("incidents", "fleet.alerts", "journal.deadletter").contains(topic)) {
                long sum = endOffsets(admin, topic).values().stream().mapToLong(Long::longValue).sum();
                out.append(out.length() == 0 ? "" : ", ").append(topic.replace(appId + "-", "")).append(' ')
                        .append(sum);
            }
        }
        return out.toString();
    }

    static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        int count = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        for (int p = 0; p < count; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> end = new HashMap<>();
        admin.listOffsets(request).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
        return end;
    }

    private Map<String, Object> baseSettings(String appId, String guarantee) {
        Map<String, Object> s = new HashMap<>();
        s.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        s.put("schema.registry.url", REGISTRY);
        s.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        s.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        s.put(CorrelatorSettings.TOPIC_CREATE, "false");
        try {
            s.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("bench-state").toString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        s.putAll(extra);
        return s;
    }

    private Map<String, Object> producerProps() {
        return shipperProducerProps(bootstrap, REGISTRY);
    }

    /** The shipper's own producer settings ({@link EntryProducerConfig}): lz4, linger 200 ms, acks=all. */
    static Map<String, Object> shipperProducerProps(String bootstrapServers, String registry) {
        Map<String, Object> props = EntryProducerConfig.producerProperties(Map.of(
                "bootstrap.servers", bootstrapServers, "schema.registry.url", registry));
        props.remove("key.serializer");
        props.remove("value.serializer");
        return props;
    }

    private void printTable() {
        String[] head = {"what", "figure", "vs goal", "load average (1, 5, 15 min)"};
        int[] width = new int[head.length];
        List<String[]> all = new ArrayList<>();
        all.add(head);
        all.addAll(rows);
        for (String[] r : all) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        System.out.println();
        for (String[] r : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(String.format("%-" + width[i] + "s", r[i])).append(i < r.length - 1 ? " | " : "");
            }
            System.out.println(line.toString().stripTrailing());
        }
        System.out.println();
    }

    private static String[] row(String what, String figure, String goal, String load) {
        return new String[] {what, figure, goal, load};
    }

    static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f entries/s", perSecond);
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return String.join(" ", Arrays.copyOf(parts, 3));
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // a temporary directory; leaving it behind is harmless
        }
    }
}
