package io.nodeincidents.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The broker's TLS listeners with certificates made for the class: what connects and what is refused. */
class KafkaBrokerExtensionTlsTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.withTls();

    @Test
    void aRecordProducedOverSslIsReadOverSaslSslAndPlaintext() throws Exception {
        String topic = KAFKA.createTopic(KAFKA.uniqueTopic("tls"), 1);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(new HashMap<>(KAFKA.sslClientProperties()),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "node-7", "page allocation failure: order:6")).get(30, TimeUnit.SECONDS);
        }

        assertThat(read(KAFKA.saslSslClientProperties(), topic)).containsExactly("page allocation failure: order:6");
        assertThat(read(Map.of("bootstrap.servers", KAFKA.bootstrapServers()), topic))
                .containsExactly("page allocation failure: order:6");
    }

    @Test
    void thePkcs12TrustStoreWorksAsWellAsThePem() throws Exception {
        Map<String, Object> props = new HashMap<>(KAFKA.certificates().pkcs12TrustProperties());
        props.put("bootstrap.servers", KAFKA.sslBootstrapServers());
        props.put("security.protocol", "SSL");

        assertThat(topics(props)).isNotNull();
    }

    @Test
    void aClientThatDoesNotTrustTheTestCaIsRefused() {
        // the JDK's default trust store, as a client without ssl.truststore.* has
        Map<String, Object> props = Map.of("bootstrap.servers", KAFKA.sslBootstrapServers(), "security.protocol", "SSL");

        assertThatThrownBy(() -> topics(props)).hasCauseInstanceOf(SslAuthenticationException.class);
    }

    @Test
    void aPlaintextClientGetsNothingFromTheSslListener() {
        Map<String, Object> props = Map.of("bootstrap.servers", KAFKA.sslBootstrapServers());

        // the broker waits for a TLS handshake, the client for a Kafka response: it times out
        assertThatThrownBy(() -> topics(props)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
    }

    @Test
    void aWrongSaslPasswordIsRefused() {
        Map<String, Object> props = new HashMap<>(KAFKA.saslSslClientProperties());
        props.put("sasl.jaas.config", KafkaBrokerExtension.plainJaasConfig(KafkaBrokerExtension.SASL_USER, "wrong"));

        assertThatThrownBy(() -> topics(props)).hasCauseInstanceOf(SaslAuthenticationException.class);
    }

    @Test
    void aRestartKeepsTheTlsListenersAtTheirAddresses() throws Exception {
        String ssl = KAFKA.sslBootstrapServers();
        String saslSsl = KAFKA.saslSslBootstrapServers();

        KAFKA.stop();
        KAFKA.start();

        assertThat(KAFKA.sslBootstrapServers()).isEqualTo(ssl);
        assertThat(KAFKA.saslSslBootstrapServers()).isEqualTo(saslSsl);
        assertThat(topics(KAFKA.sslClientProperties())).isNotNull();
        assertThat(topics(KAFKA.saslSslClientProperties())).isNotNull();
    }

    private static Set<String> topics(Map<String, ?> clientProps) throws Exception {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        try (Admin admin = Admin.create(props)) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        }
    }

    private static List<String> read(Map<String, String> clientProps, String topic) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "tls-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            Instant deadline = Instant.now().plusSeconds(30);
            while (values.isEmpty() && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }
}
