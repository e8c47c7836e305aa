package io.nodeincidents.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodeincidents.config.Setting.Importance;
import io.nodeincidents.config.Setting.Validator;
import io.nodeincidents.ingest.cli.KafkaClientSettings;
import io.nodeincidents.ingest.produce.EntryProducerConfig;
import io.nodeincidents.ingest.ship.JournalShipper;
import io.nodeincidents.ingest.ship.ShipperSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** A setting declared once gives its default, its checks, its doc and its ConfigDef key alike. */
class SettingTest {

    private static final Setting<Duration> PAUSE = Setting.millis("test.pause.ms", Duration.ofMillis(500),
            Validator.between(10, 60_000), Importance.LOW, "How long to pause.");

    @Test
    void aDurationIsWrittenInMillisecondsAndUsedAsADuration() {
        assertThat(PAUSE.defaultValue()).isEqualTo(Duration.ofMillis(500));
        assertThat(PAUSE.rawDefault()).isEqualTo(500L);
        assertThat(PAUSE.parse(" 1500 ")).isEqualTo(Duration.ofMillis(1500));
        assertThat(PAUSE.parse(20)).isEqualTo(Duration.ofMillis(20));
        assertThat(PAUSE.valueIn(Map.of())).isEqualTo(Duration.ofMillis(500));
        assertThat(PAUSE.valueIn(Map.of("test.pause.ms", "60000"))).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aRefusedValueIsOneLineNamingTheSettingAndTheValue() {
        assertThatThrownBy(() -> PAUSE.parse("5")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid value 5 for configuration test.pause.ms: Value must be at least 10");
        assertThatThrownBy(() -> PAUSE.parse("60001")).hasMessageContaining("no more than 60000");
        assertThatThrownBy(() -> PAUSE.parse("soon")).hasMessageContaining("test.pause.ms")
                .hasMessageContaining("soon");
        Setting<String> secret = Setting.password("test.secret", Importance.LOW, "A secret.");
        assertThatThrownBy(() -> secret.parse(42)).hasMessageNotContaining("42");
    }

    @Test
    void aDefaultItsOwnValidatorRefusesIsADeclarationBug() {
        assertThatThrownBy(() -> Setting.integer("test.port", 70_000, Validator.between(0, 65535), Importance.LOW,
                "A port.")).hasMessageContaining("default of test.port");
    }

    @Test
    void theEnvironmentVariableMapsBackToTheName() {
        assertThat(PAUSE.envVar()).isEqualTo("NODEINCIDENTS_TEST_PAUSE_MS");
        for (Setting<?> setting : ShipperSettings.SETTINGS) {
            String suffix = setting.envVar().substring(ConfigSources.ENV_PREFIX.length());
            assertThat(ConfigSources.propertyName(suffix)).isEqualTo(setting.name());
        }
    }

    @Test
    void theConfigDefIsBuiltFromTheDeclarationsAndRefusesWhatTheyRefuse() {
        ConfigDef definition = SettingsConfigDef.of(List.of(PAUSE));
        ConfigDef.ConfigKey key = definition.configKeys().get("test.pause.ms");
        assertThat(key.type).isEqualTo(ConfigDef.Type.LONG);
        assertThat(key.defaultValue).isEqualTo(500L);
        assertThat(key.documentation).isEqualTo("How long to pause.");
        assertThat(key.validator).hasToString("[10,...,60000]");
        assertThatThrownBy(() -> definition.parse(Map.of("test.pause.ms", "5"))).isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value 5 for configuration test.pause.ms: Value must be at least 10");
        assertThat(SettingsConfigDef.value(PAUSE, definition.parse(Map.of()).get("test.pause.ms")))
                .isEqualTo(PAUSE.defaultValue());
    }

    @Test
    void everyDeclaredShipperSettingHasTheSameDefaultBothWays() {
        Map<String, Object> parsed = ShipperSettings.DEFINITION.parse(Map.of());
        for (Setting<?> setting : ShipperSettings.SETTINGS) {
            assertThat(SettingsConfigDef.value(setting, parsed.get(setting.name()))).as(setting.name())
                    .isEqualTo(setting.defaultValue());
        }
    }

    @Test
    void testsRunTheShipperWithItsProductionDefaults() {
        JournalShipper.Options defaults = JournalShipper.Options.defaults();
        assertThat(defaults.cursorSaveInterval()).isEqualTo(ShipperSettings.SAVE_INTERVAL.defaultValue())
                .isEqualTo(Duration.ofMillis(500));
        assertThat(defaults.maxInFlightEntries()).isEqualTo(ShipperSettings.INFLIGHT_ENTRIES.defaultValue());
        assertThat(defaults.shutdownTimeout()).isEqualTo(ShipperSettings.SHUTDOWN_TIMEOUT.defaultValue());
    }

    @Test
    void theRegistryUrlIsCheckedAsTheSerdesCheckIt() {
        assertThat(KafkaClientSettings.SCHEMA_REGISTRY_URL.parse("http://a:8081, http://b:8081"))
                .containsExactly("http://a:8081", "http://b:8081");
        assertThat(KafkaClientSettings.SCHEMA_REGISTRY_URL.parse("mock://x")).containsExactly("mock://x");
        assertThatThrownBy(() -> KafkaClientSettings.SCHEMA_REGISTRY_URL.parse("registry:8081"))
                .hasMessageStartingWith("Invalid value registry:8081 for configuration schema.registry.url: '")
                .hasMessageContaining("is not an http(s):// URL");
        assertThatThrownBy(() -> EntryProducerConfig.DEFINITION.parse(Map.of("schema.registry.url", "")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
    }
}
