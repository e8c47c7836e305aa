package io.nodeincidents.ingest.ship;

import io.nodeincidents.ingest.cursor.CursorStore;
import io.nodeincidents.ingest.delivery.AcknowledgedPosition;
import io.nodeincidents.ingest.entries.JournalLineDecoder;
import io.nodeincidents.ingest.journal.BoundedLineReader;
import io.nodeincidents.ingest.journal.JournalCursor;
import io.nodeincidents.ingest.journal.JournalFilter;
import io.nodeincidents.ingest.journal.Journalctl;
import io.nodeincidents.ingest.journal.JournalctlInvocation;
import io.nodeincidents.ingest.journal.JournalctlInvocation.StartPosition;
import io.nodeincidents.logs.MalformedEntryException;
import io.nodeincidents.schemas.JournalEntry;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the journal through {@code journalctl -o json --follow} and produces every entry to Kafka without ever
 * losing one:
 * <ul>
 *   <li>the cursor file only ever holds a position up to which Kafka acknowledged every entry
 *       ({@link AcknowledgedPosition}), written atomically ({@link CursorStore}); after a crash at any moment a restart
 *       repeats at most the entries that were in flight or acknowledged but not yet saved;</li>
 *   <li>a bounded in-flight window (entries and bytes) is the backpressure: while Kafka is slow or down, the shipper
 *       stops reading journalctl, and memory stays bounded;</li>
 *   <li>a delivery Kafka finally refuses makes the shipper wait for everything in flight, then read the journal again
 *       from the last acknowledged position (duplicates, never a gap);</li>
 *   <li>when idle with nothing in flight, the position moves over entries the filter skipped, but only after
 *       journalctl confirmed that no matching entry exists after the last shipped one;</li>
 *   <li>journalctl ending is answered by starting it again after a backoff, from the last entry read; a saved cursor
 *       the journal no longer holds (vacuumed) makes it start from the oldest entry, with a warning.</li>
 * </ul>
 */
public final class JournalShipper {

    /** The host this machine's kernel entries carry (journald's _HOSTNAME), once one was shipped. */
    private volatile String kernelHost;

    private static final Logger LOG = LoggerFactory.getLogger(JournalShipper.class);

    /**
     * How the shipper behaves.
     *
     * @param firstStart              where to start without a saved cursor: {@link StartPosition.Now},
     *                                {@link StartPosition.Since} or {@link StartPosition.Beginning}
     * @param filter                  which entries journalctl lets through
     * @param follow                  keep following; false ships what the journal holds and returns
     * @param maxLineBytes            longest journalctl line kept whole; longer ones are salvaged and truncated
     * @param maxInFlightEntries      entries sent and not acknowledged, at most
     * @param maxInFlightBytes        their size (as JSON lines), at most
     * @param idleBeforeCursorAdvance how long journalctl must be quiet before the position moves over filtered entries
     * @param cursorSaveInterval      how often the cursor file is written when the position moved
     * @param statusInterval          how often a status line is logged (zero: never)
     * @param restartBackoffMin       first wait before starting journalctl (or the registry check) again
     * @param restartBackoffMax       longest such wait
     * @param shutdownTimeout         how long a stop waits for entries in flight to be acknowledged
     */
    public record Options(StartPosition firstStart, JournalFilter filter, boolean follow, int maxLineBytes,
                          int maxInFlightEntries, long maxInFlightBytes, Duration idleBeforeCursorAdvance,
                          Duration cursorSaveInterval, Duration statusInterval, Duration restartBackoffMin,
                          Duration restartBackoffMax, Duration shutdownTimeout) {
        public Options {
            Objects.requireNonNull(firstStart, "firstStart");
            Objects.requireNonNull(filter, "filter");
            if (firstStart instanceof StartPosition.AfterCursor) {
                throw new IllegalArgumentException("the first start comes from the cursor file, not the options");
            }
            if (maxLineBytes < 1024 || maxInFlightEntries < 1 || maxInFlightBytes < 1024) {
                throw new IllegalArgumentException("limits too small");
            }
        }

        /**
         * The production defaults (those of {@link ShipperSettings}) for tests and embedding: follow from now,
         * default filter, 10,000 entries / 16 MiB in flight, the cursor saved every 500 ms.
         */
        public static Options defaults() {
            return ShipperSettings.defaults().options(new StartPosition.Now(), JournalFilter.defaults(), true);
        }

        public Options withFirstStart(StartPosition start) {
            return new Options(start, filter, follow, maxLineBytes, maxInFlightEntries, maxInFlightBytes,
                    idleBeforeCursorAdvance, cursorSaveInterval, statusInterval, restartBackoffMin, restartBackoffMax,
                    shutdownTimeout);
        }

        public Options withFilter(JournalFilter newFilter) {
            return new Options(firstStart, newFilter, follow, maxLineBytes, maxInFlightEntries, maxInFlightBytes,
                    idleBeforeCursorAdvance, cursorSaveInterval, statusInterval, restartBackoffMin, restartBackoffMax,
                    shutdownTimeout);
        }

        public Options withFollow(boolean newFollow) {
            return new Options(firstStart, filter, newFollow, maxLineBytes, maxInFlightEntries, maxInFlightBytes,
                    idleBeforeCursorAdvance, cursorSaveInterval, statusInterval, restartBackoffMin, restartBackoffMax,
                    shutdownTimeout);
        }

        public Options withInFlight(int entries, long bytes) {
            return new Options(firstStart, filter, follow, maxLineBytes, entries, bytes, idleBeforeCursorAdvance,
                    cursorSaveInterval, statusInterval, restartBackoffMin, restartBackoffMax, shutdownTimeout);
        }

        public Options withIdleBeforeCursorAdvance(Duration idle) {
            return new Options(firstStart, filter, follow, maxLineBytes, maxInFlightEntries, maxInFlightBytes, idle,
                    cursorSaveInterval, statusInterval, restartBackoffMin, restartBackoffMax, shutdownTimeout);
        }

        public Options withMaxLineBytes(int bytes) {
            return new Options(firstStart, filter, follow, bytes, maxInFlightEntries, maxInFlightBytes,
                    idleBeforeCursorAdvance, cursorSaveInterval, statusInterval, restartBackoffMin, restartBackoffMax,
                    shutdownTimeout);
        }
    }

