package io.nodeincidents.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KafkaBrokerExtensionTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void uniqueTopicsNeverRepeatAndAreLegalNames() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            names.add(KAFKA.uniqueTopic("journal.entries_v1"));
        }

        assertThat(names).hasSize(1000).allMatch(n -> n.matches("journal\\.entries_v1-\\d+-[0-9a-f]{4}"));
        assertThatThrownBy(() -> KAFKA.uniqueTopic("kernel events")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void createdTopicIsReadyWithItsPartitions() throws Exception {
        String topic = KAFKA.createTopic(KAFKA.uniqueTopic("created"), 3);

        try (KafkaProducer<String, String> producer = producer(KAFKA.producerProperties())) {
            for (int partition = 0; partition < 3; partition++) {
                producer.send(new ProducerRecord<>(topic, partition, null, "p" + partition)).get(10, TimeUnit.SECONDS);
            }
        }

        assertThat(read(topic, "created-reader", 3)).containsExactlyInAnyOrder("p0", "p1", "p2");
    }

    @Test
    void stopAndStartKeepAddressTopicsAndRecords() throws Exception {
        String topic = KAFKA.createTopic(KAFKA.uniqueTopic("outage"), 1);
        String address = KAFKA.bootstrapServers();
        Properties props = KAFKA.producerProperties();
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        // send() itself blocks while the producer has no metadata for the topic, which happens during an outage
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 120_000);
        try (KafkaProducer<String, String> producer = producer(props)) {
            producer.send(new ProducerRecord<>(topic, "before outage")).get(10, TimeUnit.SECONDS);

            KAFKA.stop();
            assertThat(KAFKA.isRunning()).isFalse();
            assertThat(brokerAnswers()).as("broker answers while stopped").isFalse();
            // A producer keeps what it is given during the outage and delivers it once the broker is back; the
            // send may block until then, so it runs beside the test thread, like a shipper's sending thread.
            CompletableFuture<RecordMetadata> duringOutage = CompletableFuture.supplyAsync(() -> {
                try {
                    return producer.send(new ProducerRecord<>(topic, "during outage")).get();
                } catch (InterruptedException | ExecutionException e) {
                    throw new CompletionException(e);
                }
            });
            Thread.sleep(500); // let the send reach the producer while the broker is down

            KAFKA.start();
            assertThat(KAFKA.bootstrapServers()).isEqualTo(address);
            duringOutage.get(90, TimeUnit.SECONDS);
        }

        assertThat(read(topic, "outage-reader", 2)).containsExactly("before outage", "during outage");
    }

    private static boolean brokerAnswers() throws InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000))) {
            admin.listTopics().names().get();
            return true;
        } catch (ExecutionException e) {
            return false;
        }
    }

    private static KafkaProducer<String, String> producer(Properties props) {
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static List<String> read(String topic, String group, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                KAFKA.consumerProperties(group), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            Instant deadline = Instant.now().plusSeconds(30);
            while (values.size() < expected && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }
}
