package io.nodeincidents.correlation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link StateMap} in the heap, for offline analysis. Keys are kept in the order of their UTF-8 bytes, as a Kafka
 * Streams store keeps them, so that steps walking every host do so in the same order as the streaming app and emit
 * the same revisions in the same order.
 */
public final class MemoryStateMap<V> implements StateMap<V> {

    /** Code point order is UTF-8 byte order (String's own order differs for characters beyond the BMP). */
    static final Comparator<String> UTF8_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    private final TreeMap<String, V> map = new TreeMap<>(UTF8_ORDER);

    @Override
    public V get(String key) {
        return map.get(key);
    }

    @Override
    public void put(String key, V value) {
        map.put(key, value);
    }

    @Override
    public void delete(String key) {
        map.remove(key);
    }

    @Override
    public List<Map.Entry<String, V>> entries() {
        List<Map.Entry<String, V>> all = new ArrayList<>(map.size());
        map.forEach((k, v) -> all.add(Map.entry(k, v)));
        return all;
    }

    /** How many keys have state. */
    public int size() {
        return map.size();
    }
}
