package io.nodeincidents.bench;

import io.nodeincidents.broker.LocalKafka;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.schemas.DeadLetter;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.topology.CorrelatorSettings;
import io.nodeincidents.topology.IncidentTopology;
import io.nodeincidents.topology.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Poison among good entries, through the real in-process broker and the real topology: the same realistic mix
 * (LineMix, as the shipper sends it) is produced to two topics, one of them with poison records spread through it
 * (wrong magic byte, an unknown schema id, truncated Avro, a value of invalid UTF-8 text, a null value). The correlator
 * runs over each from the beginning; the bench checks that every poison record reached the dead-letter topic with its
 * topic, partition and offset and nothing else did, and prints the throughput of both runs and the cost. A 100 MB value
 * is also sent: the broker refuses it, so it never enters the topic, which the bench reports.
 *
 * <pre>java -cp "benchmarks/target/nodeincidents-benchmarks.jar:benchmarks/target/lib/*" io.nodeincidents.bench.PoisonBench
 *     [--entries 1000000] [--poison 10000] [--hosts 1000] [--partitions 2]</pre>
 */
public final class PoisonBench {

    private static final String REGISTRY = "mock://poison-bench";
    private static final Duration CATCH_UP_LIMIT = Duration.ofMinutes(15);

    /** The kinds of poison, in rotation. */
    enum Poison { WRONG_MAGIC_BYTE, UNKNOWN_SCHEMA_ID, TRUNCATED_AVRO, INVALID_UTF8_TEXT, NULL_VALUE }

    private final int entries;
    private final int poison;
    private final int hosts;
    private final int partitions;
    private LocalKafka kafka;

    private PoisonBench(int entries, int poison, int hosts, int partitions) {
        this.entries = entries;
        this.poison = poison;
        this.hosts = hosts;
        this.partitions = partitions;
    }

