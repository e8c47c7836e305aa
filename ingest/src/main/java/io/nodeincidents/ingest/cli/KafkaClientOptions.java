package io.nodeincidents.ingest.cli;

import io.nodeincidents.config.ConfigSources;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Options every command that talks to Kafka shares: a properties file, the common connection settings, and
 * {@code -X key=value} for any Kafka, Streams or schema registry property. Precedence, lowest first: defaults,
 * {@code --config} file, {@code NODEINCIDENTS_*} environment, these options.
 */
public final class KafkaClientOptions {

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file: our options and any Kafka, Streams or schema registry property.")
    Path configFile;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka bootstrap servers (bootstrap.servers).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", paramLabel = "URL",
            description = "Schema registry URL (schema.registry.url): Confluent REST API, or mock://SCOPE.")
    String schemaRegistryUrl;

    @Option(names = {"-X", "--property"}, paramLabel = "KEY=VALUE",
            description = "Any other property, e.g. -X security.protocol=SSL. Repeatable.")
    Map<String, String> properties = new LinkedHashMap<>();

    /** The merged settings, highest precedence last. */
    public Map<String, String> settings(Map<String, String> environment) {
        Map<String, String> cli = new LinkedHashMap<>(properties);
        if (bootstrapServers != null) {
            cli.put(KafkaClientSettings.BOOTSTRAP_SERVERS.name(), bootstrapServers);
        }
        if (schemaRegistryUrl != null) {
            cli.put(KafkaClientSettings.SCHEMA_REGISTRY_URL.name(), schemaRegistryUrl);
        }
        return ConfigSources.layered(configFile == null ? null : ConfigSources.file(configFile),
                ConfigSources.environment(environment), cli);
    }
}