    /** A check that must pass before reading starts (the schema registry answering); retried with backoff. */
    @FunctionalInterface
    public interface StartupCheck {
        void check() throws Exception;
    }

    private final Journalctl journalctl;
    private final Options options;
    private final Producer<String, JournalEntry> producer;
    private final String topic;
    private final CursorStore cursorStore;
    private final JournalLineDecoder decoder;
    private final ShipperMetrics metrics;
    private final StartupCheck startupCheck;

    private final Object lock = new Object();
    /** Guarded by lock. */
    private AcknowledgedPosition position;
    /** Guarded by lock; callbacks of an older generation (before a rewind) are ignored. */
    private long generation;
    /** Cursor of the last entry read (or skipped to); guarded by lock. */
    private String lastRead;
    /** lastRead parsed, for the filtered count, valid while lastReadParsedFrom is lastRead; guarded by lock. */
    private JournalCursor lastReadParsed;
    private String lastReadParsedFrom;

    private final Object saveLock = new Object();
    private String lastSaved;

    private final Semaphore entryPermits;
    private final Semaphore kibPermits;
    private final int maxKib;
    private final AtomicLong outstanding = new AtomicLong();
    private final AtomicReference<Exception> deliveryFailure = new AtomicReference<>();
    private volatile boolean stopping;
    private volatile boolean interruptibleInKafka;
    private volatile Thread readerThread;
    private volatile Journalctl.Running current;
    private volatile long lastLineNanos = System.nanoTime();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicLong loggedFailures = new AtomicLong();

    public JournalShipper(Journalctl journalctl, Options options, Producer<String, JournalEntry> producer,
                          String topic, CursorStore cursorStore, JournalLineDecoder decoder, ShipperMetrics metrics,
                          StartupCheck startupCheck) {
        this.journalctl = journalctl;
        this.options = options;
        this.producer = producer;
        this.topic = topic;
        this.cursorStore = cursorStore;
        this.decoder = decoder;
        this.metrics = metrics;
        this.startupCheck = startupCheck == null ? () -> { } : startupCheck;
        this.entryPermits = new Semaphore(options.maxInFlightEntries());
        this.maxKib = (int) Math.max(1, Math.min(Integer.MAX_VALUE, options.maxInFlightBytes() / 1024));
        this.kibPermits = new Semaphore(maxKib);
        metrics.inFlight(outstanding::get);
    }

