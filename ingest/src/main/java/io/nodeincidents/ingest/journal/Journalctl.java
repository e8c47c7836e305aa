package io.nodeincidents.ingest.journal;

import io.nodeincidents.logs.JournalJsonEntry;
import io.nodeincidents.logs.MalformedEntryException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code journalctl} (as an argument vector, never a shell): the follower the shipper reads, and the
 * short queries it asks before deciding where to start or how far the cursor may move over filtered entries.
 */
public final class Journalctl {

    /** Cursors and the first fields of an entry fit easily; a query reads at most this much of one line. */
    private static final int QUERY_LINE_LIMIT = 4 * 1024 * 1024;
    private static final int STDERR_TAIL = 2000;
    /**
     * Longest wait before reading the follower's output again while it trickles: fewer wakeups of the shipper (one per
     * journal write otherwise) for at most this much latency; Kafka's linger adds more anyway.
     */
    private static final long FOLLOW_GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final String binary;
    private final JournalctlInvocation.JournalSource source;
    private final Duration queryTimeout;

    public Journalctl(String binary, JournalctlInvocation.JournalSource source, Duration queryTimeout) {
        this.binary = binary;
        this.source = source;
        this.queryTimeout = queryTimeout;
    }

    public String binary() {
        return binary;
    }

    public JournalctlInvocation.JournalSource source() {
        return source;
    }

    /** A running journalctl whose standard output is being read. */
    public static final class Running implements AutoCloseable {
        private final Process process;
        private final BoundedLineReader lines;
        private final StringBuilder stderr = new StringBuilder();
        private final Thread stderrReader;

        Running(Process process, int maxLineBytes, boolean follow) {
            this.process = process;
            // a one-shot read (--no-follow) only ever catches up: nothing to gather, no wait risked
            this.lines = new BoundedLineReader(process.getInputStream(), maxLineBytes,
                    follow ? FOLLOW_GATHER_NANOS : 0);
            this.stderrReader = new Thread(() -> drain(process.getErrorStream()), "journalctl-stderr");
            stderrReader.setDaemon(true);
            stderrReader.start();
        }

        private void drain(InputStream err) {
            byte[] buffer = new byte[4096];
            try (err) {
                int n;
                while ((n = err.read(buffer)) > 0) {
                    synchronized (stderr) {
                        stderr.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                        if (stderr.length() > STDERR_TAIL) {
                            stderr.delete(0, stderr.length() - STDERR_TAIL);
                        }
                    }
                }
            } catch (IOException e) {
                // process gone
            }
        }

        /** The next line, or null when journalctl ended. */
        public BoundedLineReader.Line readLine() throws IOException {
            return lines.readLine();
        }

        /** Waits briefly for the exit status after end of output; -1 if it is still running. */
        public int exitStatus(Duration wait) throws InterruptedException {
            if (process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return process.exitValue();
            }
            return -1;
        }

