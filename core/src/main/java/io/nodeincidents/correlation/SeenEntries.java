package io.nodeincidents.correlation;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The entry identities seen within the dedup retention, in memory, for offline analysis: the same answers as the
 * streaming app's dedup window store (an identity is a repeat when it was remembered at an arrival time no older than
 * the retention), in memory that does not grow with a storm or with a fleet's interleaved lines.
 *
 * <p>A file's lines and a journal's sequence numbers ({@code s=...;i=...} in the cursor) count up, so what is
 * remembered per origin is an array of runs of consecutive numbers, one arrival time each, in the order they came:
 * 24 bytes per run, found by binary search, expired from the front. A number that comes after a greater one (a file
 * read twice after the first copy was forgotten, a journal out of order) is kept aside in a map. A cursor that names
 * no sequence number is kept as a string.
 *
 * <p>Arrival times must not go back (they are stream time).
 */
public final class SeenEntries implements Sightings {

    /** How many sightings pass between sweeps of the origins no entry touched lately. */
    private static final int SWEEP_EVERY = 1 << 16;

    private final long retentionMs;
    /** The newest arrival remembered: the window store's observed stream time, which bounds what it still finds. */
    private long latestRemembered = Long.MIN_VALUE;
    /** Cursors without a sequence number and their arrival, oldest first. */
    private final LinkedHashMap<String, Long> cursors = new LinkedHashMap<>();
    /** Per origin (host, boot and file, or host, boot and journal sequence): the numbers remembered. */
    private final Map<String, Numbers> origins = new HashMap<>();
    private int sinceSweep;

    public SeenEntries(Duration retention) {
        this.retentionMs = retention.toMillis();
    }

    /**
     * Whether {@code identity} arrives at {@code arrivalMs} for the first time within the retention; if so it is
     * remembered at that time (a repeat is not: the first arrival counts).
     */
    @Override
    public boolean firstSighting(EntryIdentity identity, long arrivalMs) {
        // the window store finds what is no older than the retention before this arrival and than its newest entry
        long oldest = Math.max(arrivalMs - retentionMs, latestRemembered == Long.MIN_VALUE ? Long.MIN_VALUE
                : latestRemembered - retentionMs + 1);
        if (++sinceSweep >= SWEEP_EVERY) {
            sinceSweep = 0;
            sweep(oldest);
        }
        boolean first;
        if (identity.cursor() == null) {
            first = rememberNumber(identity.origin(), identity.line(), arrivalMs, oldest);
        } else {
            JournalSequence sequence = JournalSequence.of(identity.cursor());
            first = sequence == null ? rememberCursor(identity.origin() + '\u0000' + identity.cursor(), arrivalMs,
                    oldest) : rememberNumber(identity.origin() + "\u0000s\u0000" + sequence.id(), sequence.number(),
                    arrivalMs, oldest);
        }
        if (first) {
            latestRemembered = Math.max(latestRemembered, arrivalMs);
        }
        return first;
    }

    private boolean rememberCursor(String key, long arrivalMs, long oldest) {
        forgetCursorsBefore(oldest);
        if (cursors.containsKey(key)) {
            return false;
        }
        cursors.put(key, arrivalMs);
        return true;
    }

    private boolean rememberNumber(String origin, long number, long arrivalMs, long oldest) {
        Numbers numbers = origins.get(origin);
        if (numbers == null) {
            numbers = new Numbers();
            origins.put(origin, numbers);
        }
        numbers.forgetBefore(oldest);
        if (numbers.contains(number)) {
            return false;
        }
        numbers.add(number, arrivalMs);
        return true;
    }

    /** Forgets, in every origin, what the store would not find any more, and the origins left empty. */
    private void sweep(long oldest) {
        for (Iterator<Numbers> it = origins.values().iterator(); it.hasNext(); ) {
            Numbers numbers = it.next();
            numbers.forgetBefore(oldest);
            if (numbers.isEmpty()) {
                it.remove();
            }
        }
        forgetCursorsBefore(oldest);
    }

