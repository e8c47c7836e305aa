package io.nodeincidents.correlate;

import io.nodeincidents.alerting.AlertmanagerSender;
import io.nodeincidents.alerting.IncidentAlerts;
import io.nodeincidents.config.ConfigSources;
import io.nodeincidents.config.DocumentedOptions;
import io.nodeincidents.ingest.cli.CommandLines;
import io.nodeincidents.ingest.cli.KafkaClientOptions;
import io.nodeincidents.metrics.CorrelatorMetrics;
import io.nodeincidents.query.QueryServer;
import io.nodeincidents.registry.SchemaRegistryUnavailableException;
import io.nodeincidents.query.StreamsQueryBackend;
import io.nodeincidents.topology.CorrelatorSettings;
import io.nodeincidents.topology.IncidentTopology;
import io.nodeincidents.topology.Topic;
import io.nodeincidents.topology.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code nodeincidents correlate}: runs the correlator ({@link IncidentTopology}) and its query API
 * ({@link QueryServer}) until SIGTERM or Ctrl-C, then closes both cleanly (state flushed, transactions committed). Creates missing topics first. Exit codes: 0 after a
 * requested stop, 1 when the application failed, 2 on a configuration error (one line saying which).
 */
@Command(name = "correlate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs the Kafka Streams correlator: reads journal.entries (JournalEntry records keyed by host),"
                + " decodes kernel memory reports and runtime failures per host, correlates them into incidents"
                + " (topic incidents, keyed by incidentId), rolls incidents of one cause on several hosts up into"
                + " fleet alerts (topic fleet.alerts) and sets aside records it cannot read (journal.deadletter)."
                + " Serves the query API (incidents, each host's events) on query.port. Runs until SIGTERM or"
                + " Ctrl-C. Creates missing topics on start.",
        footerHeading = "%nSettings (--config file, NODEINCIDENTS_* environment, -X KEY=VALUE; any other Kafka,"
                + " Streams or schema registry property passes through):%n")
