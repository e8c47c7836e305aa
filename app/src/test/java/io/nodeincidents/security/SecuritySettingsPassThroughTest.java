package io.nodeincidents.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.ingest.cli.KafkaClientOptions;
import io.nodeincidents.ingest.produce.EntryProducerConfig;
import io.nodeincidents.ingest.ship.ShipperSettings;
import io.nodeincidents.topology.CorrelatorSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * SASL and TLS settings from each layer a deployment uses (the mounted --config file, NODEINCIDENTS_* variables set
 * from a Secret, -X) reach the Kafka clients of the shipper and of the correlator unchanged, as Kafka's own config
 * classes read them. {@link PipelineOverTlsTest} shows the same with real connections.
 */
class SecuritySettingsPassThroughTest {

    private static final String JAAS =
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"ship\" password=\"s3cr=t;\";";

    /** The options both programs mix in, parsed from a command line as the programs do. */
    @Command(name = "probe")
    static final class Probe {
        @Mixin
        KafkaClientOptions kafka;
    }

    private static Map<String, String> settings(Path dir) throws Exception {
        Path file = dir.resolve("app.properties");
        // as deploy/kubernetes/configmap.yaml writes it
        Files.writeString(file, "ssl.truststore.type=PEM\nssl.truststore.location=/etc/nodeincidents/tls/ca.crt\n"
                + "security.protocol=SSL\n");
        Probe probe = new Probe();
        new CommandLine(probe).parseArgs("--config", file.toString(), "-X", "sasl.mechanism=PLAIN");
        return probe.kafka.settings(Map.of(
                "NODEINCIDENTS_SECURITY_PROTOCOL", "SASL_SSL",
                "NODEINCIDENTS_SASL_JAAS_CONFIG", JAAS,
                "NODEINCIDENTS_SSL_TRUSTSTORE_LOCATION", "/run/secrets/kafka-ca.crt"));
    }

    @Test
    void theShippersProducerGetsThem(@TempDir Path dir) throws Exception {
        Map<String, String> settings = settings(dir);
        new ShipperSettings(settings); // our own options' parser does not refuse them

        ProducerConfig producer = new ProducerConfig(EntryProducerConfig.producerProperties(settings));

        assertThat(producer.getString("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(producer.getString("sasl.mechanism")).isEqualTo("PLAIN");
        assertThat(producer.getPassword("sasl.jaas.config")).isEqualTo(new Password(JAAS));
        assertThat(producer.getString("ssl.truststore.type")).isEqualTo("PEM");
        assertThat(producer.getString("ssl.truststore.location")).isEqualTo("/run/secrets/kafka-ca.crt");
    }

    @Test
    void theCorrelatorsConsumerProducerAndAdminGetThem(@TempDir Path dir) throws Exception {
        StreamsConfig streams = new StreamsConfig(new CorrelatorSettings(settings(dir)).streamsProperties());

        for (Map<String, Object> client : List.of(
                streams.getMainConsumerConfigs("group", "client", 0),
                streams.getProducerConfigs("client"),
                streams.getAdminConfigs("client"))) {
            assertThat(client).containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "PLAIN")
                    .containsEntry("sasl.jaas.config", JAAS)
                    .containsEntry("ssl.truststore.type", "PEM")
                    .containsEntry("ssl.truststore.location", "/run/secrets/kafka-ca.crt");
        }
    }
}
