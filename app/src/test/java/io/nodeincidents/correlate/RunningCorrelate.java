package io.nodeincidents.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import picocli.CommandLine;

/** {@code correlate ARGS} running in this JVM, as tests ask it: its output, its query API, and a stop. */
final class RunningCorrelate implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(90);

    final CorrelateCommand command = new CorrelateCommand();
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final AtomicInteger exit = new AtomicInteger(-1);
    final Thread runner;
    final URI api;

    /** Starts it and returns once it says it is running (its query API on port 0 among the args). */
    RunningCorrelate(List<String> args) {
        this(args, true);
    }

    /** Starts it; with {@code awaitRunning}, returns once it says it is running, else at once (no query API then). */
    RunningCorrelate(List<String> args, boolean awaitRunning) {
        command.environment = Map.of();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        runner = new Thread(() -> exit.set(cli.execute(args.toArray(String[]::new))), "correlate");
        runner.start();
        if (!awaitRunning) {
            api = null;
            return;
        }
        Awaitility.await().dontCatchUncaughtExceptions().atMost(WAIT).until(() -> out.toString().contains("correlate: running")
                || !runner.isAlive());
        assertThat(out.toString()).as(err.toString()).contains("correlate: running");
        Matcher matcher = Pattern.compile("query API on (http://\\S+) ").matcher(out.toString());
        assertThat(matcher.find()).as(out.toString()).isTrue();
        api = URI.create(matcher.group(1));
    }

    /** Stops it as Ctrl-C does; it must exit 0. */
    @Override
    public void close() throws InterruptedException {
        command.stop();
        runner.join(Duration.ofSeconds(60).toMillis());
        assertThat(exit.get()).as(err.toString()).isZero();
    }
}
