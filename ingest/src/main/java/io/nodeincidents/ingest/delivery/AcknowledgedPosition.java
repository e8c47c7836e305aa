package io.nodeincidents.ingest.delivery;

import java.util.Optional;

/**
 * Tracks which journal position is safe to save: the cursor of the newest entry such that it and every entry read
 * before it were acknowledged by Kafka (or deliberately skipped). Acknowledgements may arrive out of order; the
 * safe position only moves over a contiguous acknowledged prefix, which is what makes "saved after acknowledged"
 * true even when a later batch is acknowledged before an earlier one is retried.
 *
 * <p>Not thread-safe: the shipper calls it under its own lock. Entries in flight sit in a ring indexed by
 * sequence number, so reading and acknowledging are O(1).
 */
public final class AcknowledgedPosition {

    private String[] cursors = new String[1024];
    private boolean[] done = new boolean[1024];
    /** Sequence number of the oldest entry in flight. */
    private long head;
    /** Sequence number the next read entry gets. */
    private long tail;
    private String safeCursor;
    private boolean advanced;

    public AcknowledgedPosition(String startCursor) {
        this.safeCursor = startCursor;
    }

    /**
     * Registers an entry read from the journal, in reading order.
     *
     * @param cursor its journal cursor, or null for an entry without one (it then never becomes the saved position)
     * @return its sequence number, to pass to {@link #acknowledge}
     */
    public long read(String cursor) {
        if (tail - head == cursors.length) {
            grow();
        }
        int slot = slot(tail);
        cursors[slot] = cursor;
        done[slot] = false;
        return tail++;
    }

    /** Marks an entry delivered (or skipped on purpose). Unknown or repeated sequence numbers are ignored. */
    public void acknowledge(long sequence) {
        if (sequence < head || sequence >= tail) {
            return;
        }
        done[slot(sequence)] = true;
        while (head < tail && done[slot(head)]) {
            int slot = slot(head);
            if (cursors[slot] != null) {
                safeCursor = cursors[slot];
                advanced = true;
            }
            cursors[slot] = null;
            head++;
        }
    }

    /** Entries read but not yet acknowledged (with every entry after the oldest of them). */
    public int pending() {
        return (int) (tail - head);
    }

    /** The cursor safe to save now; empty before anything was ever saved or acknowledged. */
    public Optional<String> safeCursor() {
        return Optional.ofNullable(safeCursor);
    }

    /** True once when the safe cursor moved since the last call: the shipper saves only then. */
    public boolean takeAdvanced() {
        boolean result = advanced;
        advanced = false;
        return result;
    }

    /**
     * Moves the safe position over entries the journal filter skipped, known to end at {@code cursor}. Allowed only
     * when nothing is in flight: otherwise an unacknowledged entry would be jumped over.
     *
     * @return true when the position moved
     */
    public boolean skipTo(String cursor) {
        if (head != tail || cursor == null || cursor.equals(safeCursor)) {
            return false;
        }
        safeCursor = cursor;
        advanced = true;
        return true;
    }

    private int slot(long sequence) {
        return (int) (sequence % cursors.length);
    }

    private void grow() {
        int size = cursors.length;
        String[] newCursors = new String[size * 2];
        boolean[] newDone = new boolean[size * 2];
        for (long s = head; s < tail; s++) {
            int from = (int) (s % size);
            int to = (int) (s % (size * 2));
            newCursors[to] = cursors[from];
            newDone[to] = done[from];
        }
        cursors = newCursors;
        done = newDone;
    }
}
