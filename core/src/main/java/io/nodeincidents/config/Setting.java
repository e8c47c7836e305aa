package io.nodeincidents.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One setting, declared once: name, type, default, validation, documentation and how its value becomes the type the
 * program uses. Records of settings take their defaults from here, {@code --help} and the Kafka {@code ConfigDef} are
 * built from here ({@link SettingsConfigDef}), and a value read from a file, the environment or the command line is
 * checked here. Plain Java: domain code declares its settings without Kafka types.
 *
 * @param <T> what the program uses (a {@link Duration} for a {@code *.ms} setting, say)
 */
public final class Setting<T> {

    /** How a value is written in a properties file. */
    public enum Type {
        BOOLEAN, SHORT, INT, LONG, STRING, LIST, PASSWORD
    }

    /** How much an operator needs to know a setting (shown in the documentation's order). */
    public enum Importance {
        HIGH, MEDIUM, LOW
    }

    private static final Object REQUIRED = new Object();

    private final String name;
    private final Type type;
    private final Object defaultValue;
    private final Validator validator;
    private final Importance importance;
    private final String doc;
    private final Function<Object, T> convert;

    private Setting(String name, Type type, Object defaultValue, Validator validator, Importance importance,
            String doc, Function<Object, T> convert) {
        this.name = requireText(name, "name");
        this.type = Objects.requireNonNull(type, "type");
        this.validator = validator == null ? Validator.ANY : validator;
        this.importance = Objects.requireNonNull(importance, "importance");
        this.doc = requireText(doc, "doc");
        this.convert = Objects.requireNonNull(convert, "convert");
        this.defaultValue = defaultValue;
        if (defaultValue != REQUIRED && defaultValue != null) {
            // a default the validator refuses is a declaration bug: fail when the class loads, not in production
            String problem = this.validator.problem(defaultValue);
            if (problem != null) {
                throw new IllegalArgumentException("default of " + name + " is invalid: " + problem);
            }
        }
    }

    public static Setting<Boolean> bool(String name, boolean defaultValue, Importance importance, String doc) {
        return new Setting<>(name, Type.BOOLEAN, defaultValue, null, importance, doc, v -> (Boolean) v);
    }

    public static Setting<Short> shortInt(String name, short defaultValue, Validator validator, Importance importance,
            String doc) {
        return new Setting<>(name, Type.SHORT, defaultValue, validator, importance, doc, v -> (Short) v);
    }

    public static Setting<Integer> integer(String name, int defaultValue, Validator validator,
            Importance importance, String doc) {
        return new Setting<>(name, Type.INT, defaultValue, validator, importance, doc, v -> (Integer) v);
    }

    public static Setting<Long> longInt(String name, long defaultValue, Validator validator, Importance importance,
            String doc) {
        return new Setting<>(name, Type.LONG, defaultValue, validator, importance, doc, v -> (Long) v);
    }

    /** A duration written in milliseconds (a {@code *.ms} setting); {@code validator} sees the milliseconds. */
    public static Setting<Duration> millis(String name, Duration defaultValue, Validator validator,
            Importance importance, String doc) {
        return new Setting<>(name, Type.LONG, defaultValue.toMillis(), validator, importance, doc,
                v -> Duration.ofMillis((Long) v));
    }

    /** A string; {@code defaultValue} null means unset (no default value, yet not required). */
    public static Setting<String> string(String name, String defaultValue, Validator validator,
            Importance importance, String doc) {
        return new Setting<>(name, Type.STRING, defaultValue, validator, importance, doc, v -> (String) v);
    }

    /** A string that must be given: no default. */
    public static Setting<String> requiredString(String name, Validator validator, Importance importance,
            String doc) {
        return new Setting<>(name, Type.STRING, REQUIRED, validator, importance, doc, v -> (String) v);
    }

    /** A secret: never printed; unset by default. */
    public static Setting<String> password(String name, Importance importance, String doc) {
        return new Setting<>(name, Type.PASSWORD, null, null, importance, doc, v -> (String) v);
    }

    /** A comma-separated list. */
    @SuppressWarnings("unchecked")
    public static Setting<List<String>> list(String name, List<String> defaultValue, Validator validator,
            Importance importance, String doc) {
        return new Setting<>(name, Type.LIST, List.copyOf(defaultValue), validator, importance, doc,
                v -> List.copyOf((List<String>) v));
    }

    public String name() {
        return name;
    }

    public Type type() {
        return type;
    }

    public Importance importance() {
        return importance;
    }

    public String doc() {
        return doc;
    }

    public Validator validator() {
        return validator;
    }

    /** False when the setting must be given. */
    public boolean hasDefault() {
        return defaultValue != REQUIRED;
    }

    /**
     * The default as written in a properties file's type: a {@code Long} of milliseconds for a duration, a list of
     * strings for a list; null when unset.
     *
     * @throws IllegalStateException for a required setting
     */
    public Object rawDefault() {
        if (!hasDefault()) {
            throw new IllegalStateException(name + " has no default");
        }
        return defaultValue;
    }

    /** The default as the program uses it; null when unset. */
    public T defaultValue() {
        Object raw = rawDefault();
        return raw == null ? null : convert.apply(raw);
    }

