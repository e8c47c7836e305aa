package io.nodeincidents.logs;

/** A parsed line whose message may still grow with continuation lines. Mutable; lives only inside one read. */
final class PendingEntry {
    String host;
    String bootId;
    Long realtimeMicros;
    Long monotonicMicros;
    String transport;
    String identifier;
    Integer pid;
    Integer priority;
    /** Syslog facility, when the line's priority prefix gave one. */
    Integer facility;
    final StringBuilder message;
    final long line;
    /** A line that did not start like the file's shape: read as a bare message, and never continued. */
    boolean bare;

    PendingEntry(long line, String message) {
        this.line = line;
        this.message = new StringBuilder(message);
    }

    LogLine toLogLine(String fallbackHost, String file) {
        return new LogLine(host != null ? host : fallbackHost, bootId, realtimeMicros, monotonicMicros, transport,
                identifier, null, null, null, null, pid, priority, facility, message.toString(),
                LineRef.fileLine(file, line));
    }
}
