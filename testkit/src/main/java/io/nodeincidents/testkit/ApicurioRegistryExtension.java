package io.nodeincidents.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real schema registry for a test class: Apicurio Registry 2.4.2 (in-memory storage, global BACKWARD rule) run as
 * a child JVM from the jar the {@code test-registry} module builds, speaking the Confluent REST API at
 * {@link #confluentApiUrl()}.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ApicurioRegistryExtension REGISTRY = new ApicurioRegistryExtension();
 * }</pre>
 *
 * <p>Started before the class's tests, destroyed after them (and on JVM exit, should the tests be killed). The jar is
 * found by walking up from {@code user.dir}; build it with {@code ./mvnw -pl test-registry package}.
 */
public final class ApicurioRegistryExtension implements BeforeAllCallback, AfterAllCallback {

    /** Path of the runnable jar relative to the project root. */
    public static final String JAR = "test-registry/target/test-registry-runner.jar";

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final int LOG_TAIL_CHARS = 6000;
    private static final String DATABASE = "registry";

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private Process process;
    private Thread shutdownHook;
    private Path workDir;
    private Path log;
    private int port;
    /** Nested test classes call beforeAll/afterAll again; the registry lives as long as the outermost class. */
    private int users;

    @Override
    public synchronized void beforeAll(ExtensionContext context) throws Exception {
        if (users++ > 0) {
            return;
        }
        try {
            start();
        } catch (Exception | Error e) {
            users = 0;
            stop();
            throw e;
        }
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (users > 0 && --users == 0) {
            stop();
        }
    }

    /** The Confluent-compatible API, e.g. {@code http://127.0.0.1:PORT/apis/ccompat/v7}: the schema.registry.url. */
    public String confluentApiUrl() {
        return baseUrl() + "/apis/ccompat/v7";
    }

    /** The server's root URL, e.g. {@code http://127.0.0.1:PORT}. */
    public String baseUrl() {
        if (process == null) {
            throw new IllegalStateException("the Apicurio registry is not running: register the extension with "
                    + "@RegisterExtension on a static field, and use it from tests");
        }
        return "http://127.0.0.1:" + port;
    }

    /**
     * Freezes the registry (SIGSTOP), as a hung or partitioned registry looks to its clients: connections are
     * accepted by the kernel and never answered, so requests time out. {@link #resume()} thaws it with all it held.
     */
    public synchronized void pause() throws IOException, InterruptedException {
        signal("-STOP");
    }

    /** Thaws a {@link #pause() paused} registry (SIGCONT). */
    public synchronized void resume() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String which) throws IOException, InterruptedException {
        if (process == null) {
            throw new IllegalStateException("the Apicurio registry is not running");
        }
        Process kill = new ProcessBuilder("kill", which, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill " + which + " " + process.pid() + " exited with " + kill.exitValue());
        }
    }

    private void start() throws IOException, InterruptedException {
        Path jar = findJar();
        workDir = Files.createTempDirectory("apicurio-registry");
        log = workDir.resolve("registry.log");
        // A free port can be taken between choosing and binding; one more try covers that race.
        for (int attempt = 1; ; attempt++) {
            port = freePort();
            process = new ProcessBuilder(command(jar, port, workDir))
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (shutdownHook == null) {
                shutdownHook = new Thread(this::destroyProcess, "apicurio-registry-shutdown");
                Runtime.getRuntime().addShutdownHook(shutdownHook);
            }
            try {
                awaitReady();
                return;
            } catch (IllegalStateException e) {
                boolean portClash = !process.isAlive() && logTail().contains("Address already in use");
                destroyProcess();
                if (!portClash || attempt >= 2) {
                    throw e;
                }
            }
        }
    }

    private static List<String> command(Path jar, int port, Path workDir) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return List.of(java, "-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                // on disk, as a real registry keeps its schemas: a restart knows every id it gave
                "-Dquarkus.datasource.jdbc.url=jdbc:h2:file:" + workDir.resolve(DATABASE),
                "-Dregistry.rules.global.compatibility=BACKWARD", "-jar", jar.toString());
    }

    private void awaitReady() throws InterruptedException {
        URI health = URI.create("http://127.0.0.1:" + port + "/health/ready");
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String lastAnswer = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the Apicurio registry exited with code " + process.exitValue()
                        + " before becoming ready. Its log (" + log + "):\n" + logTail());
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(health)
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                lastAnswer = "HTTP " + response.statusCode();
            } catch (IOException e) {
                lastAnswer = e.toString();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the Apicurio registry was not ready within " + READY_TIMEOUT.toSeconds()
                + " s (" + health + ": " + lastAnswer + "). Its log (" + log + "):\n" + logTail());
    }

    private void stop() {
        destroyProcess();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs anyway
            }
            shutdownHook = null;
        }
        if (workDir != null) {
            try {
                Files.deleteIfExists(log);
                Files.deleteIfExists(workDir.resolve(DATABASE + ".mv.db"));
                Files.deleteIfExists(workDir.resolve(DATABASE + ".trace.db"));
                Files.deleteIfExists(workDir);
            } catch (IOException e) {
                // a leftover temp file is not worth failing the tests for
            }
        }
        process = null;
    }

    private void destroyProcess() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private String logTail() {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.length() <= LOG_TAIL_CHARS ? text : "..." + text.substring(text.length() - LOG_TAIL_CHARS);
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** The runner jar, found in {@code user.dir} or one of its parents. */
    /**
     * Stops the registry as an operator does (SIGTERM), keeping its data and port; clients get connection refused
     * until {@link #startAgain()}.
     */
    public synchronized void shutDown() {
        destroyProcess();
    }

    /** Starts a {@link #shutDown() shut down} registry again on the same port, with the schemas and ids it had. */
    public synchronized void startAgain() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            return;
        }
        process = new ProcessBuilder(command(findJar(), port, workDir)).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        awaitReady();
    }

    static Path findJar() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(JAR);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("Apicurio test registry not built: " + JAR + " not found in " + start
                + " or its parents. Build it once with: ./mvnw -pl test-registry package");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }
}
