package io.nodeincidents.logs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Entries as real journalctl 252 printed them (fixture made with systemd-journal-remote, see journal-dc05.json). */
class JournalJsonEntryTest {

    static List<String> fixture(String name) throws IOException {
        try (InputStream in = JournalJsonEntryTest.class.getResourceAsStream("/logs/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    @Test
    void kernelEntryMapsEveryWellKnownField() throws Exception {
        JournalJsonEntry e = JournalJsonEntry.parse(fixture("journal-dc05.json").get(0));
        LogLine line = e.toLogLine(null);

        assertThat(line.host()).isEqualTo("dc05");
        assertThat(line.bootId()).isEqualTo("8f3c1b2a9d4e4f6a8b7c6d5e4f3a2b1c");
        assertThat(line.realtimeMicros()).isEqualTo(1548224131288446L);
        assertThat(line.monotonicMicros()).as("the kernel's own stamp wins").isEqualTo(98765430900L);
        assertThat(e.monotonicMicros()).isEqualTo(98765432100L);
        assertThat(line.transport()).isEqualTo("kernel");
        assertThat(line.isKernel()).isTrue();
        assertThat(line.priority()).isEqualTo(4);
        assertThat(line.message()).isEqualTo("runc:[1:CHILD]: page allocation failure: order:6, mode:0x10c0d0");
        assertThat(line.ref().cursor()).startsWith("s=").contains(";i=1;b=8f3c1b2a9d4e4f6a8b7c6d5e4f3a2b1c;");
    }

    @Test
    void dockerdEntryKeepsEscapedQuotesAndUnitAndPid() throws Exception {
        LogLine line = JournalJsonEntry.parse(fixture("journal-dc05.json").get(2)).toLogLine(null);

        assertThat(line.isKernel()).isFalse();
        assertThat(line.identifier()).isEqualTo("dockerd");
        assertThat(line.unit()).isEqualTo("docker.service");
        assertThat(line.pid()).isEqualTo(977);
        assertThat(line.priority()).isEqualTo(3);
        assertThat(line.monotonicMicros()).isEqualTo(98765432120L);
        assertThat(line.message()).contains("caused \\\"process_linux.go:245: running exec setns process for init"
                + " caused \\\\\\\"exit status 6\\\\\\\"\\\"\\n\" id=5b9be8c5");
    }

    @Test
    void nonUtf8MessageIsAByteArrayDecodedWithReplacementCharacters() throws Exception {
        JournalJsonEntry e = JournalJsonEntry.parse(fixture("journal-dc05.json").get(4));

        assertThat(e.values("MESSAGE")).singleElement().isInstanceOf(JournalValue.Bytes.class);
        byte[] raw = ((JournalValue.Bytes) e.values("MESSAGE").get(0)).value();
        assertThat(raw).containsExactly("bad bytes ".getBytes(StandardCharsets.US_ASCII)[0], raw[1], raw[2], raw[3],
                raw[4], raw[5], raw[6], raw[7], raw[8], raw[9], (byte) 0xff, (byte) 0xfe, (byte) ' ', (byte) 'h',
                (byte) 'e', (byte) 'r', (byte) 'e');
        assertThat(e.message()).isEqualTo("bad bytes \uFFFD\uFFFD here");
        assertThat(e.toLogLine(null).identifier()).isEqualTo("app");
    }

    @Test
    void repeatedFieldKeepsEveryValueIncludingByteArrays() throws Exception {
        JournalJsonEntry e = JournalJsonEntry.parse(fixture("journal-dc05.json").get(5));

        assertThat(e.values("TAG")).containsExactly(new JournalValue.Text("one"), new JournalValue.Text("two"),
                new JournalValue.Bytes(new byte[] {(byte) 0xff}));
        assertThat(e.otherFields()).containsOnlyKeys("TAG");
        assertThat(e.message()).isEqualTo("repeated field entry");
    }

    @Test
    void theFieldsThatSayWhoSentAnEntryReachTheLogLine() throws Exception {
        // docker's journald log driver: a container's stdout, filed under docker.service by journald
        JournalJsonEntry e = JournalJsonEntry.parse("{\"_HOSTNAME\":\"n1\",\"_TRANSPORT\":\"journal\","
                + "\"SYSLOG_IDENTIFIER\":\"kernel\",\"_SYSTEMD_UNIT\":\"docker.service\",\"_COMM\":\"dockerd\","
                + "\"CONTAINER_ID\":\"3f2a9c1d7e5b\",\"CONTAINER_ID_FULL\":\"3f2a9c1d7e5b40c1\","
                + "\"CONTAINER_NAME\":\"forger\",\"CONTAINER_TAG\":\"3f2a9c1d7e5b\",\"SYSLOG_FACILITY\":\"3\","
                + "\"MESSAGE\":\"exe: page allocation failure: order:6, mode:0x10c0d0\"}");
        LogLine line = e.toLogLine(null);
        assertThat(line.comm()).isEqualTo("dockerd");
        assertThat(line.containerId()).isEqualTo("3f2a9c1d7e5b");
        assertThat(line.containerName()).isEqualTo("forger");
        assertThat(line.facility()).isEqualTo(3);
        assertThat(line.fromContainer()).isTrue();
        assertThat(line.isKernel()).isFalse();
        assertThat(e.otherFields()).containsOnlyKeys("CONTAINER_ID_FULL", "CONTAINER_TAG");
    }

    @Test
    void oversizedFieldIsNullWithoutAllAndWholeWithAll() throws Exception {
        JournalJsonEntry omitted = JournalJsonEntry.parse(fixture("journal-dc05.json").get(6));
        JournalJsonEntry whole = JournalJsonEntry.parse(fixture("journal-dc05-all.json").get(6));

        assertThat(omitted.isOmitted("MESSAGE")).isTrue();
        assertThat(omitted.message()).isNull();
        assertThat(whole.isOmitted("MESSAGE")).isFalse();
        assertThat(whole.message()).hasSize(5000).matches("x+");
    }

    @Test
    void embeddedNewlineStaysInOneMessage() throws Exception {
        assertThat(JournalJsonEntry.parse(fixture("journal-dc05.json").get(7)).message())
                .isEqualTo("line one\nline two");
    }

    @Test
    void repeatedMessageIsJoinedWithNewlines() throws Exception {
        JournalJsonEntry e = JournalJsonEntry.parse("{\"MESSAGE\":[\"a\",[98],\"c\"],\"_HOSTNAME\":\"h\"}");
        assertThat(e.message()).isEqualTo("a\nb\nc");
    }

    @Test
    void entryWithoutHostnameTakesTheFallbackOrFailsClearly() throws Exception {
        JournalJsonEntry e = JournalJsonEntry.parse("{\"MESSAGE\":\"m\",\"__CURSOR\":\"s=1\"}");
        assertThat(e.toLogLine("node-7").host()).isEqualTo("node-7");
        assertThatThrownBy(() -> e.toLogLine(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no _HOSTNAME");
    }

    @Test
    void malformedLinesAreReportedWithAReason() {
        for (String bad : List.of("", "[1,2]", "{\"MESSAGE\":\"a\"", "{\"MESSAGE\":{\"x\":1",
                "{\"MESSAGE\":[300]}", "{\"MESSAGE\":\"a\"} trailing", "\u0000\u0001binary", "{\"A\":[[[1]]]}")) {
            assertThatThrownBy(() -> JournalJsonEntry.parse(bad)).as(bad)
                    .isInstanceOf(MalformedEntryException.class)
                    .satisfies(ex -> assertThat(ex.getMessage()).isNotBlank());
        }
    }

    @Test
    void nestedObjectsAreNoJournalFieldsAndAreLeftOut() throws Exception {
        // journald writes none; a JSON logger's line with one is read as text by the file reader
        JournalJsonEntry entry = JournalJsonEntry.parse("{\"MESSAGE\":{\"x\":{\"y\":1}},\"pods\":[{\"a\":1}],"
                + "\"_HOSTNAME\":\"h\"}");
        assertThat(entry.message()).isNull();
        assertThat(entry.values("pods")).isEmpty();
        assertThat(entry.hostname()).isEqualTo("h");
    }

    @Test
    void priorityAndPidThatAreNotNumbersAreLeftOut() throws Exception {
        LogLine line = JournalJsonEntry.parse("{\"MESSAGE\":\"m\",\"_HOSTNAME\":\"h\",\"PRIORITY\":\"x\","
                + "\"_PID\":\"99999999999999999999\"}").toLogLine(null);
        assertThat(line.priority()).isNull();
        assertThat(line.pid()).isNull();
    }
}
