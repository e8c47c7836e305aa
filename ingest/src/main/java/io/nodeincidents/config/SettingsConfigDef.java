package io.nodeincidents.config;

import java.util.Collection;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The one place a Kafka {@link ConfigDef} is made for our own settings: from their {@link Setting} declarations, in
 * the order given, for {@code --help} ({@link ConfigHelp}) and for parsing with Kafka's {@code AbstractConfig}, which
 * lets every undeclared Kafka, Streams or registry property pass through. Each key validates with the declaration's
 * validator, so both ways of reading a value accept and refuse the same values.
 */
public final class SettingsConfigDef {

    private SettingsConfigDef() {
    }

    /** A ConfigDef of {@code settings}; a name declared twice is a bug and refused. */
    public static ConfigDef of(Collection<? extends Setting<?>> settings) {
        ConfigDef definition = new ConfigDef();
        for (Setting<?> setting : settings) {
            definition.define(setting.name(), type(setting.type()),
                    setting.hasDefault() ? kafkaDefault(setting) : ConfigDef.NO_DEFAULT_VALUE,
                    validator(setting), importance(setting.importance()), setting.doc());
        }
        return definition;
    }

    /** {@link #of(Collection)} of several groups, in order. */
    @SafeVarargs
    public static ConfigDef of(List<? extends Setting<?>>... groups) {
        return of(java.util.Arrays.stream(groups).<Setting<?>>flatMap(List::stream).toList());
    }

    private static Object kafkaDefault(Setting<?> setting) {
        Object raw = setting.rawDefault();
        if (raw instanceof List<?> list) {
            // ConfigDef parses a list default given as text exactly as a configured value
            return String.join(",", list.stream().map(String::valueOf).toList());
        }
        return raw;
    }

    private static ConfigDef.Validator validator(Setting<?> setting) {
        Setting.Validator declared = setting.validator();
        if (declared == Setting.Validator.ANY) {
            return null;
        }
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                // Kafka validates an unset optional setting too; the declaration only judges values
                if (value == null) {
                    return;
                }
                Object plain = value instanceof Password p ? p.value() : value;
                String problem = declared.problem(plain);
                if (problem != null) {
                    throw new ConfigException(name, value, problem);
                }
            }

            @Override
            public String toString() {
                return declared.toString();
            }
        };
    }

    static ConfigDef.Type type(Setting.Type type) {
        return switch (type) {
            case BOOLEAN -> ConfigDef.Type.BOOLEAN;
            case SHORT -> ConfigDef.Type.SHORT;
            case INT -> ConfigDef.Type.INT;
            case LONG -> ConfigDef.Type.LONG;
            case STRING -> ConfigDef.Type.STRING;
            case LIST -> ConfigDef.Type.LIST;
            case PASSWORD -> ConfigDef.Type.PASSWORD;
        };
    }

    private static ConfigDef.Importance importance(Setting.Importance importance) {
        return switch (importance) {
            case HIGH -> ConfigDef.Importance.HIGH;
            case MEDIUM -> ConfigDef.Importance.MEDIUM;
            case LOW -> ConfigDef.Importance.LOW;
        };
    }

    /** A value Kafka parsed for {@code setting} as the program uses it (a Duration for a {@code *.ms} setting). */
    public static <T> T value(Setting<T> setting, Object parsed) {
        return setting.fromRaw(parsed instanceof Password p ? p.value() : parsed);
    }
}
