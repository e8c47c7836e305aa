package io.nodeincidents.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import io.nodeincidents.broker.LocalKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real single-node Kafka broker ({@link LocalKafka}) for one test class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
 * }</pre>
 *
 * <p>The broker starts before the first test of the class and stops after the last; the tests of the class share it
 * and keep apart through {@link #uniqueTopic(String)}. {@link #stop()} and {@link #start()} take it down and bring
 * it back on the same address with its data, for outage tests. The field must be static: JUnit calls
 * before-all callbacks only on static extension fields.
 *
 * <p>{@link #withTls()} also opens an SSL and a SASL_SSL (PLAIN) listener with {@link TestCertificates} made for the
 * class; {@link #sslClientProperties()} and {@link #saslSslClientProperties()} are what a client needs to use them.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {

    /** Kafka's legal topic characters; the prefix leaves room for the suffix within the 249-character limit. */
    private static final Pattern TOPIC_PREFIX = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    private static final AtomicLong TOPIC_COUNTER = new AtomicLong();
    private static final Duration TOPIC_READY_TIMEOUT = Duration.ofSeconds(30);

    /** The user the SASL_SSL listener of {@link #withTls()} accepts. */
    public static final String SASL_USER = "nodeincidents-test";

    private final LocalKafka.Settings requested;
    private final boolean makesCertificates;
    private LocalKafka.Settings settings;
    private Path ownedDataDir;
    private Path certificatesDir;
    private TestCertificates certificates;
    private String saslPassword;
    private LocalKafka kafka;

    /** A broker on free ports, one partition per auto-created topic, data in a temporary directory. */
    public KafkaBrokerExtension() {
        this(LocalKafka.Settings.defaults());
    }

    /**
     * A broker with these settings. Without a data directory the extension uses a temporary one, kept across
     * {@link #stop()}/{@link #start()} and deleted after the class.
     */
    public KafkaBrokerExtension(LocalKafka.Settings settings) {
        this(settings, false);
    }

    private KafkaBrokerExtension(LocalKafka.Settings settings, boolean makesCertificates) {
        this.requested = Objects.requireNonNull(settings, "settings");
        this.makesCertificates = makesCertificates;
    }

    /**
     * A broker on free ports that has, besides the PLAINTEXT listener, an SSL listener and a SASL_SSL listener
     * (mechanism PLAIN, user {@link #SASL_USER}), presenting a certificate for 127.0.0.1 signed by a CA made for this
     * test class ({@link #certificates()}).
     */
    public static KafkaBrokerExtension withTls() {
        return new KafkaBrokerExtension(LocalKafka.Settings.defaults(), true);
    }

    @Override
    public synchronized void beforeAll(ExtensionContext context) throws IOException {
        LocalKafka.Settings toStart = requested;
        if (requested.dataDir() == null) {
            ownedDataDir = Files.createTempDirectory("kafka-test-");
            toStart = requested.withDataDir(ownedDataDir);
        }
        if (makesCertificates) {
            certificatesDir = Files.createTempDirectory("kafka-test-tls-");
            certificates = TestCertificates.create(certificatesDir);
            saslPassword = "pw-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
            toStart = toStart.withTls(certificates.brokerTls().withSaslPlainUsers(Map.of(SASL_USER, saslPassword)));
        }
        kafka = LocalKafka.start(toStart);
        // Remember the ports actually bound, so start() after stop() comes back at the same address.
        settings = kafka.settings();
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        try {
            stop();
        } finally {
            if (ownedDataDir != null) {
                deleteRecursively(ownedDataDir);
                ownedDataDir = null;
            }
            if (certificatesDir != null) {
                deleteRecursively(certificatesDir);
                certificatesDir = null;
            }
        }
    }

    /** The broker's address, {@code 127.0.0.1:<port>}; the same across {@link #stop()} and {@link #start()}. */
    public synchronized String bootstrapServers() {
        return "127.0.0.1:" + started().brokerPort();
    }

    /**
     * The SSL listener's address, {@code 127.0.0.1:<port>}.
     *
     * @throws IllegalStateException when the broker has no TLS listener
     */
    public synchronized String sslBootstrapServers() {
        return "127.0.0.1:" + tls().sslPort();
    }

    /**
     * The SASL_SSL listener's address, {@code 127.0.0.1:<port>}.
     *
     * @throws IllegalStateException when the broker has no SASL_SSL listener
     */
    public synchronized String saslSslBootstrapServers() {
        LocalKafka.Tls tls = tls();
        if (!tls.hasSaslSsl()) {
            throw new IllegalStateException("The broker has no SASL_SSL listener");
        }
        return "127.0.0.1:" + tls.saslSslPort();
    }

    /**
     * The CA and stores made for this class by {@link #withTls()}.
     *
     * @throws IllegalStateException for a broker not made by {@link #withTls()}
     */
    public synchronized TestCertificates certificates() {
        started();
        if (certificates == null) {
            throw new IllegalStateException("This broker was not made by KafkaBrokerExtension.withTls()");
        }
        return certificates;
    }

    /** The password of {@link #SASL_USER} on the SASL_SSL listener of {@link #withTls()}. */
    public synchronized String saslPassword() {
        certificates();
        return saslPassword;
    }

    /**
     * What a client needs for the SSL listener: {@code bootstrap.servers}, {@code security.protocol=SSL} and the
     * CA as a PEM trust store ({@code ssl.truststore.type=PEM}).
     */
    public synchronized Map<String, String> sslClientProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("bootstrap.servers", sslBootstrapServers());
        p.put("security.protocol", "SSL");
        p.putAll(certificates().pemTrustProperties());
        return p;
    }

    /**
     * What a client needs for the SASL_SSL listener: {@code bootstrap.servers}, {@code security.protocol=SASL_SSL},
     * {@code sasl.mechanism=PLAIN} with {@link #SASL_USER}'s {@code sasl.jaas.config}, and the CA as a PEM trust store.
     */
    public synchronized Map<String, String> saslSslClientProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("bootstrap.servers", saslSslBootstrapServers());
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", "PLAIN");
        p.put("sasl.jaas.config", plainJaasConfig(SASL_USER, saslPassword()));
        p.putAll(certificates().pemTrustProperties());
        return p;
    }

    /** A client's {@code sasl.jaas.config} for mechanism PLAIN. */
    public static String plainJaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    private LocalKafka.Tls tls() {
        LocalKafka.Tls tls = started().tls();
        if (tls == null) {
            throw new IllegalStateException("The broker has no TLS listener: use KafkaBrokerExtension.withTls() or"
                    + " settings with LocalKafka.Settings.withTls");
        }
        return tls;
    }

    /** Where the broker keeps its data. */
    public synchronized Path dataDir() {
        return started().dataDir();
    }

    /** Whether the broker runs now (false between {@link #stop()} and {@link #start()}). */
    public synchronized boolean isRunning() {
        return kafka != null;
    }

    /**
     * Stops the broker cleanly, keeping its data; clients see it as down until {@link #start()}. Does nothing if it
     * is stopped already.
     */
    public synchronized void stop() {
        if (kafka != null) {
            try {
                kafka.close();
            } finally {
                kafka = null;
            }
        }
    }

    /**
     * Starts the broker again on the same ports and data after {@link #stop()}: topics, records and committed offsets
     * are still there. Does nothing if it runs. Fails if another process took one of its ports meanwhile.
     */
    public synchronized void start() {
        LocalKafka.Settings previous = started();
        if (kafka == null) {
            kafka = LocalKafka.start(previous);
        }
    }

    /**
     * A topic name not returned before in this JVM: {@code <prefix>-<n>-<random>}.
     *
     * @param prefix what the topic is for, in Kafka's topic characters (letters, digits, '.', '_', '-')
     */
    public String uniqueTopic(String prefix) {
        if (prefix == null || !TOPIC_PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("Topic prefix must be 1-200 of [A-Za-z0-9._-], was: " + prefix);
        }
        return prefix + "-" + TOPIC_COUNTER.incrementAndGet() + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    }

    /**
     * Creates a topic (replication factor 1) and returns once every partition has a leader, so a producer or
     * consumer started next finds it at once.
     *
     * @return {@code name}, for chaining
     */
    public String createTopic(String name, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TOPIC_READY_TIMEOUT.toMillis()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
            awaitLeaders(admin, name, partitions);
            return name;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + name, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not create topic " + name + ": " + e.getCause().getMessage(), e);
        }
    }

    private static void awaitLeaders(Admin admin, String topic, int partitions)
            throws InterruptedException, ExecutionException {
        Instant deadline = Instant.now().plus(TOPIC_READY_TIMEOUT);
        while (true) {
            try {
                TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(5, TimeUnit.SECONDS).get(topic);
                List<TopicPartitionInfo> infos = description.partitions();
                if (infos.size() == partitions && infos.stream().allMatch(p -> p.leader() != null)) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                // metadata not propagated yet (UnknownTopicOrPartition): ask again
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("Topic " + topic + " has no leader for all " + partitions
                        + " partitions after " + TOPIC_READY_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    /** Producer properties with the bootstrap servers; serializers and the rest are the caller's choice. */
    public Properties producerProperties() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return p;
    }

    /**
     * Consumer properties with the bootstrap servers, {@code groupId} and {@code auto.offset.reset=earliest} (a test
     * consumer usually subscribes after the records it checks were produced); deserializers are the caller's choice.
     */
    public Properties consumerProperties(String groupId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, Objects.requireNonNull(groupId, "groupId"));
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return p;
    }

    private LocalKafka.Settings started() {
        if (settings == null) {
            throw new IllegalStateException("The Kafka broker was not started: register KafkaBrokerExtension on a "
                    + "static field with @RegisterExtension (JUnit runs before-all callbacks for static fields only)");
        }
        return settings;
    }

    private static void deleteRecursively(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete the test broker's data in " + dir, e);
        }
    }
}
