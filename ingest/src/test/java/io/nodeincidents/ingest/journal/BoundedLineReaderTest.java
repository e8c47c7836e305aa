package io.nodeincidents.ingest.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BoundedLineReaderTest {

    private static String text(BoundedLineReader.Line line) {
        return new String(line.bytes(), 0, line.length(), StandardCharsets.UTF_8);
    }

    @Test
    void readsLinesAndTheLastOneWithoutNewline() throws IOException {
        BoundedLineReader reader = new BoundedLineReader(
                new ByteArrayInputStream("a\n\nbc\nlast".getBytes(StandardCharsets.UTF_8)), 100);
        assertThat(text(reader.readLine())).isEqualTo("a");
        assertThat(text(reader.readLine())).isEmpty();
        assertThat(text(reader.readLine())).isEqualTo("bc");
        BoundedLineReader.Line last = reader.readLine();
        assertThat(text(last)).isEqualTo("last");
        assertThat(last.truncated()).isFalse();
        assertThat(reader.readLine()).isNull();
    }

    @Test
    void anOversizedLineIsCutAndTheNextLineIsIntact() throws IOException {
        String big = "x".repeat(300_000);
        BoundedLineReader reader = new BoundedLineReader(
                new ByteArrayInputStream((big + "\nnext\n").getBytes(StandardCharsets.UTF_8)), 1000);
        BoundedLineReader.Line cut = reader.readLine();
        assertThat(cut.length()).isEqualTo(1000);
        assertThat(cut.truncated()).isTrue();
        assertThat(cut.fullLength()).isEqualTo(300_000);
        assertThat(text(reader.readLine())).isEqualTo("next");
    }

    @Test
    void memoryStaysBoundedForAnEndlessLine() throws IOException {
        // 50 MB without a newline, produced lazily: the reader must keep only its limit
        InputStream endless = new InputStream() {
            long left = 50_000_000L;

            @Override
            public int read() {
                return left-- > 0 ? 'y' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'y');
                left -= n;
                return n;
            }
        };
        BoundedLineReader.Line line = new BoundedLineReader(endless, 4096).readLine();
        assertThat(line.bytes()).hasSize(4096);
        assertThat(line.fullLength()).isEqualTo(50_000_000L);
    }

    @Test
    void binaryBytesPassThroughUntouched() throws IOException {
        byte[] data = {(byte) 0xff, 0, (byte) 0xc3, '\n', 1};
        BoundedLineReader reader = new BoundedLineReader(new ByteArrayInputStream(data), 10);
        assertThat(reader.readLine().bytes()).containsExactly((byte) 0xff, 0, (byte) 0xc3);
        assertThat(reader.readLine().bytes()).containsExactly(1);
    }

    @Test
    void aTrickleIsGatheredIntoFewerReadsAndEveryLineArrivesWhole() throws Exception {
        PipedInputStream pipe = new PipedInputStream(64 * 1024);
        PipedOutputStream writer = new PipedOutputStream(pipe);
        AtomicInteger reads = new AtomicInteger();
        InputStream counting = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = pipe.read(b, off, len);
                if (n > 0) {
                    reads.incrementAndGet();
                }
                return n;
            }
        };
        int writes = 60;
        Thread source = new Thread(() -> {
            try (writer) {
                for (int i = 0; i < writes; i++) {
                    // one journal write: a 200-byte entry every 5 ms, as journalctl --follow prints a slow journal
                    writer.write((String.format("%03d", i) + "y".repeat(196) + "\n").getBytes(StandardCharsets.UTF_8));
                    writer.flush();
                    Thread.sleep(5);
                }
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        source.start();
        BoundedLineReader reader = new BoundedLineReader(counting, 1000, TimeUnit.MILLISECONDS.toNanos(100));
        List<String> lines = new ArrayList<>();
        for (BoundedLineReader.Line line; (line = reader.readLine()) != null; ) {
            lines.add(text(line));
        }
        source.join();
        assertThat(lines).hasSize(writes);
        for (int i = 0; i < writes; i++) {
            assertThat(lines.get(i)).isEqualTo(String.format("%03d", i) + "y".repeat(196));
        }
        // without gathering each write wakes the reader: about one read per write
        assertThat(reads.get()).isLessThan(writes / 2);
    }
}
