package io.nodeincidents.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSourcesTest {

    @Test
    void environmentVariablesBecomePropertyNames() {
        Map<String, String> env = ConfigSources.environment(Map.of(
                "NODEINCIDENTS_BOOTSTRAP_SERVERS", "kafka:9092",
                "NODEINCIDENTS_SCHEMA_REGISTRY_URL", "http://registry:8081",
                "NODEINCIDENTS_SASL_JAAS__CONFIG_X", "kept",
                "PATH", "/usr/bin",
                "NODEINCIDENTS_", "ignored"));
        assertThat(env).containsOnly(
                Map.entry("bootstrap.servers", "kafka:9092"),
                Map.entry("schema.registry.url", "http://registry:8081"),
                Map.entry("sasl.jaas_config.x", "kept"));
    }

    @Test
    void laterLayersWin(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("app.properties");
        Files.writeString(file, "bootstrap.servers=file:9092\nwindow.ms = 120000 \nssl.truststore.location=/etc/ts\n");
        Map<String, String> merged = ConfigSources.layered(ConfigSources.file(file),
                ConfigSources.environment(Map.of("NODEINCIDENTS_BOOTSTRAP_SERVERS", "env:9092")),
                Map.of("window.ms", "60000"));
        assertThat(merged).containsEntry("bootstrap.servers", "env:9092").containsEntry("window.ms", "60000")
                .containsEntry("ssl.truststore.location", "/etc/ts");
    }

    @Test
    void aMissingFileIsNamedInTheError(@TempDir Path dir) {
        assertThatThrownBy(() -> ConfigSources.file(dir.resolve("nope.properties")))
                .isInstanceOf(ConfigSources.ConfigException.class).hasMessageContaining("nope.properties");
    }

    @Test
    void helpShowsNameTypeDefaultValidValuesAndDoc() {
        ConfigDef def = new ConfigDef()
                .define("window.ms", ConfigDef.Type.LONG, 120_000L, ConfigDef.Range.atLeast(1),
                        ConfigDef.Importance.HIGH, "How far apart evidence may be.")
                .define("secret", ConfigDef.Type.PASSWORD, "hunter2", ConfigDef.Importance.LOW, "A secret.");
        assertThat(String.join("\n", ConfigHelp.lines(def)))
                .contains("window.ms (long, default 120000, [1,...])")
                .contains("How far apart evidence may be.")
                .contains("secret (password, default [hidden])")
                .doesNotContain("hunter2");
    }
}