    /**
     * Ships until {@link #stop()} (or, without follow, until the journal's end was shipped), then waits for entries
     * in flight up to the shutdown timeout and saves the cursor.
     *
     * @throws CursorStore.CorruptCursorException when the cursor file holds something else
     */
    public void run() throws IOException, InterruptedException {
        readerThread = Thread.currentThread();
        Optional<String> saved = cursorStore.load();
        synchronized (lock) {
            position = new AcknowledgedPosition(saved.orElse(null));
            lastRead = saved.orElse(null);
        }
        saved.ifPresent(cursor -> {
            lastSaved = cursor;
            metrics.saved(cursor);
        });
        ScheduledExecutorService housekeeping = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "shipper-housekeeping");
            t.setDaemon(true);
            return t;
        });
        try {
            housekeeping.scheduleWithFixedDelay(this::saveQuietly, options.cursorSaveInterval().toMillis(),
                    options.cursorSaveInterval().toMillis(), TimeUnit.MILLISECONDS);
            if (!options.statusInterval().isZero()) {
                housekeeping.scheduleAtFixedRate(() -> LOG.info("ship: {}", metrics.statusLine(outstanding.get())),
                        options.statusInterval().toMillis(), options.statusInterval().toMillis(),
                        TimeUnit.MILLISECONDS);
            }
            if (options.follow() && !options.filter().all()) {
                long every = Math.max(200, options.idleBeforeCursorAdvance().toMillis() / 2);
                housekeeping.scheduleWithFixedDelay(this::advanceOverFilteredQuietly, every, every,
                        TimeUnit.MILLISECONDS);
            }
            if (retrying("schema registry check", startupCheck) && prepareFirstStart()) {
                follow();
            }
        } finally {
            drain();
            housekeeping.shutdownNow();
            housekeeping.awaitTermination(5, TimeUnit.SECONDS);
            saveQuietly();
            LOG.info("ship: stopped; {}", metrics.statusLine(outstanding.get()));
            finished.countDown();
        }
    }

    /**
     * Asks the shipper to stop: journalctl is stopped, entries in flight get the shutdown timeout to be acknowledged,
     * the cursor is saved, and {@link #run()} returns. Safe to call from any thread, any number of times.
     */
    public void stop() {
        stopping = true;
        Journalctl.Running running = current;
        if (running != null) {
            running.close();
        }
        Thread reader = readerThread;
        if (reader != null && interruptibleInKafka) {
            // blocked in send() on missing metadata or waiting for window room: give up on that entry (it is not
            // acknowledged, so the cursor stays before it)
            reader.interrupt();
        }
    }

    /** Waits until {@link #run()} returned. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Turns "from now" into "after the newest entry" and saves it, so a crash before the first entry loses nothing. */
    private boolean prepareFirstStart() throws InterruptedException {
        String startCursor;
        synchronized (lock) {
            startCursor = lastRead;
        }
        if (startCursor != null || !(options.firstStart() instanceof StartPosition.Now)) {
            return true;
        }
        AtomicReference<Optional<String>> newest = new AtomicReference<>();
        if (!retrying("reading the journal's newest entry", () -> newest.set(journalctl.newestCursor()))) {
            return false;
        }
        newest.get().ifPresent(cursor -> {
            synchronized (lock) {
                position.skipTo(cursor);
                lastRead = cursor;
            }
            saveQuietly();
        });
        return true;
    }

    private void follow() throws InterruptedException {
        Duration backoff = options.restartBackoffMin();
        while (!stopping) {
            if (deliveryFailure.get() != null) {
                rewind();
                continue;
            }
            StartPosition start;
            try {
                start = startPosition();
            } catch (IOException e) {
                metrics.restarted();
                LOG.warn("ship: cannot query journalctl ({}); trying again in {} s", e.getMessage(),
                        backoff.toSeconds());
                sleep(backoff);
                backoff = longer(backoff);
                continue;
            }
            JournalctlInvocation invocation = new JournalctlInvocation(binary(), journalctl.source(), start,
                    options.filter(), options.follow());
            long read = 0;
            int status;
            String stderr;
            try (Journalctl.Running running = journalctl.start(invocation, options.maxLineBytes())) {
                current = running;
                if (stopping) {
                    break;
                }
                LOG.info("ship: reading journalctl (pid {}) from {}", running.pid(), describe(start));
                read = readAll(running, start instanceof StartPosition.AtCursor at ? at.cursor() : null);
                status = running.exitStatus(Duration.ofSeconds(1));
                stderr = running.stderrTail();
            } catch (IOException e) {
                status = -1;
                stderr = e.getMessage();
            } finally {
                current = null;
            }
            if (stopping || deliveryFailure.get() != null) {
                continue;
            }
            if (!options.follow() && status == 0) {
                finishOneShot();
                return;
            }
            if (read > 0) {
                backoff = options.restartBackoffMin();
            }
            metrics.restarted();
            LOG.warn("ship: journalctl ended (status {}{}) after {} entries; starting it again in {} ms", status,
                    stderr == null || stderr.isEmpty() ? "" : ": " + stderr, read, backoff.toMillis());
            sleep(backoff);
            backoff = longer(backoff);
        }
    }

    /** Without follow: everything read was sent; wait for it, move over the filtered tail, save. */
    private void finishOneShot() {
        producer.flush();
        if (!options.filter().all()) {
            advanceOverFilteredQuietly();
        }
        saveQuietly();
    }

    private String binary() {
        return journalctl.binary();
    }

    /** Where journalctl starts this time: after the last entry read, or the oldest entry if that one is gone. */
    private StartPosition startPosition() throws IOException {
        String from;
        synchronized (lock) {
            from = lastRead;
        }
        if (from == null) {
            // "now" was turned into a cursor unless the journal was empty then: all it holds now is new
            return options.firstStart() instanceof StartPosition.Now ? new StartPosition.Beginning()
                    : options.firstStart();
        }
        Optional<String> there = journalctl.firstCursorFrom(from);
        if (there.isPresent() && JournalCursor.sameEntry(there.get(), from)) {
            // at, not after: readAll drops the entry itself (see StartPosition.AtCursor)
            return new StartPosition.AtCursor(from);
        }
        // --after-cursor would skip the first entry still there as if it were ours: start from the oldest instead
        metrics.cursorLost();
        LOG.warn("ship: the journal no longer holds the entry at cursor {} (vacuumed or rotated away); "
                + "reading again from the oldest entry it holds, some entries may repeat", from);
        return new StartPosition.Beginning();
    }

    private long readAll(Journalctl.Running running, String alreadyShipped) throws IOException,
            InterruptedException {
        long read = 0;
        boolean first = true;
        while (!stopping && deliveryFailure.get() == null) {
            BoundedLineReader.Line line = running.readLine();
            if (line == null) {
                return read;
            }
            lastLineNanos = System.nanoTime();
            read++;
            JournalLineDecoder.Decoded decoded;
            try {
                decoded = decoder.decode(line.bytes(), line.length(), line.truncated());
            } catch (MalformedEntryException | IllegalArgumentException e) {
                metrics.read();
                metrics.failed();
                logFailure("ship: journalctl printed a line that is no journal entry ({}), skipped: {}",
                        e.getMessage(), excerpt(line));
                continue;
            }
            if (first && alreadyShipped != null && JournalCursor.sameEntry(decoded.cursor(), alreadyShipped)) {
                // journalctl started at the entry of the saved cursor: it was shipped (or skipped) already
                first = false;
                read--;
                continue;
            }
            first = false;
            metrics.read();
            if (decoded.entry().getTruncated()) {
                metrics.truncated();
            }
            ship(decoded, line.length());
        }
        return read;
    }

    /**
     * The host of the kernel entries shipped so far (journald's _HOSTNAME of this machine), empty before the first:
     * what the node's other records, its memory samples, must be keyed by to meet its entries.
     */
    public Optional<String> kernelHost() {
        return Optional.ofNullable(kernelHost);
    }

    private void ship(JournalLineDecoder.Decoded decoded, int weight) throws InterruptedException {
        int kib = Math.min(maxKib, Math.max(1, (weight + 1023) / 1024));
        if (!acquire(entryPermits, 1)) {
            return;
        }
        if (!acquire(kibPermits, kib)) {
            entryPermits.release();
            return;
        }
        long sequence;
        long gen;
        synchronized (lock) {
            if (decoded.cursor() != null) {
                JournalCursor now = JournalCursor.parse(decoded.cursor());
                if (lastRead != null) {
                    metrics.filtered(JournalCursor.entriesBetween(lastReadParsed(), now));
                }
                lastRead = decoded.cursor();
                lastReadParsed = now;
                lastReadParsedFrom = lastRead;
            }
            sequence = position.read(decoded.cursor());
            gen = generation;
        }
        JournalEntry entry = decoded.entry();
        if (entry.getHost() != null && "kernel".equals(String.valueOf(entry.getTransport()))) {
            kernelHost = entry.getHost();
        }
        // no record timestamp: the time of producing, so retention never deletes an old entry on arrival
        ProducerRecord<String, JournalEntry> record = new ProducerRecord<>(topic, entry.getHost(), entry);
        Long realtime = entry.getRealtimeMicros();
        Callback callback = (metadata, error) -> {
            try {
                if (error == null) {
                    synchronized (lock) {
                        if (gen == generation) {
                            position.acknowledge(sequence);
                        }
                    }
                    metrics.shipped(realtime);
                } else {
                    metrics.failed();
                    deliveryFailure.compareAndSet(null, error);
                }
            } finally {
                entryPermits.release();
                kibPermits.release(kib);
                outstanding.decrementAndGet();
            }
        };
        outstanding.incrementAndGet();
        Duration backoff = options.restartBackoffMin();
        while (true) {
            try {
                interruptibleInKafka = true;
                if (stopping) {
                    throw new InterruptException("stopping");
                }
                producer.send(record, callback);
                return;
            } catch (InterruptException e) {
                Thread.interrupted();
                if (stopping) {
                    // not sent and never acknowledged: the saved position stays before it
                    unsent(kib);
                    return;
                }
            } catch (KafkaException e) {
                // serialization needs the schema registry; the entry waits here (and the journal behind it)
                metrics.failed();
                logFailure("ship: cannot send entry {} ({}); trying again in {} ms", decoded.cursor(), e.toString(),
                        backoff.toMillis());
            } finally {
                interruptibleInKafka = false;
                Thread.interrupted();
            }
            if (!sleep(backoff)) {
                unsent(kib);
                return;
            }
            backoff = longer(backoff);
        }
    }

    /** lastRead parsed once, not once per entry; called under lock with lastRead set. */
    private JournalCursor lastReadParsed() {
        if (lastReadParsedFrom != lastRead) {
            lastReadParsed = JournalCursor.parse(lastRead);
            lastReadParsedFrom = lastRead;
        }
        return lastReadParsed;
    }

    /** An entry given up at shutdown before Kafka took it: free its room in the window, leave it unacknowledged. */
    private void unsent(int kib) {
        entryPermits.release();
        kibPermits.release(kib);
        outstanding.decrementAndGet();
    }

    private boolean acquire(Semaphore permits, int n) throws InterruptedException {
        while (!stopping) {
            try {
                interruptibleInKafka = true;
                if (permits.tryAcquire(n, 200, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            } catch (InterruptedException e) {
                if (!stopping) {
                    throw e;
                }
            } finally {
                interruptibleInKafka = false;
                Thread.interrupted();
            }
        }
        return false;
    }

    /**
     * Kafka refused an entry for good: wait until nothing is in flight, then read again from the last acknowledged
     * position. Entries after it may repeat; none is lost.
     */
    private void rewind() throws InterruptedException {
        Exception cause = deliveryFailure.get();
        LOG.warn("ship: Kafka did not accept an entry ({}); reading the journal again from the last acknowledged "
                + "entry once the {} entries in flight are settled", cause, outstanding.get());
        while (outstanding.get() > 0 && !stopping) {
            Thread.sleep(50);
        }
        if (stopping) {
            return;
        }
        synchronized (lock) {
            String safe = position.safeCursor().orElse(null);
            position = new AcknowledgedPosition(safe);
            generation++;
            lastRead = safe;
        }
        deliveryFailure.set(null);
    }

    /** At shutdown: give entries in flight the shutdown timeout to be acknowledged. */
    private void drain() {
        long deadline = System.nanoTime() + options.shutdownTimeout().toNanos();
        boolean interrupted = Thread.interrupted();
        try {
            producer.flush();
        } catch (RuntimeException e) {
            // the producer may be closing; what was not acknowledged stays after the saved cursor
        }
        while (outstanding.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                interrupted = true;
                break;
            }
        }
        if (outstanding.get() > 0) {
            LOG.warn("ship: {} entries still unacknowledged at shutdown; they will be read again at the next start",
                    outstanding.get());
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Moves the saved position over entries the filter skipped, when journalctl has been quiet and nothing is in
     * flight: asks for the journal's newest cursor, then confirms no matching entry exists after the last shipped
     * one. Any entry read or acknowledged meanwhile cancels the move.
     */
    void advanceOverFiltered() throws IOException {
        if (options.follow() && System.nanoTime() - lastLineNanos < options.idleBeforeCursorAdvance().toNanos()) {
            return;
        }
        String last;
        synchronized (lock) {
            if (position.pending() != 0 || !Objects.equals(position.safeCursor().orElse(null), lastRead)) {
                return;
            }
            last = lastRead;
        }
        Optional<String> newest = journalctl.newestCursor();
        if (newest.isEmpty() || JournalCursor.sameEntry(newest.get(), last)) {
            return;
        }
        if (journalctl.anyMatchAfter(options.filter(), last)) {
            return;
        }
        synchronized (lock) {
            if (position.pending() != 0 || !Objects.equals(position.safeCursor().orElse(null), last)
                    || !Objects.equals(lastRead, last)) {
                return;
            }
            if (position.skipTo(newest.get())) {
                // the newest entry itself was filtered too
                metrics.filtered(JournalCursor.entriesBetween(last, newest.get()) + 1);
                lastRead = newest.get();
            }
        }
    }

    private void advanceOverFilteredQuietly() {
        try {
            advanceOverFiltered();
        } catch (IOException | RuntimeException e) {
            LOG.debug("ship: could not check for filtered entries: {}", e.toString());
        }
    }

    /** Writes the safe cursor if it moved since the last write. */
    void save() throws IOException {
        synchronized (saveLock) {
            String safe;
            synchronized (lock) {
                safe = position == null ? null : position.safeCursor().orElse(null);
            }
            if (safe != null && !safe.equals(lastSaved)) {
                cursorStore.save(safe);
                lastSaved = safe;
                metrics.saved(safe);
            }
        }
    }

    private void saveQuietly() {
        try {
            save();
        } catch (IOException | RuntimeException e) {
            metrics.failed();
            logFailure("ship: cannot save the cursor to {}: {}", cursorStore.file(), e.toString());
        }
    }

    /** Runs {@code action} until it succeeds or the shipper stops, waiting longer after each failure. */
    private boolean retrying(String what, StartupCheck action) throws InterruptedException {
        Duration backoff = options.restartBackoffMin();
        while (!stopping) {
            try {
                action.check();
                return true;
            } catch (InterruptedException e) {
                if (!stopping) {
                    throw e;
                }
            } catch (Exception e) {
                LOG.error("ship: {} failed: {}; trying again in {} ms (nothing is read from the journal meanwhile, "
                        + "so nothing is lost)", what, e.getMessage() == null ? e.toString() : e.getMessage(),
                        backoff.toMillis());
                if (!sleep(backoff)) {
                    return false;
                }
                backoff = longer(backoff);
            }
        }
        return false;
    }

    /** Sleeps unless stopping; false when the shipper stops. */
    private boolean sleep(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        while (!stopping) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            try {
                Thread.sleep(Math.min(100, Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                if (!stopping) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    private Duration longer(Duration backoff) {
        Duration doubled = backoff.multipliedBy(2);
        return doubled.compareTo(options.restartBackoffMax()) > 0 ? options.restartBackoffMax() : doubled;
    }

    private void logFailure(String format, Object... args) {
        // a flood of identical failures (registry down, garbage stream) must not flood the log
        long n = loggedFailures.incrementAndGet();
        if (n <= 20 || Long.bitCount(n) == 1) {
            LOG.warn(format, args);
        }
    }

    private static String excerpt(BoundedLineReader.Line line) {
        int n = Math.min(line.length(), 200);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            int b = line.bytes()[i] & 0xff;
            sb.append(b >= 0x20 && b < 0x7f ? (char) b : '?');
        }
        return sb.toString();
    }

    private static String describe(StartPosition start) {
        if (start instanceof StartPosition.AfterCursor after) {
            return "after cursor " + after.cursor();
        }
        if (start instanceof StartPosition.AtCursor at) {
            return "after cursor " + at.cursor();
        }
        if (start instanceof StartPosition.Since since) {
            return "since " + since.since();
        }
        return start instanceof StartPosition.Now ? "now" : "the oldest entry";
    }

    /** Entries sent and not acknowledged yet. */
    public long inFlight() {
        return outstanding.get();
    }
}
