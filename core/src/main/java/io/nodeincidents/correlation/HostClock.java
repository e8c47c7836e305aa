package io.nodeincidents.correlation;

/**
 * One host's own event-time clock. Several hosts share a partition, and the task's stream time is the newest event
 * time of any of them; a host whose entries run behind the others' (a log of last month replayed into a live system,
 * hosts' files replayed one after another) would see its pending reports cut, its runtime failures dropped as late and
 * its incidents resolved at once if it were judged by that. So each host keeps its own time: the newest event time
 * seen for it, moved on by the stream time that passed since, while the host is quiet. When every host is live (their
 * entries set stream time), a host's time is the stream time.
 *
 * <p>Never goes back and never runs ahead of stream time (an entry is never ahead of the stream time it is processed
 * at). A host without a clock (new, or quiet for longer than the clocks are kept) starts from its next entry's time.
 *
 * @param eventTimeMs  the host's time when stream time was {@code streamTimeMs}: its newest entry's event time, or
 *                     later when stream time moved on since
 * @param streamTimeMs the task's stream time when the host last logged
 */
public record HostClock(long eventTimeMs, long streamTimeMs) {

    /** The clock of a host first seen with an entry at {@code entryTimeMs}, at stream time {@code streamNowMs}. */
    public static HostClock start(long entryTimeMs, long streamNowMs) {
        return new HostClock(entryTimeMs, streamNowMs);
    }

    /** The host's time when the task's stream time is {@code streamNowMs}. */
    public long now(long streamNowMs) {
        return eventTimeMs + Math.max(0, streamNowMs - streamTimeMs);
    }

    /**
     * The clock after an entry of the host at {@code entryTimeMs}, processed at stream time {@code streamNowMs}: the
     * entry's time if it is ahead of the host's time, else the host's time (a late entry does not turn it back).
     */
    public HostClock observe(long entryTimeMs, long streamNowMs) {
        return new HostClock(Math.max(now(streamNowMs), entryTimeMs), Math.max(streamTimeMs, streamNowMs));
    }

    /**
     * How far the host's time runs behind stream time (from the stream time of this reading on). It only shrinks, as the
     * host's entries catch up; two readings with the same lag agree on the host's time at any later stream time.
     */
    public long lagMs() {
        return streamTimeMs - eventTimeMs;
    }

    /** The host's time at stream time {@code streamNowMs}, or stream time itself for a host without a clock. */
    public static long now(HostClock clock, long streamNowMs) {
        return clock == null ? streamNowMs : clock.now(streamNowMs);
    }
}
