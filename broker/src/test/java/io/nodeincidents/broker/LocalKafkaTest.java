package io.nodeincidents.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaTest {

    /** Shared by the tests that only need a running broker; the lifecycle tests start their own. */
    private static LocalKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = LocalKafka.start(LocalKafka.Settings.defaults());
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void aProducedRecordIsConsumed() throws Exception {
        Records.send(kafka.bootstrapServers(), "plain", "node-7 kernel: page allocation failure: order:6");

        assertThat(Records.read(kafka.bootstrapServers(), "plain", 1))
                .containsExactly("node-7 kernel: page allocation failure: order:6");
    }

    @Test
    void listensOnLoopbackOnly() {
        assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + kafka.port());
        assertThat(kafka.port()).isNotEqualTo(kafka.controllerPort());
    }

    @Test
    void autoCreatedTopicsGetTheDefaultPartitions(@TempDir Path dir) throws Exception {
        try (LocalKafka three = LocalKafka.start(LocalKafka.Settings.defaults().withDataDir(dir).withDefaultPartitions(3));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, three.bootstrapServers()))) {
            Records.send(three.bootstrapServers(), "auto", "x");

            assertThat(admin.describeTopics(List.of("auto")).allTopicNames().get().get("auto").partitions()).hasSize(3);
        }
    }

    @Test
    void aReadCommittedConsumerSeesCommittedTransactionsOnly() throws Exception {
        String topic = "transactional";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, String> producer = Records.producer(kafka.bootstrapServers(),
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-test", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "aborted"));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "committed"));
            producer.commitTransaction();
        }

        assertThat(Records.read(kafka.bootstrapServers(), topic, 1, "read_committed")).containsExactly("committed");
        // the aborted record is in the log: a read_uncommitted consumer gets both
        assertThat(Records.read(kafka.bootstrapServers(), topic, 2, "read_uncommitted"))
                .containsExactly("aborted", "committed");
    }

    @Test
    void restartOnTheSameDataDirKeepsTopicsRecordsAndAddress(@TempDir Path dir) throws Exception {
        LocalKafka first = LocalKafka.start(LocalKafka.Settings.defaults().withDataDir(dir));
        String address = first.bootstrapServers();
        Records.send(address, "kept", "before restart");
        first.close();
        first.close(); // idempotent

        assertThat(dir.resolve("meta.properties")).exists();
        try (LocalKafka second = LocalKafka.start(first.settings())) {
            assertThat(second.bootstrapServers()).isEqualTo(address);
            assertThat(second.dataDir()).isEqualTo(first.dataDir());
            Records.send(address, "kept", "after restart");

            assertThat(Records.read(address, "kept", 2)).containsExactly("before restart", "after restart");
        }
    }

    @Test
    void aSecondBrokerGetsItsOwnPortsAndDataDir() throws Exception {
        try (LocalKafka second = LocalKafka.start(LocalKafka.Settings.defaults())) {
            assertThat(Set.of(second.port(), second.controllerPort()))
                    .doesNotContain(kafka.port(), kafka.controllerPort());
            assertThat(second.dataDir()).isNotEqualTo(kafka.dataDir());

            Records.send(second.bootstrapServers(), "only-on-second", "x");
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                assertThat(admin.listTopics().names().get()).doesNotContain("only-on-second");
            }
        }
    }

    @Test
    void aTemporaryDataDirIsDeletedOnClose() {
        LocalKafka temporary = LocalKafka.start(LocalKafka.Settings.defaults());
        Path dir = temporary.dataDir();
        assertThat(dir.resolve("meta.properties")).exists();

        temporary.close();

        assertThat(dir).doesNotExist();
    }

    @Test
    void aTakenPortIsReportedBeforeAnythingIsWritten(@TempDir Path parent) throws Exception {
        Path dir = parent.resolve("data");
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));

            assertThatThrownBy(() -> LocalKafka.start(
                    LocalKafka.Settings.defaults().withBrokerPort(taken.getLocalPort()).withDataDir(dir)))
                    .isInstanceOf(PortUnavailableException.class)
                    .hasMessageContaining("Port " + taken.getLocalPort() + " on 127.0.0.1")
                    .satisfies(e -> assertThat(((PortUnavailableException) e).port()).isEqualTo(taken.getLocalPort()));
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void refusesADirectoryHoldingSomethingElse(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "not Kafka's");

        assertThatThrownBy(() -> LocalKafka.start(LocalKafka.Settings.defaults().withDataDir(dir)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("holds no Kafka data");
        assertThat(Files.list(dir)).containsExactly(dir.resolve("notes.txt"));
    }

    @Test
    void extraPropertiesCannotRedefineTheNode() {
        assertThatThrownBy(() -> LocalKafka.Settings.defaults().withProperty("listeners", "PLAINTEXT://0.0.0.0:9092"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("listeners");
    }

    @Test
    void extraPropertiesReachTheBroker(@TempDir Path dir) throws Exception {
        LocalKafka.Settings settings = LocalKafka.Settings.defaults().withDataDir(dir)
                .withProperty("log.retention.ms", "-1");
        try (LocalKafka custom = LocalKafka.start(settings);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, custom.bootstrapServers()))) {
            var resource = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.BROKER, "1");
            var config = admin.describeConfigs(List.of(resource)).all().get().get(resource);

            assertThat(config.get("log.retention.ms").value()).isEqualTo("-1");
        }
    }
}
