package io.nodeincidents.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.nodeincidents.schemas.JournalEntry;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The REST client against a scripted JDK HTTP server, for the failure modes a real registry does not produce on
 * demand: 5xx, dead URLs, slow answers, refused credentials. The happy paths run against Apicurio in
 * {@link ApicurioRegistryClientTest}.
 */
class RestSchemaRegistryClientFailureTest {

    private record Answer(int status, String body, long delayMs) {
    }

    private record Request(String method, String path, String contentType, String authorization, String body) {
    }

    private HttpServer server;
    private final Queue<Answer> script = new ArrayDeque<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startFake() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    exchange.getRequestHeaders().getFirst("Authorization"), body));
            Answer answer;
            synchronized (script) {
                answer = script.size() > 1 ? script.poll() : script.peek();
            }
            if (answer == null) {
                answer = new Answer(500, "{\"error_code\":50001,\"message\":\"no script\"}", 0);
            }
            try {
                Thread.sleep(answer.delayMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", RestSchemaRegistryClient.CONTENT_TYPE);
            exchange.sendResponseHeaders(answer.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                exchange.getResponseBody().write(out);
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopFake() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void answer(int status, String body) {
        script.add(new Answer(status, body, 0));
    }

    private RestSchemaRegistryClient client(Object... extra) {
        Map<String, Object> props = new HashMap<>();
        props.put("schema.registry.url", url());
        props.put("schema.registry.request.retry.backoff.ms", 5);
        props.put("schema.registry.request.retry.backoff.max.ms", 20);
        for (int i = 0; i < extra.length; i += 2) {
            props.put((String) extra[i], extra[i + 1]);
        }
        return new RestSchemaRegistryClient(props);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void registerPostsTheSchemaWithTheRegistryContentTypeAndReturnsTheId() throws Exception {
        answer(200, "{\"id\":21}");

        int id = client().register("journal entries/value", JournalEntry.getClassSchema());

        assertThat(id).isEqualTo(21);
        Request r = requests.get(0);
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/subjects/journal%20entries%2Fvalue/versions");
        assertThat(r.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(new ObjectMapper().readTree(r.body()).get("schema").asText())
                .isEqualTo(JournalEntry.getClassSchema().toString());
    }

    @Test
    void registeredIdsAndFetchedSchemasAreCached() {
        RestSchemaRegistryClient client = client();
        answer(200, "{\"id\":3}");
        client.register("s", JournalEntry.getClassSchema());
        client.register("s", JournalEntry.getClassSchema());
        assertThat(client.schemaById(3)).isEqualTo(JournalEntry.getClassSchema());

        assertThat(requests).hasSize(1);
    }

    @Test
    void serverErrorsAreRetriedUntilAnAnswerComes() {
        answer(503, "{\"error_code\":50301,\"message\":\"leader election\"}");
        answer(500, "Internal Server Error");
        answer(200, "{\"schema\":\"\\\"string\\\"\"}");

        assertThat(client().schemaById(5).getType()).isEqualTo(org.apache.avro.Schema.Type.STRING);
        assertThat(requests).hasSize(3).allSatisfy(r -> assertThat(r.path()).isEqualTo("/schemas/ids/5"));
    }

    @Test
    void persistentServerErrorsFailNamingTheUrlAttemptsAndLastAnswer() {
        answer(503, "{\"error_code\":50301,\"message\":\"leader election\"}");

        assertThatThrownBy(() -> client("schema.registry.request.max.retries", 2).schemaById(5))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining(url())
                .hasMessageContaining("3 time(s)")
                .hasMessageContaining("HTTP 503")
                .hasMessageContaining("leader election")
                .satisfies(e -> assertThat(((SchemaRegistryUnavailableException) e).attempts()).isEqualTo(3));
        assertThat(requests).hasSize(3);
    }

    @Test
    void refusedConnectionsFailAfterTheRetriesNamingTheUrl() throws IOException {
        String dead = "http://127.0.0.1:" + closedPort();
        Map<String, Object> props = Map.of("schema.registry.url", dead,
                "schema.registry.request.max.retries", 2, "schema.registry.request.retry.backoff.ms", 1);

        assertThatThrownBy(() -> new RestSchemaRegistryClient(props).schemaById(1))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining(dead)
                .hasMessageContaining("3 time(s)")
                .hasMessageContaining("ConnectException")
                .hasCauseInstanceOf(ConnectException.class);
    }

    @Test
    void aDeadUrlIsSkippedForTheNextOneWhichThenStaysInUse() throws IOException {
        String dead = "http://127.0.0.1:" + closedPort();
        answer(200, "{\"schema\":\"\\\"long\\\"\"}");
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(Map.of(
                "schema.registry.url", dead + "," + url(), "schema.registry.request.retry.backoff.ms", 1));

        client.schemaById(1);
        client.schemaById(2);

        assertThat(requests).extracting(Request::path).containsExactly("/schemas/ids/1", "/schemas/ids/2");
    }

    @Test
    void aSlowRegistryTimesOutAndIsRetried() {
        script.add(new Answer(200, "{\"id\":1}", 1500));

        assertThatThrownBy(() -> client("http.read.timeout.ms", 200, "schema.registry.request.max.retries", 1)
                .register("s", JournalEntry.getClassSchema()))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("2 time(s)")
                .hasMessageContaining("imed out");
    }

    @Test
    void basicAuthFromUserInfoIsSent() {
        answer(200, "{\"id\":1}");

        client("basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "svc:s3cret")
                .register("s", JournalEntry.getClassSchema());

        assertThat(requests.get(0).authorization())
                .isEqualTo("Basic " + Base64.getEncoder().encodeToString("svc:s3cret".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void basicAuthFromTheUrlIsSentAndTheUrlStrippedOfIt() {
        answer(200, "{\"id\":1}");
        String withUser = url().replace("http://", "http://svc:pw@");

        new RestSchemaRegistryClient(Map.of("schema.registry.url", withUser)).register("s",
                JournalEntry.getClassSchema());

        assertThat(requests.get(0).authorization())
                .isEqualTo("Basic " + Base64.getEncoder().encodeToString("svc:pw".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void noCredentialsConfiguredMeansNoAuthorizationHeader() {
        answer(200, "{\"id\":1}");

        client().register("s", JournalEntry.getClassSchema());

        assertThat(requests.get(0).authorization()).isNull();
    }

    @Test
    void unauthorizedIsAClearAuthErrorAndNotRetried() {
        answer(401, "{\"error_code\":40101,\"message\":\"Unauthorized\"}");

        assertThatThrownBy(() -> client().register("s", JournalEntry.getClassSchema()))
                .isInstanceOf(SchemaRegistryAuthException.class)
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining("basic.auth.user.info")
                .satisfies(e -> assertThat(((SchemaRegistryAuthException) e).httpStatus()).isEqualTo(401));
        assertThat(requests).hasSize(1);
    }

    @Test
    void forbiddenIsAnAuthErrorToo() {
        answer(403, "{\"error_code\":40301,\"message\":\"User cannot access the resource.\"}");

        assertThatThrownBy(() -> client().schemaById(1))
                .isInstanceOf(SchemaRegistryAuthException.class)
                .hasMessageContaining("User cannot access the resource.");
    }

    @Test
    void conflictIsAnIncompatibilityCarryingTheRegistrysMessage() {
        answer(409, "{\"error_code\":409,\"message\":\"Schema being registered is incompatible with an earlier "
                + "schema for subject \\\"s\\\"\"}");

        assertThatThrownBy(() -> client().register("s", JournalEntry.getClassSchema()))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessageContaining("incompatible with an earlier schema")
                .satisfies(e -> assertThat(((IncompatibleSchemaException) e).subject()).isEqualTo("s"));
        assertThat(requests).hasSize(1);
    }

    @Test
    void notFoundKeepsTheRegistrysErrorCode() {
        answer(404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");

        assertThatThrownBy(() -> client().schemaById(99))
                .isInstanceOf(SchemaNotFoundException.class)
                .hasMessageContaining("Schema not found")
                .satisfies(e -> assertThat(((SchemaNotFoundException) e).errorCode()).isEqualTo(40403));
        assertThat(requests).hasSize(1);
    }

    @Test
    void anAnswerThatIsNotJsonIsReportedAsSuch() {
        answer(200, "<html>proxy login</html>");

        assertThatThrownBy(() -> client().schemaById(1))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("not JSON")
                .hasMessageContaining("proxy login");
    }

    @Test
    void anUnreachableRegistryIsNotTurnedIntoABadRecordError() {
        answer(503, "unavailable");
        SpecificAvroDeserializer<JournalEntry> deserializer = new SpecificAvroDeserializer<>(JournalEntry.class);
        deserializer.configure(Map.of("schema.registry.url", url(), "schema.registry.request.max.retries", 1,
                "schema.registry.request.retry.backoff.ms", 1), false);

        assertThatThrownBy(() -> deserializer.deserialize("t", ConfluentWireFormat.frame(4, new byte[] {0})))
                .isInstanceOf(SchemaRegistryUnavailableException.class)
                .isNotInstanceOf(SerializationException.class);
    }

    @Test
    void configGetAndPutUseTheConfluentFieldNames() throws Exception {
        RestSchemaRegistryClient client = client();
        answer(200, "{\"compatibilityLevel\":\"FULL\"}");
        assertThat(client.globalCompatibility()).isEqualTo(CompatibilityLevel.FULL);
        script.clear();
        answer(200, "{\"compatibility\":\"FORWARD\"}");
        client.setSubjectCompatibility("s", CompatibilityLevel.FORWARD);

        assertThat(requests.get(1).method()).isEqualTo("PUT");
        assertThat(requests.get(1).path()).isEqualTo("/config/s");
        assertThat(new ObjectMapper().readTree(requests.get(1).body()).get("compatibility").asText())
                .isEqualTo("FORWARD");
    }
}
