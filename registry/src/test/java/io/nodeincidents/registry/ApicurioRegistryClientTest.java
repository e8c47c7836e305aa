package io.nodeincidents.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.testkit.ApicurioRegistryExtension;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The REST client and serdes against a real registry: Apicurio Registry 2.4.2's Confluent API, with its global
 * BACKWARD rule. Apicurio differs from Confluent's server in ways these tests allow for: its ids are content ids,
 * {@code GET /config} reports NONE although the global BACKWARD rule is enforced, its 409 bodies carry error_code 0,
 * and an unknown schema answers 40401 where Confluent answers 40403.
 */
class ApicurioRegistryClientTest {

    @RegisterExtension
    static final ApicurioRegistryExtension REGISTRY = new ApicurioRegistryExtension();

    private static final Schema ENTRY = JournalEntry.getClassSchema();

    private final String topic = "journal.entries." + UUID.randomUUID();
    private final String subject = topic + "-value";

    private Map<String, Object> props() {
        return Map.of("schema.registry.url", REGISTRY.confluentApiUrl(),
                "schema.registry.request.retry.backoff.ms", 10);
    }

    private RestSchemaRegistryClient client() {
        return new RestSchemaRegistryClient(props());
    }

    @Test
    void registerReRegisterFetchAndLookUp() {
        RestSchemaRegistryClient client = client();
        int id = client.register(subject, ENTRY);

        RestSchemaRegistryClient fresh = client(); // no caches: every answer comes from the registry
        assertThat(fresh.register(subject, ENTRY)).isEqualTo(id);
        assertThat(fresh.schemaById(id)).isEqualTo(ENTRY);
        assertThat(fresh.lookup(subject, ENTRY)).isEqualTo(new RegisteredSchema(subject, id, 1, ENTRY));
        assertThat(fresh.latestVersion(subject)).isEqualTo(new RegisteredSchema(subject, id, 1, ENTRY));
    }

    @Test
    void theSameSchemaUnderAnotherSubjectKeepsItsId() {
        RestSchemaRegistryClient client = client();
        int id = client.register(subject, KernelMemoryEvent.getClassSchema());

        assertThat(client().register(subject + "-copy", KernelMemoryEvent.getClassSchema())).isEqualTo(id);
    }

    @Test
    void aCompatibleChangeIsAcceptedAsTheNextVersion() {
        RestSchemaRegistryClient client = client();
        int v1 = client.register(subject, ENTRY);
        Schema withZone = TestRecords.journalEntryWith(
                "{\"name\":\"zone\",\"type\":[\"null\",\"string\"],\"default\":null}");

        assertThat(client.isCompatibleWithLatest(subject, withZone)).isTrue();
        int v2 = client.register(subject, withZone);

        assertThat(v2).isNotEqualTo(v1);
        RegisteredSchema latest = client().latestVersion(subject);
        assertThat(latest.version()).isEqualTo(2);
        assertThat(latest.schema()).isEqualTo(withZone);
    }

    @Test
    void anIncompatibleChangeIsRejectedWithHttp409() {
        RestSchemaRegistryClient client = client();
        client.register(subject, ENTRY);
        Schema requiredZone = TestRecords.journalEntryWith("{\"name\":\"zone\",\"type\":\"string\"}");

        assertThat(client.isCompatibleWithLatest(subject, requiredZone)).isFalse();
        assertThatThrownBy(() -> client.register(subject, requiredZone))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessageContaining(subject)
                .satisfies(e -> assertThat(((IncompatibleSchemaException) e).httpStatus()).isEqualTo(409));
        assertThat(client().latestVersion(subject).version()).isEqualTo(1);
    }

    @Test
    void unknownSubjectsAndIdsAreNotFound() {
        RestSchemaRegistryClient client = client();

        assertThatThrownBy(() -> client.lookup(subject, ENTRY)).isInstanceOf(SchemaNotFoundException.class);
        assertThatThrownBy(() -> client.latestVersion(subject)).isInstanceOf(SchemaNotFoundException.class);
        assertThatThrownBy(() -> client.schemaById(Integer.MAX_VALUE - 7))
                .isInstanceOf(SchemaNotFoundException.class)
                .satisfies(e -> assertThat(((SchemaNotFoundException) e).errorCode()).isIn(40401, 40403));
    }

    @Test
    void subjectCompatibilityCanBeSetAndRead() {
        RestSchemaRegistryClient client = client();
        client.register(subject, ENTRY);

        client.setSubjectCompatibility(subject, CompatibilityLevel.FULL);

        assertThat(client.subjectCompatibility(subject)).isEqualTo(CompatibilityLevel.FULL);
        // Confluent would say BACKWARD; Apicurio reports NONE although its global BACKWARD rule is enforced
        assertThat(client.globalCompatibility()).isIn(CompatibilityLevel.NONE, CompatibilityLevel.BACKWARD);
    }

    @Test
    void aJournalEntryRoundTripsThroughTheRegistry() {
        SpecificAvroSerde<JournalEntry> producerSide = new SpecificAvroSerde<>(JournalEntry.class);
        producerSide.configure(props(), false);
        SpecificAvroSerde<JournalEntry> consumerSide = new SpecificAvroSerde<>(JournalEntry.class);
        consumerSide.configure(props(), false);
        JournalEntry entry = TestRecords.kernelEntry();

        byte[] bytes = producerSide.serializer().serialize(topic, entry);

        assertThat(bytes[0]).isZero();
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(client().lookup(subject, ENTRY).id());
        assertThat(consumerSide.deserializer().deserialize(topic, bytes)).isEqualTo(entry);
    }

    @Test
    void anOlderWritersRecordReadsIntoTheCurrentClassThroughTheRegistry() {
        Schema older = TestRecords.olderJournalEntry();
        int olderId = client().register(subject, older);
        GenericRecord source = new GenericData.Record(older.getField("source").schema());
        source.put("kind", new GenericData.EnumSymbol(source.getSchema().getField("kind").schema(), "SYSLOG"));
        GenericRecord old = new GenericData.Record(older);
        old.put("host", "node-9");
        old.put("message", "kmem_cache_create(nf_conntrack_1) failed with error -12");
        old.put("source", source);
        SpecificAvroSerde<JournalEntry> serde = new SpecificAvroSerde<>(JournalEntry.class);
        serde.configure(props(), false);

        JournalEntry read = serde.deserializer().deserialize(topic,
                ConfluentWireFormat.frame(olderId, TestRecords.avroBinary(old)));

        assertThat(read.getMessage()).isEqualTo("kmem_cache_create(nf_conntrack_1) failed with error -12");
        assertThat(read.getTruncated()).isFalse();
        assertThat(read.getFields()).isEmpty();
        // and the current class registers as version 2 on top of the older one
        serde.serializer().serialize(topic, TestRecords.kernelEntry());
        assertThat(client().latestVersion(subject).version()).isEqualTo(2);
    }

    @Test
    void anUnknownSchemaIdInARecordIsASerializationError() {
        SpecificAvroSerde<JournalEntry> serde = new SpecificAvroSerde<>(JournalEntry.class);
        serde.configure(props(), false);

        assertThatThrownBy(() -> serde.deserializer().deserialize(topic,
                ConfluentWireFormat.frame(Integer.MAX_VALUE - 11, new byte[] {2, 'x'})))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(String.valueOf(Integer.MAX_VALUE - 11));
    }
}
