package io.nodeincidents.topology;

import io.nodeincidents.correlation.StateMap;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/** A key-value store as the {@link StateMap} of a correlation step. */
final class StoreStateMap<V> implements StateMap<V> {

    private final KeyValueStore<String, V> store;

    StoreStateMap(KeyValueStore<String, V> store) {
        this.store = store;
    }

    @Override
    public V get(String key) {
        return store.get(key);
    }

    @Override
    public void put(String key, V value) {
        store.put(key, value);
    }

    @Override
    public void delete(String key) {
        store.delete(key);
    }

    @Override
    public List<Map.Entry<String, V>> entries() {
        List<Map.Entry<String, V>> all = new ArrayList<>();
        try (KeyValueIterator<String, V> it = store.all()) {
            it.forEachRemaining(kv -> all.add(new AbstractMap.SimpleImmutableEntry<>(kv.key, kv.value)));
        }
        return all;
    }
}
