package io.nodeincidents.registry;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SystemLimitException;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Reads records in the Confluent wire format: the writer schema comes from the registry by id, the reader schema is
 * the target SpecificRecord class's (so an older writer's record gets the newer class's defaults), or the writer
 * schema itself for generic records. Shared by the deserializers; thread-safe.
 *
 * <p>Everything wrong with the bytes (magic byte, truncation, unknown schema id, undecodable or trailing data, a
 * writer schema the reader cannot resolve) is a {@link SerializationException} naming the topic and schema id.
 */
final class AvroRecordDecoder {

    /** Longest string or bytes value read (16 MiB: far above any record this project writes). */
    static final int MAX_VALUE_BYTES = 16 * 1024 * 1024;
    /** Most items in one array or map (1 Mi references, 8 MB at most reserved for a corrupt count). */
    static final int MAX_COLLECTION_ITEMS = 1024 * 1024;
    /**
     * Whether Avro's own limits bound every declared length, so that a corrupt one fails before allocating and no
     * validating pass over each record is needed (that pass cost a tenth of the correlator's per-entry time).
     */
    static final boolean LENGTHS_BOUNDED = boundLengths();

    private final SchemaRegistryClient registry;
    private final boolean specific;
    /** The SpecificRecord class to read into; null to take the class named like the writer schema. */
    private final Class<?> readerClass;
    /** Fields of the reader class left undecoded, at their defaults. */
    private final Set<String> skipped;
    private final Map<Integer, DatumReader<Object>> readers = new ConcurrentHashMap<>();

    AvroRecordDecoder(SchemaRegistryClient registry, boolean specific, Class<?> readerClass) {
        this(registry, specific, readerClass, Set.of());
    }

    /**
     * @param skipped fields of {@code readerClass} not to decode: each keeps its default value, and a writer's bytes
     *                for it are skipped without building the value
     */
    AvroRecordDecoder(SchemaRegistryClient registry, boolean specific, Class<?> readerClass, Set<String> skipped) {
        if (readerClass != null && !SpecificRecord.class.isAssignableFrom(readerClass)) {
            throw new IllegalArgumentException(readerClass.getName() + " is not an Avro SpecificRecord class");
        }
        this.registry = registry;
        this.specific = specific;
        this.readerClass = readerClass;
        this.skipped = Set.copyOf(skipped);
        if (!this.skipped.isEmpty()) {
            if (readerClass == null) {
                throw new IllegalArgumentException("fields can be skipped only when reading into a given class");
            }
            skipping(SpecificData.getForClass(readerClass).getSchema(readerClass), this.skipped); // fails early
        }
    }

