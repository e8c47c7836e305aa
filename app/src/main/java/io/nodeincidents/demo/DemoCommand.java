package io.nodeincidents.demo;

import io.nodeincidents.broker.LocalKafka;
import io.nodeincidents.output.CommandLogging;
import io.nodeincidents.output.IncidentPrinter;
import io.nodeincidents.correlate.CorrelateCommand;
import io.nodeincidents.config.Redaction;
import io.nodeincidents.ingest.cli.CommandLines;
import io.nodeincidents.ingest.cli.KafkaClientSettings;
import io.nodeincidents.ingest.produce.EntryProducerConfig;
import io.nodeincidents.ingest.replay.LogReplay;
import io.nodeincidents.process.StopSignals;
import io.nodeincidents.logs.ReadOptions;
import io.nodeincidents.registry.SpecificAvroDeserializer;
import io.nodeincidents.schemas.FleetAlert;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.MemoryForecast;
import io.nodeincidents.schemas.NodeMemorySample;
import io.nodeincidents.topology.CorrelatorSettings;
import io.nodeincidents.alerting.AlertmanagerSettings;
import io.nodeincidents.topology.TemporaryDirectory;
import io.nodeincidents.topology.Topics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.avro.specific.SpecificRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nodeincidents demo}: the product's main job on the embedded default. Starts the in-process broker and an
 * in-process schema registry, runs the real correlator, replays the bundled sample fleet through the real producer
 * path, and prints each incident as it is emitted.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs the whole pipeline on this machine with no setup: an in-process Kafka broker and schema"
                + " registry, the correlator, and sample journals of six hosts built from real incident write-ups"
                + " (order-6 memory fragmentation in nf_conntrack on three CentOS 7 nodes with failing pod sandboxes,"
                + " a memcg OOM kill of a JVM, a quiet node, a node with look-alikes). Prints each incident as the"
                + " correlator emits it and exits 0 when the samples are processed.")
public final class DemoCommand implements Callable<Integer> {

    static final String IN_PROCESS_REGISTRY = "mock://nodeincidents-demo";
    static final String APPLICATION_ID = "nodeincidents-demo";

    @Option(names = "--serve", description = "Keep the broker and the correlator running after the samples, until"
            + " Ctrl-C (replay more logs into the printed bootstrap address), and serve the query API on"
            + " --query-port.")
    boolean serve;

    @Option(names = "--port", defaultValue = "0", paramLabel = "PORT",
            description = "Port of the demo's Kafka broker (default: a free port).")
    int port;

    @Option(names = "--query-port", defaultValue = "8080", paramLabel = "PORT",
            description = "With --serve: port of the query API on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 for a free"
                    + " one), e.g. 'nodeincidents query incidents' or curl localhost:8080/incidents?host=slave-138.")
    int queryPort;

    @Option(names = "--schema-registry-url", defaultValue = IN_PROCESS_REGISTRY, paramLabel = "URL",
            description = "Schema registry to use (default: ${DEFAULT-VALUE}, in this process only). Give a real one,"
                    + " e.g. the Apicurio runner ./mvnw package builds, to ship into the demo from other processes.")
    String registry;

    @Option(names = "--alertmanager-url", paramLabel = "URL",
            description = "Post the demo's incidents to this Prometheus Alertmanager (e.g. http://localhost:9093), as"
                    + " correlate does with alertmanager.url.")
    String alertmanagerUrl;

    @Option(names = "--write-samples", paramLabel = "DIR",
            description = "Only write the sample journals (journalctl -o json) into DIR and exit; try"
                    + " 'nodeincidents analyze DIR/*.json' on them.")
    Path writeSamples;

    @Option(names = "--quiet-ms", defaultValue = "4000", paramLabel = "MS", hidden = true,
            description = "How long the output must stay quiet, once the correlator has read every entry, before the"
                    + " demo counts the samples as processed.")
    long quietMs;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final CountDownLatch stopRequested = new CountDownLatch(1);

    /** Ends a {@code --serve} run as Ctrl-C does (for callers that run the demo in-process). */
    public void stop() {
        stopRequested.countDown();
    }

