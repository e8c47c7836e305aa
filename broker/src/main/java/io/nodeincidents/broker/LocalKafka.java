package io.nodeincidents.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka (KRaft, one process acting as broker and controller) running inside this JVM, built from
 * Kafka's own broker jars. It is the embedded default of the pipeline, the {@code kafka} command and the broker of the
 * integration tests.
 *
 * <p>Everything binds to 127.0.0.1 and the internal topics (consumer offsets, transaction state, share-group state)
 * use replication factor 1 and min.insync.replicas 1, so consumer groups and exactly-once producers work on this
 * single node.
 *
 * <p>Closing and starting again with the same {@link Settings} (same ports, same data directory) gives back the same
 * bootstrap address with topics and records intact: {@link #settings()} returns the settings with the ports that
 * were actually bound, ready for that. A temporary data directory (none given) is deleted on close, so restarting
 * with data needs an explicit directory.
 *
 * <p>This uses broker internals ({@code KafkaRaftServer}, {@code KafkaConfig}, {@code Formatter}) that are not a
 * public Kafka API: it is pinned to Kafka 4.3.1. As with any Kafka broker, a fatal metadata fault makes Kafka halt the
 * JVM.
 */
public final class LocalKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafka.class);

    /** The only address this broker listens on. */
    public static final String HOST = "127.0.0.1";

    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String META_PROPERTIES = "meta.properties";
    /** Attempts when free ports picked by us are taken by someone else before Kafka binds them. */
    private static final int PORT_PICK_ATTEMPTS = 3;

    /**
     * Properties that define this node's identity and addresses; an extra property may not override them, because a
     * broker started with a different value would not be the single local node this class promises.
     */
    private static final Set<String> RESERVED_PROPERTIES = Set.of(
            "process.roles", "node.id", "broker.id", "listeners", "advertised.listeners",
            "controller.listener.names", "controller.quorum.voters", "controller.quorum.bootstrap.servers",
            "inter.broker.listener.name", "listener.security.protocol.map", "log.dirs", "log.dir",
            "metadata.log.dir");

    private final Settings settings;
    private final boolean ownsDataDir;
    private final KafkaRaftServer server;
    private boolean closed;

    private LocalKafka(Settings settings, boolean ownsDataDir, KafkaRaftServer server) {
        this.settings = settings;
        this.ownsDataDir = ownsDataDir;
        this.server = server;
    }

    /**
     * Starts a broker and returns once it accepts produce and fetch requests.
     *
     * @throws PortUnavailableException when a port given in the settings is already taken
     * @throws IllegalStateException    when the data directory is not usable or Kafka fails to start
     */
    public static LocalKafka start(Settings settings) {
        Objects.requireNonNull(settings, "settings");
        KafkaLogLevels.quietKafkaLoggers();
        // Ports given explicitly must be free now: a clear error before anything is written to disk.
        if (settings.brokerPort() != 0) {
            Ports.requireFree(settings.brokerPort(), "broker");
        }
        if (settings.controllerPort() != 0) {
            Ports.requireFree(settings.controllerPort(), "controller");
        }
        boolean ownsDataDir = settings.dataDir() == null;
        Path dataDir = ownsDataDir ? createTempDataDir() : settings.dataDir().toAbsolutePath();
        try {
            prepareDataDir(dataDir);
            return startOnFreeOrGivenPorts(settings.withDataDir(dataDir), ownsDataDir);
        } catch (RuntimeException e) {
            if (ownsDataDir) {
                DataDirs.deleteRecursively(dataDir);
            }
            throw e;
        }
    }

    private static LocalKafka startOnFreeOrGivenPorts(Settings settings, boolean ownsDataDir) {
        boolean picksPorts = settings.brokerPort() == 0 || settings.controllerPort() == 0;
        for (int attempt = 1; ; attempt++) {
            try {
                return startServer(withPickedPorts(settings), ownsDataDir);
            } catch (PortUnavailableException e) {
                // A port picked as free was taken in between by another process on this machine: pick again.
                if (!picksPorts || attempt >= PORT_PICK_ATTEMPTS) {
                    throw e;
                }
                LOG.debug("Port taken between picking and binding, retrying: {}", e.getMessage());
            }
        }
    }

    /** Fills in free ports for the ones left at 0. */
    private static Settings withPickedPorts(Settings settings) {
        int brokerPort = settings.brokerPort() != 0 ? settings.brokerPort() : Ports.pickFree(settings.controllerPort());
        int controllerPort = settings.controllerPort() != 0 ? settings.controllerPort() : Ports.pickFree(brokerPort);
        if (brokerPort == controllerPort) {
            throw new IllegalArgumentException("broker and controller ports must differ, both are " + brokerPort);
        }
        return settings.withBrokerPort(brokerPort).withControllerPort(controllerPort);
    }

    private static LocalKafka startServer(Settings settings, boolean ownsDataDir) {
        KafkaConfig config = KafkaConfig.fromProps(brokerProperties(settings), false);
        if (!Files.exists(settings.dataDir().resolve(META_PROPERTIES))) {
            format(config, settings.dataDir());
        }
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            // Returns once the broker is registered and unfenced, i.e. serves clients.
            server.startup();
        } catch (RuntimeException e) {
            stopQuietly(server);
            Throwable bind = causeOfType(e, BindException.class);
            if (bind != null) {
                throw new PortUnavailableException("Kafka could not bind its ports on " + HOST + " (broker "
                        + settings.brokerPort() + ", controller " + settings.controllerPort() + "): "
                        + bind.getMessage(), settings.brokerPort(), e);
            }
            throw new IllegalStateException("Kafka failed to start on " + HOST + ":" + settings.brokerPort()
                    + " with data in " + settings.dataDir() + ": " + e.getMessage(), e);
        }
        LOG.debug("Kafka broker ready at {}:{} (controller port {}, data in {})",
                HOST, settings.brokerPort(), settings.controllerPort(), settings.dataDir());
        return new LocalKafka(settings, ownsDataDir, server);
    }

    static Properties brokerProperties(Settings settings) {
        String bootstrap = HOST + ":" + settings.brokerPort();
        String controller = HOST + ":" + settings.controllerPort();
        Map<String, String> p = new TreeMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + controller);
        p.put("listeners", BROKER_LISTENER + "://" + bootstrap + "," + CONTROLLER_LISTENER + "://" + controller);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + bootstrap);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("log.dirs", settings.dataDir().toString());
        p.put("num.partitions", Integer.toString(settings.defaultPartitions()));
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        // One node: internal topics cannot have more than one replica (consumer groups, transactions, share groups).
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // Fewer internal partitions than a production cluster: a local node creates them faster and uses less memory.
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.num.partitions", "5");
        // Consumers join at once instead of waiting 3 s for other members that will not come.
        p.put("group.initial.rebalance.delay.ms", "0");
        // The default 128 MB compaction buffer is sized for production logs; 16 MB cleans local changelogs fine.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
        p.putAll(settings.extraProperties());
        Properties props = new Properties();
        props.putAll(p);
        return props;
    }

    private static void format(KafkaConfig config, Path dataDir) {
        Formatter formatter = new Formatter()
                .setNodeId(NODE_ID)
                .setClusterId(Uuid.randomUuid().toString())
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setMetadataLogDirectory(config.metadataLogDir())
                .setDirectories(List.of(dataDir.toString()))
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()));
        try {
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("Could not format Kafka data directory " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Refuses a directory that holds other files but no Kafka data: formatting it would mix Kafka's files into
     * somebody's directory.
     */
    private static void prepareDataDir(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            if (Files.exists(dataDir.resolve(META_PROPERTIES))) {
                return;
            }
            try (var entries = Files.list(dataDir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalStateException("Data directory " + dataDir
                            + " is not empty and holds no Kafka data (no " + META_PROPERTIES
                            + "): give an empty or a Kafka data directory");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot use Kafka data directory " + dataDir, e);
        }
    }

    private static Path createTempDataDir() {
        try {
            return Files.createTempDirectory("local-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary Kafka data directory", e);
        }
    }

    private static Throwable causeOfType(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return c;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    private static void stopQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.debug("Error while stopping a Kafka broker that failed to start", e);
        }
    }

    /** The address clients connect to, {@code 127.0.0.1:<port>}. */
    public String bootstrapServers() {
        return HOST + ":" + settings.brokerPort();
    }

    /** The port clients connect to. */
    public int port() {
        return settings.brokerPort();
    }

    /** The port of the KRaft controller listener (clients do not use it). */
    public int controllerPort() {
        return settings.controllerPort();
    }

    /** Where Kafka keeps its logs and metadata. */
    public Path dataDir() {
        return settings.dataDir();
    }

    /**
     * The settings this broker runs with: the ports actually bound and the data directory actually used. Passing them
     * to {@link #start(Settings)} after {@link #close()} brings the broker back at the same address, with its data
     * unless the directory was a temporary one (then it is gone and the broker starts empty).
     */
    public Settings settings() {
        return settings;
    }

    /** Stops the broker cleanly (waits for it) and deletes the data directory if it was a temporary one. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            if (ownsDataDir) {
                DataDirs.deleteRecursively(settings.dataDir());
            }
        }
    }

    @Override
    public String toString() {
        return "LocalKafka[" + bootstrapServers() + ", data in " + settings.dataDir() + "]";
    }

    /**
     * How to start a {@link LocalKafka}.
     *
     * @param brokerPort        port for clients on 127.0.0.1; 0 picks a free one
     * @param controllerPort    port of the KRaft controller listener on 127.0.0.1; 0 picks a free one
     * @param dataDir           where Kafka keeps its data; {@code null} uses a temporary directory deleted on close.
     *                          A given directory is kept, and reused when it already holds Kafka data
     * @param defaultPartitions partitions of topics created automatically on first use
     * @param extraProperties   further broker properties, applied last (not the ones defining node and listeners)
     */
    public record Settings(int brokerPort, int controllerPort, Path dataDir, int defaultPartitions,
                           Map<String, String> extraProperties) {

        public Settings {
            requirePort(brokerPort, "brokerPort");
            requirePort(controllerPort, "controllerPort");
            if (defaultPartitions < 1) {
                throw new IllegalArgumentException("defaultPartitions must be at least 1, was " + defaultPartitions);
            }
            extraProperties = Map.copyOf(Objects.requireNonNull(extraProperties, "extraProperties"));
            for (String key : extraProperties.keySet()) {
                if (RESERVED_PROPERTIES.contains(key)) {
                    throw new IllegalArgumentException("Broker property " + key
                            + " is set by LocalKafka itself and cannot be overridden");
                }
            }
        }

        /** Free ports, a temporary data directory, one partition per auto-created topic. */
        public static Settings defaults() {
            return new Settings(0, 0, null, 1, Map.of());
        }

        public Settings withBrokerPort(int port) {
            return new Settings(port, controllerPort, dataDir, defaultPartitions, extraProperties);
        }

        public Settings withControllerPort(int port) {
            return new Settings(brokerPort, port, dataDir, defaultPartitions, extraProperties);
        }

        public Settings withDataDir(Path dir) {
            return new Settings(brokerPort, controllerPort, dir, defaultPartitions, extraProperties);
        }

        public Settings withDefaultPartitions(int partitions) {
            return new Settings(brokerPort, controllerPort, dataDir, partitions, extraProperties);
        }

        /** Adds or replaces one extra broker property, e.g. {@code log.retention.ms}. */
        public Settings withProperty(String key, String value) {
            Map<String, String> extra = new TreeMap<>(extraProperties);
            extra.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return new Settings(brokerPort, controllerPort, dataDir, defaultPartitions, extra);
        }

        private static void requirePort(int port, String name) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(name + " must be 0..65535, was " + port);
            }
        }
    }
}
