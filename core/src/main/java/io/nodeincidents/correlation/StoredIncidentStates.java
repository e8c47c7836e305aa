package io.nodeincidents.correlation;

import io.nodeincidents.incident.HostIncidentState;
import io.nodeincidents.incident.HostIncidentStateCodec;
import io.nodeincidents.incident.StateFormatException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * The hosts' incident states kept as their bytes ({@link HostIncidentStateCodec}) in a {@link StateMap} of bytes (a
 * store in the streaming app, a map offline), as the {@link StateMap} {@link HostIncidents} works on. Unreadable state
 * (corrupt, or written by another version) is reported and read as an empty state, which the correlation then starts
 * afresh.
 *
 * <p>States read or written are kept decoded, the most recently used first to stay: each stream-time tick visits every
 * host with an open incident, and decoding them all from their bytes each time cost more than the events themselves.
 * Bounded by the size of their bytes ({@link #MIRROR_BYTES}), so a fleet's worth of hosts with open incidents does not
 * have to fit in the heap decoded; the bytes hold them all, a few times smaller.
 */
public final class StoredIncidentStates implements StateMap<HostIncidentState> {

    /**
     * Bytes of stored state mirrored decoded: a 32nd of the heap, at most 64 MiB (a decoded state takes a few times its
     * bytes in the heap); 8 MiB in analyze's 256 MB heap, enough for hundreds of hosts with open incidents.
     */
    public static final long MIRROR_BYTES = Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 32);

    private record Mirrored(HostIncidentState state, int bytes) {
    }

    private final StateMap<byte[]> stored;
    private final BiConsumer<String, StateFormatException> unreadable;
    private final LinkedHashMap<String, Mirrored> decoded = new LinkedHashMap<>(64, 0.75f, true);
    private long mirroredBytes;

    /**
     * @param stored     the states' bytes by host
     * @param unreadable told of a host whose bytes cannot be read (the host then starts afresh)
     */
    public StoredIncidentStates(StateMap<byte[]> stored, BiConsumer<String, StateFormatException> unreadable) {
        this.stored = Objects.requireNonNull(stored, "stored");
        this.unreadable = Objects.requireNonNull(unreadable, "unreadable");
    }

    @Override
    public HostIncidentState get(String host) {
        HostIncidentState state = mirrored(host);
        if (state != null) {
            return state;
        }
        byte[] bytes = stored.get(host);
        return bytes == null ? null : decode(host, bytes);
    }

    @Override
    public void put(String host, HostIncidentState state) {
        byte[] bytes = HostIncidentStateCodec.encode(state);
        stored.put(host, bytes);
        mirror(host, state, bytes.length);
    }

    @Override
    public void delete(String host) {
        stored.delete(host);
        forget(host);
    }

    /** Every host's state, decoded (or taken from the mirror) only when the caller comes to it. */
    @Override
    public List<Map.Entry<String, HostIncidentState>> entries() {
        List<Map.Entry<String, byte[]>> all = stored.entries();
        List<Map.Entry<String, HostIncidentState>> lazy = new ArrayList<>(all.size());
        for (Map.Entry<String, byte[]> host : all) {
            lazy.add(new Lazy(host.getKey(), host.getValue()));
        }
        return lazy;
    }

    private final class Lazy extends AbstractMap.SimpleImmutableEntry<String, HostIncidentState> {
        private final byte[] bytes;

        Lazy(String host, byte[] bytes) {
            super(host, null);
            this.bytes = bytes;
        }

        @Override
        public HostIncidentState getValue() {
            HostIncidentState state = mirrored(getKey());
            return state != null ? state : decode(getKey(), bytes);
        }
    }

    private HostIncidentState mirrored(String host) {
        Mirrored m = decoded.get(host);
        return m == null ? null : m.state();
    }

    private HostIncidentState decode(String host, byte[] bytes) {
        if (bytes == null) {
            return HostIncidentState.empty();
        }
        try {
            HostIncidentState state = HostIncidentStateCodec.decode(bytes);
            mirror(host, state, bytes.length);
            return state;
        } catch (StateFormatException e) {
            unreadable.accept(host, e);
            return HostIncidentState.empty();
        }
    }

    private void mirror(String host, HostIncidentState state, int bytes) {
        forget(host);
        decoded.put(host, new Mirrored(state, bytes));
        mirroredBytes += bytes;
        for (var it = decoded.entrySet().iterator(); mirroredBytes > MIRROR_BYTES && decoded.size() > 1; ) {
            mirroredBytes -= it.next().getValue().bytes();
            it.remove(); // the least recently used
        }
    }

    private void forget(String host) {
        Mirrored gone = decoded.remove(host);
        if (gone != null) {
            mirroredBytes -= gone.bytes();
        }
    }
}