    Object decode(String topic, byte[] data) {
        ConfluentWireFormat.Framed framed = ConfluentWireFormat.unframe(topic, data);
        int id = framed.schemaId();
        DatumReader<Object> reader = readers.get(id);
        if (reader == null) {
            reader = readerFor(topic, id);
            readers.put(id, reader);
        }
        try {
            if (!LENGTHS_BOUNDED) {
                // Without Avro's length limits in force (set otherwise by whoever started the JVM), a first pass that
                // only skips checks the structure without allocating: Avro's reader reserves a string's, bytes' or
                // collection's declared length before reading it, so a corrupt length prefix would otherwise reserve
                // up to 2 GB for a record of a few bytes.
                BinaryDecoder probe = DecoderFactory.get().binaryDecoder(data, framed.payloadOffset(),
                        framed.payloadLength(), null);
                GenericDatumReader.skip(writerSchema(id), probe);
            }
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, framed.payloadOffset(),
                    framed.payloadLength(), null);
            Object record = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new SerializationException("record on topic '" + topic + "' has bytes left over after the "
                        + "Avro record of schema id " + id + ": corrupt, or framed with the wrong schema id");
            }
            return record;
        } catch (SerializationException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot decode record on topic '" + topic + "' (" + data.length
                    + " bytes) with writer schema id " + id + ": " + e, e);
        }
    }

    /**
     * Sets Avro's length limits (system properties read once, when Avro first checks a length) unless someone set
     * them already, and reports whether limits at least as strict are in force.
     */
    private static boolean boundLengths() {
        setIfAbsent(SystemLimitException.MAX_STRING_LENGTH_PROPERTY, MAX_VALUE_BYTES);
        setIfAbsent(SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, MAX_VALUE_BYTES);
        setIfAbsent(SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY, MAX_COLLECTION_ITEMS);
        return refuses(() -> SystemLimitException.checkMaxStringLength(MAX_VALUE_BYTES + 1L))
                && refuses(() -> SystemLimitException.checkMaxBytesLength(MAX_VALUE_BYTES + 1L))
                && refuses(() -> SystemLimitException.checkMaxCollectionLength(MAX_COLLECTION_ITEMS + 1L));
    }

    private static void setIfAbsent(String property, int value) {
        try {
            if (System.getProperty(property) == null) {
                System.setProperty(property, Integer.toString(value));
            }
        } catch (SecurityException e) {
            // left as it is: the validating pass stays on
        }
    }

    private static boolean refuses(Runnable check) {
        try {
            check.run();
            return false;
        } catch (SystemLimitException e) {
            return true;
        }
    }

    private Schema writerSchema(int id) {
        return registry.schemaById(id); // cached by the clients
    }

    private DatumReader<Object> readerFor(String topic, int id) {
        Schema writer;
        try {
            writer = writerSchema(id);
        } catch (SchemaNotFoundException e) {
            throw new SerializationException("record on topic '" + topic + "' names schema id " + id
                    + ", which the schema registry does not know (" + e.getMessage() + ")", e);
        }
        if (!specific) {
            return new GenericDatumReader<>(writer, writer, GenericData.get());
        }
        Class<?> target = readerClass;
        SpecificData model;
        if (target == null) {
            model = new SpecificData(classLoader());
            target = model.getClass(writer);
            if (target == null || !SpecificRecord.class.isAssignableFrom(target)) {
                throw new SerializationException("record on topic '" + topic + "' was written with schema id " + id
                        + " (" + writer.getFullName() + "), and no generated SpecificRecord class of that name is "
                        + "on the classpath; set " + SchemaRegistryConfig.SPECIFIC_AVRO_VALUE_TYPE + " / "
                        + SchemaRegistryConfig.SPECIFIC_AVRO_KEY_TYPE + " or read generic records");
            }
        } else {
            model = SpecificData.getForClass(target);
        }
        Schema readerSchema = model.getSchema(target);
        SchemaPairCompatibility pair = SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writer);
        if (pair.getType() != SchemaCompatibilityType.COMPATIBLE) {
            throw new SerializationException("record on topic '" + topic + "' was written with schema id " + id
                    + " (" + writer.getFullName() + "), which " + target.getName() + " cannot read: "
                    + AvroRecordEncoder.describe(pair));
        }
        return new SpecificDatumReader<>(writer, skipping(readerSchema, skipped), model);
    }

    /**
     * {@code schema} with the fields named in {@code skipped} renamed so that no writer's field matches them: Avro's
     * schema resolution then skips the writer's bytes of those fields without building their values, and fills them
     * with their defaults. Renamed, not removed, because a generated record is filled by field position.
     */
    static Schema skipping(Schema schema, Set<String> skipped) {
        if (skipped.isEmpty()) {
            return schema;
        }
        List<Schema.Field> fields = new ArrayList<>(schema.getFields().size());
        int found = 0;
        for (Schema.Field field : schema.getFields()) {
            if (skipped.contains(field.name())) {
                if (!field.hasDefaultValue()) {
                    throw new IllegalArgumentException("field '" + field.name() + "' of " + schema.getFullName()
                            + " has no default value, so it cannot be left undecoded");
                }
                found++;
                fields.add(new Schema.Field("__undecoded_" + field.name(), field.schema(), field.doc(),
                        field.defaultVal()));
            } else {
                fields.add(new Schema.Field(field, field.schema()));
            }
        }
        if (found != skipped.size()) {
            throw new IllegalArgumentException(schema.getFullName() + " has no field named in " + skipped);
        }
        Schema projected = Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(),
                schema.isError(), fields);
        schema.getObjectProps().forEach(projected::addProp);
        return projected;
    }

    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : AvroRecordDecoder.class.getClassLoader();
    }
}
