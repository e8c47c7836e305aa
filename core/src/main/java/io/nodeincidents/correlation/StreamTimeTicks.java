package io.nodeincidents.correlation;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.function.LongConsumer;

/**
 * Stream-time ticks as Kafka Streams fires its stream-time punctuators, for running the steps without it: each tick
 * is due at multiples of its interval, fires once with the current stream time when stream time reaches it (however
 * many intervals were skipped), and ticks due together fire in the order a Streams task's punctuation queue (a
 * {@link PriorityQueue} by due time) gives them.
 */
public final class StreamTimeTicks {

    private record Tick(long dueMs, long intervalMs, LongConsumer action) implements Comparable<Tick> {
        Tick next(long streamTimeMs) {
            long next = dueMs + intervalMs;
            if (streamTimeMs >= next) {
                next = dueMs + ((streamTimeMs - dueMs) / intervalMs + 1) * intervalMs;
            }
            return new Tick(next, intervalMs, action);
        }

        @Override
        public int compareTo(Tick other) {
            return Long.compare(dueMs, other.dueMs);
        }
    }

    private final PriorityQueue<Tick> queue = new PriorityQueue<>();

    /** Adds a tick every {@code interval} of stream time, from stream time 0 on; ticks added first go first. */
    public void every(Duration interval, LongConsumer action) {
        queue.add(new Tick(0, interval.toMillis(), action));
    }

    /** Stream time is now {@code streamTimeMs}: fires every tick due. */
    public void advance(long streamTimeMs) {
        Tick top = queue.peek();
        while (top != null && top.dueMs() <= streamTimeMs) {
            queue.poll();
            top.action().accept(streamTimeMs);
            queue.add(top.next(streamTimeMs));
            top = queue.peek();
        }
    }
}
