package io.nodeincidents.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.cli.NodeIncidentsCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code demo --serve} as an operator ends it: a separate JVM, stopped by SIGTERM once it serves, exits 0 and leaves
 * nothing in its temporary directory (its samples, its broker's log dirs, the correlator's state).
 */
class DemoStopSignalTest {

    @Test
    void sigtermEndsTheServedDemoWithExit0AndRemovesItsTemporaryDirectories(@TempDir Path tmp) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp, "-cp", testClassPath(), NodeIncidentsCommand.class.getName(),
                "demo", "--serve", "--query-port", "0");
        Process demo = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "demo-output");
        reader.setDaemon(true);
        reader.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            while (lines.stream().noneMatch(l -> l.startsWith("demo: query API at")) && demo.isAlive()
                    && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(lines).as("the demo serves").anyMatch(l -> l.startsWith("demo: query API at"));
            assertThat(entries(tmp)).as("it works in the temporary directory").isNotEmpty();

            // kill(1), as an operator or Kubernetes sends it: Process.destroy() would also close our end of its
            // output, and what it prints on the way out would be lost
            Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(demo.pid())).inheritIO().start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -TERM").isTrue();
            assertThat(demo.waitFor(2, TimeUnit.MINUTES)).as(String.join("\n", lines)).isTrue();
            assertThat(demo.exitValue()).as(String.join("\n", lines)).isZero();
            reader.join(TimeUnit.SECONDS.toMillis(60)); // the rest of its output, up to the end of the stream
            assertThat(lines).contains("demo: stopped.");
            assertThat(entries(tmp)).as("left in java.io.tmpdir").isEmpty();
        } finally {
            if (demo.isAlive()) {
                demo.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> listed = Files.list(dir)) {
            return new ArrayList<>(listed.toList());
        }
    }

    private static String testClassPath() {
        // Surefire runs tests from a manifest-only jar; it names the real class path in this property.
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }
}
