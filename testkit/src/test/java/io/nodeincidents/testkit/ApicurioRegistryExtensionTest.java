package io.nodeincidents.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ApicurioRegistryExtensionTest {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void servesTheConfluentApiWhileTheClassRunsAndIsGoneAfterwards() throws Exception {
        ApicurioRegistryExtension registry = new ApicurioRegistryExtension();
        registry.beforeAll(null);
        String api;
        try {
            api = registry.confluentApiUrl();
            assertThat(api).matches("http://127\\.0\\.0\\.1:\\d+/apis/ccompat/v7");
            HttpResponse<String> subjects = get(api + "/subjects");
            assertThat(subjects.statusCode()).isEqualTo(200);
            assertThat(subjects.body().strip()).isEqualTo("[]");
        } finally {
            registry.afterAll(null);
        }
        assertThatThrownBy(() -> get(api + "/subjects")).isInstanceOf(ConnectException.class);
        assertThatThrownBy(registry::confluentApiUrl).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not running");
    }

    @Test
    void aMissingJarFailsWithTheCommandThatBuildsIt(@org.junit.jupiter.api.io.TempDir Path elsewhere) {
        String userDir = System.getProperty("user.dir");
        System.setProperty("user.dir", elsewhere.toString());
        try {
            assertThat(Files.exists(elsewhere.resolve(ApicurioRegistryExtension.JAR))).isFalse();
            assertThatThrownBy(ApicurioRegistryExtension::findJar)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("./mvnw -pl test-registry package")
                    .hasMessageContaining(elsewhere.toString());
        } finally {
            System.setProperty("user.dir", userDir);
        }
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
