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
 * @param unit            systemd unit (journald's {@code _SYSTEMD_UNIT}), or null
 * @param comm            name of the logging process (journald's {@code _COMM}), or null
 * @param containerId     {@code CONTAINER_ID} of an entry a container runtime's journald log driver wrote for a
 *                        container's output, or null
 * @param containerName   {@code CONTAINER_NAME} of such an entry, or null
 * @param pid             pid of the logging process, or null
 * @param priority        syslog severity 0-7, or null
 * @param facility        syslog facility 0-23 (0: the kernel) when the log says it, else null
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
        String comm,
        String containerId,
        String containerName,
        Integer pid,
        Integer priority,
        Integer facility,
        String message,
        LineRef ref) {

    public LogLine {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(ref, "ref");
    }

    /** A line whose origin says no more than unit and pid: no process name, container or facility known. */
    public LogLine(String host, String bootId, Long realtimeMicros, Long monotonicMicros, String transport,
                   String identifier, String unit, Integer pid, Integer priority, String message, LineRef ref) {
        this(host, bootId, realtimeMicros, monotonicMicros, transport, identifier, unit, null, null, null, pid,
                priority, null, message, ref);
    }

    /**
     * True when the kernel printed this line. With journald's metadata that is its kernel transport, which no client
     * can claim (a {@code SYSLOG_IDENTIFIER} can be anything); without (a text file), the line's {@code kernel} tag.
     * Either way a facility other than the kernel's refutes it: the kernel gives whatever user space writes to
     * {@code /dev/kmsg} a user facility, and a syslog line with a priority says who sent it.
     */
    public boolean isKernel() {
        if (facility != null && facility != 0) {
            return false;
        }
        return transport == null ? "kernel".equals(identifier) : "kernel".equals(transport);
    }

    /** True when the line claims to be the kernel's by its tag ({@code SYSLOG_IDENTIFIER} or syslog tag). */
    public boolean claimsKernel() {
        return "kernel".equals(identifier);
    }

    /** True when a container runtime's journald log driver marked the entry as a container's output. */
    public boolean fromContainer() {
        return containerId != null || containerName != null;
    }

    /** The same line with another message. */
    public LogLine withMessage(String newMessage) {
        return new LogLine(host, bootId, realtimeMicros, monotonicMicros, transport, identifier, unit, comm,
                containerId, containerName, pid, priority, facility, newMessage, ref);
    }

    /** A bare line: only host, message and where it came from are known. */
    public static LogLine bare(String host, String message, LineRef ref) {
        return new LogLine(host, null, null, null, null, null, null, null, null, message, ref);
    }
}
