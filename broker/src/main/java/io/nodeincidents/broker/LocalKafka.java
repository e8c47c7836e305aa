package io.nodeincidents.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
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
 * <p>Clients connect to a PLAINTEXT listener. With {@link Settings#withTls(Tls)} the node also opens an SSL listener
 * and, when SASL users are given, a SASL_SSL listener (mechanism PLAIN), both with the caller's key store, so clients'
 * TLS and SASL settings can be tried against a real broker; the PLAINTEXT listener stays for everything else
 * (replication to itself, tools).
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
    private static final String SSL_LISTENER = "SSL";
    private static final String SASL_SSL_LISTENER = "SASL_SSL";
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
        Tls tls = settings.tls();
        if (tls != null && !Files.isReadable(tls.keyStore())) {
            throw new IllegalArgumentException("The broker's TLS key store " + tls.keyStore() + " is not readable");
        }
        if (tls != null && tls.sslPort() != 0) {
            Ports.requireFree(tls.sslPort(), "SSL listener");
        }
        if (tls != null && tls.hasSaslSsl() && tls.saslSslPort() != 0) {
            Ports.requireFree(tls.saslSslPort(), "SASL_SSL listener");
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
        Tls tls = settings.tls();
        boolean picksPorts = settings.brokerPort() == 0 || settings.controllerPort() == 0
                || tls != null && (tls.sslPort() == 0 || tls.hasSaslSsl() && tls.saslSslPort() == 0);
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

    /** Fills in free ports for the ones left at 0; all ports of the node differ. */
    private static Settings withPickedPorts(Settings settings) {
        Tls tls = settings.tls();
        Set<Integer> taken = new HashSet<>();
        for (int given : new int[] {settings.brokerPort(), settings.controllerPort(),
                tls == null ? 0 : tls.sslPort(), tls == null || !tls.hasSaslSsl() ? 0 : tls.saslSslPort()}) {
            if (given != 0 && !taken.add(given)) {
                throw new IllegalArgumentException("the broker's ports must differ, " + given + " is given twice");
            }
        }
        int brokerPort = pickUnlessGiven(settings.brokerPort(), taken);
        int controllerPort = pickUnlessGiven(settings.controllerPort(), taken);
        Settings picked = settings.withBrokerPort(brokerPort).withControllerPort(controllerPort);
        if (tls != null) {
            int sslPort = pickUnlessGiven(tls.sslPort(), taken);
            int saslSslPort = tls.hasSaslSsl() ? pickUnlessGiven(tls.saslSslPort(), taken) : tls.saslSslPort();
            picked = picked.withTls(tls.withPorts(sslPort, saslSslPort));
        }
        return picked;
    }

    private static int pickUnlessGiven(int port, Set<Integer> taken) {
        if (port != 0) {
            return port;
        }
        int picked = Ports.pickFree(taken);
        taken.add(picked);
        return picked;
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
                Tls tls = settings.tls();
                String tlsPorts = tls == null ? "" : ", SSL " + tls.sslPort()
                        + (tls.hasSaslSsl() ? ", SASL_SSL " + tls.saslSslPort() : "");
                throw new PortUnavailableException("Kafka could not bind its ports on " + HOST + " (broker "
                        + settings.brokerPort() + ", controller " + settings.controllerPort() + tlsPorts + "): "
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
        StringBuilder clientListeners = new StringBuilder(BROKER_LISTENER + "://" + bootstrap);
        StringBuilder protocols = new StringBuilder(BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        Tls tls = settings.tls();
        if (tls != null) {
            clientListeners.append(',').append(SSL_LISTENER).append("://").append(HOST).append(':').append(tls.sslPort());
            protocols.append(',').append(SSL_LISTENER).append(":SSL");
            putKeyStore(p, SSL_LISTENER, tls);
            if (tls.hasSaslSsl()) {
                clientListeners.append(',').append(SASL_SSL_LISTENER).append("://").append(HOST).append(':')
                        .append(tls.saslSslPort());
                protocols.append(',').append(SASL_SSL_LISTENER).append(":SASL_SSL");
                putKeyStore(p, SASL_SSL_LISTENER, tls);
                String prefix = listenerPrefix(SASL_SSL_LISTENER);
                p.put(prefix + "sasl.enabled.mechanisms", "PLAIN");
                p.put(prefix + "plain.sasl.jaas.config", tls.plainServerJaasConfig());
            }
        }
        p.put("listeners", clientListeners + "," + CONTROLLER_LISTENER + "://" + controller);
        p.put("advertised.listeners", clientListeners.toString());
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("listener.security.protocol.map", protocols.toString());
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

    /** The broker's key store for one listener, as listener-scoped properties (the other listeners stay plain). */
    private static void putKeyStore(Map<String, String> p, String listener, Tls tls) {
        String prefix = listenerPrefix(listener);
        p.put(prefix + "ssl.keystore.location", tls.keyStore().toAbsolutePath().toString());
        p.put(prefix + "ssl.keystore.type", tls.keyStoreType());
        p.put(prefix + "ssl.keystore.password", tls.keyStorePassword());
        p.put(prefix + "ssl.key.password", tls.keyStorePassword());
    }

    private static String listenerPrefix(String listener) {
        return "listener.name." + listener.toLowerCase(Locale.ROOT) + ".";
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

    /**
     * The address of the SSL listener, {@code 127.0.0.1:<port>}.
     *
     * @throws IllegalStateException when the broker was started without {@link Settings#withTls(Tls)}
     */
    public String sslBootstrapServers() {
        return HOST + ":" + requireTls().sslPort();
    }

    /**
     * The address of the SASL_SSL listener (mechanism PLAIN), {@code 127.0.0.1:<port>}.
     *
     * @throws IllegalStateException when the broker was started without TLS or without SASL users
     */
    public String saslSslBootstrapServers() {
        Tls tls = requireTls();
        if (!tls.hasSaslSsl()) {
            throw new IllegalStateException("This broker has no SASL_SSL listener: give SASL users with"
                    + " Tls.withSaslPlainUsers");
        }
        return HOST + ":" + tls.saslSslPort();
    }

    private Tls requireTls() {
        if (settings.tls() == null) {
            throw new IllegalStateException("This broker has no TLS listener: start it with Settings.withTls");
        }
        return settings.tls();
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
     * @param extraProperties   further broker properties, applied last (not the ones defining node and listeners;
     *                          listener-scoped ones such as {@code listener.name.ssl.ssl.client.auth} are fine)
     * @param tls               the SSL (and SASL_SSL) listeners besides the PLAINTEXT one, or {@code null} for none
     */
    public record Settings(int brokerPort, int controllerPort, Path dataDir, int defaultPartitions,
                           Map<String, String> extraProperties, Tls tls) {

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

        /** Settings with the PLAINTEXT listener only. */
        public Settings(int brokerPort, int controllerPort, Path dataDir, int defaultPartitions,
                        Map<String, String> extraProperties) {
            this(brokerPort, controllerPort, dataDir, defaultPartitions, extraProperties, null);
        }

        /** Free ports, a temporary data directory, one partition per auto-created topic, PLAINTEXT only. */
        public static Settings defaults() {
            return new Settings(0, 0, null, 1, Map.of());
        }

        public Settings withBrokerPort(int port) {
            return new Settings(port, controllerPort, dataDir, defaultPartitions, extraProperties, tls);
        }

        public Settings withControllerPort(int port) {
            return new Settings(brokerPort, port, dataDir, defaultPartitions, extraProperties, tls);
        }

        public Settings withDataDir(Path dir) {
            return new Settings(brokerPort, controllerPort, dir, defaultPartitions, extraProperties, tls);
        }

        public Settings withDefaultPartitions(int partitions) {
            return new Settings(brokerPort, controllerPort, dataDir, partitions, extraProperties, tls);
        }

        /** Also opens the SSL (and SASL_SSL) listeners of {@code tls}; {@code null} removes them. */
        public Settings withTls(Tls tls) {
            return new Settings(brokerPort, controllerPort, dataDir, defaultPartitions, extraProperties, tls);
        }

        /** Adds or replaces one extra broker property, e.g. {@code log.retention.ms}. */
        public Settings withProperty(String key, String value) {
            Map<String, String> extra = new TreeMap<>(extraProperties);
            extra.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return new Settings(brokerPort, controllerPort, dataDir, defaultPartitions, extra, tls);
        }

        private static void requirePort(int port, String name) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(name + " must be 0..65535, was " + port);
            }
        }
    }

    /**
     * Client listeners secured with TLS: an SSL listener and, when SASL users are given, a SASL_SSL listener that
     * accepts those users with mechanism PLAIN. Both present the certificate of the given key store, so it must be
     * valid for {@code 127.0.0.1} (an IP subject alternative name), which clients check by default. Clients are not
     * asked for certificates unless {@code listener.name.ssl.ssl.client.auth} and a broker trust store are set as
     * extra properties.
     *
     * @param keyStore          the broker's private key and certificate chain
     * @param keyStoreType      {@code PKCS12} or {@code JKS}
     * @param keyStorePassword  password of the key store and of the key in it
     * @param sslPort           port of the SSL listener on 127.0.0.1; 0 picks a free one
     * @param saslPlainUsers    user name to password, accepted on the SASL_SSL listener; empty: no such listener
     * @param saslSslPort       port of the SASL_SSL listener on 127.0.0.1; 0 picks a free one
     */
    public record Tls(Path keyStore, String keyStoreType, String keyStorePassword, int sslPort,
                      Map<String, String> saslPlainUsers, int saslSslPort) {

        /** User names become JAAS option names ({@code user_<name>}): keep them to plain tokens. */
        private static final java.util.regex.Pattern USER_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

        public Tls {
            Objects.requireNonNull(keyStore, "keyStore");
            Objects.requireNonNull(keyStoreType, "keyStoreType");
            Objects.requireNonNull(keyStorePassword, "keyStorePassword");
            Settings.requirePort(sslPort, "sslPort");
            Settings.requirePort(saslSslPort, "saslSslPort");
            if (keyStoreType.equalsIgnoreCase("PEM")) {
                // a PEM key store takes a key password but no store password: not what this record describes
                throw new IllegalArgumentException("keyStoreType must be PKCS12 or JKS, was PEM");
            }
            saslPlainUsers = Map.copyOf(Objects.requireNonNull(saslPlainUsers, "saslPlainUsers"));
            saslPlainUsers.forEach((user, password) -> {
                if (!USER_NAME.matcher(user).matches()) {
                    throw new IllegalArgumentException("SASL user names must be 1-64 of [A-Za-z0-9._-], was: " + user);
                }
                if (password.isEmpty() || password.indexOf('"') >= 0 || password.indexOf('\\') >= 0
                        || password.chars().anyMatch(Character::isISOControl)) {
                    throw new IllegalArgumentException("the SASL password of " + user
                            + " must be non-empty, without quotes, backslashes or control characters");
                }
            });
        }

        /** An SSL listener on a free port presenting the key store's certificate; no SASL_SSL listener. */
        public static Tls keyStore(Path keyStore, String keyStoreType, String keyStorePassword) {
            return new Tls(keyStore, keyStoreType, keyStorePassword, 0, Map.of(), 0);
        }

        /** Also a SASL_SSL listener (mechanism PLAIN) accepting these users, on a free port. */
        public Tls withSaslPlainUsers(Map<String, String> users) {
            return new Tls(keyStore, keyStoreType, keyStorePassword, sslPort, users, saslSslPort);
        }

        public Tls withPorts(int ssl, int saslSsl) {
            return new Tls(keyStore, keyStoreType, keyStorePassword, ssl, saslPlainUsers, saslSsl);
        }

        /** Whether a SASL_SSL listener is opened. */
        public boolean hasSaslSsl() {
            return !saslPlainUsers.isEmpty();
        }

        /** The broker side of SASL PLAIN: one {@code user_<name>="<password>"} option per user. */
        String plainServerJaasConfig() {
            StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
            new TreeMap<>(saslPlainUsers).forEach((user, password) ->
                    jaas.append(" user_").append(user).append("=\"").append(password).append('"'));
            return jaas.append(';').toString();
        }

        @Override
        public String toString() {
            // no passwords in logs or assertion messages
            return "Tls[keyStore=" + keyStore + ", type=" + keyStoreType + ", sslPort=" + sslPort
                    + ", saslUsers=" + new TreeMap<>(saslPlainUsers).keySet() + ", saslSslPort=" + saslSslPort + "]";
        }
    }
}