    private void forgetCursorsBefore(long oldest) {
        for (Iterator<Long> it = cursors.values().iterator(); it.hasNext(); ) {
            if (it.next() >= oldest) {
                break;
            }
            it.remove();
        }
    }

    /** Runs of numbers and the numbers kept aside: what memory this takes. */
    public int size() {
        int size = cursors.size();
        for (Numbers numbers : origins.values()) {
            size += numbers.size();
        }
        return size;
    }

    /** A journal cursor's sequence number id and number ({@code s=} and {@code i=}), which name its entry. */
    record JournalSequence(String id, long number) {

        static JournalSequence of(String cursor) {
            String id = null;
            long number = -1;
            int start = 0;
            while (start < cursor.length()) {
                int end = cursor.indexOf(';', start);
                if (end < 0) {
                    end = cursor.length();
                }
                if (cursor.startsWith("s=", start)) {
                    id = cursor.substring(start + 2, end);
                } else if (cursor.startsWith("i=", start) && end - start - 2 <= 15 && end - start > 2) {
                    try {
                        number = Long.parseLong(cursor, start + 2, end, 16);
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }
                start = end + 1;
            }
            return id == null || id.isEmpty() || number < 0 ? null : new JournalSequence(id, number);
        }
    }

    /** The numbers of one origin remembered within the retention. */
    private static final class Numbers {
        /** Runs in the order they came, which is also ascending number order: [head, tail) of the arrays. */
        private long[] first = new long[4];
        private long[] last = new long[4];
        private long[] arrival = new long[4];
        private int head;
        private int tail;
        /** Numbers that came after a greater one, by number, and the same in arrival order. */
        private TreeMap<Long, Long> aside;
        private ArrayDeque<Long> asideByArrival;

        boolean isEmpty() {
            return head == tail && (aside == null || aside.isEmpty());
        }

        int size() {
            return tail - head + (aside == null ? 0 : aside.size());
        }

        void forgetBefore(long oldest) {
            while (head < tail && arrival[head] < oldest) {
                head++;
            }
            if (head == tail) {
                head = 0;
                tail = 0;
            }
            while (asideByArrival != null && !asideByArrival.isEmpty()) {
                Long number = asideByArrival.peekFirst();
                Long at = aside.get(number);
                if (at != null && at >= oldest) {
                    break;
                }
                asideByArrival.pollFirst();
                aside.remove(number, at);
            }
        }

        boolean contains(long number) {
            int lo = head;
            int hi = tail - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (first[mid] <= number) {
                    if (last[mid] >= number) {
                        return true;
                    }
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return aside != null && aside.containsKey(number);
        }

        void add(long number, long arrivalMs) {
            if (tail > head && number <= last[tail - 1]) {
                if (aside == null) {
                    aside = new TreeMap<>();
                    asideByArrival = new ArrayDeque<>();
                }
                aside.put(number, arrivalMs);
                asideByArrival.addLast(number);
                return;
            }
            if (tail > head && arrival[tail - 1] == arrivalMs && last[tail - 1] == number - 1) {
                last[tail - 1] = number;
                return;
            }
            if (tail == first.length) {
                makeRoom();
            }
            first[tail] = number;
            last[tail] = number;
            arrival[tail] = arrivalMs;
            tail++;
        }

        /** Moves the live runs to the front, growing the arrays when they are more than half full. */
        private void makeRoom() {
            int live = tail - head;
            int capacity = live * 2 > first.length ? first.length * 2 : first.length;
            first = moved(first, capacity);
            last = moved(last, capacity);
            arrival = moved(arrival, capacity);
            head = 0;
            tail = live;
        }

        private long[] moved(long[] array, int capacity) {
            long[] to = capacity == array.length ? array : new long[capacity];
            System.arraycopy(array, head, to, 0, tail - head);
            if (to == array) {
                Arrays.fill(array, tail - head, tail, 0L);
            }
            return to;
        }
    }
}
