package io.nodeincidents.correlation;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The entry identities seen within the dedup retention, in memory, for offline analysis: the same answers as the
 * streaming app's dedup window store (an identity is a repeat when it was remembered at an arrival time no older than
 * the retention), in memory that does not grow with a storm. A file's lines come in order, so the lines of one file
 * that arrived at one time are kept as one run of line numbers; journald cursors are kept one by one.
 *
 * <p>Arrival times must not go back (they are stream time).
 */
public final class SeenEntries {

    private final long retentionMs;
    /** The newest arrival remembered: the window store's observed stream time, which bounds what it still finds. */
    private long latestRemembered = Long.MIN_VALUE;
    /** Cursor identities and their arrival, oldest first. */
    private final LinkedHashMap<String, Long> cursors = new LinkedHashMap<>();
    /** Per host, boot and file: runs of consecutive lines remembered at one arrival time. */
    private final Map<String, FileRuns> files = new HashMap<>();
    /** Every file's runs, oldest arrival first: what expires first. */
    private final ArrayDeque<Run> byArrival = new ArrayDeque<>();

    private static final class Run {
        final String origin;
        final long first;
        long last;
        final long arrivalMs;

        Run(String origin, long first, long arrivalMs) {
            this.origin = origin;
            this.first = first;
            this.last = first;
            this.arrivalMs = arrivalMs;
        }
    }

    private static final class FileRuns {
        final TreeMap<Long, Run> byFirstLine = new TreeMap<>();
        Run latest;
    }

    public SeenEntries(Duration retention) {
        this.retentionMs = retention.toMillis();
    }

    /**
     * Whether {@code identity} arrives at {@code arrivalMs} for the first time within the retention; if so it is
     * remembered at that time (a repeat is not: the first arrival counts).
     */
    public boolean firstSighting(EntryIdentity identity, long arrivalMs) {
        // the window store finds what is no older than the retention before this arrival and than its newest entry
        long oldest = Math.max(arrivalMs - retentionMs, latestRemembered == Long.MIN_VALUE ? Long.MIN_VALUE
                : latestRemembered - retentionMs + 1);
        forgetBefore(oldest);
        boolean first = identity.cursor() != null ? rememberCursor(identity.origin() + '\u0000' + identity.cursor(),
                arrivalMs) : rememberLine(identity.origin(), identity.line(), arrivalMs);
        if (first) {
            latestRemembered = Math.max(latestRemembered, arrivalMs);
        }
        return first;
    }

    private boolean rememberCursor(String key, long arrivalMs) {
        if (cursors.containsKey(key)) {
            return false;
        }
        cursors.put(key, arrivalMs);
        return true;
    }

    private boolean rememberLine(String origin, long line, long arrivalMs) {
        FileRuns runs = files.computeIfAbsent(origin, o -> new FileRuns());
        Map.Entry<Long, Run> floor = runs.byFirstLine.floorEntry(line);
        if (floor != null && floor.getValue().last >= line) {
            return false;
        }
        Run latest = runs.latest;
        if (latest != null && latest.arrivalMs == arrivalMs && latest.last == line - 1
                && runs.byFirstLine.get(latest.first) == latest) {
            latest.last = line; // no remembered run holds this line, so none starts right after the latest
            return true;
        }
        Run run = new Run(origin, line, arrivalMs);
        runs.byFirstLine.put(line, run);
        runs.latest = run;
        byArrival.addLast(run);
        return true;
    }

    /** Forgets what arrived before {@code oldestMs}: the store would not find it any more. */
    private void forgetBefore(long oldestMs) {
        for (Iterator<Long> it = cursors.values().iterator(); it.hasNext(); ) {
            if (it.next() >= oldestMs) {
                break;
            }
            it.remove();
        }
        while (!byArrival.isEmpty() && byArrival.peekFirst().arrivalMs < oldestMs) {
            Run run = byArrival.pollFirst();
            FileRuns runs = files.get(run.origin);
            runs.byFirstLine.remove(run.first, run);
            if (runs.latest == run) {
                runs.latest = null;
            }
            if (runs.byFirstLine.isEmpty()) {
                files.remove(run.origin);
            }
        }
    }

    /** Identities and runs of lines held: what memory this takes. */
    public int size() {
        return cursors.size() + byArrival.size();
    }
}
