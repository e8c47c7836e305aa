package io.nodeincidents.correlation;

import java.util.List;
import java.util.Map;

/**
 * The per-host (or per-cause) state the correlation steps keep, keyed by host (or cause): a Kafka Streams store in
 * the streaming app, a map in memory for offline analysis. The steps read and write it only through these calls.
 *
 * @param <V> the state of one key; never null in the map
 */
public interface StateMap<V> {

    /** The state of {@code key}, or null when it has none. */
    V get(String key);

    void put(String key, V value);

    void delete(String key);

    /**
     * Every key with its state, in the order of the keys' UTF-8 bytes (a store's order), as a snapshot the caller may
     * change the map while walking. A store may read each value only when it is asked for.
     */
    List<Map.Entry<String, V>> entries();
}
