package io.nodeincidents.ingest.entries;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.logs.LineRef;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.SourceKind;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JournalEntriesTest {

    @Test
    void aReplayedLineKeepsItsFileAndLineAndComesBackUnchanged() {
        LogLine line = new LogLine("slave-138", null, 1_510_470_941_000_000L, null, "kernel", "kernel", null, null, 4,
                "exe: page allocation failure: order:6, mode:0x10c0d0", LineRef.fileLine("/logs/messages", 17));

        JournalEntry entry = JournalEntries.fromLogLine(line, SourceKind.SYSLOG);

        assertThat(entry.getSource().getKind()).isEqualTo(SourceKind.SYSLOG);
        assertThat(entry.getSource().getFile()).isEqualTo("/logs/messages");
        assertThat(entry.getSource().getLine()).isEqualTo(17L);
        assertThat(entry.getSource().getShipper()).startsWith("nodeincidents-ingest/");
        assertThat(entry.getCursor()).isNull();
        assertThat(JournalEntries.toLogLine(entry)).isEqualTo(line);
    }

    @Test
    void aJournalEntryKeepsItsCursorFieldsAndExactBytes() {
        LogLine line = new LogLine("node-a", "0123456789abcdef0123456789abcdef", 1L, 2L, "stdout", "kubelet",
                "docker.service", "dockerd", "3f2a9c1d7e5b", "forger", 42, 3, 3, "bad \ufffd byte",
                LineRef.cursor("s=a;i=1;b=c;m=1;t=2;x=3"));
        byte[] raw = {'b', 'a', 'd', ' ', (byte) 0xff, ' ', 'b', 'y', 't', 'e'};

        JournalEntry entry = JournalEntries.fromLogLine(line, SourceKind.JOURNALD, Map.of("CONTAINER_TAG", "x"), raw,
                true);

        assertThat(entry.getMessageBytes().array()).isEqualTo(raw);
        assertThat(entry.getTruncated()).isTrue();
        assertThat(entry.getFields()).containsEntry("CONTAINER_TAG", "x");
        assertThat(entry.getComm()).isEqualTo("dockerd");
        assertThat(entry.getContainerId()).isEqualTo("3f2a9c1d7e5b");
        assertThat(entry.getContainerName()).isEqualTo("forger");
        assertThat(entry.getSyslogFacility()).isEqualTo(3);
        assertThat(JournalEntries.toLogLine(entry)).isEqualTo(line);
    }
}
