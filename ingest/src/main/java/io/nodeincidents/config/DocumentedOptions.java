package io.nodeincidents.config;

import org.apache.kafka.common.config.ConfigDef;

/**
 * A command whose own options are declared as {@link Setting}s, in a {@link ConfigDef} built from them
 * ({@link SettingsConfigDef}): the command line prints them under {@code --help}, so name, type, default, valid values
 * and doc come from the declaration alone.
 */
public interface DocumentedOptions {

    /** The options this command declares (Kafka's own properties pass through undeclared). */
    ConfigDef optionDefinitions();
}
