package io.nodeincidents.siem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodeincidents.ingest.entries.JournalEntries;
import io.nodeincidents.logs.LogFileReader;
import io.nodeincidents.logs.LogFormat;
import io.nodeincidents.logs.ReadOptions;
import io.nodeincidents.schemas.AffectedPod;
import io.nodeincidents.schemas.EvidenceRef;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentCounts;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.KernelEventKind;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.OomConstraint;
import io.nodeincidents.schemas.OomKill;
import io.nodeincidents.schemas.Severity;
import io.nodeincidents.schemas.SourceKind;
import io.nodeincidents.topology.OfflineCorrelation;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The ECS document of an incident: ECS field names and types, lifecycle fields, escaping, determinism. */
class EcsIncidentTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** ISO-8601 in UTC with exactly three fraction digits, as Elasticsearch's strict_date_optional_time reads it. */
    private static final String ISO_MILLIS_UTC = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";

    /**
     * The ECS fields the document uses and their ECS types (from the ECS field reference, 8.x). The document must use
     * no other ECS field and no other top-level name than these and our own namespace.
     */
    private static final Map<String, String> ECS_FIELDS = Map.ofEntries(
            Map.entry("@timestamp", "date"),
            Map.entry("ecs.version", "keyword"),
            Map.entry("message", "match_only_text"),
            Map.entry("labels.cause", "keyword"),
            Map.entry("labels.status", "keyword"),
            Map.entry("event.kind", "keyword"),
            Map.entry("event.category", "keyword"),
            Map.entry("event.type", "keyword"),
            Map.entry("event.id", "keyword"),
            Map.entry("event.dataset", "keyword"),
            Map.entry("event.module", "keyword"),
            Map.entry("event.start", "date"),
            Map.entry("event.end", "date"),
            Map.entry("event.duration", "long"),
            Map.entry("event.severity", "long"),
            Map.entry("host.name", "keyword"),
            Map.entry("host.os.type", "keyword"),
            Map.entry("host.os.kernel", "keyword"),
            Map.entry("related.hosts", "keyword"),
            Map.entry("rule.name", "keyword"));

    /** ECS allowed values of the categorization fields we fill. */
    private static final Set<String> EVENT_KINDS = Set.of("alert", "asset", "enrichment", "event", "metric", "state",
            "pipeline_error", "signal");
    private static final Set<String> EVENT_CATEGORIES = Set.of("api", "authentication", "configuration", "database",
            "driver", "email", "file", "host", "iam", "intrusion_detection", "library", "malware", "network",
            "package", "process", "registry", "session", "threat", "vulnerability", "web");
    private static final Set<String> EVENT_TYPES = Set.of("access", "admin", "allowed", "change", "connection",
            "creation", "deletion", "denied", "device", "end", "error", "group", "indicator", "info", "installation",
            "protocol", "start", "user");
    private static final Set<String> OS_TYPES = Set.of("linux", "macos", "unix", "windows", "ios", "android");

    private static final long T0 = micros("2017-11-12T07:15:41.523932Z");

    @Test
    void seed000FragmentationIncidentAsAnEcsAlert() throws Exception {
        Incident incident = seed000Incident();
        JsonNode doc = parse(EcsIncident.utf8Json(incident));

        assertThat(doc.at("/event/kind").asText()).isEqualTo("alert");
        assertThat(texts(doc.at("/event/category"))).containsExactly("host", "process");
        assertThat(texts(doc.at("/event/type"))).containsExactly("error");
        assertThat(doc.at("/event/id").asText()).isEqualTo(incident.getIncidentId());
        assertThat(doc.at("/event/severity").asInt()).isEqualTo(4);
        assertThat(doc.at("/host/name").asText()).isEqualTo("slave-138");
        assertThat(doc.at("/host/os/kernel").asText()).isEqualTo("3.10.0-514.el7.x86_64");
        assertThat(doc.at("/rule/name").asText()).isEqualTo("MEMORY_FRAGMENTATION");
        assertThat(doc.at("/labels/cause").asText()).isEqualTo("MEMORY_FRAGMENTATION");
        // the runtime sample repeats seed 000's kernel report: the same report read from two files is one event
        assertThat(doc.at("/message").asText()).isEqualTo("Memory fragmentation on slave-138 (CRITICAL, RESOLVED):"
                + " 1 allocation failure, 1 slab failure, 1 container failure, 1 pod affected\n"
                + incident.getDiagnosis());
        // offline correlation resolves every incident at the end of its input
        assertThat(doc.at("/event/end").asText()).isEqualTo(doc.at("/nodeincidents/last_seen").asText())
                .startsWith("2017-11-12T07:1");
        assertThat(doc.at("/@timestamp").asText()).startsWith("2017-11-12T07:15:41.");
        // the kernel evidence a SIEM user pivots on: order-6 request, Normal zone with nothing free above order 5
        JsonNode alloc = doc.at("/nodeincidents/kernel_events/0/allocation");
        assertThat(alloc.at("/order").asInt()).isEqualTo(6);
        assertThat(alloc.at("/verdict").asText()).isEqualTo("FRAGMENTATION");
        List<Integer> largest = new ArrayList<>();
        alloc.at("/zones").forEach(z -> {
            if ("Normal".equals(z.at("/zone").asText())) {
                largest.add(z.at("/largest_free_order").asInt());
            }
        });
        assertThat(largest).containsExactly(5);
        assertThat(doc.at("/nodeincidents/runtime_failures").size()).isEqualTo(incident.getRuntimeFailures().size())
                .isPositive();
        assertThat(doc.at("/nodeincidents/remediation").size()).isEqualTo(incident.getRemediation().size())
                .isPositive();
        assertThat(doc.at("/nodeincidents/counts/allocation_failures").asInt())
                .isEqualTo(incident.getCounts().getAllocationFailures());
        assertEcsConformant(doc);
    }

    @Test
    void resolvedIncidentHasEndAndDuration() throws Exception {
        Incident resolved = incident().setStatus(IncidentStatus.RESOLVED)
                .setLastSeenMicros(T0 + 90_000_000L).build();
        JsonNode doc = parse(EcsIncident.utf8Json(resolved));

        assertThat(doc.at("/@timestamp").asText()).isEqualTo("2017-11-12T07:15:41.523Z");
        assertThat(doc.at("/event/start").asText()).isEqualTo("2017-11-12T07:15:41.523Z");
        assertThat(doc.at("/event/end").asText()).isEqualTo("2017-11-12T07:17:11.523Z");
        assertThat(doc.at("/event/duration").isIntegralNumber()).isTrue();
        assertThat(doc.at("/event/duration").asLong()).isEqualTo(90_000_000_000L);
        assertThat(doc.at("/labels/status").asText()).isEqualTo("RESOLVED");
        assertEcsConformant(doc);
    }

    @Test
    void openIncidentHasNoEndAndKeepsItsTimestampAcrossRevisions() throws Exception {
        JsonNode first = parse(EcsIncident.utf8Json(incident().build()));
        JsonNode later = parse(EcsIncident.utf8Json(incident().setRevision(3).setStatus(IncidentStatus.UPDATED)
                .setLastSeenMicros(T0 + 600_000_000L).build()));

        assertThat(first.at("/event").has("end")).isFalse();
        assertThat(first.at("/event").has("duration")).isFalse();
        // an upsert by event.id must land in the index of the first revision
        assertThat(later.at("/@timestamp")).isEqualTo(first.at("/@timestamp"));
        assertThat(later.at("/event/id")).isEqualTo(first.at("/event/id"));
        assertThat(later.at("/nodeincidents/revision").asInt()).isEqualTo(3);
        assertThat(later.at("/nodeincidents/last_seen").asText()).isEqualTo("2017-11-12T07:25:41.523Z");
    }

    @Test
    void incidentWithoutRuntimeFailuresOomOrKernelVersionStillRenders() throws Exception {
        Incident bare = Incident.newBuilder()
                .setIncidentId("bare-1").setHost("node-1").setStatus(IncidentStatus.OPEN)
                .setCause(IncidentCause.HIGH_ORDER_ALLOCATION_FAILURE).setSeverity(Severity.MEDIUM)
                .setFirstSeenMicros(T0).setLastSeenMicros(T0)
                .setCounts(IncidentCounts.newBuilder().setAllocationFailures(1).build())
                .setDiagnosis("").build();
        JsonNode doc = parse(EcsIncident.utf8Json(bare));

        assertThat(texts(doc.at("/event/category"))).containsExactly("host");
        assertThat(doc.at("/host/os").has("kernel")).isFalse();
        assertThat(doc.at("/nodeincidents/runtime_failures").isArray()).isTrue();
        assertThat(doc.at("/nodeincidents/runtime_failures").size()).isZero();
        assertThat(doc.at("/nodeincidents/kernel_events").size()).isZero();
        assertThat(doc.at("/nodeincidents/affected_pods").size()).isZero();
        assertThat(doc.at("/message").asText())
                .isEqualTo("High order allocation failure on node-1 (MEDIUM, OPEN): 1 allocation failure");
        assertThat(doc.at("/event/severity").asInt()).isEqualTo(2);
        assertEcsConformant(doc);
    }

    @Test
    void oomKillDetailsAreKeptWithTheirNumbers() throws Exception {
        KernelMemoryEvent oom = KernelMemoryEvent.newBuilder().setEventId("k-1").setHost("node-2").setTimeMicros(T0)
                .setKind(KernelEventKind.OOM_KILL).setSummary("Memory cgroup out of memory: killed java")
                .setOom(OomKill.newBuilder().setConstraint(OomConstraint.MEMCG).setVictimPid(4242)
                        .setVictimComm("java").setVictimRssKb(2_097_152L).setMemoryLimitKb(2_097_152L).build())
                .build();
        Incident incident = incident().setHost("node-2").setCause(IncidentCause.CGROUP_OOM)
                .setCounts(IncidentCounts.newBuilder().setOomKills(1).build())
                .setKernelEvents(List.of(oom)).build();
        JsonNode doc = parse(EcsIncident.utf8Json(incident));

        assertThat(texts(doc.at("/event/category"))).containsExactly("host", "process");
        JsonNode kill = doc.at("/nodeincidents/kernel_events/0/oom");
        assertThat(kill.at("/constraint").asText()).isEqualTo("MEMCG");
        assertThat(kill.at("/victim_pid").isIntegralNumber()).isTrue();
        assertThat(kill.at("/victim_rss_kb").asLong()).isEqualTo(2_097_152L);
        assertThat(kill.has("memcg")).isFalse();
        assertThat(doc.at("/nodeincidents/kernel_events/0").has("allocation")).isFalse();
        assertThat(doc.at("/message").asText()).startsWith("Cgroup OOM on node-2");
    }

    @Test
    void hostileStringsRoundTripThroughJackson() throws Exception {
        String hostile = "quote \" backslash \\ slash / newline \n cr \r tab \t nul \u0000 bell \u0007 esc \u001b"
                + " del \u007f ls \u2028 ps \u2029 bmp \u00e9\u4e2d non-bmp \ud83d\udca5 \ud800\udc00 </script>";
        Incident incident = incident().setHost("node-\"1\"\n").setDiagnosis(hostile)
                .setRemediation(List.of(hostile, "{\"json\": [1, 2]}"))
                .setAffectedPods(List.of(AffectedPod.newBuilder().setNamespace("ns").setPod(hostile).build()))
                .build();
        byte[] bytes = EcsIncident.utf8Json(incident);

        assertValidUtf8(bytes);
        for (byte b : bytes) {
            // no raw control character: every one of them is escaped
            assertThat(b & 0xff).isGreaterThanOrEqualTo(0x20);
        }
        JsonNode doc = parse(bytes);
        assertThat(doc.at("/nodeincidents/diagnosis").asText()).isEqualTo(hostile);
        assertThat(doc.at("/nodeincidents/remediation/0").asText()).isEqualTo(hostile);
        assertThat(doc.at("/nodeincidents/remediation/1").asText()).isEqualTo("{\"json\": [1, 2]}");
        assertThat(doc.at("/nodeincidents/affected_pods/0/pod").asText()).isEqualTo(hostile);
        assertThat(doc.at("/host/name").asText()).isEqualTo("node-\"1\"\n");
        assertThat(doc.at("/message").asText()).endsWith("\n" + hostile);
    }

    @Test
    void unpairedSurrogatesBecomeReplacementCharactersInsteadOfFailingTheRecord() throws Exception {
        String broken = "lone high \ud83d then text, lone low \udca5, at end \ud800";
        byte[] bytes = EcsIncident.utf8Json(incident().setDiagnosis(broken).build());

        assertValidUtf8(bytes);
        assertThat(parse(bytes).at("/nodeincidents/diagnosis").asText())
                .isEqualTo("lone high \ufffd then text, lone low \ufffd, at end \ufffd");
    }

    @Test
    void sameRevisionGivesTheSameBytesEvenAfterAnAvroRoundTrip() throws Exception {
        Incident incident = seed000Incident();
        Incident decoded = Incident.getDecoder().decode(Incident.getEncoder().encode(incident));

        assertThat(EcsIncident.utf8Json(decoded)).isEqualTo(EcsIncident.utf8Json(incident));
        assertThat(EcsIncident.utf8Json(incident)).isEqualTo(EcsIncident.utf8Json(seed000Incident()));
        assertThat(EcsIncident.json(incident)).isEqualTo(new String(EcsIncident.utf8Json(incident),
                StandardCharsets.UTF_8));
    }

    @Test
    void timesAreUtcWithMillisecondsCutNotRounded() {
        assertThat(EcsIncident.time(micros("2017-11-12T07:15:41.999999Z"))).isEqualTo("2017-11-12T07:15:41.999Z");
        assertThat(EcsIncident.time(0)).isEqualTo("1970-01-01T00:00:00.000Z");
        assertThat(EcsIncident.time(-1)).isEqualTo("1969-12-31T23:59:59.999Z");
    }

    @Test
    void serdeWritesTheDocumentAndPassesNullThrough() {
        Incident incident = incident().build();
        EcsIncidentSerde serde = new EcsIncidentSerde();

        assertThat(serde.serializer().serialize("incidents.ecs", incident)).isEqualTo(EcsIncident.utf8Json(incident));
        assertThat(serde.serializer().serialize("incidents.ecs", null)).isNull();
        assertThatThrownBy(() -> serde.deserializer().deserialize("incidents.ecs", new byte[] {'{', '}'}))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("incidents.ecs");
    }

    /**
     * Every field outside our namespace is an ECS field of the list with a value of its ECS type, and the
     * categorization fields hold ECS allowed values.
     */
    private static void assertEcsConformant(JsonNode doc) {
        List<String> leaves = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = doc.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            // nested objects, never dotted keys (collectLeaves checks the keys below)
            assertThat(field.getKey()).as("top-level key").doesNotContain(".");
            if (!field.getKey().equals(EcsIncident.MODULE)) {
                collectLeaves(field.getKey(), field.getValue(), leaves);
            }
        }
        assertThat(leaves).as("ECS fields used").isNotEmpty().allSatisfy(path -> {
            assertThat(ECS_FIELDS).as("ECS field " + path).containsKey(path);
            JsonNode value = at(doc, path);
            List<JsonNode> values = new ArrayList<>();
            if (value.isArray()) {
                value.forEach(values::add);
            } else {
                values.add(value);
            }
            for (JsonNode v : values) {
                switch (ECS_FIELDS.get(path)) {
                    case "date" -> assertThat(v.asText()).as(path).matches(ISO_MILLIS_UTC);
                    case "long" -> assertThat(v.isIntegralNumber()).as(path + " is a long").isTrue();
                    default -> assertThat(v.isTextual()).as(path + " is a string").isTrue();
                }
            }
        });
        assertThat(leaves).contains("@timestamp", "ecs.version", "message", "event.kind", "event.category",
                "event.type", "event.id", "event.start", "host.name", "rule.name");
        assertThat(doc.at("/event/kind").asText()).isIn(EVENT_KINDS);
        assertThat(texts(doc.at("/event/category"))).isNotEmpty().allSatisfy(c -> assertThat(c).isIn(EVENT_CATEGORIES));
        assertThat(texts(doc.at("/event/type"))).isNotEmpty().allSatisfy(t -> assertThat(t).isIn(EVENT_TYPES));
        assertThat(doc.at("/host/os/type").asText()).isIn(OS_TYPES);
    }

    private static void collectLeaves(String path, JsonNode node, List<String> leaves) {
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> {
                assertThat(f.getKey()).as("dotted key under " + path).doesNotContain(".");
                collectLeaves(path + "." + f.getKey(), f.getValue(), leaves);
            });
        } else {
            leaves.add(path);
        }
    }

    private static JsonNode at(JsonNode doc, String dottedPath) {
        JsonNode node = doc;
        for (String part : dottedPath.split("\\.")) {
            node = node.get(part);
        }
        return node;
    }

    private static List<String> texts(JsonNode array) {
        assertThat(array.isArray()).as("array").isTrue();
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static JsonNode parse(byte[] bytes) throws Exception {
        return JSON.readTree(bytes);
    }

    private static void assertValidUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            throw new AssertionError("not valid UTF-8", e);
        }
    }

    private static long micros(String instant) {
        Instant i = Instant.parse(instant);
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
    }

    private static Incident.Builder incident() {
        return Incident.newBuilder()
                .setIncidentId("slave-138-1510470941523932").setRevision(1).setHost("slave-138")
                .setKernelVersion("3.10.0-514.el7.x86_64").setStatus(IncidentStatus.OPEN)
                .setCause(IncidentCause.MEMORY_FRAGMENTATION).setSeverity(Severity.CRITICAL)
                .setFirstSeenMicros(T0).setLastSeenMicros(T0)
                .setCounts(IncidentCounts.newBuilder().setAllocationFailures(1).setSandboxFailures(2).build())
                .setDiagnosis("An order-6 allocation failed with free memory: fragmentation.")
                .setRemediation(List.of("echo 1 > /proc/sys/vm/compact_memory"))
                .setEvidence(List.of(EvidenceRef.newBuilder().setHost("slave-138").setTimeMicros(T0)
                        .setFile("/var/log/messages").setLine(12L).build()));
    }

    /**
     * Seed 000 (CentOS 7, order-6 failure under copy_net_ns, then dockerd and kubelet sandbox failures) from the
     * shipped samples, correlated by the streaming topology offline: what {@code analyze} prints for them.
     */
    static Incident seed000Incident() throws Exception {
        List<JournalEntry> entries = new ArrayList<>();
        ReadOptions options = new ReadOptions(LogFormat.SYSLOG, "slave-138", 2017, ZoneId.of("Asia/Shanghai"));
        for (String resource : List.of("/samples/seed-000-kernel.log", "/samples/seed-000-runtime.log")) {
            Path file = Path.of(EcsIncidentTest.class.getResource(resource).toURI());
            new LogFileReader().read(file, options,
                    line -> entries.add(JournalEntries.fromLogLine(line, SourceKind.SYSLOG)), rejected -> { });
        }
        List<Incident> incidents = OfflineCorrelation.run(entries).latestRevisions().stream()
                .filter(i -> i.getCause() == IncidentCause.MEMORY_FRAGMENTATION).toList();
        assertThat(incidents).hasSize(1);
        return incidents.get(0);
    }
}
