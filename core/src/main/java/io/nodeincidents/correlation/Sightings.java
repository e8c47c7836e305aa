package io.nodeincidents.correlation;

/**
 * The memory of entries seen before, for dropping repeats (a shipper restart re-sends the entries after its last saved
 * cursor; a file may be replayed twice): in memory offline ({@link SeenEntries}), a window store in the streaming app.
 */
public interface Sightings {

    /**
     * Whether {@code identity} arrives at {@code arrivalMs} (stream time) for the first time within the dedup
     * retention; if so it is remembered at that time.
     */
    boolean firstSighting(EntryIdentity identity, long arrivalMs);
}
