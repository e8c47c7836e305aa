package io.nodeincidents.ingest.journal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads newline-terminated lines from a stream without ever holding more than {@code maxLineBytes} of one line:
 * the rest of an oversized line is read and discarded, and the line is reported as truncated. journalctl prints one
 * entry per line, and with {@code --all} a single field can be megabytes; memory must stay bounded regardless.
 */
public final class BoundedLineReader {

    /** One line: its first bytes (at most the limit) and whether more were discarded. */
    public record Line(byte[] bytes, int length, boolean truncated, long fullLength) {
    }

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private byte[] line = new byte[8 * 1024];

    public BoundedLineReader(InputStream in, int maxLineBytes) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be positive");
        }
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * The next line without its terminator, or null at end of stream. A last line without a newline is returned as
     * it is. The returned bytes are a copy the caller may keep.
     */
    public Line readLine() throws IOException {
        int length = 0;
        long fullLength = 0;
        boolean sawAnything = false;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer, 0, buffer.length);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (!sawAnything) {
                        return null;
                    }
                    return finish(length, fullLength);
                }
            }
            sawAnything = true;
            int start = position;
            int newline = -1;
            for (int i = position; i < limit; i++) {
                if (buffer[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            int end = newline >= 0 ? newline : limit;
            int chunk = end - start;
            fullLength += chunk;
            int room = maxLineBytes - length;
            int copy = Math.min(room, chunk);
            if (copy > 0) {
                ensureCapacity(length + copy);
                System.arraycopy(buffer, start, line, length, copy);
                length += copy;
            }
            position = newline >= 0 ? newline + 1 : limit;
            if (newline >= 0) {
                return finish(length, fullLength);
            }
        }
    }

    private Line finish(int length, long fullLength) {
        return new Line(Arrays.copyOf(line, length), length, fullLength > length, fullLength);
    }

    private void ensureCapacity(int needed) {
        if (needed > line.length) {
            line = Arrays.copyOf(line, Math.min(maxLineBytes, Math.max(needed, line.length * 2)));
        }
    }
}
