package io.nodeincidents.logs;

import java.util.Objects;

/**
 * One log line or journal entry, whatever shape it arrived in: the common currency of the readers, the kernel
 * report assembler and the runtime failure classifier. Pure data, no Kafka or Avro types, so the streaming app and
 * offline {@code analyze} read logs identically.
 *
 * @param host            host the line was logged on, never null (readers fill it from the line, {@code --host},
 *                        or the only host named in the file)
 * @param bootId          journald boot id, or null when the log did not carry one
 * @param realtimeMicros  wall-clock time, microseconds since the Unix epoch, or null when unknown (plain dmesg)
 * @param monotonicMicros time since boot in microseconds (kernel stamp), or null
 * @param transport       journald _TRANSPORT ("kernel" for kernel lines), or null
 * @param identifier      SYSLOG_IDENTIFIER or the syslog tag ("kernel", "dockerd", "kubelet"), or null
 * @param unit            systemd unit, or null
 * @param pid             pid of the logging process, or null
 * @param priority        syslog severity 0-7, or null
 * @param message         the message text, never null
 * @param ref             where the line can be found again
 */
public record LogLine(
        String host,
        String bootId,
        Long realtimeMicros,
        Long monotonicMicros,
        String transport,
        String identifier,
        String unit,
        Integer pid,
        Integer priority,
        String message,
        LineRef ref) {

    public LogLine {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(ref, "ref");
    }

    /** True when the kernel printed this line (journald kernel transport, or a kernel syslog tag). */
    public boolean isKernel() {
        return "kernel".equals(transport) || "kernel".equals(identifier);
    }

    /** A bare line: only host, message and where it came from are known. */
    public static LogLine bare(String host, String message, LineRef ref) {
        return new LogLine(host, null, null, null, null, null, null, null, null, message, ref);
    }
}
