package io.nodeincidents.ingest.journal;

import java.util.ArrayList;
import java.util.List;

/**
 * Which journal entries the shipper ships, expressed as journalctl match expressions so that journalctl itself
 * skips the rest (unneeded entries are never formatted as JSON, the costliest part of reading the journal).
 *
 * <p>journalctl ANDs matches on different fields and ORs matches on the same field; {@code +} separates
 * alternatives. The default is: the kernel, OR the container runtimes and kubelet by syslog identifier, OR by
 * systemd unit.
 *
 * @param all          ship every entry (no matches)
 * @param kernel       ship kernel messages ({@code _TRANSPORT=kernel})
 * @param identifiers  syslog identifiers to ship
 * @param units        systemd units to ship
 */
public record JournalFilter(boolean all, boolean kernel, List<String> identifiers, List<String> units) {

    public static final List<String> DEFAULT_IDENTIFIERS =
            List.of("dockerd", "docker", "containerd", "crio", "conmon", "runc", "kubelet");
    public static final List<String> DEFAULT_UNITS =
            List.of("docker.service", "containerd.service", "crio.service", "kubelet.service");

    public JournalFilter {
        identifiers = List.copyOf(identifiers);
        units = List.copyOf(units);
        for (String value : identifiers) {
            requireMatchValue("syslog identifier", value);
        }
        for (String value : units) {
            requireMatchValue("unit", value);
        }
    }

    /** The kernel plus docker, containerd, cri-o and kubelet. */
    public static JournalFilter defaults() {
        return new JournalFilter(false, true, DEFAULT_IDENTIFIERS, DEFAULT_UNITS);
    }

    /** Every entry. */
    public static JournalFilter everything() {
        return new JournalFilter(true, false, List.of(), List.of());
    }

    /** The journalctl match arguments; empty for {@link #all}. */
    public List<String> matchArguments() {
        if (all) {
            return List.of();
        }
        List<List<String>> alternatives = new ArrayList<>();
        if (kernel) {
            alternatives.add(List.of("_TRANSPORT=kernel"));
        }
        if (!identifiers.isEmpty()) {
            alternatives.add(identifiers.stream().map(id -> "SYSLOG_IDENTIFIER=" + id).toList());
        }
        if (!units.isEmpty()) {
            alternatives.add(units.stream().map(unit -> "_SYSTEMD_UNIT=" + unit).toList());
        }
        List<String> args = new ArrayList<>();
        for (List<String> alternative : alternatives) {
            if (!args.isEmpty()) {
                args.add("+");
            }
            args.addAll(alternative);
        }
        return args;
    }

    /** True when nothing at all would match: a configuration mistake worth refusing at start. */
    public boolean matchesNothing() {
        return !all && !kernel && identifiers.isEmpty() && units.isEmpty();
    }

    private static void requireMatchValue(String what, String value) {
        if (value == null || value.isBlank() || value.length() > 256) {
            throw new IllegalArgumentException("empty or oversized " + what + ": '" + value + "'");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c == '+' || c == '=' || c > '~') {
                throw new IllegalArgumentException(what + " '" + value + "' has a character journalctl matches cannot hold");
            }
        }
    }
}
