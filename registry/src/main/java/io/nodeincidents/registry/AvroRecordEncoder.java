package io.nodeincidents.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Writes records in the Confluent wire format, resolving the schema id as configured: register
 * ({@code auto.register.schemas}), the subject's latest version ({@code use.latest.version}) or a lookup of the
 * record's own schema. Shared by the serializers; thread-safe.
 */
final class AvroRecordEncoder {

    private final SchemaRegistryClient registry;
    private final boolean isKey;
    private final SubjectNameStrategy strategy;
    private final boolean autoRegister;
    private final boolean useLatest;

    /** How records of one schema are written to one subject: the id to frame with, and the conversion if any. */
    private record Plan(int schemaId, Schema writeSchema, DatumWriter<Object> writer, Schema convertFrom) {
    }

    private record PlanKey(String subject, Schema schema) {
    }

    private final Map<PlanKey, Plan> plans = new ConcurrentHashMap<>();

    AvroRecordEncoder(SchemaRegistryClient registry, SchemaRegistryConfig config, boolean isKey) {
        this.registry = registry;
        this.isKey = isKey;
        this.strategy = config.subjectNameStrategy(isKey);
        this.autoRegister = config.autoRegisterSchemas();
        this.useLatest = config.useLatestVersion();
    }

    byte[] encode(String topic, IndexedRecord record) {
        Schema schema = record.getSchema();
        String subject;
        try {
            subject = strategy.subject(topic, isKey, schema);
        } catch (IllegalArgumentException e) {
            throw new SerializationException("cannot name the subject for topic '" + topic + "': " + e.getMessage(), e);
        }
        Plan plan = plans.get(new PlanKey(subject, schema));
        if (plan == null) {
            plan = plan(subject, schema, record);
            plans.put(new PlanKey(subject, schema), plan);
        }
        RecordBytesEncoder out = ENCODER.get();
        try {
            Object datum = plan.convertFrom() == null ? record : convert(record, plan);
            out.reset();
            out.writeRawByte(ConfluentWireFormat.MAGIC_BYTE);
            out.writeRawByte(plan.schemaId() >>> 24);
            out.writeRawByte(plan.schemaId() >>> 16);
            out.writeRawByte(plan.schemaId() >>> 8);
            out.writeRawByte(plan.schemaId());
            plan.writer().write(datum, out);
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot encode " + schema.getFullName() + " for topic '" + topic
                    + "' with schema id " + plan.schemaId() + ": " + e, e);
        } finally {
            out.reset();
        }
    }

    /** One encoder per thread, reused record after record (encode is not re-entrant). */
    private static final ThreadLocal<RecordBytesEncoder> ENCODER = ThreadLocal.withInitial(RecordBytesEncoder::new);

    private Plan plan(String subject, Schema schema, IndexedRecord sample) {
        try {
            if (autoRegister) {
                return direct(registry.register(subject, schema), schema, sample);
            }
            if (useLatest) {
                RegisteredSchema latest = registry.latestVersion(subject);
                if (latest.schema().equals(schema)) {
                    return direct(latest.id(), schema, sample);
                }
                SchemaPairCompatibility pair = SchemaCompatibility.checkReaderWriterCompatibility(latest.schema(),
                        schema);
                if (pair.getType() != SchemaCompatibilityType.COMPATIBLE) {
                    throw new SerializationException("use.latest.version: version " + latest.version()
                            + " (id " + latest.id() + ") of subject '" + subject + "' cannot represent records of "
                            + schema.getFullName() + " as written by this application: " + describe(pair));
                }
                return new Plan(latest.id(), latest.schema(), new GenericDatumWriter<>(latest.schema()), schema);
            }
            return direct(registry.lookupId(subject, schema), schema, sample);
        } catch (IncompatibleSchemaException e) {
            throw new SerializationException("cannot register the schema of " + schema.getFullName() + ": "
                    + e.getMessage(), e);
        } catch (SchemaNotFoundException e) {
            throw new SerializationException(useLatest
                    ? "use.latest.version: subject '" + subject + "' has no registered version (" + e.getMessage() + ")"
                    : "schema of " + schema.getFullName() + " is not registered under subject '" + subject
                            + "' and auto.register.schemas=false (" + e.getMessage() + ")", e);
        }
    }

    private static Plan direct(int id, Schema schema, IndexedRecord sample) {
        DatumWriter<Object> writer = sample instanceof SpecificRecord
                ? new SpecificDatumWriter<>(schema, withCustomCoders(SpecificData.getForSchema(schema)))
                : new GenericDatumWriter<>(schema);
        return new Plan(id, schema, writer, null);
    }

    /**
     * The generated classes' model (with its logical type conversions) with Avro's custom coders on: a generated
     * class then writes its fields itself, in schema order, rather than through the generic per-field lookups.
     * Same bytes, several times less CPU per record (measured for the shipper's JournalEntry). A copy, because the
     * generated class's own model is shared with every reader and writer of it.
     */
    private static SpecificData withCustomCoders(SpecificData model) {
        SpecificData copy = new SpecificData(model.getClassLoader());
        model.getConversions().forEach(copy::addLogicalTypeConversion);
        copy.setCustomCoders(true);
        return copy;
    }

    /** Re-encodes the record as the registry's latest version: write with its own schema, resolve into the latest. */
    private static Object convert(IndexedRecord record, Plan plan) throws IOException {
        ByteArrayOutputStream own = new ByteArrayOutputStream(256);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(own, null);
        DatumWriter<Object> ownWriter = record instanceof SpecificRecord
                ? new SpecificDatumWriter<>(plan.convertFrom()) : new GenericDatumWriter<>(plan.convertFrom());
        ownWriter.write(record, encoder);
        encoder.flush();
        return new GenericDatumReader<>(plan.convertFrom(), plan.writeSchema())
                .read(null, DecoderFactory.get().binaryDecoder(own.toByteArray(), null));
    }

    static String describe(SchemaPairCompatibility pair) {
        return pair.getResult().getIncompatibilities().stream()
                .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage())
                .collect(Collectors.joining("; "));
    }
}