        /** The last part of what journalctl wrote to standard error. */
        public String stderrTail() {
            try {
                stderrReader.join(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (stderr) {
                return stderr.toString().strip();
            }
        }

        public long pid() {
            return process.pid();
        }

        /** Stops journalctl (its output then ends, which unblocks a reader). */
        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Starts journalctl as {@code invocation} says (its source must be this one's). */
    public Running start(JournalctlInvocation invocation, int maxLineBytes) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(invocation.command());
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return new Running(builder.start(), maxLineBytes, invocation.follow());
    }

    /**
     * Asks journalctl once, before shipping, whether it can open the journal and understands the start time: what it
     * says when it cannot ({@code Failed to parse timestamp: garbage}, {@code Failed to open /x: No such file or
     * directory}), or empty when it can. A follower that fails this way would only be restarted forever.
     */
    public Optional<String> problemWith(String since) {
        List<String> args = new ArrayList<>();
        args.add(binary);
        args.add("--no-pager");
        args.add("--quiet");
        args.addAll(JournalctlInvocation.sourceArguments(source));
        if (since != null) {
            args.add("--since=" + since);
        }
        args.add("--lines=0");
        java.io.File said = null;
        Process process = null;
        try {
            said = java.io.File.createTempFile("journalctl-check", ".err");
            process = new ProcessBuilder(args)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(said)
                    .start();
            if (!process.waitFor(queryTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return Optional.empty(); // slow, not wrong: the follower will tell
            }
            if (process.exitValue() == 0) {
                return Optional.empty();
            }
            byte[] bytes = java.nio.file.Files.readAllBytes(said.toPath());
            String text = new String(bytes, 0, Math.min(bytes.length, STDERR_TAIL), StandardCharsets.UTF_8).strip();
            String first = text.isEmpty() ? "exit status " + process.exitValue() : text.lines().findFirst().orElse("");
            return Optional.of(String.join(" ", args.subList(1, args.size())) + ": " + first);
        } catch (IOException e) {
            return process == null ? Optional.of("cannot run " + binary + ": " + e.getMessage()) : Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            if (process != null) {
                process.destroyForcibly();
            }
            if (said != null) {
                said.delete();
            }
        }
    }

    /** The cursor of the newest entry of the whole journal (no filter), or empty when it holds none. */
    public Optional<String> newestCursor() throws IOException {
        List<String> args = base();
        args.add("--lines=1");
        List<FirstEntry> first = firstEntries(args, 1);
        return first.isEmpty() ? Optional.empty() : first.get(0).cursor();
    }

    /**
     * The cursor of the first entry at or after {@code cursor} in the whole journal: the same entry when it is still
     * there, a later one when the journal was vacuumed past it, empty when nothing is left.
     */
    public Optional<String> firstCursorFrom(String cursor) throws IOException {
        List<String> args = base();
        args.add("--cursor=" + cursor);
        List<FirstEntry> first = firstEntries(args, 1);
        return first.isEmpty() ? Optional.empty() : first.get(0).cursor();
    }

    /** Whether some entry matching {@code filter} exists after {@code cursor} (or at all, for a null cursor). */
    public boolean anyMatchAfter(JournalFilter filter, String cursor) throws IOException {
        List<String> args = base();
        if (cursor != null) {
            // not --after-cursor: with matches it skips the first matching entry when the cursor's does not match
            args.add("--cursor=" + cursor);
        }
        args.addAll(filter.matchArguments());
        List<FirstEntry> first = firstEntries(args, 2);
        for (FirstEntry entry : first) {
            if (cursor == null || entry.cursor().isEmpty() || !JournalCursor.sameEntry(entry.cursor().get(), cursor)) {
                return true;
            }
        }
        return false;
    }

    private List<String> base() {
        List<String> args = new ArrayList<>();
        args.add(binary);
        args.add("--output=json");
        args.add("--no-pager");
        args.add("--quiet");
        args.addAll(JournalctlInvocation.sourceArguments(source));
        return args;
    }

    /** The first entry a query printed: whether there was one, and its cursor when readable. */
    private record FirstEntry(boolean exists, Optional<String> cursor) {
    }

    /** Runs a query and reads up to {@code max} output lines; fails when journalctl fails. */
    private List<FirstEntry> firstEntries(List<String> args, int max) throws IOException {
        Process process = new ProcessBuilder(args)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Thread killer = new Thread(() -> {
            try {
                if (!process.waitFor(queryTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                // the query finished in time
            }
        }, "journalctl-query-timeout");
        killer.setDaemon(true);
        killer.start();
        try {
            List<FirstEntry> entries = new ArrayList<>();
            BoundedLineReader reader = new BoundedLineReader(process.getInputStream(), QUERY_LINE_LIMIT);
            while (entries.size() < max) {
                BoundedLineReader.Line line = reader.readLine();
                if (line == null) {
                    int status = process.waitFor(queryTimeout.toMillis(), TimeUnit.MILLISECONDS)
                            ? process.exitValue() : -1;
                    if (status != 0) {
                        throw new IOException("journalctl " + String.join(" ", args.subList(1, args.size()))
                                + " failed with status " + status);
                    }
                    break;
                }
                try {
                    String text = new String(line.bytes(), 0, line.length(), StandardCharsets.UTF_8);
                    entries.add(new FirstEntry(true, Optional.ofNullable(JournalJsonEntry.parse(text).cursor())));
                } catch (MalformedEntryException e) {
                    // a huge entry cut by the query limit: it exists, its cursor is unknown
                    entries.add(new FirstEntry(true, Optional.empty()));
                }
            }
            return entries;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking journalctl", e);
        } finally {
            killer.interrupt();
            process.destroyForcibly();
        }
    }
}
