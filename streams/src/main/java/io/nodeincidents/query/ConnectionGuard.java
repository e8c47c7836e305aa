package io.nodeincidents.query;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query API's connection rules, which Jetty does not have built in:
 *
 * <ul>
 * <li>a read deadline: a client has {@code readTimeout} to send a complete request line and headers, counted from
 * the connection's opening and, on a kept-alive connection, from the first byte of the next request. Jetty's idle
 * timeout alone would let a client that sends a byte now and then keep a connection for ever.</li>
 * <li>a bound on open connections that never locks a newcomer out: at the bound, the connection that has waited
 * longest on its client (sending a request, idle between requests, or taking in an answer) is closed to make room.
 * A flood of slow connections therefore cannot keep a probe from connecting, as a refusing limit would. Connections
 * waiting on the server (a query queued or running) are never closed; there are at most threads + queued of
 * those, fewer than the bound.</li>
 * </ul>
 *
 * Jetty tells of connections opening and closing ({@link Connection.Listener}); the API's handler tells when a
 * request has arrived, when its answer is being written and when that is done.
 */
final class ConnectionGuard implements Connection.Listener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
    private static final long REPORT_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** What a connection waits for. */
    enum Phase {
        /** the client, to complete a request: the read deadline runs */
        READING,
        /** the server: the query is queued or running; never closed to make room */
        SERVING,
        /** the client, to take in the answer */
        WRITING,
        /** the client, to start another request (Jetty's idle timeout runs) */
        IDLE
    }

    private static final class State {
        volatile Phase phase = Phase.READING;
        volatile long since;
        volatile long bytesAtIdle;
        volatile boolean closing;

        State(long now) {
            since = now;
        }
    }

    private final int maxConnections;
    private final long readTimeoutNanos;
    private final Map<Connection, State> open = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;
    private int live;
    private final AtomicLong readTimeouts = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private long reportedTimeouts;
    private long reportedEvictions;
    private long lastReport;

    ConnectionGuard(int maxConnections, Duration readTimeout) {
        this.maxConnections = maxConnections;
        this.readTimeoutNanos = readTimeout.toNanos();
        this.lastReport = System.nanoTime();
        // a tenth of the deadline, within [50 ms, 500 ms]: a slow client is cut within 10% of its deadline
        long period = Math.max(50, Math.min(500, readTimeout.toMillis() / 10));
        this.sweeper = Executors.newSingleThreadScheduledExecutor(run -> {
            Thread thread = new Thread(run, "query-api-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onOpened(Connection connection) {
        State state = new State(System.nanoTime());
        Connection victim;
        synchronized (this) {
            open.put(connection, state);
            live++;
            victim = live > maxConnections ? longestWaiting() : null;
            if (victim != null) {
                markClosing(victim);
            }
        }
        if (victim != null) {
            evictions.incrementAndGet();
            cut(victim);
        }
    }

    @Override
    public void onClosed(Connection connection) {
        synchronized (this) {
            State state = open.remove(connection);
            if (state != null && !state.closing) {
                live--;
            }
        }
    }

    /** A request's line and headers have arrived: the server's turn. */
    void serving(Connection connection) {
        State state = open.get(connection);
        if (state != null) {
            state.phase = Phase.SERVING;
        }
    }

    /** The answer is being written: the client's turn to take it in. */
    void writing(Connection connection) {
        State state = open.get(connection);
        if (state != null) {
            state.since = System.nanoTime();
            state.phase = Phase.WRITING;
        }
    }

    /** The answer is written (or failed): the connection waits for the next request. */
    void idle(Connection connection) {
        State state = open.get(connection);
        if (state != null) {
            state.bytesAtIdle = connection.getBytesIn();
            state.since = System.nanoTime();
            state.phase = Phase.IDLE;
        }
    }

    /** Connections open and not being closed by this guard. */
    synchronized int live() {
        return live;
    }

    /** The connection waiting longest on its client; the newest itself when all others wait on the server. */
    private Connection longestWaiting() {
        Connection oldest = null;
        long oldestSince = Long.MAX_VALUE;
        for (Map.Entry<Connection, State> entry : open.entrySet()) {
            State state = entry.getValue();
            if (state.closing || state.phase == Phase.SERVING) {
                continue;
            }
            long since = state.since;
            if (oldest == null || since - oldestSince < 0) {
                oldest = entry.getKey();
                oldestSince = since;
            }
        }
        return oldest;
    }

    private void markClosing(Connection connection) {
        State state = open.get(connection);
        if (state != null && !state.closing) {
            state.closing = true;
            live--;
        }
    }

    /**
     * Closes the socket without a word: Connection.close() would have Jetty answer the half-read request with an
     * error first, a courtesy that a client too slow to send a request does not need.
     */
    private static void cut(Connection connection) {
        connection.getEndPoint().close();
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            for (Map.Entry<Connection, State> entry : open.entrySet()) {
                Connection connection = entry.getKey();
                State state = entry.getValue();
                if (state.phase == Phase.IDLE && connection.getBytesIn() > state.bytesAtIdle) {
                    // the next request has begun: its deadline runs from now
                    state.since = now;
                    state.phase = Phase.READING;
                } else if (state.phase == Phase.READING && !state.closing && now - state.since > readTimeoutNanos) {
                    synchronized (this) {
                        markClosing(connection);
                    }
                    readTimeouts.incrementAndGet();
                    cut(connection);
                }
            }
            report(now);
        } catch (RuntimeException e) {
            // the sweeper must outlive any one connection's failure
            LOG.warn("query API: checking connection deadlines failed", e);
        }
    }

    /** At most once a minute, so that a flood of slow clients does not flood the log too. */
    private void report(long now) {
        if (now - lastReport < REPORT_INTERVAL_NANOS) {
            return;
        }
        long timeouts = readTimeouts.get();
        long evicted = evictions.get();
        if (timeouts != reportedTimeouts || evicted != reportedEvictions) {
            LOG.warn("query API: in the last minute closed {} connections that sent no complete request within {}"
                    + " ms and {} to stay within {} connections", timeouts - reportedTimeouts,
                    TimeUnit.NANOSECONDS.toMillis(readTimeoutNanos), evicted - reportedEvictions, maxConnections);
            reportedTimeouts = timeouts;
            reportedEvictions = evicted;
        }
        lastReport = now;
    }

    /** Connections closed for missing the read deadline, since the start. */
    long readTimeouts() {
        return readTimeouts.get();
    }

    /** Connections closed to make room, since the start. */
    long evictions() {
        return evictions.get();
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
