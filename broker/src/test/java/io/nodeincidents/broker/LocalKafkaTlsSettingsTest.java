package io.nodeincidents.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import kafka.server.KafkaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link LocalKafka.Tls} turns into broker properties, checked by Kafka's own config parser. A broker really
 * serving TLS with certificates made by the test runs in the testkit module's tests (the certificate maker lives
 * there, and the broker module cannot depend on the testkit).
 */
class LocalKafkaTlsSettingsTest {

    @TempDir
    Path dir;

    private LocalKafka.Settings settings(LocalKafka.Tls tls) {
        return LocalKafka.Settings.defaults().withDataDir(dir).withBrokerPort(9092).withControllerPort(9093)
                .withTls(tls);
    }

    private static LocalKafka.Tls tls() {
        return LocalKafka.Tls.keyStore(Path.of("/certs/broker.p12"), "PKCS12", "store-secret").withPorts(9094, 9095);
    }

    @Test
    void withoutTlsOnlyThePlaintextListenerIsOpened() {
        Properties p = LocalKafka.brokerProperties(LocalKafka.Settings.defaults().withDataDir(dir)
                .withBrokerPort(9092).withControllerPort(9093));

        assertThat(p.getProperty("listeners")).isEqualTo("PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093");
        assertThat(p.getProperty("advertised.listeners")).isEqualTo("PLAINTEXT://127.0.0.1:9092");
        assertThat(p.getProperty("listener.security.protocol.map")).isEqualTo("PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        assertThat(p.stringPropertyNames()).noneMatch(k -> k.contains("ssl") || k.contains("sasl"));
    }

    @Test
    void anSslListenerIsAddedBesideThePlaintextOne() {
        Properties p = LocalKafka.brokerProperties(settings(tls()));

        assertThat(p.getProperty("listeners"))
                .isEqualTo("PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9094,CONTROLLER://127.0.0.1:9093");
        assertThat(p.getProperty("advertised.listeners")).isEqualTo("PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9094");
        assertThat(p.getProperty("listener.security.protocol.map"))
                .isEqualTo("PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL");
        assertThat(p.getProperty("inter.broker.listener.name")).isEqualTo("PLAINTEXT");
        assertThat(p.getProperty("listener.name.ssl.ssl.keystore.location")).isEqualTo("/certs/broker.p12");
        assertThat(p.getProperty("listener.name.ssl.ssl.keystore.type")).isEqualTo("PKCS12");
        assertThat(p.getProperty("listener.name.ssl.ssl.keystore.password")).isEqualTo("store-secret");
        assertThat(p.stringPropertyNames()).noneMatch(k -> k.contains("sasl"));
        // Kafka's own parser accepts the combination (listener names, protocols, scoped key store)
        KafkaConfig config = KafkaConfig.fromProps(p, false);
        assertThat(config.listeners().size()).isEqualTo(3);
    }

    @Test
    void saslUsersAddASaslSslListenerWithPlain() {
        Properties p = LocalKafka.brokerProperties(settings(tls().withSaslPlainUsers(
                Map.of("shipper", "ship-secret", "correlator", "corr-secret"))));

        assertThat(p.getProperty("listeners")).isEqualTo("PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9094,"
                + "SASL_SSL://127.0.0.1:9095,CONTROLLER://127.0.0.1:9093");
        assertThat(p.getProperty("listener.security.protocol.map")).endsWith(",SSL:SSL,SASL_SSL:SASL_SSL");
        assertThat(p.getProperty("listener.name.sasl_ssl.sasl.enabled.mechanisms")).isEqualTo("PLAIN");
        assertThat(p.getProperty("listener.name.sasl_ssl.plain.sasl.jaas.config")).isEqualTo(
                "org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " user_correlator=\"corr-secret\" user_shipper=\"ship-secret\";");
        assertThat(p.getProperty("listener.name.sasl_ssl.ssl.keystore.location")).isEqualTo("/certs/broker.p12");
        assertThat(KafkaConfig.fromProps(p, false).listeners().size()).isEqualTo(4);
    }

    @Test
    void saslUsersAndPasswordsThatWouldBreakTheJaasLineAreRefused() {
        assertThatThrownBy(() -> tls().withSaslPlainUsers(Map.of("bad user", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad user");
        assertThatThrownBy(() -> tls().withSaslPlainUsers(Map.of("user", "pass\" user_admin=\"owned")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("quotes");
        assertThatThrownBy(() -> tls().withSaslPlainUsers(Map.of("user", "")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPemKeyStoreIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> LocalKafka.Tls.keyStore(Path.of("/certs/broker.pem"), "PEM", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PKCS12 or JKS");
    }

    @Test
    void passwordsStayOutOfToString() {
        LocalKafka.Settings settings = settings(tls().withSaslPlainUsers(Map.of("shipper", "ship-secret")));

        assertThat(settings.toString()).contains("sslPort=9094", "shipper").doesNotContain("store-secret", "ship-secret");
    }

    @Test
    void anUnreadableKeyStoreIsReportedBeforeAnythingIsWritten() {
        Path data = dir.resolve("data");

        assertThatThrownBy(() -> LocalKafka.start(LocalKafka.Settings.defaults().withDataDir(data)
                .withTls(LocalKafka.Tls.keyStore(dir.resolve("missing.p12"), "PKCS12", "x"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.p12");
        assertThat(data).doesNotExist();
    }

    @Test
    void theSamePortTwiceIsRefused() throws Exception {
        Path keyStore = Files.createFile(dir.resolve("broker.p12"));
        int port = Ports.pickFree(Set.of());
        LocalKafka.Settings settings = LocalKafka.Settings.defaults().withDataDir(dir.resolve("data"))
                .withBrokerPort(port).withTls(LocalKafka.Tls.keyStore(keyStore, "PKCS12", "x").withPorts(port, 0));

        assertThatThrownBy(() -> LocalKafka.start(settings))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(port + " is given twice");
    }
}
