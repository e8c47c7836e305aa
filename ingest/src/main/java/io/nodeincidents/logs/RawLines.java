package io.nodeincidents.logs;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Streams a file as lines of bytes and decodes each as strict UTF-8. A line that is not valid UTF-8, holds NUL bytes or
 * is longer than the limit is returned with {@link #problem()} set instead of text, so the caller can reject it with
 * its line number. gzip-compressed files (rotated logs) are decompressed on the fly.
 */
final class RawLines implements Closeable {

    /** Lines longer than this are rejected (their bytes are skipped, not buffered). */
    static final int MAX_LINE_BYTES = 8 * 1024 * 1024;

    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final int maxLineBytes;
    private final byte[] chunk = new byte[65536];
    private int pos;
    private int limit;
    private byte[] buf = new byte[8192];
    private long lineNumber;
    private long consumed;
    private long maxTotal = Long.MAX_VALUE;
    private String text;
    private String problem;
    private int length;

    RawLines(Path file) throws IOException {
        this(file, MAX_LINE_BYTES);
    }

    RawLines(Path file, int maxLineBytes) throws IOException {
        this.maxLineBytes = maxLineBytes;
        PushbackInputStream pin = new PushbackInputStream(Files.newInputStream(file), 2);
        byte[] magic = new byte[2];
        int n = pin.readNBytes(magic, 0, 2);
        if (n > 0) {
            pin.unread(magic, 0, n);
        }
        InputStream raw = pin;
        if (n == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            raw = new GZIPInputStream(pin, 65536);
        }
        this.in = raw;
    }

    /** Stops after roughly this many bytes: format detection must not read a whole binary file. */
    void limitTotalBytes(long max) {
        this.maxTotal = max;
    }

    /** Advances to the next line; false at end of file. */
    boolean next() throws IOException {
        if (consumed >= maxTotal) {
            return false;
        }
        int len = 0;
        boolean overlong = false;
        boolean any = false;
        while (true) {
            if (pos == limit) {
                limit = in.read(chunk, 0, chunk.length);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    break;
                }
            }
            any = true;
            int nl = -1;
            for (int i = pos; i < limit; i++) {
                if (chunk[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            int end = nl < 0 ? limit : nl;
            int take = Math.min(end - pos, maxLineBytes - len);
            if (take > 0) {
                if (len + take > buf.length) {
                    buf = Arrays.copyOf(buf, Math.min(maxLineBytes, Math.max(len + take, buf.length * 2)));
                }
                System.arraycopy(chunk, pos, buf, len, take);
                len += take;
            }
            if (end - pos > take) {
                consumed += end - pos - take;
                overlong = true;
            }
            if (nl >= 0) {
                pos = nl + 1;
                break;
            }
            pos = limit;
        }
        if (!any) {
            return false;
        }
        consumed += len + 1;
        lineNumber++;
        if (len > 0 && buf[len - 1] == '\r') {
            len--;
        }
        length = len;
        text = null;
        problem = null;
        if (overlong) {
            problem = "line longer than " + maxLineBytes + " bytes";
            text = escaped(len);
            return true;
        }
        int nul = indexOfNul(len);
        if (nul >= 0) {
            problem = "binary data (NUL byte at column " + (nul + 1) + ")";
            text = escaped(len);
            return true;
        }
        try {
            text = decoder.reset().decode(ByteBuffer.wrap(buf, 0, len)).toString();
        } catch (CharacterCodingException e) {
            problem = "not valid UTF-8 (at byte " + (firstInvalid(len) + 1) + ")";
            text = escaped(len);
        }
        return true;
    }

    private int indexOfNul(int len) {
        for (int i = 0; i < len; i++) {
            if (buf[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private int firstInvalid(int len) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(buf, 0, len);
        CharBuffer out = CharBuffer.allocate(len + 1);
        d.decode(in, out, true);
        return in.position();
    }

    /** An undecodable line for excerpts in rejections: ASCII kept, every other byte as {@code \\xNN}. */
    private String escaped(int len) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len && sb.length() < 2 * RejectedLine.MAX_EXCERPT; i++) {
            int b = buf[i] & 0xff;
            if (b >= 0x20 && b < 0x7f) {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02x", b));
            }
        }
        return sb.toString();
    }

    long lineNumber() {
        return lineNumber;
    }

    /** The decoded line, or (when {@link #problem()} is set) a raw excerpt of it. */
    String text() {
        return text;
    }

    /** Why this line could not be decoded, or null when {@link #text()} is the line. */
    String problem() {
        return problem;
    }

    int byteLength() {
        return length;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