    @Override
    public Integer call() throws Exception {
        CommandLogging.apply("demo");
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (writeSamples != null) {
            for (Path file : SampleFleet.write(writeSamples)) {
                out.println(file);
            }
            return 0;
        }
        if (serve && queryPort != 0 && !portFree(queryPort)) {
            // checked before the broker starts: the correlator would find out only after it
            err.println("demo: --query-port " + queryPort + ": 127.0.0.1:" + queryPort + " is in use; give another"
                    + " port, or 0 for a free one");
            return 1;
        }
        // SIGTERM and Ctrl-C end the run like stop(): the broker, the correlator and the temporary directories are
        // closed on the way out and the exit code is 0, where shutdown hooks would race the JVM's exit
        Runnable restoreSignals = StopSignals.install(() -> {
            if (stopRequested.getCount() == 0) {
                Runtime.getRuntime().halt(130); // a second signal: the user does not want to wait for the close
            }
            stop();
        });
        try (TemporaryDirectory work = TemporaryDirectory.create("nodeincidents-demo-")) {
            return run(work.path(), out, err);
        } finally {
            restoreSignals.run();
        }
    }

    private boolean stopped() {
        return stopRequested.getCount() == 0;
    }

    private static boolean portFree(int port) {
        try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
            socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (java.io.IOException inUse) {
            return false;
        }
    }

