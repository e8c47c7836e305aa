package io.nodeincidents.cli;

import io.nodeincidents.events.NodeEventExtractor;
import io.nodeincidents.ingest.entries.JournalEntries;
import io.nodeincidents.ingest.replay.LogReplay;
import io.nodeincidents.logs.LogFileReader;
import io.nodeincidents.logs.ReadOptions;
import io.nodeincidents.logs.ReadResult;
import io.nodeincidents.logs.RejectedLine;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.SourceKind;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * Reads log files for offline correlation and hands on the entries that can contribute to an event, one at a time,
 * with the time to process each at: its own event time, or for an entry without one the time of the timed entry before
 * it in its file. Nothing is collected: memory does not grow with the files.
 *
 * <p>Several files are read at once, one thread each with a short queue, and merged by that time (entries of equal
 * time in the order of the files), so a kernel log and a container runtime log of the same host, or the logs of
 * several hosts, correlate as if they had been shipped live side by side. Within a file the entries keep its order:
 * that is the order the decoders need (a kernel report's lines), and a host whose lines run behind is handled by the
 * topology's per-host clocks.
 */
final class MergedReading {

    /** Entries a reader thread may run ahead of the merge, in all: the queues hold whole entries. */
    private static final int QUEUED_ENTRIES = 4096;

    /** Receives the entries. */
    interface Sink {
        void accept(JournalEntry entry, long timeMs);
    }

    private final ReadOptions options;
    private final NodeEventExtractor extractor;
    private final Consumer<RejectedLine> rejects;

    /**
     * @param options   how to read (format, host, year, zone); the format is resolved per file
     * @param extractor what tells a line that can contribute to an event (thread-safe: its decoders are immutable)
     * @param rejects   receives unreadable lines, from any reading thread
     */
    MergedReading(ReadOptions options, NodeEventExtractor extractor, Consumer<RejectedLine> rejects) {
        this.options = options;
        this.extractor = extractor;
        this.rejects = rejects;
    }

    /** Reads {@code files} into {@code sink}; returns what each file gave, in the order of the files. */
    List<ReadResult> read(List<Path> files, Sink sink) throws IOException {
        if (files.size() == 1) {
            return List.of(readOne(files.get(0), sink));
        }
        return merge(files, sink);
    }

    /** One file, on this thread. */
    private ReadResult readOne(Path file, Sink sink) throws IOException {
        ReadOptions resolved = LogReplay.resolvedFormat(file, options);
        SourceKind kind = LogReplay.sourceKind(resolved.format());
        long[] previous = {0};
        return new LogFileReader().read(file, resolved, line -> {
            // a refused line goes on too: the correlator counts it
            if (extractor.concerns(line) || extractor.refusal(line) != null) {
                JournalEntry entry = JournalEntries.fromLogLine(line, kind);
                Long micros = entry.getRealtimeMicros();
                if (micros != null && micros >= 0) {
                    previous[0] = micros / 1000;
                }
                sink.accept(entry, previous[0]);
            }
        }, rejects);
    }

    /** What a reading thread hands the merge: an entry, or the end of its file (a result or what went wrong). */
    private record Item(JournalEntry entry, long timeMs, ReadResult result, Throwable failure) {
        boolean isEnd() {
            return entry == null;
        }
    }

    /** A file's next entry in the merge. */
    private record Head(int file, Item item) {
    }

    private List<ReadResult> merge(List<Path> files, Sink sink) throws IOException {
        int capacity = Math.max(16, QUEUED_ENTRIES / files.size());
        List<BlockingQueue<Item>> queues = new ArrayList<>(files.size());
        List<Thread> readers = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            BlockingQueue<Item> queue = new ArrayBlockingQueue<>(capacity);
            queues.add(queue);
            Path file = files.get(i);
            Thread reader = new Thread(() -> readInto(file, queue), "analyze-read-" + i);
            reader.setDaemon(true);
            readers.add(reader);
        }
        readers.forEach(Thread::start);
        ReadResult[] results = new ReadResult[files.size()];
        try {
            PriorityQueue<Head> heads = new PriorityQueue<>(Comparator.comparingLong((Head h) -> h.item().timeMs())
                    .thenComparingInt(Head::file));
            for (int i = 0; i < files.size(); i++) {
                next(i, queues, heads, results);
            }
            while (!heads.isEmpty()) {
                Head head = heads.poll();
                sink.accept(head.item().entry(), head.item().timeMs());
                next(head.file(), queues, heads, results);
            }
        } finally {
            readers.forEach(Thread::interrupt); // only those still running after a failure
        }
        return List.of(results);
    }

    /** Takes file {@code i}'s next entry into {@code heads}, or records its end. */
    private static void next(int i, List<BlockingQueue<Item>> queues, PriorityQueue<Head> heads, ReadResult[] results)
            throws IOException {
        Item item;
        try {
            item = queues.get(i).take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the files");
        }
        if (!item.isEnd()) {
            heads.add(new Head(i, item));
            return;
        }
        if (item.failure() instanceof IOException io) {
            throw io;
        }
        if (item.failure() instanceof RuntimeException re) {
            throw re;
        }
        if (item.failure() != null) {
            throw new IllegalStateException("reading failed", item.failure());
        }
        results[i] = item.result();
    }

    /** A reading thread: the file's entries, then its end. */
    private void readInto(Path file, BlockingQueue<Item> queue) {
        Item end;
        try {
            ReadResult result = readOne(file, (entry, timeMs) -> {
                try {
                    queue.put(new Item(entry, timeMs, null, null));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UncheckedIOException(new InterruptedIOException("reading " + file + " was stopped"));
                }
            });
            end = new Item(null, 0, result, null);
        } catch (IOException | RuntimeException | Error e) {
            if (Thread.currentThread().isInterrupted()) {
                return; // the merge gave up: nobody is waiting for this file
            }
            end = new Item(null, 0, null, e);
        }
        try {
            queue.put(end);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
