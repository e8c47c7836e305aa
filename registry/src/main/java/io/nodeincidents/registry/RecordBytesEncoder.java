package io.nodeincidents.registry;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.avro.io.BinaryData;
import org.apache.avro.io.BinaryEncoder;

/**
 * Avro's binary encoding written straight into one growable array, reused record after record by one thread. Avro's
 * own buffered encoder needs an output stream, a buffer of its own and a copy at flush, and writes short strings
 * character by character; the serializers encode every record of the hot paths (the shipper encodes each journal
 * entry), where those costs were a measurable share of the CPU. The bytes are Avro's: varints and floats through
 * {@link BinaryData}, strings as UTF-8 ({@link String#getBytes}), everything else by {@link BinaryEncoder}.
 */
final class RecordBytesEncoder extends BinaryEncoder {

    private static final int INITIAL = 4 * 1024;
    /** A buffer grown past this for one huge record is dropped afterwards, not kept alive by the thread. */
    private static final int KEEP = 64 * 1024;

    private byte[] bytes = new byte[INITIAL];
    private int count;

    /** Starts a new record: forgets what was written, and a buffer a huge record grew. */
    void reset() {
        if (bytes.length > KEEP) {
            bytes = new byte[INITIAL];
        }
        count = 0;
    }

    /** The bytes written since {@link #reset()}. */
    byte[] toByteArray() {
        return Arrays.copyOf(bytes, count);
    }

    /** Appends one raw byte (the wire format's framing). */
    void writeRawByte(int b) {
        ensure(1);
        bytes[count++] = (byte) b;
    }

    private void ensure(int more) {
        if (more > bytes.length - count) {
            long needed = (long) count + more;
            if (needed > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("record over 2 GB");
            }
            bytes = Arrays.copyOf(bytes, (int) Math.max(needed, Math.min(Integer.MAX_VALUE - 16, bytes.length * 2L)));
        }
    }

    @Override
    public void writeBoolean(boolean b) {
        ensure(1);
        count += BinaryData.encodeBoolean(b, bytes, count);
    }

    @Override
    public void writeInt(int n) {
        ensure(5);
        count += BinaryData.encodeInt(n, bytes, count);
    }

    @Override
    public void writeLong(long n) {
        ensure(10);
        count += BinaryData.encodeLong(n, bytes, count);
    }

    @Override
    public void writeFloat(float f) {
        ensure(4);
        count += BinaryData.encodeFloat(f, bytes, count);
    }

    @Override
    public void writeDouble(double d) {
        ensure(8);
        count += BinaryData.encodeDouble(d, bytes, count);
    }

    @Override
    public void writeFixed(byte[] b, int start, int len) {
        ensure(len);
        System.arraycopy(b, start, bytes, count, len);
        count += len;
    }

    @Override
    public void writeString(String string) {
        // the JDK's encoder copies an ASCII string's bytes in one go
        byte[] utf8 = string.getBytes(StandardCharsets.UTF_8);
        writeInt(utf8.length);
        writeFixed(utf8, 0, utf8.length);
    }

    @Override
    protected void writeZero() {
        writeRawByte(0);
    }

    @Override
    public int bytesBuffered() {
        return 0;
    }

    @Override
    public void flush() {
        // nothing is buffered elsewhere: the bytes are in the array
    }
}
