package io.nodeincidents.bench;

import io.nodeincidents.broker.LocalKafka;
import io.nodeincidents.ingest.produce.EntryProducerConfig;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.topology.CorrelatorSettings;
import io.nodeincidents.topology.IncidentTopology;
import io.nodeincidents.topology.Topics;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * The correlator scaled out, measured on the in-process broker: for each instance count N (and standby replica count
 * S), N correlator instances, each a JVM of its own in one application, work off a backlog of the {@link LineMix}
 * journal on P partitions of {@code journal.entries}; the bench prints the time to the committed end, the rate in
 * total and the share of each instance. Then, with two or more instances, one is killed with SIGKILL and a second
 * batch of entries is produced: the bench prints how long the application took to commit past it (the survivors must
 * notice the loss, take the partitions over and restore their state) and what each survivor restored. A command, never
 * a test: figures depend on the machine.
 *
 * <p>Usage: {@code ScaleOutBench [--entries 1000000] [--hosts 1000] [--partitions 4] [--instances 1,2]
 * [--standby 0,1] [--batch 100000] [-X correlator.setting=value ...]}.
 */
public final class ScaleOutBench {

    private static final String REGISTRY = "mock://scale-out";
    private static final Duration LIMIT = Duration.ofMinutes(10);
    private static final String PROCESSED = "processed ";
    private static final String RESTORED = "restored ";

