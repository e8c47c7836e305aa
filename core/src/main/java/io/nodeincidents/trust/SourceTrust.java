package io.nodeincidents.trust;

import io.nodeincidents.logs.LogLine;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where a line comes from, and so what it may be evidence of. Log text is the attacker's: a container's output reaches
 * the journal through docker's journald log driver with whatever text and {@code SYSLOG_IDENTIFIER} it chooses. What
 * it cannot choose are the fields journald sets itself ({@code _TRANSPORT}, {@code _SYSTEMD_UNIT}, {@code _COMM}) and
 * the marks the log driver adds ({@code CONTAINER_ID}, {@code CONTAINER_NAME}). So:
 *
 * <ul>
 *   <li>a kernel line is one {@link LogLine#isKernel journald took from the kernel};</li>
 *   <li>a runtime or kubelet line is one whose unit is a runtime's or the kubelet's ({@link TrustSettings}), or, with
 *       no unit, whose process is, and that no log driver marked as a container's output;</li>
 *   <li>a line without journald's metadata (a text file an operator chose) has nothing to check: its tag decides.</li>
 * </ul>
 *
 * Pure and cheap: a few comparisons and set lookups per line, no decoding.
 */
public final class SourceTrust {

    /** Where a line comes from, as far as the decoders are concerned. */
    public enum Origin {
        /** The kernel: to the report assembler. */
        KERNEL,
        /** A container runtime or the kubelet, or a tagged line of a text file: to the failure classifier. */
        RUNTIME,
        /** A bare message of a text file: nothing says who printed it, both decoders look at it. */
        UNKNOWN,
        /** A journal entry of any other sender: evidence of nothing. */
        UNTRUSTED
    }

    /** Longest sender description kept: the names in it are the sender's own choice. */
    static final int MAX_NAME_CHARS = 80;

    /** The journald transports a daemon's own lines arrive by (not the kernel's, not audit's, not journald's own). */
    private static final Set<String> DAEMON_TRANSPORTS = Set.of("journal", "stdout", "syslog");

    private final Set<String> units = new HashSet<>();
    private final List<String> unitPrefixes;
    private final Set<String> comms;
    private final boolean refuseContainerEntries;
    private final Set<String> containers;

    public SourceTrust(TrustSettings settings) {
        List<String> prefixes = new java.util.ArrayList<>();
        for (String unit : settings.runtimeUnits()) {
            String u = unit.strip();
            if (u.endsWith("*")) {
                prefixes.add(u.substring(0, u.length() - 1));
            } else if (!u.isEmpty()) {
                units.add(u);
            }
        }
        this.unitPrefixes = List.copyOf(prefixes);
        this.comms = Set.copyOf(settings.runtimeComms().stream().map(String::strip).toList());
        this.refuseContainerEntries = settings.refuseContainerEntries();
        this.containers = Set.copyOf(settings.runtimeContainers().stream().map(String::strip).toList());
    }

    /** With the declared defaults. */
    public static SourceTrust defaults() {
        return new SourceTrust(TrustSettings.defaults());
    }

    /** Where {@code line} comes from. */
    public Origin origin(LogLine line) {
        if (line.isKernel()) {
            return Origin.KERNEL;
        }
        if (line.transport() == null) {
            return line.identifier() == null ? Origin.UNKNOWN : Origin.RUNTIME;
        }
        return runtimeSender(line) ? Origin.RUNTIME : Origin.UNTRUSTED;
    }

    /**
     * The refusal of a line that claims what its origin does not allow: a {@code kernel} tag on a line that is not
     * the kernel's, or (when {@code reportsFailure}) a failure reported by a journal entry of an untrusted sender;
     * null when it claims nothing it may not.
     */
    public Refusal refusal(LogLine line, Origin origin, boolean reportsFailure) {
        if (origin != Origin.KERNEL && line.claimsKernel()) {
            return new Refusal(Refusal.Claim.KERNEL, sender(line));
        }
        if (origin == Origin.UNTRUSTED && reportsFailure) {
            return new Refusal(Refusal.Claim.RUNTIME, sender(line));
        }
        return null;
    }

    private boolean runtimeSender(LogLine line) {
        if (!DAEMON_TRANSPORTS.contains(line.transport())) {
            return false;
        }
        if (line.fromContainer() && refuseContainerEntries
                && (line.containerName() == null || !containers.contains(line.containerName()))) {
            return false;
        }
        String unit = line.unit();
        if (unit == null) {
            return line.comm() != null && comms.contains(line.comm());
        }
        if (units.contains(unit)) {
            return true;
        }
        for (String prefix : unitPrefixes) {
            if (unit.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** Who sent the line, in the fields journald and the log driver set (printable, bounded). */
    static String sender(LogLine line) {
        StringBuilder sb = new StringBuilder(64);
        if (line.fromContainer()) {
            sb.append("container ").append(name(line.containerName() != null ? line.containerName()
                    : line.containerId()));
            if (line.unit() != null) {
                sb.append(" (unit ").append(name(line.unit())).append(')');
            }
            return sb.toString();
        }
        if (line.transport() == null) {
            return "a text line tagged " + name(line.identifier());
        }
        if ("kernel".equals(line.transport())) {
            return "user space writing to /dev/kmsg (facility " + line.facility() + ")";
        }
        if (line.unit() != null) {
            sb.append("unit ").append(name(line.unit()));
        } else {
            sb.append("no unit");
        }
        if (line.comm() != null) {
            sb.append(", process ").append(name(line.comm()));
        }
        return sb.append(", transport ").append(name(line.transport())).toString();
    }

    /** A name as the sender chose it, safe to print: control characters replaced, cut to a bound. */
    static String name(String s) {
        if (s == null) {
            return "?";
        }
        int n = Math.min(s.length(), MAX_NAME_CHARS);
        StringBuilder sb = new StringBuilder(n + 3);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            sb.append(Character.isISOControl(c) || Character.isSurrogate(c) ? '?' : c);
        }
        return s.length() > MAX_NAME_CHARS ? sb.append("...").toString() : sb.toString();
    }
}
