package io.nodeincidents.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KafkaCommandTest {

    @Test
    void aTakenPortIsAOneLineErrorWithStatus2(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = bindLoopback()) {
            int port = taken.getLocalPort();
            StringWriter err = new StringWriter();
            StringWriter out = new StringWriter();

            int status = command(out, err).execute("--port", Integer.toString(port), "--data-dir", dir.toString());

            assertThat(status).isEqualTo(2);
            assertThat(err.toString()).isEqualTo("kafka: port " + port
                    + " on 127.0.0.1 is already in use (another Kafka running?); choose another with --port."
                    + System.lineSeparator());
            assertThat(out.toString()).isEmpty();
        }
    }

    @Test
    void aTakenControllerPortNamesItsOption(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = bindLoopback()) {
            StringWriter err = new StringWriter();

            int status = command(new StringWriter(), err).execute("--port", Integer.toString(freePort()),
                    "--controller-port", Integer.toString(taken.getLocalPort()), "--data-dir", dir.toString());

            assertThat(status).isEqualTo(2);
            assertThat(err.toString()).contains("port " + taken.getLocalPort()).contains("--controller-port");
        }
    }

    @Test
    void sameBrokerAndControllerPortIsAUsageError() {
        StringWriter err = new StringWriter();

        int status = command(new StringWriter(), err).execute("--port", "19092", "--controller-port", "19092");

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("--controller-port must differ from --port");
    }

    /** The broker as a user runs it, checked with a Kafka client nobody here wrote. */
    @Test
    void kcatTalksToTheCommandsBrokerAndCtrlCStopsItWithStatus0(@TempDir Path dir) throws Exception {
        if (!kcatInstalled() && "true".equalsIgnoreCase(System.getenv("CI"))) {
            // testkit's RequiredTools does this for the other tools; the broker module cannot depend on testkit
            fail("kcat is missing: .ci/run installs it; under CI=true this test must run");
        }
        assumeTrue(kcatInstalled(), "kcat is not installed (apt-get install kcat)");
        int port = freePort();
        String bootstrap = "127.0.0.1:" + port;
        try (Child broker = Child.start(port, dir)) {
            broker.awaitLine("Kafka broker ready at " + bootstrap + " (KRaft, data in " + dir + "). Ctrl-C stops it.");

            assertThat(run("kcat", "-L", "-b", bootstrap, "-m", "10")).contains("broker 1 at " + bootstrap);
            runWithInput("node-3 kernel: page allocation failure: order:6\n",
                    "kcat", "-P", "-b", bootstrap, "-t", "kcat-check");
            assertThat(run("kcat", "-C", "-b", bootstrap, "-t", "kcat-check", "-o", "beginning", "-e", "-q"))
                    .isEqualTo("node-3 kernel: page allocation failure: order:6\n");

            long stopping = System.nanoTime();
            run("kill", "-INT", Long.toString(broker.process.pid()));
            assertThat(broker.process.waitFor(20, TimeUnit.SECONDS)).as("stopped after SIGINT").isTrue();
            System.out.printf("kafka command stopped %d ms after SIGINT%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping));
            assertThat(broker.process.exitValue()).isZero();
            broker.awaitLine("Kafka broker stopped.");
        }
    }

    @Test
    void sigtermStopsTheBrokerWithStatus0AndKeepsItsData(@TempDir Path dir) throws Exception {
        int port = freePort();
        try (Child broker = Child.start(port, dir)) {
            broker.awaitLine("Kafka broker ready at 127.0.0.1:" + port + " (KRaft, data in " + dir + "). Ctrl-C stops it.");
            Records.send("127.0.0.1:" + port, "kept", "x");

            broker.process.destroy(); // SIGTERM
            assertThat(broker.process.waitFor(20, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
            assertThat(broker.process.exitValue()).isZero();
        }
        assertThat(dir.resolve("meta.properties")).exists();
        assertThat(dir.resolve("kept-0")).isDirectory();
    }

    private static CommandLine command(StringWriter out, StringWriter err) {
        CommandLine cmd = new CommandLine(new KafkaCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd;
    }

    private static ServerSocket bindLoopback() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        return socket;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = bindLoopback()) {
            return socket.getLocalPort();
        }
    }

    private static boolean kcatInstalled() {
        try {
            Process p = new ProcessBuilder("kcat", "-V").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String run(String... command) throws Exception {
        return runWithInput(null, command);
    }

    private static String runWithInput(String input, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (input != null) {
            p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s finished", List.of(command)).isTrue();
        assertThat(p.exitValue()).as("exit status of %s", List.of(command)).isZero();
        return output;
    }

    /** The {@code kafka} command in its own JVM, as a user starts it. */
    private static final class Child implements AutoCloseable {
        final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final List<String> seen = new ArrayList<>();

        private Child(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // process gone
                }
            }, "kafka-command-output");
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(int port, Path dir) throws IOException {
            List<String> command = new ArrayList<>();
            // A shell without job control starts background jobs with SIGINT ignored, and children inherit that;
            // give the broker the default disposition, as a terminal would.
            if (envResetsSignals()) {
                command.addAll(List.of("env", "--default-signal=INT"));
            }
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", testClassPath(), KafkaCommand.class.getName(),
                    "--port", Integer.toString(port), "--data-dir", dir.toString()));
            return new Child(new ProcessBuilder(command).redirectErrorStream(true).start());
        }

        void awaitLine(String expected) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!seen.contains(expected)) {
                long left = deadline - System.nanoTime();
                String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
                if (line == null) {
                    throw new AssertionError("No line '" + expected + "' from the kafka command; it printed " + seen);
                }
                seen.add(line);
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }

        private static String testClassPath() {
            // Surefire runs tests from a manifest-only jar; it names the real class path in this property.
            return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        }

        private static boolean envResetsSignals() {
            try {
                Process p = new ProcessBuilder("env", "--default-signal=INT", "true").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException | InterruptedException e) {
                return false;
            }
        }
    }
}
