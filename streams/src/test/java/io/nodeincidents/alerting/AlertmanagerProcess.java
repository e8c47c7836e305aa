package io.nodeincidents.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodeincidents.testkit.RequiredTools;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus Alertmanager on a port of the test's choice: one instance, no cluster, a receiver that
 * notifies nobody, its storage in a temporary directory.
 */
public final class AlertmanagerProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final int port;
    private final Path log;

    private AlertmanagerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** A free port, for an Alertmanager started later. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Starts the binary on 127.0.0.1:{@code port}, storing under {@code dir}, and waits until it is ready. */
    public static AlertmanagerProcess start(int port, Path dir) throws IOException, InterruptedException {
        Path binary = RequiredTools.alertmanager();
        Path config = dir.resolve("alertmanager.yml");
        Files.writeString(config, """
                route:
                  receiver: "null"
                  group_wait: 1s
                receivers:
                  - name: "null"
                """);
        Path storage = Files.createDirectories(dir.resolve("data-" + port));
        Path log = dir.resolve("alertmanager-" + port + ".log");
        Process process = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                "--storage.path=" + storage, "--cluster.listen-address=",
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        AlertmanagerProcess am = new AlertmanagerProcess(process, port, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("alertmanager exited: " + Files.readString(log));
            }
            try {
                HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(am.url().resolve("/-/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) {
                    return am;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        am.close();
        throw new IllegalStateException("alertmanager not ready within 30 s: " + Files.readString(log));
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The alerts GET /api/v2/alerts lists (those not yet ended) with label {@code name} = {@code value}. */
    public List<JsonNode> alerts(String name, String value) throws IOException, InterruptedException {
        String filter = URLEncoder.encode(name + "=\"" + value + "\"", StandardCharsets.UTF_8);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(url().resolve("/api/v2/alerts?filter="
                + filter)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET /api/v2/alerts: " + response.statusCode() + " " + response.body());
        }
        List<JsonNode> alerts = new ArrayList<>();
        JSON.readTree(response.body()).forEach(alerts::add);
        return alerts;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
