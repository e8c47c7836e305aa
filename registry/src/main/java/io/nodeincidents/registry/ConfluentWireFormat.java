package io.nodeincidents.registry;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Confluent's framing of a registry-backed record: byte 0 is the magic byte {@code 0x00}, bytes 1-4 the schema id
 * (int32 big-endian), then the Avro binary encoding of the record with that schema.
 */
public final class ConfluentWireFormat {

    /** The only magic byte this format has. */
    public static final byte MAGIC_BYTE = 0x0;
    /** Magic byte plus schema id. */
    public static final int HEADER_LENGTH = 5;

    private ConfluentWireFormat() {
    }

    /**
     * A framed record's schema id and where its Avro payload lies in {@code data} (not copied).
     *
     * @param schemaId      the registry id of the writer schema
     * @param data          the whole record
     * @param payloadOffset index of the payload's first byte
     */
    public record Framed(int schemaId, byte[] data, int payloadOffset) {
        /** Number of payload bytes. */
        public int payloadLength() {
            return data.length - payloadOffset;
        }
    }

    /** {@code payload} framed with {@code schemaId}. */
    public static byte[] frame(int schemaId, byte[] payload) {
        return ByteBuffer.allocate(HEADER_LENGTH + payload.length)
                .put(MAGIC_BYTE).putInt(schemaId).put(payload).array();
    }

    /**
     * Reads the header of {@code data}.
     *
     * @throws SerializationException when the data is shorter than the header or the magic byte is wrong
     */
    public static Framed unframe(String topic, byte[] data) {
        if (data.length < HEADER_LENGTH) {
            throw new SerializationException("record on topic '" + topic + "' is " + data.length + " byte(s) long, "
                    + "shorter than the " + HEADER_LENGTH + "-byte Confluent header (magic byte + schema id)");
        }
        if (data[0] != MAGIC_BYTE) {
            throw new SerializationException(String.format("record on topic '%s' starts with byte 0x%02x, not the "
                    + "Confluent magic byte 0x00: not written by a schema-registry Avro serializer", topic,
                    data[0] & 0xff));
        }
        return new Framed(ByteBuffer.wrap(data).getInt(1), data, HEADER_LENGTH);
    }
}
