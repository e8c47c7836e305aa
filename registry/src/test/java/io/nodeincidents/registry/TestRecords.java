package io.nodeincidents.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nodeincidents.schemas.EntrySource;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.SourceKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/** Journal entries and variants of JournalEntry's schema shared by the registry tests. */
final class TestRecords {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TestRecords() {
    }

    static JournalEntry kernelEntry() {
        return JournalEntry.newBuilder()
                .setHost("node-17")
                .setBootId("0f3c1e5a9b2d4c6e8f0a1b2c3d4e5f60")
                .setRealtimeMicros(1_700_000_000_123_456L)
                .setMonotonicMicros(86_400_000_000L)
                .setTransport("kernel")
                .setSyslogIdentifier("kernel")
                .setPriority(4)
                .setMessage("dockerd: page allocation failure: order:6, mode:0x140c0c0(GFP_KERNEL|__GFP_COMP|__GFP_ZERO)")
                .setFields(Map.of("_KERNEL_SUBSYSTEM", "mm"))
                .setSource(EntrySource.newBuilder().setKind(SourceKind.JOURNALD).setShipper("test/0").build())
                .build();
    }

    /** JournalEntry's schema with one more field, as {@code fieldJson} describes it. */
    static Schema journalEntryWith(String fieldJson) {
        return edit(fields -> fields.add(readTree(fieldJson)));
    }

    /** JournalEntry's schema as an older writer had it: without {@code truncated} and {@code fields}. */
    static Schema olderJournalEntry() {
        return journalEntryWithout("truncated", "fields");
    }

    /** JournalEntry's schema without the named fields. */
    static Schema journalEntryWithout(String... names) {
        java.util.Set<String> drop = java.util.Set.of(names);
        return edit(fields -> {
            for (int i = fields.size() - 1; i >= 0; i--) {
                if (drop.contains(fields.get(i).get("name").asText())) {
                    fields.remove(i);
                }
            }
        });
    }

    private static Schema edit(Consumer<ArrayNode> change) {
        ObjectNode schema = (ObjectNode) readTree(JournalEntry.getClassSchema().toString());
        change.accept((ArrayNode) schema.get("fields"));
        return new Schema.Parser().parse(schema.toString());
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Avro binary encoding of a generic record. */
    static byte[] avroBinary(GenericRecord record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
