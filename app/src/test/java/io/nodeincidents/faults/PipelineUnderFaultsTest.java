package io.nodeincidents.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodeincidents.cli.CommandRun;
import io.nodeincidents.demo.SampleFleet;
import io.nodeincidents.ingest.journal.JournalFilter;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.testkit.ApicurioRegistryExtension;
import io.nodeincidents.testkit.KafkaBrokerExtension;
import io.nodeincidents.testkit.RequiredTools;
import io.nodeincidents.topology.CorrelatorSettings;
import io.nodeincidents.topology.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline as one system under the faults a fleet sees together: three hosts' genuine journals growing while a
 * {@code ship} process per host follows them, two {@code correlate} processes sharing four partitions, the schema
 * registry (Apicurio) and the broker. Meanwhile every shipper is SIGKILLed and restarted, the broker is stopped for
 * 20 s, the registry is stopped and started again, one correlator is SIGKILLed and restarted, and the registry
 * hangs (SIGSTOP) for a while. Then an account:
 * every journal entry reached journal.entries at least once; every incident revision came to read_committed consumers
 * of incidents and incidents.ecs exactly once, in order, none missing; a reader starting afterwards finds each
 * incident's latest revision; the incident ids are offline analyze's over the same journals; no dead letter; both
 * correlators ready. It prints what it did and the figures.
 *
 * <p>The revisions are counted by consumers that follow the topics through the run, as an alerting or SIEM consumer
 * does: both topics are compacted, and a transaction marker (stamped with the broker's clock) after records of an
 * older log's time rolls the segment at once, so a reader starting later may rightly find only the latest revisions.
 *
 * <p>{@code -Dfaults.rounds=N} (default 2: every shipper killed twice) repeats the shipper kills and journal growth
 * for a longer run; README quotes such a run.
 */
class PipelineUnderFaultsTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final ApicurioRegistryExtension REGISTRY = new ApicurioRegistryExtension();

    private static final List<String> HOSTS = List.of("slave-138", "slave-139", "ip-10-1-2-125");
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final Pattern API = Pattern.compile("query API on (http://\\S+) ");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<String> story = new ArrayList<>();
    private int correlateStarts;
    private final long started = System.nanoTime();

    @Test
    void nothingLostNothingDoubledAcrossShipperKillsABrokerOutageAHungRegistryAndACorrelatorKill() throws Exception {
        RequiredTools.require(java.nio.file.Files.isExecutable(GenuineJournals.JOURNAL_REMOTE),
                "systemd-journal-remote (apt-get install systemd-journal-remote)");
        int rounds = Integer.getInteger("faults.rounds", 2);
        int cycles = Integer.getInteger("faults.cycles", 1);
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", KAFKA.bootstrapServers());
        config.put("schema.registry.url", REGISTRY.confluentApiUrl());
        config.put(CorrelatorSettings.TOPIC_PARTITIONS, "4");
        CorrelatorSettings settings = new CorrelatorSettings(config);
        Topics topics = Topics.from(settings);
        // the shippers start first: their topic must have its four partitions by then (correlate creates the rest)
        KAFKA.createTopic(topics.journalEntries().name(), 4);

        // each host's sample journal in chunks: the journals grow while everything runs
        Map<String, List<List<String>>> chunks = new LinkedHashMap<>();
        Path samples = dir.resolve("samples");
        for (Path file : SampleFleet.write(samples)) {
            String host = file.getFileName().toString().replace(".json", "");
            if (HOSTS.contains(host)) {
                // the first; in each cycle one per round of shipper kills, one after the broker's outage, one while
                // the registry is down, one while it hangs
                chunks.put(host, split(Files.readAllLines(file, StandardCharsets.UTF_8), 1 + cycles * (rounds + 3)));
            }
        }
        assertThat(chunks).hasSize(3);
        for (String host : HOSTS) {
            GenuineJournals.append(journal(host), chunks.get(host).get(0));
        }

        EntryAccount entries = new EntryAccount();
        RevisionAccount revisions = new RevisionAccount();
        RevisionAccount ecsRevisions = new RevisionAccount();
        List<TopicWatch<?, ?>> watches = new ArrayList<>();
        Map<String, Child> shippers = new LinkedHashMap<>();
        Child[] correlators = new Child[2];
        HttpClient http = HttpClient.newHttpClient();
        try {
            watches.add(TopicWatch.start(topics.journalEntries().name(), entryWatchProperties(),
                    new StringDeserializer(), null, (String host, JournalEntry entry) -> entries.add(entry)));
            for (String host : HOSTS) {
                shippers.put(host, ship(host));
            }
            for (int i = 0; i < 2; i++) {
                correlators[i] = correlate(i);
            }
            // from the start, now that correlate created them (a consumer must not create them with other settings)
            watches.add(TopicWatch.start(topics.incidents().name(), committedReader("live-incidents"),
                    new StringDeserializer(), topics.incidents().valueSerde().deserializer(),
                    (String id, Incident incident) -> revisions.add(id, incident.getRevision())));
            watches.add(TopicWatch.start(topics.incidentsEcs().orElseThrow().name(), committedReader("live-ecs"),
                    new StringDeserializer(), new ByteArrayDeserializer(),
                    (String id, byte[] doc) -> ecsRevisions.add(id, ecsRevision(doc))));
            await("first entries of every host", () -> HOSTS.stream().allMatch(h -> entries.count(h) > 0));

            int[] next = {1};
            for (int cycle = 1; cycle <= cycles; cycle++) {
                if (cycles > 1) {
                    log("cycle " + cycle + " of " + cycles);
                }
                faultCycle(cycle, rounds, chunks, next, entries, shippers, correlators, http);
            }
            assertThat(next[0]).isEqualTo(chunks.get(HOSTS.get(0)).size());

            // the account: every entry of every journal the shipper's filter passes reached journal.entries
            Map<String, Set<String>> expected = new TreeMap<>();
            List<String> exports = new ArrayList<>();
            for (String host : HOSTS) {
                Path export = dir.resolve(host + ".export.json");
                Set<String> cursors = new TreeSet<>();
                GenuineJournals.export(journal(host), JournalFilter.defaults().matchArguments(), export).forEach(e -> cursors.add(e.path("__CURSOR").asText()));
                expected.put(host, cursors);
                exports.add(export.toString());
            }
            await("every journal entry in journal.entries", () -> expected.entrySet().stream()
                    .allMatch(e -> entries.cursors(e.getKey()).containsAll(e.getValue())));

            // the incidents offline analyze finds in the same journals, by id
            List<String> args = new ArrayList<>(List.of("analyze"));
            args.addAll(exports);
            CommandRun analyze = CommandRun.of(args.toArray(String[]::new));
            assertThat(analyze.exitCode()).as(analyze.err()).isZero();
            Set<String> offline = new TreeSet<>();
            for (String line : analyze.out().split("\n")) {
                if (line.startsWith("{") && JSON.readTree(line).has("incidentId")) {
                    offline.add(JSON.readTree(line).get("incidentId").asText());
                }
            }
            assertThat(offline).as(analyze.out()).isNotEmpty();

            await("the offline incidents on incidents and incidents.ecs", () -> revisions.ids().containsAll(offline)
                    && ecsRevisions.ids().containsAll(offline));
            Thread.sleep(5_000); // a revision doubled by a crash would come right behind

            Map<String, List<Integer>> seen = revisions.snapshot();
            assertThat(seen.keySet()).as("incident ids: offline analyze's").isEqualTo(offline);
            seen.forEach((id, revs) -> assertThat(revs).as("revisions of %s on incidents, as they came", id)
                    .isEqualTo(oneToN(revs.size())));
            assertThat(ecsRevisions.snapshot()).as("revisions on incidents.ecs").isEqualTo(seen);
            // compaction may have left only the latest revisions: those, and no other incident
            Map<String, Integer> latest = new TreeMap<>();
            seen.forEach((id, revs) -> latest.put(id, revs.size()));
            assertThat(latestRevisions(topics)).as("latest revisions for a reader starting now").isEqualTo(latest);
            assertThat(deadLetters(topics)).as("dead letters").isZero();
            assertThat(ready(http, correlators[0]) && ready(http, correlators[1])).as("both correlators ready")
                    .isTrue();

            long expectedEntries = expected.values().stream().mapToLong(Set::size).sum();
            log("account: " + expectedEntries + " journal entries, " + entries.total() + " records in journal.entries ("
                    + (entries.total() - expectedEntries) + " repeated after kills, dropped by the correlator's "
                    + "dedup), " + offline.size() + " incidents with " + seen.values().stream()
                    .mapToInt(List::size).sum() + " revisions, each once on incidents and incidents.ecs; ids equal "
                    + "offline analyze's; no dead letters");
        } finally {
            System.out.println(String.join("\n", story));
            keepLogs();
            REGISTRY.resume();
            for (TopicWatch<?, ?> watch : watches) {
                watch.close();
            }
            for (Child c : shippers.values()) {
                c.kill();
            }
            for (Child c : correlators) {
                if (c != null) {
                    c.kill();
                }
            }
        }
    }

    /**
     * One cycle of faults: {@code rounds} rounds of shipper kills, the broker stopped for 20 s, the registry stopped
     * for 10 s, a correlator SIGKILLed and restarted (the other one next cycle), the registry hung for 10 s. Each
     * fault meets a new chunk of every journal ({@code next} holds the next chunk's index).
     */
    private void faultCycle(int cycle, int rounds, Map<String, List<List<String>>> chunks, int[] next,
            EntryAccount entries, Map<String, Child> shippers, Child[] correlators, HttpClient http) throws Exception {
        for (int round = 0; round < rounds; round++) {
            for (String host : HOSTS) {
                // killed mid-stream: as soon as the journal's new chunk starts arriving
                long before = entries.count(host);
                GenuineJournals.append(journal(host), chunks.get(host).get(next[0]));
                await("ship " + host + " ships the new chunk", () -> entries.count(host) > before);
                shippers.get(host).kill();
                long killedAt = entries.count(host);
                log("SIGKILL ship " + host + " mid-chunk (" + (killedAt - before) + " of its new entries in"
                        + " journal.entries)");
                shippers.put(host, ship(host));
                long restarted = System.nanoTime();
                await("ship " + host + " resumes", () -> entries.count(host) > killedAt
                        || entries.cursors(host).size() >= expectedSoFar(host));
                log(entries.count(host) > killedAt ? "ship " + host + " restarted, shipping again after "
                        + since(restarted) : "ship " + host + " restarted; it had shipped the whole chunk");
            }
            next[0]++;
        }

        KAFKA.stop();
        log("broker stopped");
        Thread.sleep(20_000);
        KAFKA.start();
        long brokerBack = System.nanoTime();
        long total = entries.total();
        log("broker started after 20 s");
        appendChunk(chunks, next);
        await("entries flow after the broker outage", () -> entries.total() > total);
        log("entries flowing again " + since(brokerBack) + " after the broker's return");

        // stopped as an operator stops it, and started again with what it held: what is cached goes on
        REGISTRY.shutDown();
        log("registry stopped (SIGTERM)");
        long beforeStop = entries.total();
        appendChunk(chunks, next);
        await("entries shipped while the registry is down", () -> entries.total() > beforeStop);
        Thread.sleep(10_000);
        REGISTRY.startAgain();
        log("registry started again after 10 s; " + (entries.total() - beforeStop)
                + " entries shipped meanwhile (schemas cached)");

        int killed = cycle % 2;
        correlators[killed].kill();
        log("SIGKILL correlate #" + killed);
        correlators[killed] = correlate(killed);
        long correlatorBack = System.nanoTime();
        await("both correlators ready", () -> ready(http, correlators[0]) && ready(http, correlators[1]));
        log("both correlators ready " + since(correlatorBack) + " after the restart");

        REGISTRY.pause();
        log("registry hung (SIGSTOP)");
        long beforeHang = entries.total();
        appendChunk(chunks, next);
        await("entries shipped while the registry hangs", () -> entries.total() > beforeHang);
        Thread.sleep(10_000);
        REGISTRY.resume();
        long registryBack = System.nanoTime();
        log("registry back (SIGCONT) after 10 s; " + (entries.total() - beforeHang) + " entries shipped meanwhile");
        // a correlator that met the hang (a schema it had not cached) stopped, saying so: its supervisor starts it
        for (int i = 0; i < 2; i++) {
            if (!correlators[i].alive()) {
                assertThat(correlators[i].output()).contains("schema registry unavailable; stopping");
                log("correlate #" + i + " had stopped on the hang, as designed; started again");
                correlators[i] = correlate(i);
            }
        }
        await("both correlators ready", () -> ready(http, correlators[0]) && ready(http, correlators[1]));
        log("both correlators ready " + since(registryBack) + " after the registry's return");
    }

    /** The next chunk of every host's journal, appended. */
    private void appendChunk(Map<String, List<List<String>>> chunks, int[] next) throws IOException, InterruptedException {
        for (String host : HOSTS) {
            GenuineJournals.append(journal(host), chunks.get(host).get(next[0]));
        }
        next[0]++;
    }

    /** The children's logs, where a person can read them after the run (the temporary directory goes). */
    private void keepLogs() throws IOException {
        Path kept = Path.of("target", "faults-logs");
        Files.createDirectories(kept);
        try (var logs = Files.list(dir)) {
            for (Path log : logs.filter(f -> f.toString().endsWith(".log")).toList()) {
                Files.copy(log, kept.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** How many entries of {@code host}'s journal the shipper's filter passes now. */
    private long expectedSoFar(String host) throws IOException, InterruptedException {
        return GenuineJournals.export(journal(host), JournalFilter.defaults().matchArguments(),
                dir.resolve(host + ".sofar.json")).size();
    }

    private Path journal(String host) {
        return dir.resolve("journals").resolve(host).resolve(host + ".journal");
    }

    private Child ship(String host) throws IOException {
        return Child.start(dir.resolve("ship-" + host + ".log"), "io.nodeincidents.ingest.cli.ShipCommand",
                "--directory", journal(host).getParent().toString(),
                "--cursor-file", dir.resolve("state").resolve(host + ".cursor").toString(), "--from-beginning",
                "--bootstrap-servers", KAFKA.bootstrapServers(), "--schema-registry-url", REGISTRY.confluentApiUrl(),
                "-X", "ship.metrics.port=-1", "-X", "ship.memory.sample.interval.ms=0",
                "-X", "ship.cursor.idle.advance.ms=300", "-X", "linger.ms=5");
    }

    private Child correlate(int instance) throws Exception {
        List<String> args = new ArrayList<>(List.of("correlate",
                "--bootstrap-servers", KAFKA.bootstrapServers(), "--schema-registry-url", REGISTRY.confluentApiUrl(),
                "-X", "application.id=faults", "-X", "state.dir=" + dir.resolve("correlate-state-" + instance),
                "-X", CorrelatorSettings.TOPIC_PARTITIONS + "=4", "-X", CorrelatorSettings.QUERY_PORT + "=0",
                "-X", "commit.interval.ms=500", "-X", "http.read.timeout.ms=2000",
                // a killed instance's partitions move after the session timeout: 10 s rather than 45 s keeps it short
                "-X", "session.timeout.ms=10000", "-X", "heartbeat.interval.ms=2000",
                // patient with the registry: 30 tries of at most 2 s (and backoff) outlast its 10 s outages, well
                // inside max.poll.interval.ms, so no correlator stops on one
                "-X", "schema.registry.request.max.retries=30"));
        // more settings for an investigation, e.g. -Dfaults.correlate.settings="statestore.cache.max.bytes=0"
        for (String setting : System.getProperty("faults.correlate.settings", "").split("\\s+")) {
            if (!setting.isBlank()) {
                args.addAll(List.of("-X", setting));
            }
        }
        // a log per start: a restarted instance's query API is on a new port
        Child child = Child.start(dir.resolve("correlate-" + instance + "-" + (++correlateStarts) + ".log"),
                "io.nodeincidents.cli.NodeIncidentsCommand", args.toArray(String[]::new));
        await("correlate #" + instance + " serves its query API", () -> API.matcher(child.output()).find());
        Matcher m = API.matcher(child.output());
        assertThat(m.find()).isTrue();
        child.api = URI.create(m.group(1));
        log("correlate #" + instance + " started");
        return child;
    }

    private static boolean ready(HttpClient http, Child correlator) {
        try {
            return http.send(HttpRequest.newBuilder(correlator.api.resolve("/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Each incident's latest revision on incidents, for a read_committed reader from the beginning now. */
    private Map<String, Integer> latestRevisions(Topics topics) {
        Map<String, Integer> latest = new TreeMap<>();
        try (KafkaConsumer<String, Incident> incidents = new KafkaConsumer<>(committedReader("account"),
                new StringDeserializer(), topics.incidents().valueSerde().deserializer())) {
            for (ConsumerRecord<String, Incident> r : drain(incidents, topics.incidents().name())) {
                latest.put(r.key(), r.value().getRevision()); // a partition's records come in order
            }
        }
        return latest;
    }

    private Properties committedReader(String name) {
        Properties props = KAFKA.consumerProperties(KAFKA.uniqueTopic(name));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        return props;
    }

    private Properties entryWatchProperties() {
        Properties props = KAFKA.consumerProperties(KAFKA.uniqueTopic("watch"));
        props.put("schema.registry.url", REGISTRY.confluentApiUrl());
        props.put("specific.avro.value.type", JournalEntry.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                io.nodeincidents.registry.SpecificAvroDeserializer.class.getName());
        return props;
    }

    private static int ecsRevision(byte[] doc) {
        try {
            return JSON.readTree(doc).path("nodeincidents").path("revision").asInt(-1);
        } catch (IOException e) {
            return -1; // not a document: no revision, which the account then reports
        }
    }

    private long deadLetters(Topics topics) {
        Properties props = KAFKA.consumerProperties(KAFKA.uniqueTopic("account-dead"));
        try (KafkaConsumer<byte[], byte[]> dead = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            return drain(dead, topics.deadLetters().name()).size();
        }
    }

    /** Everything in {@code topic} now: read until the end offsets seen at the start. */
    private static <K, V> List<ConsumerRecord<K, V>> drain(KafkaConsumer<K, V> consumer, String topic) {
        List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            assertThat(System.nanoTime()).as("reading " + topic).isLessThan(deadline);
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }

    private static List<Integer> oneToN(int n) {
        List<Integer> all = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            all.add(i);
        }
        return all;
    }

    /** {@code parts} chunks of {@code all}, in order, their sizes differing by at most one. */
    private static <T> List<List<T>> split(List<T> all, int parts) {
        assertThat(all.size()).as("lines to split in %d chunks", parts).isGreaterThanOrEqualTo(parts);
        List<List<T>> chunks = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            chunks.add(all.subList((int) ((long) all.size() * i / parts), (int) ((long) all.size() * (i + 1) / parts)));
        }
        return chunks;
    }

    private void await(String what, java.util.concurrent.Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what + "; so far:\n" + String.join("\n", story));
            }
            Thread.sleep(200);
        }
    }

    private void log(String what) {
        story.add(String.format("faults: %6.1f s  %s", (System.nanoTime() - started) / 1e9, what));
    }

    private static String since(long nanos) {
        return String.format("%.1f s", (System.nanoTime() - nanos) / 1e9);
    }

    /** A child JVM of this project's classes, its output in a file. */
    private static final class Child {
        private final Process process;
        private final Path log;
        URI api;

        private Child(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        static Child start(Path log, String mainClass, String... args) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), mainClass));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return new Child(p, log);
        }

        boolean alive() {
            return process.isAlive();
        }

        String output() throws IOException {
            return Files.readString(log, StandardCharsets.UTF_8);
        }

        /** SIGKILL, and wait for it to be gone. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /**
     * Follows a topic from its beginning through the run, as a consumer that keeps up does, handing each record to a
     * sink on its own thread.
     */
    private static final class TopicWatch<K, V> implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        private TopicWatch(String topic, Properties props, Deserializer<K> keys, Deserializer<V> values,
                BiConsumer<K, V> sink) {
            thread = new Thread(() -> {
                try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(props, keys, values)) {
                    consumer.subscribe(List.of(topic));
                    while (running.get()) {
                        for (ConsumerRecord<K, V> r : consumer.poll(Duration.ofMillis(200))) {
                            sink.accept(r.key(), r.value());
                        }
                    }
                }
            }, "watch-" + topic);
            thread.setDaemon(true);
        }

        /** @param values null: the value deserializer {@code props} names */
        static <K, V> TopicWatch<K, V> start(String topic, Properties props, Deserializer<K> keys,
                Deserializer<V> values, BiConsumer<K, V> sink) {
            TopicWatch<K, V> watch = new TopicWatch<>(topic, props, keys, values, sink);
            watch.thread.start();
            return watch;
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(5000);
        }
    }

    /** Which cursors of which host reached journal.entries, and how many records. */
    private static final class EntryAccount {
        private final Map<String, Set<String>> cursors = new ConcurrentHashMap<>();
        private final Map<String, Long> counts = new ConcurrentHashMap<>();

        void add(JournalEntry entry) {
            cursors.computeIfAbsent(entry.getHost(), h -> ConcurrentHashMap.newKeySet())
                    .add(String.valueOf(entry.getCursor()));
            counts.merge(entry.getHost(), 1L, Long::sum);
        }

        long count(String host) {
            return counts.getOrDefault(host, 0L);
        }

        long total() {
            return counts.values().stream().mapToLong(Long::longValue).sum();
        }

        Set<String> cursors(String host) {
            return cursors.getOrDefault(host, Set.of());
        }
    }

    /** The revisions of each incident, in the order a consumer received them. */
    private static final class RevisionAccount {
        private final Map<String, List<Integer>> revisions = new TreeMap<>();

        synchronized void add(String incidentId, int revision) {
            revisions.computeIfAbsent(incidentId, k -> new ArrayList<>()).add(revision);
        }

        synchronized Set<String> ids() {
            return new TreeSet<>(revisions.keySet());
        }

        synchronized Map<String, List<Integer>> snapshot() {
            Map<String, List<Integer>> copy = new TreeMap<>();
            revisions.forEach((id, revs) -> copy.put(id, List.copyOf(revs)));
            return copy;
        }
    }
}