public final class CorrelateCommand implements Callable<Integer>, DocumentedOptions {

    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_CONFIG = 2;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);
    private static final Logger LOG = LoggerFactory.getLogger(CorrelateCommand.class);

    @Mixin
    KafkaClientOptions kafka;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The environment the settings read NODEINCIDENTS_* from; tests replace it. */
    Map<String, String> environment = System.getenv();

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile InetSocketAddress queryAddress;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        CorrelatorSettings settings;
        Topics topics;
        // one registry per run: the topology counts into it, the query API's /metrics serves it
        CorrelatorMetrics metrics = new CorrelatorMetrics();
        try {
            settings = new CorrelatorSettings(kafka.settings(environment));
            topics = Topics.from(settings);
        } catch (ConfigSources.ConfigException | ConfigException e) {
            throw new CommandLines.CommandFailure(EXIT_CONFIG, CommandLines.describe(e), e);
        }
        Map<String, Object> props = settings.streamsProperties();
        // bound first: a port in use fails the start at once, and a port given as 0 is known before Kafka Streams
        // is built, to advertise as application.server
        QueryServer server = null;
        if (settings.queryEnabled()) {
            InetSocketAddress listen = new InetSocketAddress(settings.queryListenAddress(), settings.queryPort());
            try {
                server = QueryServer.bind(listen, settings.queryToken(), metrics::scrape, settings.queryLimits());
            } catch (IOException | RuntimeException e) {
                throw new CommandLines.CommandFailure(EXIT_FAILED, "cannot serve the query API on "
                        + settings.queryListenAddress() + ":" + settings.queryPort() + " ("
                        + CorrelatorSettings.QUERY_LISTEN_ADDRESS + ", " + CorrelatorSettings.QUERY_PORT + "): "
                        + CommandLines.describe(e), e);
            }
            queryAddress = server.address();
            advertise(props, server.address());
        }
        if (settings.createTopics()) {
            try {
                List<String> created = createMissingTopics(props, topics.all(), settings.topicPartitions(),
                        settings.topicReplicationFactor(), topics.partitionedAlike());
                if (!created.isEmpty()) {
                    out.println("correlate: created topics " + String.join(", ", created));
                }
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                closeApi(server);
                throw new CommandLines.CommandFailure(EXIT_FAILED, "cannot create topics on "
                        + props.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG) + ": " + CommandLines.describe(cause), cause);
            } catch (IllegalStateException e) {
                closeApi(server);
                throw new CommandLines.CommandFailure(EXIT_FAILED, e.getMessage(), e);
            } catch (KafkaException e) {
                // the admin client did not start: bootstrap.servers names no host that resolves, or a bad setting
                closeApi(server);
                throw new CommandLines.CommandFailure(hasConfigCause(e) ? EXIT_CONFIG : EXIT_FAILED,
                        "cannot connect to Kafka at " + props.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG) + ": "
                                + CommandLines.describe(e), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closeApi(server);
                return EXIT_FAILED;
            }
        }
        Properties streamsProps = new Properties();
        streamsProps.putAll(props);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean announced = new AtomicBoolean();
        // started before the topology hands it revisions; closed after Kafka Streams, which stops handing them
        AlertmanagerSender alerts = settings.alertmanager().map(options -> AlertmanagerSender.start(options,
                new IncidentAlerts(settings.alertmanagerGeneratorBase().orElseGet(() -> "http://"
                        + queryEndpoint(settings, props))), metrics.registry())).orElse(null);
        KafkaStreams streams;
        Optional<HostInfo> self;
        try {
            Topology topology = buildTopology(settings, topics, metrics, alerts);
            streams = new KafkaStreams(topology, streamsProps);
            Object endpoint = props.get(StreamsConfig.APPLICATION_SERVER_CONFIG);
            self = endpoint == null || String.valueOf(endpoint).isBlank() ? Optional.empty()
                    : Optional.of(HostInfo.buildFromEndpoint(String.valueOf(endpoint)));
        } catch (KafkaException e) {
            // StreamsException among them: a client of the application could not be built from the settings
            closeApi(server);
            closeAlerts(alerts);
            throw new CommandLines.CommandFailure(EXIT_CONFIG, CommandLines.describe(e), e);
        }
        if (alerts != null) {
            out.println("correlate: posting incident revisions to Alertmanager at "
                    + settings.alertmanager().orElseThrow().url());
        }
        if (server != null) {
            server.start(new StreamsQueryBackend(streams, self, settings.queryToken()));
            out.println("correlate: query API on http://" + hostPort(server.address()) + " (/incidents,"
                    + " /hosts/{host}/events, /health, /ready, /openapi.json)"
                    + self.map(s -> "; other instances reach it as " + s.host() + ":" + s.port()).orElse(""));
            out.flush();
        }
        QueryServer api = server;
        streams.setUncaughtExceptionHandler(e -> {
            SchemaRegistryUnavailableException outage = RegistryOutages.outage(e);
            if (outage != null) {
                LOG.error(RegistryOutages.message(outage));
            } else {
                LOG.error("correlator stopped by an unexpected error", e);
            }
            failure.compareAndSet(null, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING && announced.compareAndSet(false, true)) {
                out.println("correlate: running as " + settings.applicationId() + " on "
                        + props.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG) + ": " + topics.journalEntries().name()
                        + " -> " + topics.incidents().name() + ", " + topics.fleetAlerts().name() + " (dead letters: "
                        + topics.deadLetters().name() + ", " + props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)
                        + "). Ctrl-C stops it.");
                out.flush();
            }
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR) {
                stopRequested.countDown();
            }
        });
        // SIGTERM / Ctrl-C run the JVM's shutdown hooks: close cleanly there, then let the JVM exit
        Thread hook = new Thread(() -> {
            stopRequested.countDown();
            closeApi(api);
            close(streams);
            closeAlerts(alerts);
        }, "correlate-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        // the Kafka Streams client metrics (consumer lag among them) next to our counters
        CorrelatorMetrics.StreamsBinding clientMetrics = metrics.bind(streams);
        try {
            streams.start();
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeApi(api);
            close(streams);
            closeAlerts(alerts);
            clientMetrics.close();
            metrics.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running; close() is idempotent
            }
        }
        SchemaRegistryUnavailableException outage = RegistryOutages.outage(failure.get());
        if (outage != null) {
            throw new CommandLines.CommandFailure(EXIT_FAILED, RegistryOutages.message(outage), failure.get());
        }
        if (failure.get() != null || streams.state() == KafkaStreams.State.ERROR) {
            throw new CommandLines.CommandFailure(EXIT_FAILED, "stopped after an error: "
                    + (failure.get() == null ? "see the log" : CommandLines.describe(failure.get())), failure.get());
        }
        out.println("correlate: stopped.");
        out.flush();
        return EXIT_OK;
    }

    /**
     * Closes the application and leaves the consumer group, so its partitions move to the other instances at once
     * instead of after the session timeout.
     */
    static void close(KafkaStreams streams) {
        streams.close(CloseOptions.timeout(CLOSE_TIMEOUT)
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    }

    private static void closeAlerts(AlertmanagerSender alerts) {
        if (alerts != null) {
            alerts.close();
        }
    }

    /** Where the query API is reached: application.server when set, else the address it listens on. */
    private String queryEndpoint(CorrelatorSettings settings, Map<String, Object> props) {
        Object advertised = props.get(StreamsConfig.APPLICATION_SERVER_CONFIG);
        if (advertised != null && !String.valueOf(advertised).isBlank()) {
            return String.valueOf(advertised).strip();
        }
        return queryAddress != null ? hostPort(queryAddress)
                : settings.queryListenAddress() + ":" + settings.queryPort();
    }

    private static void closeApi(QueryServer api) {
        if (api != null) {
            api.close();
        }
    }

    /**
     * Without {@code application.server} an instance cannot tell the others where its API is. When the API
     * listens on a definite address, that address is the one to advertise (one instance, or several on one
     * machine); on a wildcard address only the deployment knows the name others reach it at (the Kubernetes
     * manifests set NODEINCIDENTS_APPLICATION_SERVER), so this instance then answers from its own stores alone.
     */
    private static void advertise(Map<String, Object> props, InetSocketAddress bound) {
        if (props.get(StreamsConfig.APPLICATION_SERVER_CONFIG) != null) {
            return;
        }
        if (bound.getAddress() != null && !bound.getAddress().isAnyLocalAddress()) {
            props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, hostPort(bound));
        } else {
            LOG.warn("application.server is not set and the query API listens on every interface: this instance"
                    + " answers queries from its own stores only. With several instances set application.server"
                    + " (NODEINCIDENTS_APPLICATION_SERVER) to the host:port the others reach this API at.");
        }
    }

    private static String hostPort(InetSocketAddress address) {
        String host = address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /**
     * Where the query API listens once {@link #call()} has bound it; empty before, or when it is disabled.
     */
    public Optional<InetSocketAddress> queryAddress() {
        return Optional.ofNullable(queryAddress);
    }

    /** Asks a running {@link #call()} to close the application and return (what a signal does). */
    public void stop() {
        stopRequested.countDown();
    }

    static Topology buildTopology(CorrelatorSettings settings, Topics topics, CorrelatorMetrics metrics) {
        return buildTopology(settings, topics, metrics, null);
    }

    static Topology buildTopology(CorrelatorSettings settings, Topics topics, CorrelatorMetrics metrics,
            AlertmanagerSender alerts) {
        org.apache.kafka.streams.StreamsBuilder builder = new org.apache.kafka.streams.StreamsBuilder();
        IncidentTopology.build(builder, settings, topics, metrics, alerts);
        return builder.build();
    }

    /** {@link #createMissingTopics(Map, List, int, short, Map)} with no topics that must be partitioned alike. */
    static List<String> createMissingTopics(Map<String, Object> clientProps, List<Topic<?, ?>> topics,
            int partitions, short replicationFactor) throws ExecutionException, InterruptedException, TimeoutException {
        return createMissingTopics(clientProps, topics, partitions, replicationFactor, Map.of());
    }

    /**
     * Creates those of {@code topics} that do not exist, each with its declared configuration (cleanup policy,
     * retention); a topic another instance creates at the same moment is fine. A topic of {@code alike} (topic ->
     * the topic it must be partitioned like) is created with the other's partition count when that one exists.
     *
     * @return the topics created
     * @throws IllegalStateException when two topics of {@code alike} end up with different partition counts
     */
    static List<String> createMissingTopics(Map<String, Object> clientProps, List<Topic<?, ?>> topics,
            int partitions, short replicationFactor, Map<String, String> alike)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<String, Object> adminProps = new HashMap<>();
        clientProps.forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(k)) {
                adminProps.put(k, v);
            }
        });
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        try (Admin admin = Admin.create(adminProps)) {
            Set<String> existing = admin.listTopics().names().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            Map<String, Integer> existingCounts = partitionCounts(admin, alike.values().stream()
                    .filter(existing::contains).distinct().toList());
            for (Topic<?, ?> topic : topics) {
                if (!existing.contains(topic.name())) {
                    int count = existingCounts.getOrDefault(alike.get(topic.name()), partitions);
                    missing.add(new NewTopic(topic.name(), Optional.of(count),
                            replicationFactor < 0 ? Optional.empty() : Optional.of(replicationFactor))
                            .configs(topic.configs()));
                }
            }
            List<String> created = new ArrayList<>();
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    created.add(entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            List<String> both = new ArrayList<>(alike.keySet());
            both.addAll(alike.values());
            Map<String, Integer> counts = partitionCounts(admin, both.stream().distinct().toList());
            for (Map.Entry<String, String> pair : alike.entrySet()) {
                Integer mine = counts.get(pair.getKey());
                Integer theirs = counts.get(pair.getValue());
                if (mine != null && theirs != null && !mine.equals(theirs)) {
                    throw new IllegalStateException("topic " + pair.getKey() + " has " + mine + " partitions and "
                            + pair.getValue() + " " + theirs + ": both are keyed by host and must be partitioned"
                            + " alike (a host's records of both meet in one task); recreate " + pair.getKey()
                            + " with " + theirs + " partitions");
                }
            }
            return created;
        }
    }

    private static Map<String, Integer> partitionCounts(Admin admin, List<String> names)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<String, Integer> counts = new HashMap<>();
        if (names.isEmpty()) {
            return counts;
        }
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        while (true) {
            try {
                admin.describeTopics(names).allTopicNames().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .forEach((name, description) -> counts.put(name, description.partitions().size()));
                return counts;
            } catch (ExecutionException e) {
                // a topic created a moment ago is not yet known to the broker that answers the describe
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    @Override
    public ConfigDef optionDefinitions() {
        return CorrelatorSettings.DEFINITION;
    }

    private static boolean hasConfigCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConfigException) {
                return true;
            }
        }
        return false;
    }
}
