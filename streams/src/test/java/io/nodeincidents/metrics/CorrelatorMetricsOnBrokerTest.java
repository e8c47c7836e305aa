package io.nodeincidents.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentCounts;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.Severity;
import io.nodeincidents.testkit.KafkaBrokerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Kafka Streams application on the in-process broker, bound to the metrics: the scrape shows the consumer's
 * lag on the input partitions (above zero while a backlog is worked off, zero once it is done), the Streams metrics,
 * and the counts made from a {@code peek} on the stream threads.
 */
class CorrelatorMetricsOnBrokerTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final int RECORDS = 400;
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path stateDir;

    @Test
    void scrapeShowsConsumerLagStreamsMetricsAndPeekCounts() throws Exception {
        String input = KAFKA.createTopic(KAFKA.uniqueTopic("metrics-in"), 2);
        String output = KAFKA.createTopic(KAFKA.uniqueTopic("metrics-out"), 2);
        // a backlog before the application starts, so there is lag to see
        Properties producerProps = KAFKA.producerProperties();
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(input, "host-" + (i % 7), "entry " + i));
            }
            producer.flush();
        }

        CorrelatorMetrics metrics = new CorrelatorMetrics();
        Incident incident = Incident.newBuilder().setIncidentId("i-1").setHost("host-1")
                .setStatus(IncidentStatus.OPEN).setCause(IncidentCause.MEMORY_FRAGMENTATION)
                .setSeverity(Severity.CRITICAL).setFirstSeenMicros(0).setLastSeenMicros(0)
                .setCounts(IncidentCounts.newBuilder().build()).setDiagnosis("").build();
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
                .peek((key, value) -> {
                    metrics.incidentEmitted(incident);
                    slowly();
                })
                .to(output, Produced.with(Serdes.String(), Serdes.String()));

        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, KAFKA.uniqueTopic("metrics-app"));
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // small polls, so the lag is re-measured often while the backlog drains
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), "10");

        try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            CorrelatorMetrics.StreamsBinding binding = metrics.bind(streams, Duration.ofMillis(500));
            streams.start();

            Pattern lag = series("kafka_consumer_fetch_manager_records_lag", input);
            Pattern lagMax = series("kafka_consumer_fetch_manager_records_lag_max", input);
            // the backlog was measured: the current lag above zero, or (if the drain beat the scrape) its recent max
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                String scrape = metrics.scrape();
                return values(lag, scrape).stream().anyMatch(v -> v > 0)
                        || values(lagMax, scrape).stream().anyMatch(v -> v > 0);
            });
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(metrics.incidents(IncidentCause.MEMORY_FRAGMENTATION, IncidentStatus.OPEN))
                        .isEqualTo(RECORDS);
                // one series per input partition, both drained
                assertThat(values(lag, metrics.scrape())).hasSize(2).allMatch(v -> v == 0.0);
            });

            String scrape = metrics.scrape();
            assertThat(scrape)
                    .contains("# TYPE kafka_consumer_fetch_manager_records_lag gauge")
                    .containsPattern("(?m)^kafka_consumer_fetch_manager_records_lag_max\\{")
                    // a Kafka Streams metric: records processed by the stream thread
                    .containsPattern("(?m)^kafka_stream_thread_process_total\\{.*thread_id=")
                    .contains("nodeincidents_incidents_total{cause=\"MEMORY_FRAGMENTATION\",status=\"OPEN\"} "
                            + RECORDS + ".0");

            binding.close();
            assertThat(metrics.scrape()).doesNotContain("kafka_consumer_fetch_manager_records_lag")
                    .contains("nodeincidents_incidents_total");
        }
    }

    private static void slowly() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The value of each series {@code name} of {@code topic}'s partitions, in the Prometheus text format. */
    private static Pattern series(String name, String topic) {
        return Pattern.compile("(?m)^" + name + "\\{[^}]*topic=\"" + Pattern.quote(topic) + "\"[^}]*} ([0-9.E]+)$");
    }

    private static List<Double> values(Pattern series, String scrape) {
        Matcher m = series.matcher(scrape);
        List<Double> values = new java.util.ArrayList<>();
        while (m.find()) {
            values.add(Double.parseDouble(m.group(1)));
        }
        return values;
    }
}
