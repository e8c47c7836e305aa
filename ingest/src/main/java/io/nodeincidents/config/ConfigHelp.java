package io.nodeincidents.config;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;

/**
 * Renders a {@link ConfigDef} for {@code --help} and the docs, so every option's name, type, default, valid values
 * and documentation are written once, where the option is declared.
 */
public final class ConfigHelp {

    private ConfigHelp() {
    }

    /** One block per option: {@code name (type, default X, valid values)} then its doc, indented. */
    public static List<String> lines(ConfigDef definition) {
        List<String> lines = new ArrayList<>();
        for (ConfigDef.ConfigKey key : definition.configKeys().values()) {
            StringBuilder head = new StringBuilder("  ").append(key.name).append(" (")
                    .append(key.type.name().toLowerCase(java.util.Locale.ROOT));
            if (key.hasDefault()) {
                head.append(", default ").append(describeDefault(key));
            } else {
                head.append(", required");
            }
            if (key.validator != null) {
                String valid = key.validator.toString();
                if (!valid.isBlank()) {
                    head.append(", ").append(valid);
                }
            }
            head.append(')');
            lines.add(head.toString());
            lines.add("      " + key.documentation);
        }
        return lines;
    }

    private static String describeDefault(ConfigDef.ConfigKey key) {
        Object value = key.defaultValue;
        if (value == null) {
            return "none";
        }
        if (value instanceof Password) {
            return "[hidden]";
        }
        String text = ConfigDef.convertToString(value, key.type);
        return text == null || text.isEmpty() ? "\"\"" : text;
    }
}
