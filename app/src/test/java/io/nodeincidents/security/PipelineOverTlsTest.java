package io.nodeincidents.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodeincidents.cli.CommandRun;
import io.nodeincidents.correlate.CorrelateCommand;
import io.nodeincidents.demo.SampleFleet;
import io.nodeincidents.cli.JournalExportFormat;
import io.nodeincidents.ingest.cli.CommandLines;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.testkit.RequiredTools;
import io.nodeincidents.testkit.KafkaBrokerExtension;
import io.nodeincidents.topology.CorrelatorSettings;
import io.nodeincidents.topology.Topics;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The shipper and the correlator against a real broker's TLS listeners only, configured the way a deployment does it
 * (deploy/kubernetes/configmap.yaml): Kafka's own {@code security.protocol}, {@code ssl.truststore.*} and
 * {@code sasl.*} properties in the programs' {@code --config} files and {@code -X}, nothing of ours. The shipper
 * ships a genuine journal (seed 000 on host slave-138, written by systemd-journal-remote) over SSL with the CA as a
 * PEM trust store; the correlator runs over SASL_SSL (PLAIN) with a PKCS12 trust store; the incident is read back
 * over SSL. The certificates are made by the test; a client that does not trust their CA is refused.
 */
class PipelineOverTlsTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.withTls();

    private static final Path JOURNAL_REMOTE = Path.of("/lib/systemd/systemd-journal-remote");
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theShipperAndTheCorrelatorFindTheSeedIncidentOverTlsOnly() throws Exception {
        RequiredTools.require(Files.isExecutable(JOURNAL_REMOTE),
                "systemd-journal-remote (apt-get install systemd-journal-remote), to write a genuine journal,");
        Path journal = genuineJournal("slave-138");
        String registry = "mock://tls-" + UUID.randomUUID();

        Path correlateConfig = properties("correlate.properties", Map.of(
                "bootstrap.servers", KAFKA.saslSslBootstrapServers(),
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "PLAIN",
                "ssl.truststore.type", "PKCS12",
                "ssl.truststore.location", KAFKA.certificates().trustStore().toString(),
                "ssl.truststore.password", KAFKA.certificates().password(),
                "schema.registry.url", registry,
                "state.dir", dir.resolve("state").toString(),
                "commit.interval.ms", "200",
                "topics.partitions", "2"));
        CorrelateCommand correlator = new CorrelateCommand();
        CommandLine correlate = CommandLines.create(correlator);
        StringWriter correlateOut = new StringWriter();
        StringWriter correlateErr = new StringWriter();
        correlate.setOut(new PrintWriter(correlateOut, true));
        correlate.setErr(new PrintWriter(correlateErr, true));
        AtomicInteger correlateExit = new AtomicInteger(-1);
        // the SASL credentials on the command line: the -X layer passes Kafka properties through too
        Thread app = new Thread(() -> correlateExit.set(correlate.execute("--config", correlateConfig.toString(),
                "-X", "sasl.jaas.config=" + KafkaBrokerExtension.plainJaasConfig(KafkaBrokerExtension.SASL_USER,
                        KAFKA.saslPassword()))), "correlate-over-tls");
        app.start();
        try {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!correlateOut.toString().contains("correlate: running") && app.isAlive()
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(correlateOut.toString()).as(correlateErr.toString())
                    .contains("created topics", "correlate: running as nodeincidents-correlate on "
                            + KAFKA.saslSslBootstrapServers());

            Path shipperConfig = properties("shipper.properties", Map.of(
                    "bootstrap.servers", KAFKA.sslBootstrapServers(),
                    "security.protocol", "SSL",
                    "ssl.truststore.type", "PEM",
                    "ssl.truststore.location", KAFKA.certificates().caCertificatePem().toString(),
                    "schema.registry.url", registry,
                    "ship.metrics.port", "-1"));
            CommandRun ship = CommandRun.command("ship", "--file", journal.toString(), "--from-beginning",
                    "--no-follow", "--cursor-file", dir.resolve("ship.cursor").toString(),
                    "--config", shipperConfig.toString());
            assertThat(ship.exitCode()).as(ship.err()).isZero();
            assertThat(dir.resolve("ship.cursor")).as("cursor saved after Kafka acknowledged over SSL").exists();

            Incident incident = awaitIncident(registry, "slave-138");
            assertThat(incident.getCause()).isEqualTo(IncidentCause.MEMORY_FRAGMENTATION);
            assertThat(incident.getCounts().getAllocationFailures()).isPositive();
        } finally {
            correlator.stop();
            app.join(Duration.ofSeconds(70).toMillis());
        }
        assertThat(app.isAlive()).isFalse();
        assertThat(correlateExit.get()).as(correlateErr.toString()).isZero();
    }

    @Test
    void aClientWithoutTheTrustStoreIsRefused() {
        Map<String, Object> untrusting = new HashMap<>(KAFKA.sslClientProperties());
        untrusting.remove("ssl.truststore.type");
        untrusting.remove("ssl.truststore.location");
        untrusting.put("default.api.timeout.ms", 10_000);
        untrusting.put("request.timeout.ms", 5_000);

        try (Admin admin = Admin.create(untrusting)) {
            assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SslAuthenticationException.class);
        }
    }

    /** Reads incidents over SSL (PEM trust store), committed revisions only, until one of {@code host} arrives. */
    private static Incident awaitIncident(String registry, String host) {
        CorrelatorSettings settings = new CorrelatorSettings(Map.of("schema.registry.url", registry));
        Topics topics = Topics.from(settings);
        Properties props = new Properties();
        props.putAll(KAFKA.sslClientProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "incident-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, Incident> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                topics.incidents().valueSerde().deserializer())) {
            consumer.subscribe(List.of(topics.incidents().name()));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (host.equals(record.value().getHost())) {
                        return record.value();
                    }
                }
            }
        }
        throw new AssertionError("no incident of " + host + " on " + topics.incidents().name() + " within " + WAIT);
    }

    private Path properties(String name, Map<String, String> values) throws IOException {
        Properties p = new Properties();
        p.putAll(values);
        Path file = dir.resolve(name);
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(out, null);
        }
        return file;
    }

    /**
     * The demo's sample journal of {@code host} (seed 000 amid ordinary noise) as a real journal file: its
     * {@code journalctl -o json} entries turned back into the Journal Export Format for systemd-journal-remote.
     */
    private Path genuineJournal(String host) throws IOException, InterruptedException {
        Path json = SampleFleet.write(dir.resolve("samples")).stream()
                .filter(f -> f.getFileName().toString().equals(host + ".json")).findFirst().orElseThrow();
        Path export = dir.resolve(host + ".export");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(export))) {
            for (String line : Files.readAllLines(json, StandardCharsets.UTF_8)) {
                for (Iterator<Map.Entry<String, JsonNode>> it = JSON.readTree(line).fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    if (!field.getKey().equals("__CURSOR")) { // journald assigns its own
                        JournalExportFormat.field(out, field.getKey(), field.getValue().asText());
                    }
                }
                out.write('\n');
            }
        }
        Path journal = dir.resolve("journal").resolve(host + ".journal");
        Files.createDirectories(journal.getParent());
        Process p = new ProcessBuilder(JOURNAL_REMOTE.toString(), "-o", journal.toString(), "-")
                .redirectInput(export.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0).as(output).isTrue();
        return journal;
    }

}