    public static void main(String[] args) throws Exception {
        int entries = 1_000_000;
        int poison = 10_000;
        int hosts = 1_000;
        int partitions = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--entries" -> entries = Integer.parseInt(args[++i]);
                case "--poison" -> poison = Integer.parseInt(args[++i]);
                case "--hosts" -> hosts = Integer.parseInt(args[++i]);
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: PoisonBench [--entries N] [--poison N] [--hosts N] [--partitions N]");
                    System.exit(2);
                }
            }
        }
        boolean ok = new PoisonBench(entries, poison, hosts, partitions).run();
        System.exit(ok ? 0 : 1);
    }

    private boolean run() throws Exception {
        System.out.printf("PoisonBench: %,d entries over %d hosts with %,d poison records, %d partitions, load average"
                + " %s%n", entries, hosts, poison, partitions, CorrelatorBench.loadAverage());
        kafka = LocalKafka.start(LocalKafka.Settings.defaults());
        try {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()))) {
                List<NewTopic> topics = new ArrayList<>();
                for (String name : List.of("clean.entries", "poisoned.entries", "clean.incidents",
                        "poisoned.incidents", "clean.fleet", "poisoned.fleet", "clean.deadletter",
                        "poisoned.deadletter", "clean.memory", "poisoned.memory", "clean.forecast",
                        "poisoned.forecast")) {
                    topics.add(new NewTopic(name, partitions, (short) 1));
                }
                admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
            }
            Map<TopicPartition, Map<Long, Poison>> poisonAt = produce();
            boolean tooLargeRefused = sendTooLarge();
            // the first run pays for the JIT compiling Kafka Streams' and our per-record path: not measured
            correlate("clean", "warmup");
            double clean = correlate("clean", "clean");
            double poisoned = correlate("poisoned", "poisoned");
            Map<Poison, Integer> found = new TreeMap<>();
            int withoutCoordinates = checkDeadLetters(poisonAt, found);
            long expected = poisonAt.values().stream().mapToLong(Map::size).sum();
            long matched = found.values().stream().mapToLong(Integer::longValue).sum();
            System.out.println();
            System.out.printf(Locale.ROOT, "correlator on %,d good entries: %s%n", entries, CorrelatorBench.rate(clean));
            System.out.printf(Locale.ROOT, "correlator on the same with %,d poison records: %s (%.1f%% %s)%n", poison,
                    CorrelatorBench.rate(poisoned), Math.abs(100 * (1 - poisoned / clean)),
                    poisoned <= clean ? "slower" : "faster");
            System.out.printf("dead letters with the coordinates of a poison record: %,d of %,d %s%n", matched,
                    expected, found);
            System.out.printf("100 MB value refused by the broker (never in the topic): %s%n", tooLargeRefused);
            boolean ok = matched == expected && withoutCoordinates == 0 && tooLargeRefused;
            System.out.printf("summary: poison %d/%d dead-lettered, clean %.0f/s, poisoned %.0f/s, cost %.1f%%, %s%n",
                    matched, expected, clean, poisoned, 100 * (1 - poisoned / clean), ok ? "OK" : "FAILED");
            return ok;
        } finally {
            kafka.close();
        }
    }

    /** The mix to both topics, poison spread evenly through the second; the poison records' offsets. */
    private Map<TopicPartition, Map<Long, Poison>> produce() throws Exception {
        List<LogLine> lines = LineMix.build(entries, hosts, 42);
        Serializer<JournalEntry> values = Topics.from(new CorrelatorSettings(settings("producer", "clean")))
                .journalEntries().valueSerde().serializer();
        Map<String, Object> props = producerProps();
        Map<TopicPartition, Map<Long, Poison>> poisonAt = new HashMap<>();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        List<Poison> kinds = new ArrayList<>();
        int every = Math.max(1, entries / Math.max(1, poison));
        Poison[] rotation = Poison.values();
        long start = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                (t, b) -> b)) {
            int poisoned = 0;
            for (int i = 0; i < lines.size(); i++) {
                JournalEntry entry = CorrelatorBench.asShipped(lines.get(i), i);
                byte[] value = values.serialize("clean.entries", entry);
                producer.send(new ProducerRecord<>("clean.entries", entry.getHost(), value));
                producer.send(new ProducerRecord<>("poisoned.entries", entry.getHost(), value));
                if (i % every == every - 1 && poisoned < poison) {
                    Poison kind = rotation[poisoned++ % rotation.length];
                    sent.add(producer.send(new ProducerRecord<>("poisoned.entries", entry.getHost(),
                            poisonValue(kind, value))));
                    kinds.add(kind);
                }
            }
            producer.flush();
        }
        for (int i = 0; i < sent.size(); i++) {
            RecordMetadata m = sent.get(i).get();
            poisonAt.computeIfAbsent(new TopicPartition(m.topic(), m.partition()), tp -> new HashMap<>())
                    .put(m.offset(), kinds.get(i));
        }
        System.out.printf(Locale.ROOT, "produced %,d entries to each topic and %,d poison records in %.1f s%n",
                entries, sent.size(), (System.nanoTime() - start) / 1e9);
        return poisonAt;
    }

    /** Bytes no JournalEntry reader accepts, made from a good value where that makes them realistic. */
    static byte[] poisonValue(Poison kind, byte[] good) {
        return switch (kind) {
            case WRONG_MAGIC_BYTE -> {
                byte[] v = good.clone();
                v[0] = 7;
                yield v;
            }
            case UNKNOWN_SCHEMA_ID -> {
                byte[] v = good.clone();
                v[1] = 0x7f; // schema id 0x7f...: never registered
                yield v;
            }
            case TRUNCATED_AVRO -> Arrays.copyOf(good, Math.max(6, good.length / 2));
            case INVALID_UTF8_TEXT -> new byte[] {(byte) 0xff, (byte) 0xfe, 'o', 'o', 'm', (byte) 0xc3, 0x28, '\n'};
            case NULL_VALUE -> null;
        };
    }

    /**
     * A 100 MB value, as a misconfigured producer might send: the broker refuses it (its message and request size
     * limits), so it never enters the topic. True when the topic's end offsets did not move.
     */
    private boolean sendTooLarge() throws Exception {
        Map<TopicPartition, Long> before;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            before = CorrelatorBench.endOffsets(admin, "poisoned.entries");
        }
        boolean refused = sendHuge();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            return refused && before.equals(CorrelatorBench.endOffsets(admin, "poisoned.entries"));
        }
    }

    private boolean sendHuge() throws InterruptedException {
        Map<String, Object> props = producerProps();
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 128 * 1024 * 1024);
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 256L * 1024 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                (t, b) -> b)) {
            byte[] huge = new byte[100 * 1024 * 1024];
            Arrays.fill(huge, (byte) 'x');
            producer.send(new ProducerRecord<>("poisoned.entries", "huge-host", huge)).get();
            return false;
        } catch (ExecutionException e) {
            // a record over message.max.bytes is refused with RecordTooLargeException; a request over
            // socket.request.max.bytes makes the broker close the connection, which the producer sees as a timeout
            System.out.println("the 100 MB value: " + e.getCause());
            return true;
        } catch (RecordTooLargeException e) {
            System.out.println("the 100 MB value: " + e);
            return true;
        }
    }

    /** Runs the topology over {@code prefix}.entries from the beginning with exactly_once_v2; entries/s. */
    private double correlate(String prefix, String run) throws Exception {
        CorrelatorSettings settings = new CorrelatorSettings(settings("bench-" + run, prefix));
        Properties props = new Properties();
        props.putAll(settings.streamsProperties());
        Path stateDir = Path.of((String) props.get(StreamsConfig.STATE_DIR_CONFIG));
        KafkaStreams streams = new KafkaStreams(IncidentTopology.topology(settings), props);
        CountDownLatch running = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CorrelatorBench.watch(streams, running, failure);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()))) {
            Map<TopicPartition, Long> end = CorrelatorBench.endOffsets(admin, prefix + ".entries");
            long total = end.values().stream().mapToLong(Long::longValue).sum();
            streams.start();
            if (!running.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the topology did not reach RUNNING");
            }
            long runningAt = System.nanoTime();
            CorrelatorBench.waitCommitted(admin, "bench-" + run, end, failure, CATCH_UP_LIMIT);
            double seconds = (System.nanoTime() - runningAt) / 1e9;
            System.out.printf(Locale.ROOT, "%s: %,d records caught up %.2f s after RUNNING = %s, load average %s%n",
                    run, total, seconds, CorrelatorBench.rate(total / seconds), CorrelatorBench.loadAverage());
            return total / seconds;
        } finally {
            streams.close(Duration.ofSeconds(60));
            streams.cleanUp();
            CorrelatorBench.deleteQuietly(stateDir);
        }
    }

    /**
     * Reads both dead-letter topics whole (read_committed): the clean run must have none, every poisoned letter must
     * name a poison record's partition and offset. Counts matches by kind into {@code found}; returns the letters that
     * match no poison record.
     */
    private int checkDeadLetters(Map<TopicPartition, Map<Long, Poison>> poisonAt, Map<Poison, Integer> found) {
        Topics topics = Topics.from(new CorrelatorSettings(settings("reader", "poisoned")));
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "poison-check");
        int unmatched = 0;
        Set<String> seen = new HashSet<>();
        try (KafkaConsumer<String, DeadLetter> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                topics.deadLetters().valueSerde().deserializer())) {
            consumer.subscribe(List.of("clean.deadletter", "poisoned.deadletter"));
            long quietSince = System.nanoTime();
            while (System.nanoTime() - quietSince < Duration.ofSeconds(10).toNanos()) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    quietSince = System.nanoTime();
                }
                for (ConsumerRecord<String, DeadLetter> r : records) {
                    DeadLetter letter = r.value();
                    Poison kind = letter == null || letter.getPartition() == null || letter.getOffset() == null
                            ? null : poisonAt.getOrDefault(new TopicPartition(letter.getTopic(),
                            letter.getPartition()), Map.of()).get(letter.getOffset());
                    if (r.topic().equals("poisoned.deadletter") && kind != null
                            && seen.add(letter.getPartition() + "/" + letter.getOffset())) {
                        found.merge(kind, 1, Integer::sum);
                    } else {
                        unmatched++;
                        System.out.println("unexpected dead letter in " + r.topic() + ": " + (letter == null ? null
                                : letter.getReason() + " at " + letter.getTopic() + "/" + letter.getPartition() + "@"
                                + letter.getOffset()));
                    }
                }
            }
        }
        return unmatched;
    }

    private Map<String, Object> settings(String appId, String prefix) {
        Map<String, Object> s = new HashMap<>();
        s.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        s.put("schema.registry.url", REGISTRY);
        s.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        s.put(CorrelatorSettings.TOPIC_CREATE, "false");
        s.put(CorrelatorSettings.JOURNAL_ENTRIES_TOPIC, prefix + ".entries");
        s.put(CorrelatorSettings.INCIDENTS_TOPIC, prefix + ".incidents");
        s.put(CorrelatorSettings.FLEET_ALERTS_TOPIC, prefix + ".fleet");
        s.put(CorrelatorSettings.DEAD_LETTER_TOPIC, prefix + ".deadletter");
        s.put(CorrelatorSettings.NODE_MEMORY_TOPIC, prefix + ".memory");
        s.put(CorrelatorSettings.MEMORY_FORECASTS_TOPIC, prefix + ".forecast");
        s.put(CorrelatorSettings.INCIDENTS_ECS_TOPIC, "");
        s.put(CorrelatorSettings.QUERY_ENABLED, "false");
        try {
            s.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("poison-bench-state").toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return s;
    }

    private Map<String, Object> producerProps() {
        return CorrelatorBench.shipperProducerProps(kafka.bootstrapServers(), REGISTRY);
    }
}
