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
 * Streams a file as lines of bytes and decodes each as UTF-8, leniently: a stray Latin-1 or GBK byte in a pasted log
 * becomes U+FFFD and the line is kept. A line that is binary (NUL bytes, mostly undecodable bytes or control
 * characters) or longer than the limit is returned with {@link #problem()} set instead of text, so the caller can
 * reject it with its line number. gzip-compressed files (rotated logs) are decompressed on the fly; a truncated or
 * corrupt one ends early with {@link #damage()} saying so.
 */
final class RawLines implements Closeable {

    /** Lines longer than this are rejected (their bytes are skipped, not buffered). */
    static final int MAX_LINE_BYTES = 8 * 1024 * 1024;

    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final CharsetDecoder lenient = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final boolean compressed;
    private String damage;
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
        int n;
        try {
            n = pin.readNBytes(magic, 0, 2);
        } catch (IOException e) {
            pin.close();
            throw e;
        }
        if (n > 0) {
            pin.unread(magic, 0, n);
        }
        InputStream raw = pin;
        compressed = n == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
        if (compressed) {
            try {
                raw = new GZIPInputStream(pin, 65536);
            } catch (IOException e) {
                pin.close();
                throw new LogReadException(file + ": corrupt gzip header (" + e.getMessage() + ")");
            }
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
                limit = fill();
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
            String replaced = lenient.reset().decode(ByteBuffer.wrap(buf, 0, len)).toString();
            if (isMostlyUndecodable(replaced, len)) {
                problem = "binary data, not text (first undecodable byte at column " + (firstInvalid(len) + 1) + ")";
                text = escaped(len);
            } else {
                text = replaced;
            }
        }
        if (problem == null && hasManyControlCharacters(text)) {
            problem = "binary data (control characters)";
            text = escaped(len);
        }
        if (problem == null && text.indexOf(0x1b) >= 0) {
            text = withoutTerminalEscapes(text);
        }
        return true;
    }

    /**
     * Reads the next chunk. A gzip stream that ends early or is corrupt ends the file here: what came before is kept,
     * and {@link #damage()} names what happened.
     */
    private int fill() throws IOException {
        try {
            return in.read(chunk, 0, chunk.length);
        } catch (java.io.EOFException | java.util.zip.ZipException e) {
            if (!compressed) {
                throw e;
            }
            damage = "compressed data is truncated or corrupt after line " + lineNumber + " ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")";
            return -1;
        }
    }

    /**
     * A log line with a Latin-1 or GBK word in it has a few undecodable bytes among ASCII; random bytes have one in
     * two or three undecodable.
     */
    private static boolean isMostlyUndecodable(String replaced, int byteLength) {
        int bad = 0;
        for (int i = 0; i < replaced.length(); i++) {
            if (replaced.charAt(i) == '\uFFFD') {
                bad++;
            }
        }
        return bad * 6 > byteLength;
    }

    /** Text has tabs and perhaps a colour escape; binary data has control characters everywhere. */
    private static boolean hasManyControlCharacters(String s) {
        int controls = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            // a terminal capture keeps carriage returns and backspaces; those are text
            if (c < 0x20 && c != '\t' && c != 0x1b && c != '\f' && c != 0x0b && c != '\r' && c != '\b') {
                controls++;
            }
        }
        return controls > 4 || (controls > 1 && controls * 20 > s.length());
    }

    /** A log saved from a terminal session (script, tmux) keeps its colour codes: {@code ESC [ params final}. */
    static String withoutTerminalEscapes(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == 0x1b && i + 1 < s.length() && s.charAt(i + 1) == '[') {
                int j = i + 2;
                while (j < s.length() && j - i < 32 && s.charAt(j) >= 0x20 && s.charAt(j) <= 0x3f) {
                    j++;
                }
                if (j < s.length() && s.charAt(j) >= 0x40 && s.charAt(j) <= 0x7e) {
                    i = j + 1;
                    continue;
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    /** Why the file ended before its end (truncated or corrupt compressed data), or null. */
    String damage() {
        return damage;
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
