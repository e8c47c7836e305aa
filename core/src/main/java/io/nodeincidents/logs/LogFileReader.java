package io.nodeincidents.logs;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Streams a saved log file of any supported {@link LogFormat} into {@link LogLine}s. Never loads the whole file;
 * a line that cannot be read becomes a {@link RejectedLine}, never an exception and never silently lost.
 *
 * <p>Host: lines that name no host take {@link ReadOptions#host()}, else the only host named in the file (found in a
 * first pass), else {@value ReadResult#UNKNOWN_HOST}, which the result reports so the user can be told. A file is
 * never refused for want of a host: people paste {@code dmesg -T} captures and greps that name none. Text lines that do not start with the
 * shape's prefix but follow a line that does are continuations (a wrapped line): they are appended to the previous
 * message with one space, and the entry keeps the line number of its first line.
 */
public final class LogFileReader {

    /** Continuation lines stop being appended once a message reaches this many characters. */
    public static final int MAX_MESSAGE_CHARS = 1024 * 1024;

    private final Clock clock;
    private final FormatDetector detector = new FormatDetector();

    public LogFileReader() {
        this(Clock.systemUTC());
    }

    /** @param clock decides the year of syslog stamps without one (tests pin it) */
    public LogFileReader(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Reads one file.
     *
     * @param file    the log file (gzip-compressed is fine)
     * @param options shape, host, year, zone
     * @param lines   receives every entry, in file order
     * @param rejects receives every line that could not be read, with its reason
     * @throws LogReadException when the file is not text
     */
    public ReadResult read(Path file, ReadOptions options, Consumer<LogLine> lines, Consumer<RejectedLine> rejects)
            throws IOException {
        LogFormat format = options.format();
        // detection also refuses a binary file when a format was named: its "lines" would be rejected one by one
        Optional<LogFormat> detected = detector.detect(file);
        if (format == LogFormat.AUTO) {
            if (detected.isEmpty()) {
                return new ReadResult(file.toString(), null, countLines(file), 0, 0, null, null);
            }
            format = detected.get();
        }
        String fallbackHost = options.host();
        String assumed = null;
        if (fallbackHost == null) {
            HostScan scan = new HostScan();
            pass(file, format, options, null, scan, null, null);
            fallbackHost = scan.resolve();
            assumed = scan.assumed() ? fallbackHost : null;
        }
        PassState counts = new PassState();
        pass(file, format, options, fallbackHost, null, lines, rejects == null ? r -> { } : rejects, counts);
        return new ReadResult(file.toString(), format, counts.lines, counts.entries, counts.rejected, assumed,
                counts.damage);
    }

    private void pass(Path file, LogFormat format, ReadOptions options, String fallbackHost, HostScan scan,
                      Consumer<LogLine> out, Consumer<RejectedLine> rejects) throws IOException {
        pass(file, format, options, fallbackHost, scan, out, rejects, new PassState());
    }

    /** One pass over the file: either scanning hosts ({@code scan} set) or delivering lines. */
    private void pass(Path file, LogFormat format, ReadOptions options, String fallbackHost, HostScan scan,
                      Consumer<LogLine> out, Consumer<RejectedLine> rejects, PassState counts) throws IOException {
        String name = file.toString();
        boolean json = format == LogFormat.JOURNAL_JSON;
        TextLineParser parser = json ? null : TextLineParser.forFormat(format, options, clock);
        boolean annotations = format == LogFormat.SYSLOG || format == LogFormat.SHORT_MONOTONIC;
        PendingEntry pending = null;
        String bootId = null;
        try (RawLines raw = new RawLines(file)) {
            while (raw.next()) {
                counts.lines++;
                long n = raw.lineNumber();
                if (raw.problem() != null) {
                    pending = flush(pending, fallbackHost, name, scan, out, counts);
                    reject(rejects, counts, name, n, raw.problem(), raw.text());
                    continue;
                }
                String s = raw.text();
                if (!json) {
                    s = PasteMarks.strip(s);
                }
                if (s.isBlank()) {
                    continue;
                }
                if (json) {
                    journalLine(s, n, name, fallbackHost, scan, out, rejects, counts);
                    continue;
                }
                if (annotations && isJournalctlAnnotation(s)) {
                    // "-- Boot <id> --" separates boots in journalctl text output; other "-- ... --" lines are notes
                    String b = bootIdOf(s);
                    if (b != null) {
                        bootId = b;
                    }
                    pending = flush(pending, fallbackHost, name, scan, out, counts);
                    continue;
                }
                PendingEntry e;
                try {
                    e = parser.parse(s, n);
                } catch (MalformedEntryException ex) {
                    pending = flush(pending, fallbackHost, name, scan, out, counts);
                    reject(rejects, counts, name, n, ex.getMessage(), s);
                    continue;
                }
                if (e != null) {
                    pending = flush(pending, fallbackHost, name, scan, out, counts);
                    if (e.bootId == null) {
                        e.bootId = bootId;
                    }
                    pending = e;
                    continue;
                }
                String more = parser.continuationText(s);
                if (more == null) {
                    continue; // metadata that belongs to the previous entry (kmsg dictionary lines)
                }
                if (pending == null || pending.bare || !parser.continuations()) {
                    // pastes mix shapes (a shell command's output above syslog lines): read it as a bare message
                    pending = flush(pending, fallbackHost, name, scan, out, counts);
                    PendingEntry bare = new PendingEntry(n, more);
                    bare.bare = true;
                    pending = bare;
                } else if (pending.message.length() + more.length() + 1 > MAX_MESSAGE_CHARS) {
                    reject(rejects, counts, name, n, "continuation would make the message of line " + pending.line
                            + " longer than " + MAX_MESSAGE_CHARS + " characters", s);
                } else {
                    if (pending.message.length() > 0) {
                        pending.message.append(' ');
                    }
                    pending.message.append(more);
                }
            }
            counts.damage = raw.damage();
        }
        flush(pending, fallbackHost, name, scan, out, counts);
        for (PendingEntry early : counts.waiting) {
            emit(early, fallbackHost, name, out, counts); // a file of nothing but other shapes: no time to give
        }
        counts.waiting.clear();
    }

    private static void journalLine(String s, long n, String name, String fallbackHost, HostScan scan,
                                    Consumer<LogLine> out, Consumer<RejectedLine> rejects, PassState counts) {
        if (s.charAt(TextLineParser.skipIndent(s) < s.length() ? TextLineParser.skipIndent(s) : 0) != '{') {
            // a JSON paste among shell output: the text lines are read as they are, only broken objects rejected
            if (scan != null) {
                scan.see(null);
                return;
            }
            out.accept(LogLine.bare(fallbackHost, PasteMarks.strip(s).strip(), LineRef.fileLine(name, n)));
            counts.entries++;
            return;
        }
        JournalJsonEntry entry;
        try {
            entry = JournalJsonEntry.parse(s);
        } catch (MalformedEntryException ex) {
            reject(rejects, counts, name, n, ex.getMessage(), s);
            return;
        }
        if (entry.isOmitted(JournalJsonEntry.MESSAGE)) {
            reject(rejects, counts, name, n, "MESSAGE over 4096 bytes was left out by journalctl;"
                    + " export again with journalctl --all", s);
            return;
        }
        if (entry.message() == null && entry.cursor() == null && entry.realtimeMicros() == null
                && entry.hostname() == null) {
            // JSON that is not a journal entry (docker's events API, a JSON logger): its text is the message
            if (scan != null) {
                scan.see(null);
                return;
            }
            out.accept(LogLine.bare(fallbackHost, s, LineRef.fileLine(name, n)));
            counts.entries++;
            return;
        }
        if (entry.message() == null) {
            reject(rejects, counts, name, n, "journal entry without MESSAGE", s);
            return;
        }
        String host = entry.hostname();
        if (scan != null) {
            scan.see(host);
            return;
        }
        LineRef ref = new LineRef(entry.cursor(), name, n);
        out.accept(entry.toLogLine(fallbackHost, ref));
        counts.entries++;
    }

    private static PendingEntry flush(PendingEntry pending, String fallbackHost, String name, HostScan scan,
                                      Consumer<LogLine> out, PassState counts) {
        if (pending == null) {
            return null;
        }
        if (scan != null) {
            scan.see(pending.host);
            return null;
        }
        if (pending.bare && pending.realtimeMicros == null) {
            // a pasted command or its output among timestamped lines happened when its neighbours did: without a
            // time it would be placed at the time of replaying and drag the correlation's clock to today
            if (counts.lastRealtime != null) {
                pending.realtimeMicros = counts.lastRealtime;
            } else if (!counts.firstEntrySeen && counts.waiting.size() < MAX_WAITING_BARE_LINES) {
                counts.waiting.add(pending);
                return null;
            } else if (!counts.waiting.isEmpty()) {
                // too many to hold for a time: they go out as they are, before this one, in file order
                for (PendingEntry early : counts.waiting) {
                    emit(early, fallbackHost, name, out, counts);
                }
                counts.waiting.clear();
            }
        } else {
            if (!counts.firstEntrySeen) {
                counts.firstEntrySeen = true;
                for (PendingEntry early : counts.waiting) {
                    early.realtimeMicros = pending.realtimeMicros;
                    emit(early, fallbackHost, name, out, counts);
                }
                counts.waiting.clear();
            }
            if (pending.realtimeMicros != null) {
                counts.lastRealtime = pending.realtimeMicros;
            }
        }
        emit(pending, fallbackHost, name, out, counts);
        return null;
    }

    private static void emit(PendingEntry entry, String fallbackHost, String name, Consumer<LogLine> out,
                             PassState counts) {
        out.accept(entry.toLogLine(fallbackHost, name));
        counts.entries++;
    }

    /** Lines of another shape before the first line of the file's own are held this long for its time. */
    static final int MAX_WAITING_BARE_LINES = 256;

    private static void reject(Consumer<RejectedLine> rejects, PassState counts, String file, long line, String reason,
                               String text) {
        if (rejects == null) {
            return; // host scan pass: the delivering pass reports it
        }
        counts.rejected++;
        rejects.accept(new RejectedLine(file, line, reason, RejectedLine.excerptOf(text)));
    }

    static boolean isJournalctlAnnotation(String s) {
        return s.startsWith("-- ") && s.endsWith(" --") && s.length() >= 6;
    }

    private static String bootIdOf(String s) {
        if (!s.startsWith("-- Boot ")) {
            return null;
        }
        String id = s.substring(8, s.length() - 3).trim();
        return id.length() == 32 && id.chars().allMatch(c -> Character.digit(c, 16) >= 0) ? id : null;
    }

    private static long countLines(Path file) throws IOException {
        long n = 0;
        try (RawLines raw = new RawLines(file, 1)) {
            while (raw.next()) {
                n++;
            }
        }
        return n;
    }

    /** What one pass over a file has counted and holds: lines, entries, rejections, damage, the time for pastes. */
    private static final class PassState {
        long lines;
        long entries;
        long rejected;
        String damage;
        Long lastRealtime;
        boolean firstEntrySeen;
        final java.util.List<PendingEntry> waiting = new java.util.ArrayList<>();
    }

    /** Hosts named in a file, and whether some line names none. */
    private static final class HostScan {
        private final Set<String> hosts = new LinkedHashSet<>();
        private boolean missing;

        void see(String host) {
            if (host == null || host.isEmpty()) {
                missing = true;
            } else if (hosts.size() < 16) {
                hosts.add(host);
            }
        }

        /** The host for lines that name none: the file's only host, else the placeholder. */
        String resolve() {
            if (!missing) {
                return null; // every line names its host
            }
            return hosts.size() == 1 ? hosts.iterator().next() : ReadResult.UNKNOWN_HOST;
        }

        /** True when lines without a host get the placeholder, which the user should hear about. */
        boolean assumed() {
            return missing && hosts.size() != 1;
        }
    }
}
