package io.nodeincidents.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Where a program's configuration comes from, lowest precedence first: a properties file ({@code --config FILE}),
 * then {@code NODEINCIDENTS_*} environment variables, then command-line options. Any Kafka, Streams or schema
 * registry property passes through unchanged; the program's own options are declared as {@link Setting}s.
 *
 * <p>Environment names map to property names the way container platforms expect:
 * {@code NODEINCIDENTS_BOOTSTRAP_SERVERS} is {@code bootstrap.servers}, {@code NODEINCIDENTS_SCHEMA_REGISTRY_URL} is
 * {@code schema.registry.url}; a double underscore keeps a literal underscore ({@code NODEINCIDENTS_A__B} is
 * {@code a_b}).
 */
public final class ConfigSources {

    public static final String ENV_PREFIX = "NODEINCIDENTS_";

    private ConfigSources() {
    }

    /** Reads a properties file; a missing or unreadable file is an error that names it. */
    public static Map<String, String> file(Path path) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            throw new ConfigException("configuration file not found: " + path);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("cannot read configuration file " + path + ": " + e.getMessage());
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            result.put(name, properties.getProperty(name).strip());
        }
        return result;
    }

    /** The {@code NODEINCIDENTS_*} variables of {@code environment}, as property names. */
    public static Map<String, String> environment(Map<String, String> environment) {
        Map<String, String> result = new LinkedHashMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                result.put(propertyName(name.substring(ENV_PREFIX.length())), value);
            }
        });
        return result;
    }

    static String propertyName(String envSuffix) {
        String lower = envSuffix.toLowerCase(Locale.ROOT);
        StringBuilder name = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (c == '_' && i + 1 < lower.length() && lower.charAt(i + 1) == '_') {
                name.append('_');
                i++;
            } else {
                name.append(c == '_' ? '.' : c);
            }
        }
        return name.toString();
    }

    /** Merges layers; later layers win. Null maps are skipped. */
    @SafeVarargs
    public static Map<String, String> layered(Map<String, String>... layers) {
        Map<String, String> result = new LinkedHashMap<>();
        for (Map<String, String> layer : layers) {
            if (layer != null) {
                result.putAll(layer);
            }
        }
        return result;
    }

    /** A configuration problem the user must fix: reported in one line, exit code 2. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String message) {
            super(message);
        }
    }
}
