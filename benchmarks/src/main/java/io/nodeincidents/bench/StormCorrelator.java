package io.nodeincidents.bench;

import io.nodeincidents.ingest.replay.LogReplay;
import io.nodeincidents.logs.ReadOptions;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.topology.CorrelatorSettings;
import io.nodeincidents.topology.IncidentTopology;
import io.nodeincidents.topology.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One {@link StormBench} correlator run, in a child JVM with the bench's small heap: replays a log file into a fresh
 * {@code journal.entries} topic on the parent's broker as {@code nodeincidents replay} does, then runs the correlator
 * (the real topology, exactly_once_v2, RocksDB stores) from the beginning until its committed offsets reach the end.
 * The peak RSS is reset after the replay ({@code /proc/self/clear_refs}), so it is the correlator's. Prints one line:
 * {@code correlator: entries N, caught up S s, us/entry U, peak RSS K kB, incident revisions I, dead letters D}.
 *
 * <p>Usage: {@code java -Dcorrelator.SETTING=VALUE... StormCorrelator BOOTSTRAP FILE RUN-ID}. The schema registry is the serdes' in-JVM mock, shared by
 * the replay and the correlator of this one process.
 */
public final class StormCorrelator {

    private static final Duration CATCH_UP_LIMIT = Duration.ofMinutes(30);

    private StormCorrelator() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        Path file = Path.of(args[1]);
        String run = args[2];
        Path stateDir = Files.createTempDirectory("storm-correlator");
        Map<String, Object> base = new HashMap<>();
        base.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        base.put("schema.registry.url", "mock://" + run);
        base.put(StreamsConfig.APPLICATION_ID_CONFIG, run);
        base.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        base.put(CorrelatorSettings.TOPIC_CREATE, "false");
        for (var declared : Topics.DECLARED) {
            base.put(declared.nameSetting().name(), run + "." + declared.nameSetting().defaultValue());
        }
        // -Dcorrelator.NAME=VALUE: a correlator setting to try (StormBench's -X NAME=VALUE)
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("correlator.")) {
                base.put(name.substring("correlator.".length()), System.getProperty(name));
            }
        }
        CorrelatorSettings settings = new CorrelatorSettings(base);
        Topics topics = Topics.from(settings);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<NewTopic> create = new ArrayList<>();
            for (var topic : topics.all()) {
                create.add(new NewTopic(topic.name(), 2, (short) 1).configs(topic.configs()));
            }
            admin.createTopics(create).all().get(60, TimeUnit.SECONDS);

            String entriesTopic = topics.journalEntries().name();
            long replayStart = System.nanoTime();
            LogReplay.Summary replayed;
            try (KafkaProducer<String, JournalEntry> producer = new KafkaProducer<>(
                    CorrelatorBench.shipperProducerProps(bootstrap, "mock://" + run), new StringSerializer(),
                    topics.journalEntries().valueSerde().serializer())) {
                replayed = new LogReplay(producer, entriesTopic).replay(List.of(file), ReadOptions.defaults(),
                        rejected -> { });
                producer.flush();
            }
            double replaySeconds = (System.nanoTime() - replayStart) / 1e9;
            if (replayed.failedSends() > 0) {
                throw new IllegalStateException(replayed.failedSends() + " sends failed");
            }
            System.gc();
            Files.writeString(Path.of("/proc/self/clear_refs"), "5"); // the peak RSS from here on: the correlator's

            Map<TopicPartition, Long> end = CorrelatorBench.endOffsets(admin, entriesTopic);
            long total = end.values().stream().mapToLong(Long::longValue).sum();
            Properties props = new Properties();
            props.putAll(settings.streamsProperties());
            KafkaStreams streams = new KafkaStreams(IncidentTopology.topology(settings), props);
            CountDownLatch running = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CorrelatorBench.watch(streams, running, failure);
            long start = System.nanoTime();
            double seconds;
            try {
                streams.start();
                if (!running.await(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the topology did not reach RUNNING");
                }
                long done = CorrelatorBench.waitCommitted(admin, run, end, failure, CATCH_UP_LIMIT);
                seconds = (done - start) / 1e9;
                // a live correlator completes what the last entries left pending by the wall clock: reports and
                // failures whose idle gap passes after the input stops (a storm at one time stamp never moves stream
                // time); give those ticks and a commit their time before counting
                Thread.sleep(settings.extractionWallClockPunctuation().toMillis() * 3);
            } finally {
                streams.close(Duration.ofSeconds(60));
                streams.cleanUp();
            }
            long peakKb = ProcessStats.statusKb(ProcessHandle.current().pid(), "VmHWM");
            long revisions = committedRecords(bootstrap, topics.incidents().name());
            long deadLetters = committedRecords(bootstrap, topics.deadLetters().name());
            System.out.printf(Locale.ROOT, "replay: %d entries in %.1f s%n", total, replaySeconds);
            System.out.printf(Locale.ROOT, "correlator: entries %d, caught up %.1f s, us/entry %.1f, peak RSS %d kB,"
                            + " incident revisions %d, dead letters %d%n", total, seconds, seconds * 1e6 / total,
                    peakKb, revisions, deadLetters);
        } finally {
            CorrelatorBench.deleteQuietly(stateDir);
        }
        System.exit(0);
    }

    /** The records a read_committed consumer finds in {@code topic}. */
    private static long committedRecords(String bootstrap, String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long count = 0;
            Set<TopicPartition> open = new HashSet<>(partitions);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (!open.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    count++;
                }
                open.removeIf(p -> consumer.position(p) >= end.get(p));
            }
            return count;
        }
    }
}
