package io.nodeincidents.trust;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Refused entries counted per host, claim and sender, so each is told once rather than once per line: at most
 * {@link #MAX_SENDERS} distinct ones are kept (a storm of senders is still counted, in {@link #total}). Not
 * thread-safe.
 */
public final class RefusalTally {

    /** Distinct host, claim and sender combinations kept. */
    public static final int MAX_SENDERS = 256;

    /** One host's refusals of one claim and sender, and how many. */
    public record Count(String host, Refusal refusal, long entries) {
    }

    private final Map<Key, long[]> counts = new LinkedHashMap<>();
    private long total;
    private long untold;

    private record Key(String host, Refusal refusal) {
    }

    /** Counts one refused entry of {@code host}; true when it is the first of its host, claim and sender kept. */
    public boolean add(String host, Refusal refusal) {
        total++;
        long[] count = counts.get(new Key(host, refusal));
        if (count != null) {
            count[0]++;
            return false;
        }
        if (counts.size() >= MAX_SENDERS) {
            untold++;
            return false;
        }
        counts.put(new Key(host, refusal), new long[] {1});
        return true;
    }

    /** Every refused entry counted. */
    public long total() {
        return total;
    }

    /** Refused entries of combinations beyond {@link #MAX_SENDERS}, counted in the total only. */
    public long untold() {
        return untold;
    }

    /** The kept combinations, first seen first. */
    public List<Count> counts() {
        List<Count> list = new ArrayList<>(counts.size());
        counts.forEach((k, v) -> list.add(new Count(k.host(), k.refusal(), v[0])));
        return list;
    }
}
