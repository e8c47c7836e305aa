package io.nodeincidents.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nodeincidents.ingest.entries.JournalEntries;
import io.nodeincidents.logs.LogFileReader;
import io.nodeincidents.logs.LogFormat;
import io.nodeincidents.logs.ReadOptions;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.SourceKind;
import io.nodeincidents.testkit.KafkaBrokerExtension;
import io.nodeincidents.topology.CorrelatorSettings;
import io.nodeincidents.topology.IncidentTopology;
import io.nodeincidents.topology.OfflineCorrelation;
import io.nodeincidents.topology.Topics;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two correlator instances on the real broker, each with its query API: every question can be asked of either. The
 * two hosts are picked so that their journal entries, and their incidents, lie on different partitions: each
 * instance holds one of each, and answers for the other's by forwarding.
 */
class QueryTwoInstancesOnBrokerTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final int PARTITIONS = 2;
    private static final String TOKEN = "shared-s3cret";
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path stateDir;

    /** Seed 000 (the order-6 report, dockerd, kubelet sandbox lines) on {@code host}. */
    private static List<JournalEntry> seed000(String host) {
        List<JournalEntry> entries = new ArrayList<>();
        ReadOptions options = new ReadOptions(LogFormat.SYSLOG, host, 2017, ZoneId.of("Asia/Shanghai"));
        for (String resource : List.of("kernel/seed-000-centos7-order6-conntrack.log",
                "topology/seed-000-kubelet.log")) {
            try {
                Path file = Path.of(QueryTwoInstancesOnBrokerTest.class.getResource("/" + resource).toURI());
                new LogFileReader().read(file, options, line -> entries.add(JournalEntry.newBuilder(
                        JournalEntries.fromLogLine(line, SourceKind.SYSLOG)).setHost(host).build()), rejected -> { });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return entries;
    }

    /** The partition the default partitioner gives {@code key}, as for every keyed topic here. */
    private static int partition(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    private record Instance(KafkaStreams streams, QueryServer server, HostInfo info) implements AutoCloseable {
        URI url() {
            return URI.create("http://" + info.host() + ":" + info.port());
        }

        QueryClient client() {
            return new QueryClient(url(), Optional.of(TOKEN));
        }

        @Override
        public void close() {
            server.close();
            streams.close(Duration.ofSeconds(30));
        }
    }

    private Instance start(Map<String, Object> common, String name) throws Exception {
        QueryServer server = QueryServer.bind(new InetSocketAddress("127.0.0.1", 0), Optional.of(TOKEN), null);
        HostInfo self = new HostInfo("127.0.0.1", server.address().getPort());
        Map<String, Object> settings = new HashMap<>(common);
        settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(name).toString());
        settings.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        CorrelatorSettings correlator = new CorrelatorSettings(settings);
        Properties props = new Properties();
        props.putAll(correlator.streamsProperties());
        KafkaStreams streams = new KafkaStreams(IncidentTopology.topology(correlator), props);
        server.start(new StreamsQueryBackend(streams, Optional.of(self), Optional.of(TOKEN)));
        streams.start();
        return new Instance(streams, server, self);
    }

    @Test
    void eitherInstanceAnswersForWhatTheOtherHolds() throws Exception {
        // hosts whose entries and incidents fall on different partitions (incident ids are derived from the host
        // and the kernel report, so the offline correlation of the same lines tells them)
        List<String> candidates = List.of("node-a", "node-b", "node-c", "node-d", "node-e", "node-f", "node-g");
        List<JournalEntry> all = new ArrayList<>();
        candidates.forEach(host -> all.addAll(seed000(host)));
        Map<String, String> incidentOf = new HashMap<>();
        for (Incident incident : OfflineCorrelation.run(all).latestRevisions()) {
            incidentOf.put(incident.getHost(), incident.getIncidentId());
        }
        String hostA = null;
        String hostB = null;
        for (String a : candidates) {
            for (String b : candidates) {
                if (hostA == null && partition(a) == 0 && partition(b) == 1
                        && partition(incidentOf.get(a)) != partition(incidentOf.get(b))) {
                    hostA = a;
                    hostB = b;
                }
            }
        }
        assertThat(hostA).as("two candidate hosts spread over both partitions").isNotNull();
        List<String> hosts = List.of(hostA, hostB);

        String app = KAFKA.uniqueTopic("query-app");
        Map<String, Object> common = new HashMap<>();
        common.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        common.put("schema.registry.url", "mock://query-two-" + UUID.randomUUID());
        common.put(StreamsConfig.APPLICATION_ID_CONFIG, app);
        common.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        common.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200");
        common.put(CorrelatorSettings.JOURNAL_ENTRIES_TOPIC, KAFKA.createTopic(KAFKA.uniqueTopic("q-entries"),
                PARTITIONS));
        common.put(CorrelatorSettings.INCIDENTS_TOPIC, KAFKA.createTopic(KAFKA.uniqueTopic("q-incidents"),
                PARTITIONS));
        common.put(CorrelatorSettings.FLEET_ALERTS_TOPIC, KAFKA.createTopic(KAFKA.uniqueTopic("q-alerts"),
                PARTITIONS));
        common.put(CorrelatorSettings.DEAD_LETTER_TOPIC, KAFKA.createTopic(KAFKA.uniqueTopic("q-dead"), PARTITIONS));
        common.put(CorrelatorSettings.NODE_MEMORY_TOPIC, KAFKA.createTopic(KAFKA.uniqueTopic("q-memory"), PARTITIONS));
        common.put(CorrelatorSettings.MEMORY_FORECASTS_TOPIC, KAFKA.createTopic(KAFKA.uniqueTopic("q-forecast"),
                PARTITIONS));
        Topics topics = Topics.from(new CorrelatorSettings(common));

        try (Instance one = start(common, "one"); Instance two = start(common, "two")) {
            List<Instance> instances = List.of(one, two);
            // both running, the incidents' partitions shared out between them
            Awaitility.await().atMost(WAIT).until(() -> instances.stream().allMatch(i ->
                    i.streams().state() == KafkaStreams.State.RUNNING
                            && i.streams().streamsMetadataForStore(QueryStores.INCIDENTS).size() == 2));

            try (KafkaProducer<String, JournalEntry> producer = new KafkaProducer<>(KAFKA.producerProperties(),
                    new StringSerializer(), topics.journalEntries().valueSerde().serializer())) {
                for (String host : hosts) {
                    for (JournalEntry entry : seed000(host)) {
                        producer.send(new ProducerRecord<>(topics.journalEntries().name(), host, entry));
                    }
                }
            }

            // the list, merged from both, on each
            for (Instance asked : instances) {
                Awaitility.await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                    JsonNode page = asked.client().incidentsJson(IncidentQuery.all());
                    List<String> listed = new ArrayList<>();
                    page.path("incidents").forEach(i -> listed.add(i.path("host").asText()));
                    assertThat(listed).containsExactlyInAnyOrderElementsOf(hosts);
                });
            }

            List<HostInfo> owners = new ArrayList<>();
            for (String host : hosts) {
                String id = incidentOf.get(host);
                HostInfo owner = one.streams().queryMetadataForKey(QueryStores.INCIDENTS, id, new StringSerializer())
                        .activeHost();
                owners.add(owner);
                Instance other = owner.equals(one.info()) ? two : one;
                // asked of the instance that does not hold it: forwarded, with the token, and answered in full
                JsonNode incident = other.client().incident(id).orElseThrow();
                assertThat(incident.path("host").asText()).isEqualTo(host);
                assertThat(incident.path("cause").asText()).isEqualTo("MEMORY_FRAGMENTATION");
                assertThat(incident.path("kernelEvents")).isNotEmpty();
                // and of the one that does
                Instance holder = other == one ? two : one;
                assertThat(holder.client().incident(id)).isPresent();
                // not known locally to the other: the forwarded-request mark makes it answer from its own stores
                assertThat(new QueryClient(QueryClient.defaultHttpClient(), other.url(), Optional.of(TOKEN), true)
                        .incident(id)).isEmpty();

                // the host's events, on either instance, whichever holds them
                // (a runtime failure completes once its lines have gone quiet: wait for it)
                for (Instance asked : instances) {
                    Awaitility.await().atMost(WAIT).untilAsserted(() -> {
                        JsonNode events = asked.client().eventsJson(host, EventQuery.all());
                        List<String> kinds = new ArrayList<>();
                        events.path("events").forEach(e -> kinds.add(e.path("kind").asText()));
                        assertThat(kinds).as("events of %s asked of %s", host, asked.info())
                                .contains("ALLOC_FAILURE", "SLAB_FAILURE", "SANDBOX_FAILURE");
                    });
                }
            }
            assertThat(owners).as("each instance holds one of the two incidents")
                    .containsExactlyInAnyOrder(one.info(), two.info());
            // the host events too: each host's events are held where its journal entries are processed
            assertThat(List.of(owner(one, QueryStores.HOST_EVENTS, hostA), owner(one, QueryStores.HOST_EVENTS,
                    hostB))).containsExactlyInAnyOrder(one.info(), two.info());
            assertThat(one.client().incident("no-such-incident")).isEmpty();
            assertThat(two.client().incident("no-such-incident")).isEmpty();
        }
    }

    private static HostInfo owner(Instance asked, String store, String key) {
        return asked.streams().queryMetadataForKey(store, key, new StringSerializer()).activeHost();
    }
}
