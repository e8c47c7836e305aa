package io.nodeincidents.topology;

import io.nodeincidents.correlation.StateMap;
import io.nodeincidents.incident.HostIncidentState;
import io.nodeincidents.incident.HostIncidentStateCodec;
import io.nodeincidents.incident.StateFormatException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hosts' incident states in a store of their bytes ({@link HostIncidentStateCodec}), as the correlation's
 * {@link StateMap}: unreadable state (corrupt, or written by another version) is logged and read as an empty state,
 * which the correlation then starts afresh.
 *
 * <p>States read or written are kept decoded, the most recently used first to stay: each stream-time tick visits every
 * host with an open incident, and decoding them all from their bytes each time cost more than the events themselves.
 * Bounded by the size of their bytes ({@link #MIRROR_BYTES}), so a fleet's worth of hosts with open incidents does not
 * have to fit in the heap; the store holds them all.
 */
final class IncidentStateStore implements StateMap<HostIncidentState> {

    private static final Logger LOG = LoggerFactory.getLogger(IncidentStateStore.class);

    /**
     * Bytes of stored state mirrored decoded: a 32nd of the heap, at most 64 MiB (a decoded state takes a few times its
     * bytes in the heap).
     */
    static final long MIRROR_BYTES = Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 32);

    private record Mirrored(HostIncidentState state, int bytes) {
    }

    private final KeyValueStore<String, byte[]> store;
    private final LinkedHashMap<String, Mirrored> decoded = new LinkedHashMap<>(64, 0.75f, true);
    private long mirroredBytes;

    IncidentStateStore(KeyValueStore<String, byte[]> store) {
        this.store = store;
    }

    @Override
    public HostIncidentState get(String host) {
        HostIncidentState state = mirrored(host);
        if (state != null) {
            return state;
        }
        byte[] bytes = store.get(host);
        return bytes == null ? null : decode(host, bytes);
    }

    @Override
    public void put(String host, HostIncidentState state) {
        byte[] bytes = HostIncidentStateCodec.encode(state);
        store.put(host, bytes);
        mirror(host, state, bytes.length);
    }

    @Override
    public void delete(String host) {
        store.delete(host);
        forget(host);
    }

    /** Every host's state, decoded (or taken from the mirror) only when the correlation comes to it. */
    @Override
    public List<Map.Entry<String, HostIncidentState>> entries() {
        List<Map.Entry<String, HostIncidentState>> all = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            it.forEachRemaining(kv -> all.add(new Lazy(kv.key, kv.value)));
        }
        return all;
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
            LOG.warn("incident state of host {} is unreadable ({}); starting it afresh", host, e.getMessage());
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