    private int run(Path work, PrintWriter out, PrintWriter err) throws Exception {
        List<Path> samples = SampleFleet.write(work.resolve("samples"));
        out.println("demo: sample journals of " + samples.size() + " hosts in " + work.resolve("samples"));
        try (LocalKafka kafka = LocalKafka.start(LocalKafka.Settings.defaults().withBrokerPort(port)
                .withDefaultPartitions(3))) {
            String bootstrap = kafka.bootstrapServers();
            out.println("demo: Kafka broker (KRaft, in-process) at " + bootstrap + ", schema registry "
                    + Redaction.text(registry));
            out.flush();

            CorrelateCommand correlator = new CorrelateCommand();
            AtomicReference<Integer> correlatorExit = new AtomicReference<>();
            // the query API only when the demo stays up to be asked
            List<String> args = new java.util.ArrayList<>(List.of(
                    "--bootstrap-servers", bootstrap, "--schema-registry-url", registry,
                    "-X", "application.id=" + APPLICATION_ID,
                    "-X", "state.dir=" + work.resolve("state"),
                    "-X", CorrelatorSettings.TOPIC_PARTITIONS + "=3",
                    "-X", CorrelatorSettings.QUERY_ENABLED + "=" + serve,
                    "-X", CorrelatorSettings.QUERY_LISTEN_ADDRESS + "=127.0.0.1",
                    "-X", CorrelatorSettings.QUERY_PORT + "=" + queryPort));
            if (alertmanagerUrl != null) {
                args.addAll(List.of("-X", AlertmanagerSettings.URL.name() + "=" + alertmanagerUrl));
            }
            Thread app = new Thread(() -> correlatorExit.set(CommandLines.create(correlator).execute(
                    args.toArray(String[]::new))), "demo-correlator");
            app.setDaemon(true);
            app.start();
            Printer printer = null;
            try {
                if (!awaitTopics(bootstrap, List.of(EntryProducerConfig.TOPIC_DEFAULT,
                        Topics.NODE_MEMORY.nameSetting().defaultValue(),
                        Topics.INCIDENTS_NAME.defaultValue(), Topics.FLEET_ALERTS_NAME.defaultValue()), app)) {
                    if (stopped()) {
                        return stoppedEarly(out);
                    }
                    if (!app.isAlive()) {
                        // the correlator said why on stderr (a bad setting, its port taken)
                        Integer exit = correlatorExit.get();
                        return exit == null || exit == 0 ? 1 : exit;
                    }
                    err.println("demo: the correlator did not create its topics within a minute; see the log above");
                    return 1;
                }
                // subscribed once the topics exist: a subscription made before would learn of them only at its
                // next metadata refresh, up to metadata.max.age.ms (5 minutes) later
                printer = new Printer(bootstrap, registry, out);
                printer.start();

                Map<String, Object> producerSettings = new HashMap<>();
                producerSettings.put(KafkaClientSettings.BOOTSTRAP_SERVERS.name(), bootstrap);
                producerSettings.put(KafkaClientSettings.SCHEMA_REGISTRY_URL.name(), registry);
                LogReplay.Summary replayed;
                List<NodeMemorySample> memory = SampleFleet.memorySamples();
                long nightMicros = SampleFleet.NIGHT.getEpochSecond() * 1_000_000L;
                // the hour of samples before the journals start first, as the shippers would have sent them by then
                int sent = sendSamples(producerSettings, memory.stream()
                        .filter(sample -> sample.getSampledAtMicros() <= nightMicros).toList());
                out.println("demo: sent " + sent + " memory samples (every 30 s over the hour before the journals)"
                        + " into " + Topics.NODE_MEMORY.nameSetting().defaultValue());
                out.flush();
                try (KafkaProducer<String, JournalEntry> producer =
                             new KafkaProducer<>(EntryProducerConfig.producerProperties(producerSettings))) {
                    // the hosts' journals merged by time, as a live fleet sends them
                    replayed = new LogReplay(producer, EntryProducerConfig.TOPIC_DEFAULT).replayInterleaved(samples,
                            ReadOptions.defaults(), rejected -> err.println("demo: rejected " + rejected));
                }
                sent += sendSamples(producerSettings, memory.stream()
                        .filter(sample -> sample.getSampledAtMicros() > nightMicros).toList());
                out.println("demo: replayed " + replayed.produced() + " journal entries and " + sent
                        + " memory samples of " + samples.size() + " hosts; correlating...");
                out.flush();

                boolean processed = awaitProcessed(bootstrap, printer, app);
                if (stopped()) {
                    return stoppedEarly(out);
                }
                printer.summary();
                if (!processed) {
                    err.println(app.isAlive()
                            ? "demo: the correlator did not finish the samples in time; see the log above"
                            : "demo: the correlator stopped before it finished the samples; see above");
                }
                if (serve && processed) {
                    out.println("demo: serving. Ship or replay more into Kafka at " + bootstrap
                            + " with schema registry " + Redaction.text(registry)
                            + (registry.startsWith("mock://") ? " (in-process: start the demo with"
                            + " --schema-registry-url to ship from other processes)" : "")
                            + "; incidents print here as they are emitted. Ctrl-C stops.");
                    correlator.queryAddress().ifPresent(api -> out.println("demo: query API at http://127.0.0.1:"
                            + api.getPort() + ", e.g. nodeincidents query incidents"
                            + (api.getPort() == 8080 ? "" : " --url http://127.0.0.1:" + api.getPort())
                            + " --host slave-138, or curl 'localhost:" + api.getPort()
                            + "/incidents?host=slave-138'"));
                    out.flush();
                    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                        long reported = replayed.produced();
                        while (!stopRequested.await(10, TimeUnit.SECONDS)) {
                            long entries = entries(admin);
                            if (entries != reported) {
                                out.println("demo: journal.entries now holds " + entries + " entries (+"
                                        + (entries - reported) + ")");
                                out.flush();
                                reported = entries;
                            }
                        }
                    }
                    out.println("demo: stopped.");
                    out.flush();
                }
                return processed ? 0 : 1;
            } finally {
                // before the broker closes: clients left running would log a connection failure a second until
                // the JVM exits
                correlator.stop();
                app.join(TimeUnit.SECONDS.toMillis(70));
                if (printer != null) {
                    printer.stop();
                }
            }
        }
    }

    /** Sends {@code samples} to node.memory keyed by host, each at its sample time; returns how many. */
    private static int sendSamples(Map<String, Object> producerSettings, List<NodeMemorySample> samples) {
        String topic = Topics.NODE_MEMORY.nameSetting().defaultValue();
        try (KafkaProducer<String, NodeMemorySample> producer =
                     new KafkaProducer<>(EntryProducerConfig.producerProperties(producerSettings))) {
            for (NodeMemorySample sample : samples) {
                producer.send(new ProducerRecord<>(topic, null, sample.getSampledAtMicros() / 1000,
                        sample.getHost(), sample));
            }
            producer.flush();
        }
        return samples.size();
    }

    /** A stop (Ctrl-C, SIGTERM, {@link #stop()}) before the samples were processed: as asked, not a failure. */
    private static int stoppedEarly(PrintWriter out) {
        out.println("demo: stopped.");
        out.flush();
        return 0;
    }

    /** Prints incidents and fleet alerts as the correlator commits them (read_committed), and counts them. */
    private static final class Printer {
        private final KafkaConsumer<String, SpecificRecord> consumer;
        private final PrintWriter out;
        private final Thread thread;
        private final AtomicLong lastOutputNanos = new AtomicLong(System.nanoTime());
        private final Map<String, Incident> latest = new ConcurrentHashMap<>();
        private final Map<String, FleetAlert> alerts = new ConcurrentHashMap<>();
        /** Where the printer's consumer stands on each partition it was assigned, after its latest poll. */
        private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
        private volatile boolean running = true;

        Printer(String bootstrap, String registry, PrintWriter out) {
            Map<String, Object> props = new HashMap<>();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "nodeincidents-demo-printer");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, SpecificAvroDeserializer.class.getName());
            props.put("schema.registry.url", registry);
            props.put("specific.avro.reader", true);
            this.consumer = new KafkaConsumer<>(props);
            this.out = out;
            this.thread = new Thread(this::loop, "demo-printer");
            this.thread.setDaemon(true);
        }

        void start() {
            consumer.subscribe(List.of("incidents", "fleet.alerts"));
            thread.start();
        }

        private void loop() {
            try {
                while (running) {
                    var records = consumer.poll(Duration.ofMillis(200));
                    for (ConsumerRecord<String, SpecificRecord> record : records) {
                        if (record.value() instanceof Incident incident) {
                            latest.merge(incident.getIncidentId(), incident,
                                    (a, b) -> b.getRevision() >= a.getRevision() ? b : a);
                            out.print(IncidentPrinter.text(incident));
                        } else if (record.value() instanceof FleetAlert alert) {
                            alerts.put(alert.getAlertId(), alert);
                            out.print(IncidentPrinter.text(alert));
                        }
                        out.flush();
                        lastOutputNanos.set(System.nanoTime());
                    }
                    for (TopicPartition partition : consumer.assignment()) {
                        positions.put(partition, consumer.position(partition));
                    }
                }
            } catch (org.apache.kafka.common.errors.WakeupException stopping) {
                // stop() woke the poll
            } catch (RuntimeException e) {
                out.println("demo: the incident printer stopped: " + e);
                out.flush();
            } finally {
                consumer.close(Duration.ofSeconds(5));
            }
        }

        /**
         * Whether the printer has read every committed incident and alert: its position on each partition of the two
         * topics is at their last stable offset (past the last committed transaction).
         */
        boolean caughtUp(Admin admin) throws Exception {
            return lagging(admin).isEmpty();
        }

        String describe(Admin admin) throws Exception {
            Map<TopicPartition, String> behind = lagging(admin);
            return (thread.isAlive() ? "running" : "stopped") + ", quiet for " + quietForMs() + " ms"
                    + (behind.isEmpty() ? ", caught up" : ", behind on " + behind);
        }

        /** The partitions whose committed records the printer has not read yet: its position and their end. */
        private Map<TopicPartition, String> lagging(Admin admin) throws Exception {
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            for (String topic : List.of("incidents", "fleet.alerts")) {
                for (var partition : admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                        .get(topic).partitions()) {
                    ends.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest());
                }
            }
            var stable = admin.listOffsets(ends, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(10, TimeUnit.SECONDS);
            Map<TopicPartition, String> behind = new TreeMap<>(Comparator.comparing(TopicPartition::toString));
            for (var end : stable.entrySet()) {
                Long position = positions.get(end.getKey());
                if (position == null || position < end.getValue().offset()) {
                    behind.put(end.getKey(), position + "/" + end.getValue().offset());
                }
            }
            return behind;
        }

        long quietForMs() {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastOutputNanos.get());
        }

        void summary() {
            Map<String, List<String>> byCause = new TreeMap<>();
            latest.values().stream().sorted(Comparator.comparing(Incident::getHost)).forEach(incident ->
                    byCause.computeIfAbsent(incident.getCause().name(), c -> new ArrayList<>())
                            .add(incident.getHost() + " (" + incident.getStatus()
                                    + (incident.getStatus() == IncidentStatus.RESOLVED ? "" : ", still open") + ")"));
            out.println("demo: " + latest.size() + " incidents, " + alerts.size() + " fleet alert(s)");
            byCause.forEach((cause, hosts) -> out.println("  " + cause + ": " + String.join(", ", hosts)));
            Set<String> withIncidents = new java.util.HashSet<>();
            latest.values().forEach(incident -> withIncidents.add(incident.getHost()));
            List<String> without = SampleFleet.HOSTS.stream().map(SampleFleet.SampleHost::host)
                    .filter(host -> !withIncidents.contains(host)).toList();
            out.println("  no incident: " + String.join(", ", without));
            // the forecast's lead: how long before each host's first failed sandbox its FRAGMENTATION_RISK opened
            latest.values().stream()
                    .filter(incident -> incident.getCause() != IncidentCause.FRAGMENTATION_RISK
                            && incident.getMemoryForecast() != null)
                    .sorted(Comparator.comparing(Incident::getHost))
                    .forEach(incident -> out.println("  " + incident.getHost() + ": " + leadTime(incident)));
            out.flush();
        }

        private static String leadTime(Incident incident) {
            MemoryForecast evidence = incident.getMemoryForecast();
            String fleet = evidence.getFleetMedianBlocks() == null ? ""
                    : " (fleet median at that order: " + evidence.getFleetMedianBlocks() + " free blocks)";
            return evidence.getWarnedBeforeMillis() == null
                    ? incident.getCause() + " with no FRAGMENTATION_RISK before it" + fleet
                    : "FRAGMENTATION_RISK warned " + Math.round(evidence.getWarnedBeforeMillis() / 60_000.0)
                            + " min before the first failed pod sandbox" + fleet;
        }

        void stop() throws InterruptedException {
            running = false;
            consumer.wakeup();
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    /** True once {@code topics} exist; false when the correlator stopped, a stop was asked, or a minute passed. */
    private boolean awaitTopics(String bootstrap, List<String> topics, Thread app) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && app.isAlive() && !stopped()) {
                if (admin.listTopics().names().get(10, TimeUnit.SECONDS).containsAll(topics)) {
                    return true;
                }
                Thread.sleep(100);
            }
            return false;
        }
    }

    /**
     * True once the correlator has consumed every replayed entry and committed what it emitted: its group has no lag
     * on journal.entries and the output stayed quiet for a while (fleet alerts go through a repartition topic).
     */
    private boolean awaitProcessed(String bootstrap, Printer printer, Thread app) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            long nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && app.isAlive() && !stopped()) {
                if (System.nanoTime() > nextReport) {
                    // a demo that takes this long is stuck somewhere: say where
                    spec.commandLine().getErr().println("demo: still waiting: correlator lag " + lag(admin)
                            + " entries; printer " + printer.describe(admin));
                    spec.commandLine().getErr().flush();
                    nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                }
                // the correlator has read every entry, the printer every incident it committed, and nothing came
                // for a while (wall-clock punctuation can still complete an idle report)
                if (lag(admin) == 0 && printer.caughtUp(admin) && printer.quietForMs() >= quietMs) {
                    return true;
                }
                Thread.sleep(250);
            }
            return false;
        }
    }

    private static long entries(Admin admin) throws Exception {
        long total = 0;
        for (var end : admin.listOffsets(journalEntryPartitions(admin)).all().get(10, TimeUnit.SECONDS).values()) {
            total += end.offset();
        }
        return total;
    }

    private static Map<TopicPartition, OffsetSpec> journalEntryPartitions(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        for (var partition : admin.describeTopics(List.of("journal.entries")).allTopicNames().get(10, TimeUnit.SECONDS)
                .get("journal.entries").partitions()) {
            ends.put(new TopicPartition("journal.entries", partition.partition()), OffsetSpec.latest());
        }
        return ends;
    }

    private static long lag(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(APPLICATION_ID)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> ends = journalEntryPartitions(admin);
        long lag = 0;
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end
                : admin.listOffsets(ends).all().get(10, TimeUnit.SECONDS).entrySet()) {
            OffsetAndMetadata done = committed.get(end.getKey());
            lag += end.getValue().offset() - (done == null ? 0 : done.offset());
        }
        return lag;
    }
}
