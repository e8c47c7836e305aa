package io.nodeincidents.ingest.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
}
