package io.nodeincidents.ingest.entries;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodeincidents.ingest.journal.BoundedLineReader;
import io.nodeincidents.ingest.testjournal.JournalFixture;
import io.nodeincidents.ingest.testjournal.RequiredTools;
import io.nodeincidents.logs.MalformedEntryException;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.SourceKind;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalLineDecoderTest {

    private final JournalLineDecoder decoder = new JournalLineDecoder("fallback", 1024, 512);

    private JournalLineDecoder.Decoded decode(String line) throws MalformedEntryException {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return decoder.decode(bytes, bytes.length, false);
    }

    @Test
    void whoSentAnEntryIsPromotedFromAGenuineJournal(@TempDir Path dir) throws Exception {
        RequiredTools.journalFixture();
        JournalFixture.write(dir.resolve("j/host.journal"), List.of(
                JournalFixture.kernel(1, "exe: page allocation failure: order:6, mode:0x10c0d0"),
                JournalFixture.container(2, "kernel", "forger", "exe: page allocation failure: order:6, mode:0x10c0d0"),
                JournalFixture.kubelet(3, "RunPodSandbox failed").text("_COMM", "kubelet"),
                JournalFixture.container(4, "kubelet", "n".repeat(2000), "RunPodSandbox failed")));
        List<String> lines = JournalFixture.journalctl(dir.resolve("j"));
        assertThat(lines).hasSize(4);

        JournalEntry kernel = decode(lines.get(0)).entry();
        assertThat(kernel.getSyslogFacility()).isZero();
        assertThat(kernel.getComm()).isNull();
        assertThat(kernel.getContainerId()).isNull();

        JournalEntry container = decode(lines.get(1)).entry();
        assertThat(container.getTransport()).isEqualTo("journal");
        assertThat(container.getSyslogIdentifier()).isEqualTo("kernel");
        assertThat(container.getSystemdUnit()).isEqualTo("docker.service");
        assertThat(container.getComm()).isEqualTo("dockerd");
        assertThat(container.getContainerId()).isEqualTo("3f2a9c1d7e5b");
        assertThat(container.getContainerName()).isEqualTo("forger");
        assertThat(container.getFields()).containsKeys("CONTAINER_ID_FULL", "CONTAINER_TAG")
                .doesNotContainKeys("_COMM", "CONTAINER_ID", "CONTAINER_NAME");
        assertThat(JournalEntries.toLogLine(container).fromContainer()).isTrue();
        assertThat(JournalEntries.toLogLine(container).isKernel()).isFalse();

        JournalEntry kubelet = decode(lines.get(2)).entry();
        assertThat(kubelet.getComm()).isEqualTo("kubelet");
        assertThat(kubelet.getContainerName()).isNull();

        JournalEntry longName = decode(lines.get(3)).entry();
        assertThat(longName.getContainerName()).as("bounded like any field").hasSize(1024);
        assertThat(longName.getTruncated()).isTrue();
    }

    @Test
    void genuineJournalEntriesWithBinaryAndRepeatedFields(@TempDir Path dir) throws Exception {
        RequiredTools.journalFixture();
        byte[] invalidUtf8 = "setns \u00e9 \377\376 exit status 6\nsecond line".getBytes(StandardCharsets.ISO_8859_1);
        JournalFixture.write(dir.resolve("j/host.journal"), List.of(
                JournalFixture.kernel(1, "page allocation failure: order:6, mode:0x104050"),
                JournalFixture.entry(2, "node-b", "stdout", "dockerd", null).binary("MESSAGE", invalidUtf8),
                JournalFixture.kubelet(3, "RunPodSandbox failed").text("CONTAINER_TAG", "a")
                        .text("CONTAINER_TAG", "b")));
        List<String> lines = JournalFixture.journalctl(dir.resolve("j"));
        assertThat(lines).hasSize(3);

        JournalLineDecoder.Decoded kernel = decode(lines.get(0));
        JournalEntry k = kernel.entry();
        assertThat(kernel.cursor()).startsWith("s=").contains(";i=1;");
        assertThat(k.getCursor()).isEqualTo(kernel.cursor());
        assertThat(k.getHost()).isEqualTo("node-a");
        assertThat(k.getTransport()).isEqualTo("kernel");
        assertThat(k.getMessage()).isEqualTo("page allocation failure: order:6, mode:0x104050");
        assertThat(k.getRealtimeMicros()).isEqualTo(JournalFixture.BASE_MICROS + 1000);
        assertThat(k.getBootId()).isEqualTo(JournalFixture.BOOT_ID);
        assertThat(k.getSource().getKind()).isEqualTo(SourceKind.JOURNALD);
        assertThat(k.getTruncated()).isFalse();
        assertThat(k.getMessageBytes()).isNull();

        JournalEntry binary = decode(lines.get(1)).entry();
        assertThat(binary.getHost()).isEqualTo("node-b");
        byte[] exact = new byte[binary.getMessageBytes().remaining()];
        binary.getMessageBytes().duplicate().get(exact);
        assertThat(exact).isEqualTo(invalidUtf8);
        assertThat(binary.getMessage()).contains("exit status 6").contains("\uFFFD");

        JournalEntry repeated = decode(lines.get(2)).entry();
        assertThat(repeated.getFields()).containsEntry("CONTAINER_TAG", "a\nb");
        assertThat(repeated.getSystemdUnit()).isEqualTo("kubelet.service");
    }

    @Test
    void longMessageAndFieldsAreCutAndMarked() throws Exception {
        String longMessage = "\u00e9".repeat(2000);
        String line = "{\"__CURSOR\":\"s=a;i=1\",\"_HOSTNAME\":\"h\",\"MESSAGE\":\"" + longMessage
                + "\",\"BIG\":\"" + "x".repeat(600) + "\",\"SMALL\":\"y\"}";
        JournalEntry entry = decode(line).entry();
        assertThat(entry.getTruncated()).isTrue();
        assertThat(entry.getMessage().getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(1024);
        assertThat(entry.getMessage()).hasSize(512);
        // BIG alone is over the fields budget: dropped, SMALL kept
        assertThat(entry.getFields()).containsOnlyKeys("SMALL");
    }

    @Test
    void theFieldsBudgetCountsUtf8BytesExactlyToTheLastByte() throws Exception {
        // budget 512: A 1+200, B 1+250, C 1+40 make 493 (kept); D 1+19 would make 513 (dropped); E 1+18 fits again
        String fields = "\"A\":\"" + "\u00e9".repeat(100) + "\",\"B\":\"" + "x".repeat(250) + "\",\"C\":\""
                + "\u00fc".repeat(20) + "\",\"D\":\"" + "z".repeat(19) + "\",\"E\":\"" + "w".repeat(18) + "\"";
        JournalEntry entry = decode("{\"__CURSOR\":\"s=a;i=1\",\"_HOSTNAME\":\"h\",\"MESSAGE\":\"m\"," + fields + "}")
                .entry();
        assertThat(entry.getFields()).containsOnlyKeys("A", "B", "C", "E");
        assertThat(entry.getTruncated()).isTrue();

        JournalEntry fits = decode("{\"__CURSOR\":\"s=a;i=2\",\"_HOSTNAME\":\"h\",\"MESSAGE\":\"m\",\"A\":\""
                + "\u00e9".repeat(100) + "\",\"B\":\"" + "x".repeat(250) + "\",\"C\":\"" + "\u00fc".repeat(20) + "\"}")
                .entry();
        assertThat(fits.getFields()).containsOnlyKeys("A", "B", "C");
        assertThat(fits.getTruncated()).isFalse();
    }

    @Test
    void aLineCutByTheReaderKeepsItsWholeFieldsAndTheStartOfTheMessage() throws Exception {
        String line = "{\"__CURSOR\":\"s=a;i=7\",\"_HOSTNAME\":\"h\",\"_TRANSPORT\":\"kernel\",\"MESSAGE\":\"start \\u00e9 "
                + "z".repeat(100_000) + "\",\"_PID\":\"1\"}\n";
        BoundedLineReader reader = new BoundedLineReader(
                new ByteArrayInputStream(line.getBytes(StandardCharsets.UTF_8)), 4096);
        BoundedLineReader.Line cut = reader.readLine();
        assertThat(cut.truncated()).isTrue();
        JournalLineDecoder.Decoded decoded = decoder.decode(cut.bytes(), cut.length(), cut.truncated());
        assertThat(decoded.cursor()).isEqualTo("s=a;i=7");
        assertThat(decoded.entry().getTruncated()).isTrue();
        assertThat(decoded.entry().getTransport()).isEqualTo("kernel");
        assertThat(decoded.entry().getMessage()).startsWith("start \u00e9 zzz");
        assertThat(decoded.entry().getPid()).isNull();
    }

    @Test
    void aCutInsideAnEscapeIsDropped() throws Exception {
        for (int cutAt = 40; cutAt < 60; cutAt++) {
            String line = "{\"__CURSOR\":\"s=a;i=7\",\"MESSAGE\":\"ab\\u00e9\\n\\\"q\\\" rest of the message\"}";
            byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            JournalLineDecoder.Decoded decoded = decoder.decode(bytes, Math.min(cutAt, bytes.length), true);
            assertThat(decoded.entry().getMessage()).startsWith("ab");
            assertThat(decoded.entry().getTruncated()).isTrue();
        }
    }

    @Test
    void garbageIsRefusedNotCrashing() {
        assertThatThrownBy(() -> decode("not json")).isInstanceOf(MalformedEntryException.class);
        byte[] junk = new byte[5000];
        for (int i = 0; i < junk.length; i++) {
            junk[i] = (byte) (i * 31);
        }
        assertThatThrownBy(() -> decoder.decode(junk, junk.length, true)).isInstanceOf(MalformedEntryException.class);
        assertThatThrownBy(() -> decoder.decode("[1,2".getBytes(StandardCharsets.UTF_8), 4, true))
                .isInstanceOf(MalformedEntryException.class);
    }

    @Test
    void anEntryWithoutHostGetsTheFallback() throws Exception {
        assertThat(decode("{\"__CURSOR\":\"s=a;i=1\",\"MESSAGE\":\"m\"}").entry().getHost()).isEqualTo("fallback");
    }
}
