package io.nodeincidents.ingest.journal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads newline-terminated lines from a stream without ever holding more than {@code maxLineBytes} of one line:
 * the rest of an oversized line is read and discarded, and the line is reported as truncated. journalctl prints one
 * entry per line, and with {@code --all} a single field can be megabytes; memory must stay bounded regardless.
 *
 * <p>Optionally the reader gathers a trickle: when the source writes small chunks slowly (journalctl following a
 * journal that grows by a few entries at a time), it waits a little before reading again, so that one wakeup takes
 * the output of several writes instead of one each (a wakeup costs much more than its bytes). The wait is sized from
 * the rate just seen so that the pipe (64 KiB on Linux) fills to about three quarters. Gathering starts only after a
 * read had to wait for data (the reader is ahead of the writer), and stops as soon as data comes fast, or a read
 * found data waiting without a gathering wait before it, or more than the rate promised, or as much as the fullest
 * read seen (the pipe may have been full, its writer waiting for room, even if the pipe is smaller than usual):
 * catching up runs at full speed even on a loaded machine.
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

    /** Data coming faster than this (bytes per second) is read as it comes: no trickle to gather. */
    private static final double TRICKLE_BYTES_PER_SECOND = 2 * 1024 * 1024;
    private static final long MIN_GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private final long maxGatherNanos;
    private long lastReadNanos = System.nanoTime();
    private int fullestRead;
    private long gatherNanos;
    /** The wait before the last read was a gathering one. */
    private boolean gathering;

    /** A reader that reads whenever it needs data (no gathering). */
    public BoundedLineReader(InputStream in, int maxLineBytes) {
        this(in, maxLineBytes, 0);
    }

    /**
     * @param maxGatherNanos longest wait before reading again while the source trickles (the latency it adds at
     *                       most); zero reads whenever data is needed
     */
    public BoundedLineReader(InputStream in, int maxLineBytes, long maxGatherNanos) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be positive");
        }
        if (maxGatherNanos < 0) {
            throw new IllegalArgumentException("maxGatherNanos must not be negative");
        }
        this.in = in;
        this.maxLineBytes = maxLineBytes;
        this.maxGatherNanos = maxGatherNanos;
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
                if (gatherNanos > 0) {
                    // returns early on interrupt; a stop closes the stream, which the read then sees
                    LockSupport.parkNanos(gatherNanos);
                    gatherNanos = 0;
                }
                long readStart = maxGatherNanos == 0 ? 0 : System.nanoTime();
                limit = in.read(buffer, 0, buffer.length);
                planGathering(limit, readStart);
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

    /** After a read of {@code n} bytes: how long to wait before the next one (see the class comment). */
    private void planGathering(int n, long readStart) {
        if (maxGatherNanos == 0 || n <= 0) {
            return;
        }
        long now = System.nanoTime();
        long interval = Math.max(1, now - lastReadNanos);
        lastReadNanos = now;
        boolean gathered = gathering;
        gathering = false;
        boolean dataWasWaiting = now - readStart < MIN_GATHER_NANOS;
        boolean fullest = n >= fullestRead;
        fullestRead = Math.max(fullestRead, n);
        int target = buffer.length * 3 / 4;
        if (dataWasWaiting && (fullest || !gathered || n > target + target / 4)) {
            // behind the writer (data was there though we did not wait for it, or more than the rate promised, or
            // the pipe may have been full with its writer waiting for room): read on at once
            return;
        }
        double bytesPerSecond = n * 1e9 / interval;
        if (bytesPerSecond >= TRICKLE_BYTES_PER_SECOND) {
            return;
        }
        long wait = (long) (target / bytesPerSecond * 1e9);
        gatherNanos = wait < MIN_GATHER_NANOS ? 0 : Math.min(wait, maxGatherNanos);
        gathering = gatherNanos > 0;
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
