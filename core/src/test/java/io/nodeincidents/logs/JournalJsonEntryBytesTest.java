package io.nodeincidents.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The shipper's byte path gives exactly what the String path gives, for real lines and for bad ones. */
class JournalJsonEntryBytesTest {

    @Test
    void realJournalctlLinesParseAlikeFromBytes() throws Exception {
        for (String line : JournalJsonEntryTest.fixture("journal-dc05.json")) {
            byte[] padded = ("xx" + line + "yy").getBytes(StandardCharsets.UTF_8);
            JournalJsonEntry fromBytes = JournalJsonEntry.parse(padded, 2, padded.length - 4);
            assertThat(fromBytes.fields()).isEqualTo(JournalJsonEntry.parse(line).fields());
        }
    }

    @Test
    void invalidUtf8InsideAStringIsReadWithReplacementCharactersNotRejected() throws Exception {
        byte[] line = "{\"MESSAGE\":\"caf\u00e9 \",\"_PID\":\"1\"}".getBytes(StandardCharsets.ISO_8859_1);
        JournalJsonEntry entry = JournalJsonEntry.parse(line, 0, line.length);
        assertThat(entry.message()).isEqualTo("caf\ufffd ");
        assertThat(entry.pid()).isEqualTo(1);
    }

    @Test
    void malformedLinesFailAsTheStringFormDoes() {
        for (String bad : new String[] {"[1,2]", "{\"MESSAGE\":", "{\"A\":\"b\"} tail", "\u0000\u0001binary"}) {
            byte[] bytes = bad.getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> JournalJsonEntry.parse(bytes, 0, bytes.length))
                    .isInstanceOf(MalformedEntryException.class)
                    .hasMessage(messageOf(bad));
        }
        byte[] longJunk = new byte[100_000];
        Arrays.fill(longJunk, (byte) '{');
        assertThatThrownBy(() -> JournalJsonEntry.parse(longJunk, 0, longJunk.length))
                .isInstanceOf(MalformedEntryException.class);
    }

    private static String messageOf(String bad) {
        try {
            JournalJsonEntry.parse(bad);
            return "(no error)";
        } catch (MalformedEntryException e) {
            return e.getMessage();
        }
    }
}
