package io.nodeincidents.ingest.journal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The journalctl command line the shipper runs (as an argument vector, never through a shell, so no journal field,
 * path or cursor can be interpreted as shell syntax).
 *
 * @param journalctl path or name of the journalctl binary
 * @param source     which journal: the local one, a directory (a host journal mounted into a pod) or files
 * @param start      where to start reading
 * @param filter     which entries
 * @param follow     keep running and print new entries as they arrive
 */
public record JournalctlInvocation(String journalctl, JournalSource source, StartPosition start, JournalFilter filter,
                                   boolean follow) {

    public JournalctlInvocation {
        Objects.requireNonNull(journalctl, "journalctl");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(filter, "filter");
    }

    /** Where the journal is. */
    public sealed interface JournalSource {
        /** The machine's own journal (what journalctl reads by default). */
        record Local() implements JournalSource {
        }

        /** A journal directory, e.g. the host's /var/log/journal mounted read-only into a pod. */
        record Directory(Path path) implements JournalSource {
        }

        /** Journal files. */
        record Files(List<Path> paths) implements JournalSource {
            public Files {
                paths = List.copyOf(paths);
                if (paths.isEmpty()) {
                    throw new IllegalArgumentException("no journal file given");
                }
            }
        }
    }

    /** Where reading starts. */
    public sealed interface StartPosition {
        /** After the saved cursor: the normal restart. */
        record AfterCursor(String cursor) implements StartPosition {
        }

        /**
         * From the entry at the cursor (or the first one after it that matches): the shipper drops that entry itself
         * when it comes first. Used instead of {@link AfterCursor} with matches, because journalctl 252's
         * {@code --after-cursor} skips two entries from the cursor's position: when the cursor's own entry does not
         * match the filter, the first matching entry after it is lost.
         */
        record AtCursor(String cursor) implements StartPosition {
        }

        /** From a time, in any form journalctl's --since accepts ("2024-01-23 14:00:00", "-1h", "today"). */
        record Since(String since) implements StartPosition {
        }

        /** Only entries written from now on: first start without --since. */
        record Now() implements StartPosition {
        }

        /** From the oldest entry still in the journal. */
        record Beginning() implements StartPosition {
        }
    }

    /** The argument vector, starting with the binary. */
    public List<String> command() {
        List<String> args = new ArrayList<>();
        args.add(journalctl);
        args.add("--output=json");
        // full field values: the shipper applies its own size limit and marks what it truncated
        args.add("--all");
        args.add("--no-pager");
        args.add("--quiet");
        if (follow) {
            args.add("--follow");
        }
        args.addAll(sourceArguments(source));
        if (start instanceof StartPosition.AfterCursor after) {
            args.add("--after-cursor=" + after.cursor());
        } else if (start instanceof StartPosition.AtCursor at) {
            args.add("--cursor=" + at.cursor());
        } else if (start instanceof StartPosition.Since since) {
            args.add("--since=" + since.since());
        } else if (start instanceof StartPosition.Now) {
            args.add("--lines=0");
        }
        if (follow && !(start instanceof StartPosition.Now)) {
            // --follow implies --lines=10: from the beginning it would start at the last ten entries, and with
            // --cursor and matches journalctl 252 prints ten entries and then stalls; --lines=all prints them all
            args.add("--lines=all");
        }
        args.addAll(filter.matchArguments());
        return List.copyOf(args);
    }

    /** The arguments that select {@code source} ({@code --directory=}, {@code --file=}; none for the local journal). */
    public static List<String> sourceArguments(JournalSource source) {
        List<String> args = new ArrayList<>();
        if (source instanceof JournalSource.Directory dir) {
            args.add("--directory=" + dir.path());
        } else if (source instanceof JournalSource.Files files) {
            files.paths().forEach(path -> args.add("--file=" + path));
        }
        return args;
    }
}