    /** The {@code NODEINCIDENTS_*} environment variable that sets it (see {@link ConfigSources}). */
    public String envVar() {
        return ConfigSources.ENV_PREFIX + name.replace("_", "__").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /**
     * A value already parsed into this setting's {@link #type()} (a {@code Long} for a duration) as the program uses
     * it; null stays null.
     */
    public T fromRaw(Object raw) {
        return raw == null ? null : convert.apply(raw);
    }

    /**
     * Parses and validates {@code value} (text as in a properties file, or a value of the setting's type); absent
     * (null) gives the default.
     *
     * @throws InvalidSettingException naming the setting, the value and what is wrong
     */
    public T parse(Object value) {
        if (value == null) {
            if (!hasDefault()) {
                throw new InvalidSettingException(name + " is required and has no default");
            }
            return defaultValue();
        }
        Object raw = toRaw(value);
        String problem = validator.problem(raw);
        if (problem != null) {
            throw new InvalidSettingException(name, value, problem);
        }
        return convert.apply(raw);
    }

    /** This setting's value in {@code settings} (its default when absent), parsed and validated. */
    public T valueIn(Map<String, ?> settings) {
        return parse(settings.get(name));
    }

    private Object toRaw(Object value) {
        String text = value instanceof String s ? s.strip() : null;
        try {
            switch (type) {
                case BOOLEAN:
                    if (value instanceof Boolean) {
                        return value;
                    }
                    if (text != null && (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false"))) {
                        return Boolean.parseBoolean(text);
                    }
                    break;
                case SHORT:
                    if (value instanceof Short) {
                        return value;
                    }
                    if (text != null) {
                        return Short.parseShort(text);
                    }
                    break;
                case INT:
                    if (value instanceof Integer) {
                        return value;
                    }
                    if (text != null) {
                        return Integer.parseInt(text);
                    }
                    break;
                case LONG:
                    if (value instanceof Integer || value instanceof Long) {
                        return ((Number) value).longValue();
                    }
                    if (text != null) {
                        return Long.parseLong(text);
                    }
                    break;
                case STRING:
                case PASSWORD:
                    if (text != null) {
                        return type == Type.PASSWORD ? value : text;
                    }
                    break;
                case LIST:
                    if (value instanceof List<?> list) {
                        return list.stream().map(String::valueOf).toList();
                    }
                    if (text != null) {
                        if (text.isEmpty()) {
                            return List.of();
                        }
                        List<String> items = new ArrayList<>();
                        for (String item : text.split("\\s*,\\s*", -1)) {
                            items.add(item);
                        }
                        return List.copyOf(items);
                    }
                    break;
                default:
                    break;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new InvalidSettingException(name, type == Type.PASSWORD ? "[hidden]" : value, "Expected value to be "
                + (type == Type.INT ? "a 32-bit integer" : type == Type.SHORT ? "a 16-bit integer"
                : type == Type.LONG ? "a 64-bit integer" : type == Type.BOOLEAN ? "either true or false"
                : "a " + type.name().toLowerCase(Locale.ROOT)) + ", but it was " + value.getClass().getSimpleName());
    }

    @Override
    public String toString() {
        return name;
    }

    private static String requireText(String text, String what) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a setting needs a " + what);
        }
        return text;
    }

    /**
     * What values a setting accepts, on the value as parsed into its {@link Type} (milliseconds for a duration).
     * {@link #toString()} says it in the documentation.
     */
    public interface Validator {

        /** Anything the type accepts. */
        Validator ANY = new Validator() {
            @Override
            public String problem(Object value) {
                return null;
            }

            @Override
            public String toString() {
                return "";
            }
        };

        /** Null when {@code value} is fine, else what is wrong with it. */
        String problem(Object value);

        /** At least {@code min} (a whole number or milliseconds). */
        static Validator atLeast(long min) {
            return range(min, null);
        }

        /** From {@code min} to {@code max}, both included. */
        static Validator between(long min, long max) {
            return range(min, max);
        }

        private static Validator range(long min, Long max) {
            return new Validator() {
                @Override
                public String problem(Object value) {
                    long n = ((Number) value).longValue();
                    if (n < min) {
                        return "Value must be at least " + min;
                    }
                    if (max != null && n > max) {
                        return "Value must be no more than " + max;
                    }
                    return null;
                }

                @Override
                public String toString() {
                    return max == null ? "[" + min + ",...]" : "[" + min + ",...," + max + "]";
                }
            };
        }

        /** A string with something other than white space. */
        static Validator nonEmpty() {
            return new Validator() {
                @Override
                public String problem(Object value) {
                    return value == null || String.valueOf(value).isBlank() ? "String may not be empty" : null;
                }

                @Override
                public String toString() {
                    return "non-empty string";
                }
            };
        }

        /** One of {@code allowed}, exactly. */
        static Validator oneOf(String... allowed) {
            List<String> values = List.of(allowed);
            return new Validator() {
                @Override
                public String problem(Object value) {
                    return values.contains(value) ? null : "String must be one of: " + String.join(", ", values);
                }

                @Override
                public String toString() {
                    return "[" + String.join(", ", values) + "]";
                }
            };
        }

        /** A check written elsewhere, with the description {@code --help} shows. */
        static Validator of(String description, Function<Object, String> problem) {
            return new Validator() {
                @Override
                public String problem(Object value) {
                    return problem.apply(value);
                }

                @Override
                public String toString() {
                    return description;
                }
            };
        }
    }

    /** A value a setting does not accept: said in one line naming the setting. */
    public static final class InvalidSettingException extends IllegalArgumentException {

        InvalidSettingException(String name, Object value, String problem) {
            super("Invalid value " + value + " for configuration " + name + ": " + problem);
        }

        InvalidSettingException(String message) {
            super(message);
        }
    }
}
