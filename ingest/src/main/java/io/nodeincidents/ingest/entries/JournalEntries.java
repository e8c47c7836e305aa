package io.nodeincidents.ingest.entries;

import io.nodeincidents.logs.LineRef;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.schemas.EntrySource;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.SourceKind;
import java.util.Map;

/**
 * Conversions between the readers' {@link LogLine} and the {@link JournalEntry} record on {@code journal.entries}.
 * Replay, the live shipper and the topology all go through here, so a line means the same thing on every path.
 */
public final class JournalEntries {

    /** Name and version of this shipper, stamped into every record's source. */
    public static final String SHIPPER = "nodeincidents-ingest/" + version();

    private JournalEntries() {
    }

    /** The record for a line read from a saved log of shape {@code kind}. */
    public static JournalEntry fromLogLine(LogLine line, SourceKind kind) {
        return fromLogLine(line, kind, Map.of(), null, false);
    }

    /**
     * The record for a line, with the journal's other fields and the message's exact bytes when they were not
     * valid UTF-8.
     */
    public static JournalEntry fromLogLine(LogLine line, SourceKind kind, Map<String, String> otherFields,
                                           byte[] messageBytes, boolean truncated) {
        LineRef ref = line.ref();
        return JournalEntry.newBuilder()
                .setHost(line.host())
                .setBootId(line.bootId())
                .setCursor(ref.cursor())
                .setRealtimeMicros(line.realtimeMicros())
                .setMonotonicMicros(line.monotonicMicros())
                .setTransport(line.transport())
                .setSyslogIdentifier(line.identifier())
                .setSystemdUnit(line.unit())
                .setComm(line.comm())
                .setContainerId(line.containerId())
                .setContainerName(line.containerName())
                .setPid(line.pid())
                .setPriority(line.priority())
                .setSyslogFacility(line.facility())
                .setMessage(line.message())
                .setMessageBytes(messageBytes == null ? null : java.nio.ByteBuffer.wrap(messageBytes))
                .setTruncated(truncated)
                .setFields(otherFields)
                .setSource(EntrySource.newBuilder()
                        .setKind(kind)
                        .setFile(ref.file())
                        .setLine(ref.line())
                        .setShipper(SHIPPER)
                        .build())
                .build();
    }

    /** The line a record carries, for the decoders. */
    public static LogLine toLogLine(JournalEntry entry) {
        EntrySource source = entry.getSource();
        LineRef ref = entry.getCursor() != null
                ? LineRef.cursor(entry.getCursor())
                : source != null && source.getFile() != null
                        ? new LineRef(null, source.getFile(), source.getLine())
                        : LineRef.none();
        return new LogLine(entry.getHost(), entry.getBootId(), entry.getRealtimeMicros(), entry.getMonotonicMicros(),
                entry.getTransport(), entry.getSyslogIdentifier(), entry.getSystemdUnit(), entry.getComm(),
                entry.getContainerId(), entry.getContainerName(), entry.getPid(), entry.getPriority(),
                entry.getSyslogFacility(), entry.getMessage(), ref);
    }

    private static String version() {
        String version = JournalEntries.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
