package io.nodeincidents.cli;

import io.nodeincidents.events.EventJson;
import io.nodeincidents.events.NodeEvent;
import io.nodeincidents.events.OfflineAnalysis;
import io.nodeincidents.ingest.cli.LogReadingOptions;
import io.nodeincidents.logs.LogReadException;
import io.nodeincidents.logs.ReadOptions;
import io.nodeincidents.logs.ReadResult;
import io.nodeincidents.logs.RejectedLine;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nodeincidents analyze}: offline analysis of saved logs, no cluster needed. */
@Command(name = "analyze", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Reads saved logs (journalctl -o json exports, syslog files, dmesg, kmsg, bare messages) and"
                + " prints what they show: kernel page allocation failures, OOM kills and slab failures decoded as a"
                + " kernel engineer would, and the container runtime and kubelet failures around them. Uses the"
                + " same decoding as the streaming application.")
public final class AnalyzeCommand implements Callable<Integer> {

    static final int MAX_REJECTS_SHOWN = 20;

    /** How results are printed. */
    public enum Output { json, text }

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Log files, read in order (.gz is fine).")
    List<Path> files;

    @Option(names = "--events", description = "Print one JSON object per decoded event (the default until"
            + " incident correlation is wired in, see README).")
    boolean events;

    @Mixin
    LogReadingOptions reading;

    @Option(names = "--output", defaultValue = "json", paramLabel = "json|text",
            description = "json: one object per line; text: one readable line per event (default: ${DEFAULT-VALUE}).")
    Output output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                err.println("analyze: " + file + ": no such file");
                return 2;
            }
        }
        AtomicLong rejected = new AtomicLong();
        Consumer<RejectedLine> rejects = line -> {
            if (rejected.incrementAndGet() <= MAX_REJECTS_SHOWN) {
                err.println("analyze: rejected " + line);
            }
        };
        Consumer<NodeEvent> print = event -> out.println(output == Output.text ? EventJson.text(event)
                : EventJson.line(event));
        OfflineAnalysis.Outcome outcome;
        try {
            outcome = new OfflineAnalysis().run(files, reading.readOptions(), print, rejects);
        } catch (LogReadException e) {
            out.flush();
            err.println("analyze: " + e.getMessage());
            return 2;
        } catch (java.io.IOException e) {
            out.flush();
            err.println("analyze: cannot read input: " + e.getMessage());
            return 2;
        }
        out.flush();
        if (rejected.get() > MAX_REJECTS_SHOWN) {
            err.println("analyze: ... " + (rejected.get() - MAX_REJECTS_SHOWN) + " more rejected lines");
        }
        long lines = outcome.files().stream().mapToLong(ReadResult::lines).sum();
        err.printf("analyze: %d files, %d lines, %d events, %d lines rejected%n", outcome.files().size(), lines,
                outcome.events(), rejected.get());
        return 0;
    }
}
