package io.nodeincidents.ingest.cli;

import io.nodeincidents.config.Setting;
import io.nodeincidents.config.Setting.Importance;
import io.nodeincidents.config.Setting.Validator;
import io.nodeincidents.registry.SchemaRegistryConfig;
import java.util.List;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The client settings every program that talks to Kafka shares (ship, replay, correlate, demo), declared once:
 * where the brokers are and where the schema registry is, with its credentials. The registry keys keep the name,
 * type, validation and doc {@link SchemaRegistryConfig} (the serdes' own configuration) declares for them; the
 * programs add a default URL.
 */
public final class KafkaClientSettings {

    public static final Setting<List<String>> BOOTSTRAP_SERVERS = Setting.list(
            CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, List.of("127.0.0.1:9092"), null, Importance.HIGH,
            "Kafka bootstrap servers (host:port, comma separated).");

    public static final Setting<List<String>> SCHEMA_REGISTRY_URL = Setting.list(
            SchemaRegistryConfig.SCHEMA_REGISTRY_URL, List.of("http://127.0.0.1:8081"),
            registryValidator(SchemaRegistryConfig.SCHEMA_REGISTRY_URL), Importance.HIGH,
            registryDoc(SchemaRegistryConfig.SCHEMA_REGISTRY_URL));

    public static final Setting<String> REGISTRY_CREDENTIALS_SOURCE = Setting.string(
            SchemaRegistryConfig.BASIC_AUTH_CREDENTIALS_SOURCE,
            (String) registryKey(SchemaRegistryConfig.BASIC_AUTH_CREDENTIALS_SOURCE).defaultValue,
            registryValidator(SchemaRegistryConfig.BASIC_AUTH_CREDENTIALS_SOURCE), Importance.MEDIUM,
            registryDoc(SchemaRegistryConfig.BASIC_AUTH_CREDENTIALS_SOURCE));

    public static final Setting<String> REGISTRY_USER_INFO = Setting.password(
            SchemaRegistryConfig.BASIC_AUTH_USER_INFO, Importance.MEDIUM,
            registryDoc(SchemaRegistryConfig.BASIC_AUTH_USER_INFO));

    /** All of them, in the order {@code --help} shows them. */
    public static final List<Setting<?>> ALL = List.of(BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL,
            REGISTRY_CREDENTIALS_SOURCE, REGISTRY_USER_INFO);

    private KafkaClientSettings() {
    }

    /** The value as the clients take it: a list as comma-separated text. */
    public static String joined(List<String> values) {
        return String.join(",", values);
    }

    private static ConfigDef.ConfigKey registryKey(String name) {
        return SchemaRegistryConfig.configDef().configKeys().get(name);
    }

    private static String registryDoc(String name) {
        return registryKey(name).documentation;
    }

    /** The serdes' own check of the key, so a value the programs accept is one the serdes accept. */
    private static Validator registryValidator(String name) {
        ConfigDef.Validator check = registryKey(name).validator;
        String prefix = "for configuration " + name + ": ";
        return Validator.of(check.toString(), value -> {
            try {
                check.ensureValid(name, value);
                return null;
            } catch (ConfigException e) {
                // keep what is wrong; the caller names the setting and the value itself
                String message = String.valueOf(e.getMessage());
                int at = message.indexOf(prefix);
                return at < 0 ? message : message.substring(at + prefix.length());
            }
        });
    }
}
