package io.nodeincidents.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class SchemaRegistryConfigTest {

    @Test
    void defaultsFollowConfluent() {
        SchemaRegistryConfig c = new SchemaRegistryConfig(Map.of("schema.registry.url", "http://registry:8081"));

        assertThat(c.urls()).containsExactly("http://registry:8081");
        assertThat(c.autoRegisterSchemas()).isTrue();
        assertThat(c.useLatestVersion()).isFalse();
        assertThat(c.specificAvroReader()).isFalse();
        assertThat(c.subjectNameStrategy(false)).isEqualTo(SubjectNameStrategy.TOPIC_NAME);
        assertThat(c.subjectNameStrategy(true)).isEqualTo(SubjectNameStrategy.TOPIC_NAME);
        assertThat(c.basicAuthUserInfo()).isEmpty();
        assertThat(c.mockScope()).isEmpty();
        assertThat(c.retryBackoffMax()).isGreaterThanOrEqualTo(c.retryBackoff());
    }

    @Test
    void defaultRetriesRideOutARegistryRestartWithinAStreamsPollInterval() {
        SchemaRegistryConfig c = new SchemaRegistryConfig(Map.of("schema.registry.url", "http://registry:8081"));
        long shortestWaits = 0;
        long longestWaits = 0;
        for (int attempt = 1; attempt <= c.maxRetries(); attempt++) {
            long wait = Math.min(c.retryBackoff().toMillis() << (attempt - 1), c.retryBackoffMax().toMillis());
            shortestWaits += wait / 2; // equal jitter: at least half of each wait
            longestWaits += wait;
        }
        // a registry refusing connections while it restarts is waited for, not failed at once
        assertThat(shortestWaits).isGreaterThanOrEqualTo(15_000);
        // a hung registry: every try runs into the read timeout; that must end well inside max.poll.interval.ms
        // (5 min), or the group would drop the stream thread while it waits
        long hung = (c.maxRetries() + 1) * c.readTimeout().toMillis() + longestWaits;
        assertThat(hung).isLessThanOrEqualTo(150_000);
    }

    @Test
    void theConfigDefDocumentsEverySettingForHelpOutput() {
        ConfigDef def = SchemaRegistryConfig.configDef();

        assertThat(def.names()).contains("schema.registry.url", "auto.register.schemas", "use.latest.version",
                "basic.auth.credentials.source", "basic.auth.user.info", "specific.avro.reader",
                "key.subject.name.strategy", "value.subject.name.strategy",
                "schema.registry.ssl.truststore.location", "schema.registry.ssl.truststore.password",
                "schema.registry.ssl.truststore.type", "schema.registry.ssl.keystore.location",
                "schema.registry.ssl.keystore.password", "schema.registry.ssl.keystore.type",
                "schema.registry.ssl.key.password", "http.connect.timeout.ms", "http.read.timeout.ms",
                "schema.registry.request.max.retries", "schema.registry.request.retry.backoff.ms",
                "schema.registry.request.retry.backoff.max.ms", "avro.serde.class");
        assertThat(def.configKeys().values()).allSatisfy(k -> assertThat(k.documentation).isNotBlank());
        assertThat(def.toRst()).contains("schema.registry.url");
        assertThat(def.configKeys().get("basic.auth.user.info").type).isEqualTo(ConfigDef.Type.PASSWORD);
    }

    @Test
    void configDefIsACopySoCallersCannotChangeTheDefinition() {
        SchemaRegistryConfig.configDef().define("x.y", ConfigDef.Type.STRING, ConfigDef.Importance.LOW, "doc");

        assertThat(SchemaRegistryConfig.configDef().names()).doesNotContain("x.y");
    }

    @Test
    void urlIsRequired() {
        assertThatThrownBy(() -> new SchemaRegistryConfig(Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
    }

    @Test
    void urlsMustBeHttpOrMock() {
        assertThatThrownBy(() -> new SchemaRegistryConfig(Map.of("schema.registry.url", "registry:8081")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("registry:8081");
        assertThatThrownBy(() -> new SchemaRegistryConfig(Map.of("schema.registry.url", "ftp://registry")))
                .isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> new SchemaRegistryConfig(Map.of("schema.registry.url", "mock://a,http://b:1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("mixed");
        assertThatThrownBy(() -> new SchemaRegistryConfig(Map.of("schema.registry.url", "mock://")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("scope");
    }

    @Test
    void severalUrlsAreKeptInOrderWithoutTrailingSlashes() {
        SchemaRegistryConfig c = new SchemaRegistryConfig(Map.of("schema.registry.url",
                "http://a:8081/, https://b:8443/apis/ccompat/v7"));

        assertThat(c.urls()).containsExactly("http://a:8081", "https://b:8443/apis/ccompat/v7");
    }

    @Test
    void mockScopeIsTheUrlsHost() {
        assertThat(new SchemaRegistryConfig(Map.of("schema.registry.url", "mock://it-42")).mockScope())
                .contains("it-42");
    }

    @Test
    void strategiesAcceptConfluentClassNamesAndShortNames() {
        SchemaRegistryConfig c = new SchemaRegistryConfig(Map.of("schema.registry.url", "http://r:1",
                "key.subject.name.strategy", "io.confluent.kafka.serializers.subject.RecordNameStrategy",
                "value.subject.name.strategy", "TopicRecordNameStrategy"));

        assertThat(c.subjectNameStrategy(true)).isEqualTo(SubjectNameStrategy.RECORD_NAME);
        assertThat(c.subjectNameStrategy(false)).isEqualTo(SubjectNameStrategy.TOPIC_RECORD_NAME);
    }

    @Test
    void unknownStrategyIsRejectedListingTheAcceptedOnes() {
        assertThatThrownBy(() -> new SchemaRegistryConfig(Map.of("schema.registry.url", "http://r:1",
                "value.subject.name.strategy", "com.example.MyStrategy")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("com.example.MyStrategy")
                .hasMessageContaining("TopicRecordNameStrategy");
    }

    @Test
    void userInfoSourceTakesTheUserInfoSetting() {
        SchemaRegistryConfig c = new SchemaRegistryConfig(Map.of("schema.registry.url", "https://r:8443",
                "basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "svc:s3cr:et"));

        assertThat(c.basicAuthUserInfo()).contains("svc:s3cr:et");
        assertThat(c.toString()).doesNotContain("s3cr");
    }

    @Test
    void userInfoSourceWithoutUserInfoIsAConfigError() {
        assertThatThrownBy(() -> new SchemaRegistryConfig(Map.of("schema.registry.url", "https://r:8443",
                "basic.auth.credentials.source", "USER_INFO")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("basic.auth.user.info");
        assertThatThrownBy(() -> new SchemaRegistryConfig(Map.of("schema.registry.url", "https://r:8443",
                "basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "no-colon")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("user:password");
    }

    @Test
    void urlSourceTakesCredentialsFromTheUrlAndStripsThemFromIt() {
        SchemaRegistryConfig c = new SchemaRegistryConfig(Map.of("schema.registry.url",
                "https://svc:p%40ss@registry:8443"));

        assertThat(c.basicAuthUserInfo()).contains("svc:p@ss");
        assertThat(c.urls()).containsExactly("https://registry:8443");
    }

    @Test
    void unknownCredentialsSourceIsRejected() {
        assertThatThrownBy(() -> new SchemaRegistryConfig(Map.of("schema.registry.url", "http://r:1",
                "basic.auth.credentials.source", "SASL_INHERIT")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("basic.auth.credentials.source");
    }

    @Test
    void timeoutsAndRetriesAreValidated() {
        SchemaRegistryConfig c = new SchemaRegistryConfig(Map.of("schema.registry.url", "http://r:1",
                "http.connect.timeout.ms", "1500", "http.read.timeout.ms", 2500,
                "schema.registry.request.max.retries", "0"));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.readTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.maxRetries()).isZero();

        assertThatThrownBy(() -> new SchemaRegistryConfig(Map.of("schema.registry.url", "http://r:1",
                "schema.registry.request.max.retries", "-1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.request.max.retries");
        assertThatThrownBy(() -> new SchemaRegistryConfig(Map.of("schema.registry.url", "http://r:1",
                "http.read.timeout.ms", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http.read.timeout.ms");
    }

    @Test
    void aMissingTrustStoreIsAConfigErrorNamingIt() {
        SchemaRegistryConfig c = new SchemaRegistryConfig(Map.of("schema.registry.url", "https://r:1",
                "schema.registry.ssl.truststore.location", "/nonexistent/truststore.jks",
                "schema.registry.ssl.truststore.password", "changeit"));

        assertThatThrownBy(() -> new RestSchemaRegistryClient(c))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("/nonexistent/truststore.jks");
    }
}
