package io.nodeincidents.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodeincidents.schemas.JournalEntry;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The serdes end to end on an in-process {@code mock://} registry. */
class SpecificAvroSerdeMockTest {

    private static final String TOPIC = "journal.entries";

    private final String scope = "serde-" + System.nanoTime();
    private final MockSchemaRegistry registry = MockSchemaRegistry.scope(scope);

    @AfterEach
    void dropScope() {
        MockSchemaRegistry.dropScope(scope);
    }

    private Map<String, Object> props(Object... extra) {
        Map<String, Object> props = new HashMap<>();
        props.put("schema.registry.url", "mock://" + scope);
        for (int i = 0; i < extra.length; i += 2) {
            props.put((String) extra[i], extra[i + 1]);
        }
        return props;
    }

    private SpecificAvroSerde<JournalEntry> serde(Object... extra) {
        SpecificAvroSerde<JournalEntry> serde = new SpecificAvroSerde<>(JournalEntry.class);
        serde.configure(props(extra), false);
        return serde;
    }

    @Test
    void roundTripsAJournalEntryInTheConfluentWireFormat() {
        SpecificAvroSerde<JournalEntry> serde = serde();
        JournalEntry entry = TestRecords.kernelEntry();

        byte[] bytes = serde.serializer().serialize(TOPIC, entry);

        int id = registry.latestVersion(TOPIC + "-value").id();
        assertThat(bytes[0]).isEqualTo((byte) 0);
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
        assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(entry);
    }

    @Test
    void writesExactlyAvrosOwnEncodingRecordAfterRecordWhateverTheRecordBefore() {
        // the serializer reuses one encoder per thread and lets generated classes write themselves: the bytes must
        // stay Avro's generic encoding, also after a huge record, a failed one, and with text that is not ASCII
        SpecificAvroSerde<JournalEntry> serde = serde();
        JournalEntry full = JournalEntry.newBuilder(TestRecords.kernelEntry())
                .setCursor("s=8bdb7e59;i=30d40;b=4f1c2b3a;m=135f1b018;t=60a242409fe18;x=25e8cb03")
                .setSystemdUnit("kubelet.service")
                .setPid(Integer.MAX_VALUE)
                .setMessage("Grüße, 日本語, emoji \uD83D\uDE00 end")
                .setMessageBytes(ByteBuffer.wrap(new byte[] {(byte) 0xff, 0, 'a'}))
                .setTruncated(true)
                .setFields(Map.of("_COMM", "dockerd", "CONTAINER_NAME", "ä", "EMPTY", ""))
                .build();
        JournalEntry huge = JournalEntry.newBuilder(TestRecords.kernelEntry()).setMessage("x".repeat(300_000)).build();
        JournalEntry minimal = JournalEntry.newBuilder(TestRecords.kernelEntry()).setBootId(null)
                .setRealtimeMicros(null).setMonotonicMicros(null).setPriority(null).setMessage("").setFields(Map.of())
                .build();
        JournalEntry broken = JournalEntry.newBuilder(TestRecords.kernelEntry()).build();
        broken.put("host", null);

        for (JournalEntry entry : new JournalEntry[] {full, huge, minimal, full, huge, full}) {
            byte[] bytes = serde.serializer().serialize(TOPIC, entry);
            assertThat(Arrays.copyOfRange(bytes, 5, bytes.length)).as(entry.getMessage().length() + " chars")
                    .isEqualTo(avrosOwnEncoding(entry));
            assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(entry);
            assertThatThrownBy(() -> serde.serializer().serialize(TOPIC, broken))
                    .isInstanceOf(SerializationException.class);
        }
    }

    /** Avro's own encoding of a specific record: its reflective writer, buffered encoder, custom coders off. */
    private static byte[] avrosOwnEncoding(JournalEntry entry) {
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
            org.apache.avro.specific.SpecificData model = new org.apache.avro.specific.SpecificData();
            model.setCustomCoders(false);
            new org.apache.avro.specific.SpecificDatumWriter<JournalEntry>(JournalEntry.getClassSchema(), model)
                    .write(entry, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aSerdeCreatedByClassNameFindsTheClassFromTheWriterSchema() {
        SpecificAvroSerde<JournalEntry> serde = new SpecificAvroSerde<>();
        serde.configure(props(), false);
        JournalEntry entry = TestRecords.kernelEntry();

        JournalEntry back = serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, entry));

        assertThat(back).isInstanceOf(JournalEntry.class).isEqualTo(entry);
    }

    @Test
    void keySerdeRegistersUnderTheKeySubject() {
        SpecificAvroSerde<JournalEntry> serde = new SpecificAvroSerde<>(JournalEntry.class);
        serde.configure(props(), true);

        serde.serializer().serialize(TOPIC, TestRecords.kernelEntry());

        assertThat(registry.latestVersion(TOPIC + "-key").schema()).isEqualTo(JournalEntry.getClassSchema());
    }

    @Test
    void nullIsATombstoneBothWays() {
        SpecificAvroSerde<JournalEntry> serde = serde();

        assertThat(serde.serializer().serialize(TOPIC, null)).isNull();
        assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
    }

    @Test
    void aRecordFromAnOlderWriterReadsIntoTheNewerClassWithDefaults() {
        Schema older = TestRecords.olderJournalEntry();
        int olderId = registry.register(TOPIC + "-value", older);
        GenericRecord source = new GenericData.Record(older.getField("source").schema());
        source.put("kind", new GenericData.EnumSymbol(source.getSchema().getField("kind").schema(), "DMESG"));
        source.put("file", "/var/log/dmesg.0");
        source.put("line", 812L);
        GenericRecord old = new GenericData.Record(older);
        old.put("host", "node-3");
        old.put("message", "Out of memory: Killed process 4242 (java)");
        old.put("source", source);

        JournalEntry read = serde().deserializer().deserialize(TOPIC,
                ConfluentWireFormat.frame(olderId, TestRecords.avroBinary(old)));

        assertThat(read.getHost()).isEqualTo("node-3");
        assertThat(read.getMessage()).isEqualTo("Out of memory: Killed process 4242 (java)");
        assertThat(read.getSource().getLine()).isEqualTo(812L);
        assertThat(read.getTruncated()).isFalse();
        assertThat(read.getFields()).isEmpty();
    }

    @Test
    void theNewerClassRegistersAsTheNextVersionAfterAnOlderOne() {
        registry.register(TOPIC + "-value", TestRecords.olderJournalEntry());

        serde().serializer().serialize(TOPIC, TestRecords.kernelEntry());

        RegisteredSchema latest = registry.latestVersion(TOPIC + "-value");
        assertThat(latest.version()).isEqualTo(2);
        assertThat(latest.schema()).isEqualTo(JournalEntry.getClassSchema());
    }

    @Test
    void fieldsLeftUndecodedKeepTheirDefaultsAndEveryOtherFieldIsRead() {
        JournalEntry full = JournalEntry.newBuilder(TestRecords.kernelEntry())
                .setCursor("s=8bdb7e59;i=30d40;b=4f1c2b3a;m=135f1b018;t=60a242409fe18;x=25e8cb03")
                .setMessageBytes(ByteBuffer.wrap(new byte[] {(byte) 0xff, 0, 'a'}))
                .setFields(Map.of("_COMM", "dockerd", "_SYSTEMD_UNIT", "docker.service", "EMPTY", ""))
                .build();
        byte[] bytes = serde().serializer().serialize(TOPIC, full);
        SpecificAvroDeserializer<JournalEntry> reader = new SpecificAvroDeserializer<>(JournalEntry.class,
                java.util.Set.of("fields", "messageBytes"));
        reader.configure(props(), false);

        JournalEntry read = reader.deserialize(TOPIC, bytes);

        // the fields after the skipped map (source) are read in place: the record is filled by position
        assertThat(read).isEqualTo(JournalEntry.newBuilder(full).setMessageBytes(null).setFields(Map.of()).build());
        assertThat(read.getSource()).isEqualTo(full.getSource());
        // a writer that lacks a skipped field resolves as well, and a corrupt record still fails as one
        Schema older = TestRecords.olderJournalEntry();
        int olderId = registry.register(TOPIC + "-value", older);
        GenericRecord source = new GenericData.Record(older.getField("source").schema());
        source.put("kind", new GenericData.EnumSymbol(source.getSchema().getField("kind").schema(), "DMESG"));
        GenericRecord old = new GenericData.Record(older);
        old.put("host", "node-3");
        old.put("message", "Out of memory: Killed process 4242 (java)");
        old.put("source", source);
        JournalEntry readOld = reader.deserialize(TOPIC, ConfluentWireFormat.frame(olderId,
                TestRecords.avroBinary(old)));
        assertThat(readOld.getMessage()).isEqualTo("Out of memory: Killed process 4242 (java)");
        assertThat(readOld.getFields()).isEmpty();
        assertThatThrownBy(() -> reader.deserialize(TOPIC, Arrays.copyOf(bytes, bytes.length - 3)))
                .isInstanceOf(SerializationException.class);
    }

    @Test
    void onlyFieldsWithADefaultCanBeLeftUndecoded() {
        assertThatThrownBy(() -> new SpecificAvroDeserializer<>(JournalEntry.class, java.util.Set.of("message"))
                .configure(props(), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no default");
        assertThatThrownBy(() -> new SpecificAvroDeserializer<>(JournalEntry.class, java.util.Set.of("nosuch"))
                .configure(props(), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nosuch");
    }

    @Test
    void anIncompatibleRegistrationFailsTheRecordWithTheReason() {
        // the registered version lacks 'message', which the class requires without a default: under BACKWARD
        // the class's schema could not read the data already written
        registry.register(TOPIC + "-value", TestRecords.journalEntryWithout("message"));

        assertThatThrownBy(() -> serde().serializer().serialize(TOPIC, TestRecords.kernelEntry()))
                .isInstanceOf(SerializationException.class)
                .hasCauseInstanceOf(IncompatibleSchemaException.class)
                .hasMessageContaining("incompatible")
                .hasMessageContaining("message");
    }

    @Test
    void withoutAutoRegisterAnUnregisteredSchemaFailsSayingSo() {
        SpecificAvroSerde<JournalEntry> serde = serde("auto.register.schemas", false);

        assertThatThrownBy(() -> serde.serializer().serialize(TOPIC, TestRecords.kernelEntry()))
                .isInstanceOf(SerializationException.class)
                .hasCauseInstanceOf(SchemaNotFoundException.class)
                .hasMessageContaining("auto.register.schemas=false")
                .hasMessageContaining(TOPIC + "-value");
    }

    @Test
    void withoutAutoRegisterTheRegisteredIdIsLookedUp() {
        int id = registry.register(TOPIC + "-value", JournalEntry.getClassSchema());
        SpecificAvroSerde<JournalEntry> serde = serde("auto.register.schemas", "false");

        byte[] bytes = serde.serializer().serialize(TOPIC, TestRecords.kernelEntry());

        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
        assertThat(registry.latestVersion(TOPIC + "-value").version()).isEqualTo(1);
    }

    @Test
    void useLatestVersionWritesWithTheLatestSchemaConvertingTheRecord() {
        Schema newer = TestRecords.journalEntryWith(
                "{\"name\":\"zone\",\"type\":\"string\",\"default\":\"Normal\"}");
        registry.register(TOPIC + "-value", JournalEntry.getClassSchema());
        int newerId = registry.register(TOPIC + "-value", newer);
        SpecificAvroSerde<JournalEntry> serde = serde("auto.register.schemas", false, "use.latest.version", true);
        AvroDeserializer generic = new AvroDeserializer();
        generic.configure(props(), false);

        byte[] bytes = serde.serializer().serialize(TOPIC, TestRecords.kernelEntry());

        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(newerId);
        GenericRecord asWritten = (GenericRecord) generic.deserialize(TOPIC, bytes);
        assertThat(asWritten.get("zone")).hasToString("Normal");
        assertThat(asWritten.get("host")).hasToString("node-17");
        // and the application's own class still reads it
        assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(TestRecords.kernelEntry());
    }

    @Test
    void useLatestVersionRefusesALatestVersionThatCannotHoldTheRecord() {
        registry.setSubjectCompatibility(TOPIC + "-value", CompatibilityLevel.NONE);
        registry.register(TOPIC + "-value", TestRecords.journalEntryWith("{\"name\":\"zone\",\"type\":\"string\"}"));
        SpecificAvroSerde<JournalEntry> serde = serde("auto.register.schemas", false, "use.latest.version", true);

        assertThatThrownBy(() -> serde.serializer().serialize(TOPIC, TestRecords.kernelEntry()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("use.latest.version")
                .hasMessageContaining("zone");
    }

    @Test
    void recordNameStrategyNamesTheSubjectAfterTheRecord() {
        SpecificAvroSerde<JournalEntry> serde = serde("value.subject.name.strategy",
                "io.confluent.kafka.serializers.subject.RecordNameStrategy");

        serde.serializer().serialize(TOPIC, TestRecords.kernelEntry());

        assertThat(registry.latestVersion("io.nodeincidents.schemas.JournalEntry").version()).isEqualTo(1);
        assertThatThrownBy(() -> registry.latestVersion(TOPIC + "-value"))
                .isInstanceOf(SchemaNotFoundException.class);
    }

    @Test
    void topicRecordNameStrategyCombinesBoth() {
        serde("value.subject.name.strategy", "TopicRecordNameStrategy").serializer()
                .serialize(TOPIC, TestRecords.kernelEntry());

        assertThat(registry.latestVersion(TOPIC + "-io.nodeincidents.schemas.JournalEntry").version()).isEqualTo(1);
    }

    @Test
    void genericDeserializerReadsAnyRecordAndSpecificReaderGivesTheClass() {
        byte[] bytes = serde().serializer().serialize(TOPIC, TestRecords.kernelEntry());
        AvroDeserializer generic = new AvroDeserializer();
        generic.configure(props(), false);
        AvroDeserializer specific = new AvroDeserializer();
        specific.configure(props("specific.avro.reader", "true"), false);

        Object g = generic.deserialize(TOPIC, bytes);
        Object s = specific.deserialize(TOPIC, bytes);

        assertThat(g).isInstanceOf(GenericData.Record.class);
        assertThat(((GenericRecord) g).get("message")).hasToString(TestRecords.kernelEntry().getMessage());
        assertThat(s).isEqualTo(TestRecords.kernelEntry());
    }

    // ---- bad input: always a SerializationException that says what is wrong ----

    @Test
    void wrongMagicByteIsASerializationError() {
        byte[] bytes = serde().serializer().serialize(TOPIC, TestRecords.kernelEntry());
        bytes[0] = 1;

        assertThatThrownBy(() -> serde().deserializer().deserialize(TOPIC, bytes))
                .isInstanceOf(SerializationException.class).hasMessageContaining("magic byte");
    }

    @Test
    void truncatedRecordIsASerializationErrorNamingTheSchemaId() {
        byte[] bytes = serde().serializer().serialize(TOPIC, TestRecords.kernelEntry());
        byte[] cut = Arrays.copyOf(bytes, bytes.length - 10);
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();

        assertThatThrownBy(() -> serde().deserializer().deserialize(TOPIC, cut))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("cannot decode")
                .hasMessageContaining("schema id " + id);
    }

    @Test
    void trailingBytesAreASerializationError() {
        byte[] bytes = serde().serializer().serialize(TOPIC, TestRecords.kernelEntry());
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);

        assertThatThrownBy(() -> serde().deserializer().deserialize(TOPIC, longer))
                .isInstanceOf(SerializationException.class).hasMessageContaining("left over");
    }

    @Test
    void unknownSchemaIdIsASerializationErrorNamingTheId() {
        byte[] bytes = ConfluentWireFormat.frame(987_654, new byte[] {2, 'a'});

        assertThatThrownBy(() -> serde().deserializer().deserialize(TOPIC, bytes))
                .isInstanceOf(SerializationException.class)
                .hasCauseInstanceOf(SchemaNotFoundException.class)
                .hasMessageContaining("987654");
    }

    @Test
    void aRecordOfAnotherTypeIsASerializationErrorNotAWrongObject() {
        Schema other = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Heartbeat\",\"namespace\":\"x\","
                + "\"fields\":[{\"name\":\"host\",\"type\":\"string\"}]}");
        int id = registry.register("other", other);
        GenericRecord beat = new GenericData.Record(other);
        beat.put("host", "node-1");

        assertThatThrownBy(() -> serde().deserializer().deserialize(TOPIC,
                ConfluentWireFormat.frame(id, TestRecords.avroBinary(beat))))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("x.Heartbeat")
                .hasMessageContaining(JournalEntry.class.getName());
    }

    @Test
    void aHugeDeclaredStringLengthFailsWithoutAllocatingIt() {
        int id = registry.register(TOPIC + "-value", JournalEntry.getClassSchema());
        // host's length as a zig-zag varint of 2^30: a 1 GiB string in a 10-byte record
        byte[] payload = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08, 'n', 'o', 'd', 'e'};

        assertThatThrownBy(() -> serde().deserializer().deserialize(TOPIC, ConfluentWireFormat.frame(id, payload)))
                .isInstanceOf(SerializationException.class);
        // refused by Avro's length limit before the allocation, not by running out of bytes after it
        assertThat(AvroRecordDecoder.LENGTHS_BOUNDED).isTrue();
    }

    @Test
    void aHugeDeclaredMapSizeFailsWithoutAllocatingIt() {
        int id = registry.register(TOPIC + "-value", JournalEntry.getClassSchema());
        JournalEntry entry = JournalEntry.newBuilder(TestRecords.kernelEntry()).setFields(java.util.Map.of()).build();
        JournalEntry oneField = JournalEntry.newBuilder(entry).setFields(java.util.Map.of("K", "V")).build();
        byte[] empty = TestRecords.avroBinary(entry);
        // the encodings first differ at the map's item count (one zero byte when empty): claim 2^30 items there
        int at = firstDifference(empty, TestRecords.avroBinary(oneField));
        byte[] count = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08};
        byte[] huge = new byte[empty.length - 1 + count.length];
        System.arraycopy(empty, 0, huge, 0, at);
        System.arraycopy(count, 0, huge, at, count.length);
        System.arraycopy(empty, at + 1, huge, at + count.length, empty.length - at - 1);

        assertThatThrownBy(() -> serde().deserializer().deserialize(TOPIC, ConfluentWireFormat.frame(id, huge)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("schema id " + id);
    }

    private static int firstDifference(byte[] a, byte[] b) {
        int i = 0;
        while (i < a.length && i < b.length && a[i] == b[i]) {
            i++;
        }
        return i;
    }

    @Test
    void randomBytesAfterAValidHeaderNeverEscapeAsAnotherException() {
        int id = registry.register(TOPIC + "-value", JournalEntry.getClassSchema());
        SpecificAvroDeserializer<JournalEntry> deserializer = new SpecificAvroDeserializer<>(JournalEntry.class);
        deserializer.configure(props(), false);
        byte[] valid = TestRecords.avroBinary(TestRecords.kernelEntry());
        Random random = new Random(20240611);
        for (int i = 0; i < 3000; i++) {
            byte[] payload = random.nextBoolean() ? randomBytes(random, random.nextInt(200))
                    : mutate(valid, random);
            try {
                JournalEntry e = deserializer.deserialize(TOPIC, ConfluentWireFormat.frame(id, payload));
                assertThat(e.getHost()).isNotNull();
            } catch (SerializationException expected) {
                assertThat(expected.getMessage()).contains(TOPIC);
            }
        }
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] mutate(byte[] valid, Random random) {
        byte[] b = valid.clone();
        for (int k = 0, n = 1 + random.nextInt(4); k < n; k++) {
            b[random.nextInt(b.length)] = (byte) random.nextInt(256);
        }
        return b;
    }
}
