package io.nodeincidents.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.nodeincidents.schemas.JournalEntry;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's TLS settings against an HTTPS server whose self-signed certificate only the trust store knows. */
class RestSchemaRegistryClientTlsTest {

    private static final String PASSWORD = "changeit";

    @TempDir
    static Path dir;
    private static Path keystore;
    private static HttpsServer server;

    @BeforeAll
    static void startHttpsServer() throws Exception {
        keystore = dir.resolve("registry.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "registry", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(output).isZero();

        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.createContext("/", exchange -> {
            byte[] body = "{\"id\":11}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private static String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void theConfiguredTrustStoreLetsTheClientTrustTheRegistry() {
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(Map.of("schema.registry.url", url(),
                "schema.registry.ssl.truststore.location", keystore.toString(),
                "schema.registry.ssl.truststore.password", PASSWORD,
                "schema.registry.ssl.truststore.type", "PKCS12"));

        assertThat(client.register("s", JournalEntry.getClassSchema())).isEqualTo(11);
    }

    @Test
    void withoutTheTrustStoreTheHandshakeFailsAtOnceSayingWhatToCheck() {
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(Map.of("schema.registry.url", url()));

        assertThatThrownBy(() -> client.register("s", JournalEntry.getClassSchema()))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("TLS handshake")
                .hasMessageContaining("schema.registry.ssl.truststore.location");
    }

    @Test
    void aWrongTrustStorePasswordIsAConfigError() {
        assertThatThrownBy(() -> new RestSchemaRegistryClient(Map.of("schema.registry.url", url(),
                "schema.registry.ssl.truststore.location", keystore.toString(),
                "schema.registry.ssl.truststore.password", "wrong",
                "schema.registry.ssl.truststore.type", "PKCS12")))
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
                .hasMessageContaining(keystore.toString());
    }
}
