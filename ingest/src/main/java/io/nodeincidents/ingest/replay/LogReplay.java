package io.nodeincidents.ingest.replay;

import io.nodeincidents.ingest.entries.JournalEntries;
import io.nodeincidents.logs.FormatDetector;
import io.nodeincidents.logs.LogFileReader;
import io.nodeincidents.logs.LogFormat;
import io.nodeincidents.logs.LogReadException;
import io.nodeincidents.logs.ReadOptions;
import io.nodeincidents.logs.ReadResult;
import io.nodeincidents.logs.RejectedLine;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.SourceKind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Ships saved logs (syslog files, dmesg, journal exports) into {@code journal.entries} as the same
 * {@link JournalEntry} records the live shipper produces, each marked with its file and line, for post-incident
 * analysis of logs collected from a node after the fact.
 *
 * <p>The Kafka record timestamp is left to the producer (the time of producing): the entries' own event time, maybe
 * months old, travels in the payload, so topic retention does not delete a replay on arrival.
 */
public final class LogReplay {

    /** What one file gave. */
    public record FileOutcome(Path file, ReadResult read, long produced) {
    }

    /** What a replay did; {@code failedSends} non-zero means some entries did not reach Kafka. */
    public record Summary(List<FileOutcome> files, long produced, long rejected, long failedSends,
                          String firstSendError) {
    }

    private final Producer<String, JournalEntry> producer;
    private final String topic;
    private final LogFileReader reader;

    public LogReplay(Producer<String, JournalEntry> producer, String topic) {
        this(producer, topic, new LogFileReader());
    }

    public LogReplay(Producer<String, JournalEntry> producer, String topic, LogFileReader reader) {
        this.producer = producer;
        this.topic = topic;
        this.reader = reader;
    }

    /**
     * Replays {@code files} in order and waits until Kafka acknowledged (or finally refused) every entry.
     *
     * @param rejects receives every line that could not be read, with its file, line and reason
     * @throws LogReadException when a whole file is unusable (missing, binary, unknown host); files before it were
     *                          shipped
     */
    public Summary replay(List<Path> files, ReadOptions options, Consumer<RejectedLine> rejects) throws IOException {
        List<FileOutcome> outcomes = new ArrayList<>();
        AtomicLong failed = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        long produced = 0;
        long rejected = 0;
        for (Path file : files) {
            ReadOptions fileOptions = resolvedFormat(file, options);
            SourceKind kind = sourceKind(fileOptions.format());
            AtomicLong fileProduced = new AtomicLong();
            ReadResult result = reader.read(file, fileOptions, line -> {
                send(JournalEntries.fromLogLine(line, kind), failed, firstError);
                fileProduced.incrementAndGet();
            }, rejects);
            producer.flush();
            outcomes.add(new FileOutcome(file, result, fileProduced.get()));
            produced += fileProduced.get();
            rejected += result.rejected();
        }
        producer.flush();
        return new Summary(List.copyOf(outcomes), produced, rejected, failed.get(), firstError.get());
    }

    /**
     * Replays {@code files} merged in event-time order, as the hosts would have sent them live: for the logs of
     * several hosts collected after an incident, so that per-partition stream time advances as it would have. All
     * entries are held in memory first (about 1 KB each); entries without a time keep their place after the
     * entry before them.
     */
    public Summary replayInterleaved(List<Path> files, ReadOptions options, Consumer<RejectedLine> rejects)
            throws IOException {
        record Timed(long time, long order, JournalEntry entry) {
        }
        List<Timed> all = new ArrayList<>();
        List<FileOutcome> outcomes = new ArrayList<>();
        long rejected = 0;
        for (Path file : files) {
            ReadOptions fileOptions = resolvedFormat(file, options);
            SourceKind kind = sourceKind(fileOptions.format());
            long[] last = {Long.MIN_VALUE};
            int before = all.size();
            ReadResult result = reader.read(file, fileOptions, line -> {
                JournalEntry entry = JournalEntries.fromLogLine(line, kind);
                if (line.realtimeMicros() != null) {
                    last[0] = line.realtimeMicros();
                }
                all.add(new Timed(last[0], all.size(), entry));
            }, rejects);
            outcomes.add(new FileOutcome(file, result, all.size() - before));
            rejected += result.rejected();
        }
        all.sort(java.util.Comparator.comparingLong(Timed::time).thenComparingLong(Timed::order));
        AtomicLong failed = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        for (Timed timed : all) {
            send(timed.entry(), failed, firstError);
        }
        producer.flush();
        return new Summary(List.copyOf(outcomes), all.size(), rejected, failed.get(), firstError.get());
    }

    /**
     * {@code options} with an {@code auto} format replaced by the shape detected in {@code file}, so every record of
     * the file can say which shape it was read as.
     */
    public static ReadOptions resolvedFormat(Path file, ReadOptions options) throws IOException {
        if (options.format() != LogFormat.AUTO) {
            return options;
        }
        return options.withFormat(new FormatDetector().detect(file).orElse(LogFormat.AUTO));
    }

    private void send(JournalEntry entry, AtomicLong failed, AtomicReference<String> firstError) {
        producer.send(new ProducerRecord<>(topic, entry.getHost(), entry), (metadata, error) -> {
            if (error != null) {
                failed.incrementAndGet();
                firstError.compareAndSet(null, error.toString());
            }
        });
    }

    /** The record's source kind for a file read as {@code format}. */
    public static SourceKind sourceKind(LogFormat format) {
        return switch (format) {
            case JOURNAL_JSON -> SourceKind.JOURNAL_JSON;
            case SYSLOG -> SourceKind.SYSLOG;
            case DMESG -> SourceKind.DMESG;
            case KMSG -> SourceKind.KMSG;
            case SHORT_MONOTONIC -> SourceKind.SHORT_MONOTONIC;
            case BARE -> SourceKind.BARE;
            case AUTO -> SourceKind.UNKNOWN;
        };
    }
}
