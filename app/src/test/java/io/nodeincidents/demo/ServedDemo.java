package io.nodeincidents.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.ingest.cli.CommandLines;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import picocli.CommandLine;

/** {@code demo --serve --query-port 0} run in this JVM, as tests ask it: its query API, its broker, then a stop. */
public final class ServedDemo implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Pattern API = Pattern.compile("demo: query API at (http://127\\.0\\.0\\.1:\\d+)");
    private static final Pattern BROKER = Pattern.compile("Kafka broker \\(KRaft, in-process\\) at (\\S+),");

    private final DemoCommand demo = new DemoCommand();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final AtomicInteger exit = new AtomicInteger(-1);
    private final Thread runner;
    private final URI api;
    private final String bootstrap;

    private ServedDemo() {
        CommandLine cli = CommandLines.create(demo);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        runner = new Thread(() -> exit.set(cli.execute("--serve", "--query-port", "0")), "demo-serve");
        runner.start();
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> API.matcher(out.toString()).find() || !runner.isAlive());
        Matcher served = API.matcher(out.toString());
        assertThat(served.find()).as(out + "\n" + err).isTrue();
        api = URI.create(served.group(1));
        Matcher broker = BROKER.matcher(out.toString());
        assertThat(broker.find()).isTrue();
        bootstrap = broker.group(1);
    }

    /** Starts the demo and returns once its query API is served (the samples are processed by then). */
    public static ServedDemo start() {
        return new ServedDemo();
    }

    /** The query API's base, e.g. http://127.0.0.1:41234. */
    public URI api() {
        return api;
    }

    /** The demo broker's bootstrap servers. */
    public String bootstrap() {
        return bootstrap;
    }

    /** What the demo printed on stderr so far. */
    public String err() {
        return err.toString();
    }

    /** Stops the demo as Ctrl-C does and waits for it; {@link #exitCode()} is then its exit code. */
    @Override
    public void close() throws InterruptedException {
        demo.stop();
        runner.join(Duration.ofSeconds(90).toMillis());
    }

    /** The exit code once {@link #close()} returned; -1 while it runs. */
    public int exitCode() {
        return runner.isAlive() ? -1 : exit.get();
    }
}
