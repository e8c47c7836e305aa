package io.nodeincidents.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodeincidents.cli.CommandRun;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Issue 6's "done when", as a user checks it: after {@code demo --serve}, the query API returns the seed-000
 * fragmentation incident of slave-138 with its evidence, {@code query} shows it as a table, the incidents.ecs topic
 * holds its ECS document and /metrics counts it.
 */
class DemoServeTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theServedDemoAnswersQueriesFeedsTheSiemTopicAndCountsTheIncident() throws Exception {
        ServedDemo demo = ServedDemo.start();
        try {
            URI base = demo.api();
            HttpClient http = HttpClient.newHttpClient();

            HttpResponse<String> listed = get(http, base.resolve("/incidents?host=slave-138"));
            assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
            JsonNode fragmentation = null;
            for (JsonNode incident : JSON.readTree(listed.body()).get("incidents")) {
                if (incident.get("cause").asText().equals("MEMORY_FRAGMENTATION")) {
                    fragmentation = incident;
                }
            }
            assertThat(fragmentation).as(listed.body()).isNotNull();
            String id = fragmentation.get("incidentId").asText();

            HttpResponse<String> one = get(http, base.resolve("/incidents/" + id));
            assertThat(one.statusCode()).isEqualTo(200);
            // the evidence: the failed order-6 allocation and the pod whose sandbox failed
            assertThat(one.body()).contains("\"order\":6", "nf_conntrack", "slave-138");

            CommandRun table = CommandRun.of("query", "incidents", "--url", base.toString(), "--host", "slave-138");
            assertThat(table.exitCode()).as(table.err()).isZero();
            assertThat(table.out()).contains("MEMORY_FRAGMENTATION", "slave-138", id);

            // the memory forecast: slave-138 was warned at order 6, and it tops the fleet's ranking
            CommandRun memory = CommandRun.of("query", "memory", "slave-138", "--url", base.toString());
            assertThat(memory.exitCode()).as(memory.err()).isZero();
            assertThat(memory.out()).contains("FRAGMENTATION_RISK at order 6", "Normal", "samples");
            CommandRun fleetMemory = CommandRun.of("query", "memory", "--url", base.toString());
            assertThat(fleetMemory.exitCode()).as(fleetMemory.err()).isZero();
            List<String> rows = fleetMemory.out().lines().skip(1).toList();
            assertThat(rows).hasSize(6);
            assertThat(rows.subList(0, 3)).allSatisfy(row -> assertThat(row).contains("AT RISK"));
            assertThat(rows.subList(3, 6)).noneSatisfy(row -> assertThat(row).contains("AT RISK"));
            assertThat(one.body()).contains("\"warnedBeforeMillis\":");
            CommandRun unknown = CommandRun.of("query", "memory", "no-such-host", "--url", base.toString());
            assertThat(unknown.exitCode()).isEqualTo(1);
            assertThat(unknown.err()).contains("no memory samples of no-such-host");

            HttpResponse<String> metrics = get(http, base.resolve("/metrics"));
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(counted(metrics.body(), "MEMORY_FRAGMENTATION")).as(metrics.body()).isPositive();

            JsonNode ecs = ecsDocument(demo.bootstrap(), id);
            assertThat(ecs.at("/event/kind").asText()).isEqualTo("alert");
            assertThat(ecs.at("/host/name").asText()).isEqualTo("slave-138");
            assertThat(ecs.at("/rule/name").asText()).isEqualTo("MEMORY_FRAGMENTATION");
            assertThat(ecs.get("@timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        } finally {
            demo.close();
        }
        assertThat(demo.exitCode()).as(demo.err()).isZero();
    }

    private static HttpResponse<String> get(HttpClient http, URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The sum of nodeincidents_incidents_total over the statuses of {@code cause}. */
    private static double counted(String prometheusText, String cause) {
        double sum = 0;
        for (String line : prometheusText.split("\n")) {
            if (line.startsWith("nodeincidents_incidents_total{") && line.contains("cause=\"" + cause + "\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** The newest ECS document of incident {@code id} in incidents.ecs, read as a SIEM consumer reads it. */
    private static JsonNode ecsDocument(String bootstrap, String id) throws Exception {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "siem-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, String>> mine = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of("incidents.ecs"));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (mine.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    if (id.equals(r.key())) {
                        mine.add(r);
                    }
                });
            }
        }
        assertThat(mine).as("incidents.ecs records of " + id).isNotEmpty();
        JsonNode doc = JSON.readTree(mine.get(mine.size() - 1).value().getBytes(StandardCharsets.UTF_8));
        assertThat(doc.at("/event/id").asText()).isEqualTo(id);
        return doc;
    }
}