    private ScaleOutBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--worker")) {
            worker(args[1], args[2], args[3], Integer.parseInt(args[4]), extras(args, 5));
            return;
        }
        int entries = 1_000_000;
        int hosts = 1_000;
        int partitions = 4;
        int batch = 100_000;
        List<Integer> instanceCounts = List.of(1, 2);
        List<Integer> standbys = List.of(0, 1);
        List<String> extra = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--entries" -> entries = Integer.parseInt(args[++i]);
                case "--hosts" -> hosts = Integer.parseInt(args[++i]);
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--instances" -> instanceCounts = ints(args[++i]);
                case "--standby" -> standbys = ints(args[++i]);
                case "-X" -> extra.add(args[++i]);
                default -> {
                    System.err.println("usage: ScaleOutBench [--entries N] [--hosts N] [--partitions P]"
                            + " [--instances N,N] [--standby S,S] [--batch N] [-X setting=value ...]");
                    System.exit(2);
                }
            }
        }
        System.out.printf("ScaleOutBench: %,d entries over %d hosts, %d partitions, %d cores, load average %s%n",
                entries, hosts, partitions, Runtime.getRuntime().availableProcessors(), CorrelatorBench.loadAverage());
        try (LocalKafka kafka = LocalKafka.start(LocalKafka.Settings.defaults())) {
            String bootstrap = kafka.bootstrapServers();
            String topic = EntryProducerConfig.TOPIC_DEFAULT;
            try (Admin admin = admin(bootstrap)) {
                admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60,
                        TimeUnit.SECONDS);
            }
            List<LogLine> mix = LineMix.build(entries, hosts, 42);
            long shift = produce(bootstrap, topic, mix, 0, 0);
            int run = 0;
            for (int standby : standbys) {
                for (int n : instanceCounts) {
                    if (standby >= n) {
                        continue; // a standby needs another instance to live on
                    }
                    // each batch after the backlog comes later in event time, with cursors of its own
                    shift = measure(bootstrap, topic, "scale-" + run++ + "-n" + n + "-s" + standby, n, standby,
                            entries, mix.subList(0, Math.min(batch, mix.size())), shift, extra);
                }
            }
        }
        System.exit(0);
    }

    /** One configuration: the backlog with N instances, then a takeover when N >= 2. Returns the next time shift. */
    private static long measure(String bootstrap, String topic, String appId, int n, int standby, int backlog,
                                List<LogLine> batch, long shift, List<String> extra) throws Exception {
        createOutputs(bootstrap, appId, topic);
        List<Worker> workers = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            workers.add(Worker.start(bootstrap, topic, appId, standby, extra));
        }
        long done;
        try (Admin admin = admin(bootstrap)) {
            Map<TopicPartition, Long> end = CorrelatorBench.endOffsets(admin, topic);
            long total = end.values().stream().mapToLong(Long::longValue).sum();
            done = CorrelatorBench.waitCommitted(admin, appId, end, new AtomicReference<>(), LIMIT);
            double seconds = (done - start) / 1e9;
            StringBuilder shares = new StringBuilder();
            for (Worker w : workers) {
                shares.append(shares.length() == 0 ? "" : ", ").append(CorrelatorBench.rate(w.processed / seconds));
            }
            System.out.printf(Locale.ROOT, "instances %d, standby replicas %d: %,d entries (the topic from its start,"
                            + " JVMs started cold) in %.1f s = %s in total; per instance %s; load average %s%n", n,
                    standby, total, seconds, CorrelatorBench.rate(total / seconds), shares,
                    CorrelatorBench.loadAverage());
            if (n >= 2) {
                Thread.sleep(5_000); // standby replicas catch up with the changelogs
                workers.forEach(w -> w.restores.clear());
                Worker killed = workers.get(0);
                killed.process.destroyForcibly().waitFor();
                long killedAt = System.nanoTime();
                long next = produce(bootstrap, topic, batch, shift, 50_000_000L + total);
                Map<TopicPartition, Long> after = CorrelatorBench.endOffsets(admin, topic);
                long taken = CorrelatorBench.waitCommitted(admin, appId, after, new AtomicReference<>(), LIMIT);
                StringBuilder restored = new StringBuilder();
                long records = 0;
                long restoreMs = 0;
                for (Worker w : workers.subList(1, workers.size())) {
                    for (long[] r : w.restores.values()) {
                        records += r[0];
                        restoreMs = Math.max(restoreMs, r[1]);
                    }
                }
                restored.append(String.format(Locale.ROOT, "%,d changelog records restored, longest restore %d ms",
                        records, restoreMs));
                System.out.printf(Locale.ROOT, "instances %d, standby replicas %d: one instance killed (SIGKILL);"
                                + " a batch of %,d entries committed %.1f s after the kill; %s; load average %s%n", n,
                        standby, batch.size(), (taken - killedAt) / 1e9, restored, CorrelatorBench.loadAverage());
                shift = next;
            }
        } finally {
            for (Worker w : workers) {
                w.stop();
            }
        }
        return shift;
    }

    /** The outputs of one application, named after it, as the correlator declares them. */
    private static void createOutputs(String bootstrap, String appId, String topic) throws Exception {
        int partitions;
        try (Admin admin = admin(bootstrap)) {
            partitions = CorrelatorBench.endOffsets(admin, topic).size();
        }
        CorrelatorBench.createOutputs(bootstrap, new CorrelatorSettings(settings(bootstrap, appId, 0,
                Path.of(System.getProperty("java.io.tmpdir")), List.of())), partitions);
    }

    private static Map<String, Object> settings(String bootstrap, String appId, int standby, Path stateDir,
                                                List<String> extra) {
        Map<String, Object> s = new HashMap<>();
        s.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        s.put("schema.registry.url", REGISTRY);
        s.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        s.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, standby);
        s.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        s.put(CorrelatorSettings.TOPIC_CREATE, "false");
        CorrelatorBench.namedOutputs(s, appId);
        for (String kv : extra) {
            String[] parts = kv.split("=", 2);
            s.put(parts[0], parts[1]);
        }
        return s;
    }

    /**
     * Produces {@code lines} as the shipper would, {@code shiftMicros} later than their own times and with cursors from
     * {@code firstIndex} on; returns the shift for a batch after them.
     */
    private static long produce(String bootstrap, String topic, List<LogLine> lines, long shiftMicros,
                                long firstIndex) {
        Topics topics = Topics.from(new CorrelatorSettings(settings(bootstrap, "scale-producer", 0,
                Path.of(System.getProperty("java.io.tmpdir")), List.of())));
        Serializer<JournalEntry> values = topics.journalEntries().valueSerde().serializer();
        long last = 0;
        long index = firstIndex;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                CorrelatorBench.shipperProducerProps(bootstrap, REGISTRY), new StringSerializer(), (t, b) -> b)) {
            for (LogLine line : lines) {
                LogLine moved = new LogLine(line.host(), line.bootId(), line.realtimeMicros() + shiftMicros,
                        line.monotonicMicros(), line.transport(), line.identifier(), line.unit(), line.pid(),
                        line.priority(), line.message(), line.ref());
                JournalEntry entry = CorrelatorBench.asShipped(moved, index++);
                producer.send(new ProducerRecord<>(topic, entry.getHost(), values.serialize(topic, entry)));
                last = Math.max(last, moved.realtimeMicros());
            }
            producer.flush();
        }
        long first = lines.stream().mapToLong(LogLine::realtimeMicros).min().orElse(0);
        return last - first + shiftMicros + 3_600_000_000L;
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    private static List<Integer> ints(String list) {
        List<Integer> out = new ArrayList<>();
        for (String s : list.split(",")) {
            out.add(Integer.parseInt(s.strip()));
        }
        return out;
    }

    private static List<String> extras(String[] args, int from) {
        return List.of(args).subList(from, args.length);
    }

    /** A correlator instance in a JVM of its own, and what it reports on its standard output. */
    private static final class Worker {
        final Process process;
        volatile long processed;
        /** Per store and partition: records restored and the time it took (ms). */
        final Map<String, long[]> restores = new ConcurrentHashMap<>();

        private Worker(Process process) {
            this.process = process;
            Thread reader = new Thread(this::read, "scale-out-worker-output");
            reader.setDaemon(true);
            reader.start();
        }

        static Worker start(String bootstrap, String topic, String appId, int standby, List<String> extra)
                throws Exception {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), ScaleOutBench.class.getName(), "--worker",
                    bootstrap, topic, appId, Integer.toString(standby)));
            command.addAll(extra);
            Path log = Path.of(System.getProperty("java.io.tmpdir"), "scale-out-" + appId + "-"
                    + System.nanoTime() + ".err");
            return new Worker(new ProcessBuilder(command).redirectError(log.toFile()).start());
        }

        private void read() {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith(PROCESSED)) {
                        processed = Long.parseLong(line.substring(PROCESSED.length()).strip());
                    } else if (line.startsWith(RESTORED)) {
                        String[] f = line.substring(RESTORED.length()).split(" ");
                        restores.merge(f[0], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])},
                                (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
                    }
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        }

        void stop() throws Exception {
            if (process.isAlive()) {
                process.getOutputStream().close();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
        }
    }

    /**
     * The worker JVM: the correlator of application {@code appId}, until its standard input closes. Prints the records
     * its stream threads processed every half second, and each finished state restore.
     */
    private static void worker(String bootstrap, String topic, String appId, int standby, List<String> extra)
            throws Exception {
        Path stateDir = Files.createTempDirectory("scale-out-state");
        CorrelatorSettings settings = new CorrelatorSettings(settings(bootstrap, appId, standby, stateDir, extra));
        // each JVM has its own in-memory registry: register as the producer did, so the ids match
        CorrelatorBench.expectSameSchemaIds(bootstrap, topic, Topics.from(settings).journalEntries().valueSerde()
                .serializer());
        Properties props = new Properties();
        props.putAll(settings.streamsProperties());
        KafkaStreams streams = new KafkaStreams(IncidentTopology.topology(settings), props);
        Map<TopicPartition, long[]> restoring = new ConcurrentHashMap<>();
        streams.setGlobalStateRestoreListener(new StateRestoreListener() {
            @Override
            public void onRestoreStart(TopicPartition partition, String store, long start, long end) {
                restoring.put(partition, new long[] {System.nanoTime(), 0});
            }

            @Override
            public void onBatchRestored(TopicPartition partition, String store, long batchEnd, long records) {
                restoring.computeIfPresent(partition, (p, r) -> new long[] {r[0], r[1] + records});
            }

            @Override
            public void onRestoreEnd(TopicPartition partition, String store, long restored) {
                long[] r = restoring.remove(partition);
                long ms = r == null ? 0 : (System.nanoTime() - r[0]) / 1_000_000;
                System.out.println(RESTORED + partition + " " + restored + " " + ms);
            }
        });
        CountDownLatch running = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CorrelatorBench.watch(streams, running, failure);
        streams.start();
        Thread reporter = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                double total = 0;
                for (var metric : streams.metrics().entrySet()) {
                    if (metric.getKey().name().equals("process-total")
                            && metric.getKey().group().equals("stream-thread-metrics")) {
                        total += ((Number) metric.getValue().metricValue()).doubleValue();
                    }
                }
                System.out.println(PROCESSED + (long) total);
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "scale-out-reporter");
        reporter.setDaemon(true);
        reporter.start();
        // the parent closes our standard input to stop us (or kills us)
        while (System.in.read() >= 0) {
            // nothing is sent
        }
        streams.close(Duration.ofSeconds(30));
        CorrelatorBench.deleteQuietly(stateDir);
        System.exit(0);
    }
}
