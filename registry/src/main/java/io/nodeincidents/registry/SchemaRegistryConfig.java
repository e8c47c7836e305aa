package io.nodeincidents.registry;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.CaseInsensitiveValidString;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Settings of the schema registry client and the Avro serdes, declared once in {@link #configDef()} with Confluent's
 * property names, so a configuration written for Confluent's serdes works unchanged. Unknown keys are ignored: the
 * serdes are configured with the whole producer, consumer or Streams property map.
 */
public final class SchemaRegistryConfig extends AbstractConfig {

    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";
    public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";
    public static final String SPECIFIC_AVRO_KEY_TYPE = "specific.avro.key.type";
    public static final String SPECIFIC_AVRO_VALUE_TYPE = "specific.avro.value.type";
    public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
    public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String SSL_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String SSL_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String SSL_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String SSL_KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String SSL_KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    public static final String SSL_KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
    public static final String SSL_KEY_PASSWORD = "schema.registry.ssl.key.password";
    public static final String HTTP_CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
    public static final String HTTP_READ_TIMEOUT_MS = "http.read.timeout.ms";
    public static final String REQUEST_MAX_RETRIES = "schema.registry.request.max.retries";
    public static final String REQUEST_RETRY_BACKOFF_MS = "schema.registry.request.retry.backoff.ms";
    public static final String REQUEST_RETRY_BACKOFF_MAX_MS = "schema.registry.request.retry.backoff.max.ms";
    public static final String AVRO_SERDE_CLASS = "avro.serde.class";

    /** Credentials come from {@link #BASIC_AUTH_USER_INFO}. */
    public static final String SOURCE_USER_INFO = "USER_INFO";
    /** Credentials come from the user-info part of the registry URL ({@code https://user:pass@host}). */
    public static final String SOURCE_URL = "URL";

    private static final String GROUP_REGISTRY = "Schema registry";
    private static final String GROUP_SERDE = "Avro serde";
    private static final String GROUP_TLS = "Schema registry TLS";

    private static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(SCHEMA_REGISTRY_URL, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, new RegistryUrls(), Importance.HIGH,
                    "Comma-separated registry URLs, e.g. http://registry:8081 or, for Apicurio, "
                            + "http://registry:8080/apis/ccompat/v7. The first answering URL is used; on a connection "
                            + "failure or HTTP 5xx the client moves on to the next one, round-robin. mock://SCOPE selects "
                            + "an in-process registry shared by everything in this JVM using the same scope (tests).",
                    GROUP_REGISTRY, 1, ConfigDef.Width.LONG, "Registry URLs")
            .define(BASIC_AUTH_CREDENTIALS_SOURCE, Type.STRING, SOURCE_URL,
                    CaseInsensitiveValidString.in(SOURCE_USER_INFO, SOURCE_URL), Importance.MEDIUM,
                    "Where HTTP basic-auth credentials come from: USER_INFO takes basic.auth.user.info; URL takes "
                            + "the user-info part of the registry URL (no credentials when the URL has none).",
                    GROUP_REGISTRY, 2, ConfigDef.Width.SHORT, "Credentials source")
            .define(BASIC_AUTH_USER_INFO, Type.PASSWORD, null, Importance.MEDIUM,
                    "Basic-auth credentials as user:password, used when basic.auth.credentials.source=USER_INFO.",
                    GROUP_REGISTRY, 3, ConfigDef.Width.MEDIUM, "User info")
            .define(HTTP_CONNECT_TIMEOUT_MS, Type.INT, 10_000, Range.atLeast(1), Importance.LOW,
                    "Time allowed to open a connection to a registry URL, in milliseconds.",
                    GROUP_REGISTRY, 4, ConfigDef.Width.SHORT, "Connect timeout")
            // with the retries below: 11 tries of at most 10 s plus backoff end well inside a Streams app's
            // max.poll.interval.ms (5 min), and ride out a registry that refuses connections for 15 to 30 s
            .define(HTTP_READ_TIMEOUT_MS, Type.INT, 10_000, Range.atLeast(1), Importance.LOW,
                    "Time allowed for a registry's answer once the request is sent, in milliseconds.",
                    GROUP_REGISTRY, 5, ConfigDef.Width.SHORT, "Read timeout")
            .define(REQUEST_MAX_RETRIES, Type.INT, 10, Range.between(0, 100), Importance.LOW,
                    "How many times a registry request is retried after a connection failure, timeout, HTTP 5xx or "
                            + "429 before the call fails. 4xx answers (not found, incompatible, unauthorized) are "
                            + "never retried.",
                    GROUP_REGISTRY, 6, ConfigDef.Width.SHORT, "Max retries")
            .define(REQUEST_RETRY_BACKOFF_MS, Type.LONG, 200L, Range.atLeast(0), Importance.LOW,
                    "Wait before the first retry, in milliseconds; doubled on each further retry up to "
                            + REQUEST_RETRY_BACKOFF_MAX_MS + ", with random jitter of up to half the wait.",
                    GROUP_REGISTRY, 7, ConfigDef.Width.SHORT, "Retry backoff")
            .define(REQUEST_RETRY_BACKOFF_MAX_MS, Type.LONG, 5_000L, Range.atLeast(0), Importance.LOW,
                    "Upper bound of the wait between two retries, in milliseconds.",
                    GROUP_REGISTRY, 8, ConfigDef.Width.SHORT, "Retry backoff cap")
            .define(SSL_TRUSTSTORE_LOCATION, Type.STRING, null, Importance.MEDIUM,
                    "Trust store used to verify https registry URLs; the JVM's default trust store when unset.",
                    GROUP_TLS, 1, ConfigDef.Width.LONG, "Trust store")
            .define(SSL_TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM,
                    "Password of the trust store.", GROUP_TLS, 2, ConfigDef.Width.MEDIUM, "Trust store password")
            .define(SSL_TRUSTSTORE_TYPE, Type.STRING, "JKS", CaseInsensitiveValidString.in("JKS", "PKCS12"),
                    Importance.LOW, "Format of the trust store file.", GROUP_TLS, 3, ConfigDef.Width.SHORT,
                    "Trust store type")
            .define(SSL_KEYSTORE_LOCATION, Type.STRING, null, Importance.MEDIUM,
                    "Key store holding the client certificate for registries that require mutual TLS.",
                    GROUP_TLS, 4, ConfigDef.Width.LONG, "Key store")
            .define(SSL_KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM,
                    "Password of the key store.", GROUP_TLS, 5, ConfigDef.Width.MEDIUM, "Key store password")
            .define(SSL_KEYSTORE_TYPE, Type.STRING, "JKS", CaseInsensitiveValidString.in("JKS", "PKCS12"),
                    Importance.LOW, "Format of the key store file.", GROUP_TLS, 6, ConfigDef.Width.SHORT,
                    "Key store type")
            .define(SSL_KEY_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM,
                    "Password of the private key in the key store; the key store password when unset.",
                    GROUP_TLS, 7, ConfigDef.Width.MEDIUM, "Key password")
            .define(AUTO_REGISTER_SCHEMAS, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Serializer: register the record's schema under its subject (a no-op when already registered). "
                            + "When false, the schema must already be registered and only its id is looked up.",
                    GROUP_SERDE, 1, ConfigDef.Width.SHORT, "Auto-register schemas")
            .define(USE_LATEST_VERSION, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Serializer, with auto.register.schemas=false: write records with the subject's latest "
                            + "registered version instead of looking up the record's own schema. The record is "
                            + "converted to that version, which must be able to read it.",
                    GROUP_SERDE, 2, ConfigDef.Width.SHORT, "Use latest version")
            .define(SPECIFIC_AVRO_READER, Type.BOOLEAN, false, Importance.MEDIUM,
                    "AvroDeserializer: decode into the generated SpecificRecord class of the writer schema's name "
                            + "(or specific.avro.key.type / specific.avro.value.type) instead of a GenericRecord. "
                            + "SpecificAvroDeserializer always does.",
                    GROUP_SERDE, 3, ConfigDef.Width.SHORT, "Specific reader")
            .define(SPECIFIC_AVRO_KEY_TYPE, Type.CLASS, null, Importance.LOW,
                    "SpecificRecord class keys are decoded into; by default the class named like the writer schema.",
                    GROUP_SERDE, 4, ConfigDef.Width.LONG, "Key class")
            .define(SPECIFIC_AVRO_VALUE_TYPE, Type.CLASS, null, Importance.LOW,
                    "SpecificRecord class values are decoded into; by default the class named like the writer "
                            + "schema.", GROUP_SERDE, 5, ConfigDef.Width.LONG, "Value class")
            .define(KEY_SUBJECT_NAME_STRATEGY, Type.STRING, SubjectNameStrategy.TOPIC_NAME.confluentClassName(),
                    new StrategyName(), Importance.MEDIUM,
                    "How the subject of a key schema is named: TopicNameStrategy (<topic>-key), RecordNameStrategy "
                            + "(record full name) or TopicRecordNameStrategy (<topic>-<record full name>); Confluent's "
                            + "class names are accepted too.",
                    GROUP_SERDE, 6, ConfigDef.Width.LONG, "Key subject strategy")
            .define(VALUE_SUBJECT_NAME_STRATEGY, Type.STRING, SubjectNameStrategy.TOPIC_NAME.confluentClassName(),
                    new StrategyName(), Importance.MEDIUM,
                    "How the subject of a value schema is named: TopicNameStrategy (<topic>-value), "
                            + "RecordNameStrategy or TopicRecordNameStrategy; Confluent's class names are accepted too.",
                    GROUP_SERDE, 7, ConfigDef.Width.LONG, "Value subject strategy")
            .define(AVRO_SERDE_CLASS, Type.STRING, SpecificAvroSerde.class.getName(), Importance.LOW,
                    "Serde class AvroSerdeFactory creates for SpecificRecord types. Set it to "
                            + "io.confluent.kafka.streams.serdes.avro.SpecificAvroSerde to use Confluent's serde "
                            + "(it must be on the classpath); it is configured with the same properties. Plain "
                            + "producers swap serializers with Kafka's own value.serializer instead.",
                    GROUP_SERDE, 8, ConfigDef.Width.LONG, "Avro serde class");

    /** The declared settings, for documentation and {@code --help}. A copy: callers cannot change the definition. */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG_DEF);
    }

    public SchemaRegistryConfig(Map<?, ?> props) {
        super(CONFIG_DEF, props, false);
        if (SOURCE_USER_INFO.equals(credentialsSource())) {
            Password info = getPassword(BASIC_AUTH_USER_INFO);
            if (info == null || info.value().indexOf(':') < 0) {
                throw new ConfigException(BASIC_AUTH_USER_INFO + " must be set as user:password when "
                        + BASIC_AUTH_CREDENTIALS_SOURCE + "=" + SOURCE_USER_INFO);
            }
        }
    }

    /** The registry URLs as configured, user info removed, without trailing slashes. */
    public List<String> urls() {
        List<String> out = new ArrayList<>();
        for (String raw : getList(SCHEMA_REGISTRY_URL)) {
            URI uri = URI.create(raw.trim());
            String withoutUserInfo = uri.getRawUserInfo() == null ? raw.trim()
                    : raw.trim().replace(uri.getRawUserInfo() + "@", "");
            while (withoutUserInfo.endsWith("/")) {
                withoutUserInfo = withoutUserInfo.substring(0, withoutUserInfo.length() - 1);
            }
            out.add(withoutUserInfo);
        }
        return out;
    }

    /** The in-process registry scope when the URLs are {@code mock://SCOPE}, empty for real registries. */
    public Optional<String> mockScope() {
        String first = getList(SCHEMA_REGISTRY_URL).get(0).trim();
        return first.startsWith(MOCK_PREFIX) ? Optional.of(first.substring(MOCK_PREFIX.length())) : Optional.empty();
    }

    /** {@code user:password} for HTTP basic auth, from the configured source; empty when none is configured. */
    public Optional<String> basicAuthUserInfo() {
        if (SOURCE_USER_INFO.equals(credentialsSource())) {
            return Optional.of(getPassword(BASIC_AUTH_USER_INFO).value());
        }
        for (String raw : getList(SCHEMA_REGISTRY_URL)) {
            String userInfo = URI.create(raw.trim()).getUserInfo();
            if (userInfo != null) {
                return Optional.of(userInfo);
            }
        }
        return Optional.empty();
    }

    private String credentialsSource() {
        return getString(BASIC_AUTH_CREDENTIALS_SOURCE).toUpperCase(Locale.ROOT);
    }

    public boolean autoRegisterSchemas() {
        return getBoolean(AUTO_REGISTER_SCHEMAS);
    }

    public boolean useLatestVersion() {
        return getBoolean(USE_LATEST_VERSION);
    }

    public boolean specificAvroReader() {
        return getBoolean(SPECIFIC_AVRO_READER);
    }

    /** The configured SpecificRecord class for keys or values, or null to follow the writer schema's name. */
    public Class<?> specificType(boolean isKey) {
        return getClass(isKey ? SPECIFIC_AVRO_KEY_TYPE : SPECIFIC_AVRO_VALUE_TYPE);
    }

    public SubjectNameStrategy subjectNameStrategy(boolean isKey) {
        return SubjectNameStrategy.parse(getString(isKey ? KEY_SUBJECT_NAME_STRATEGY : VALUE_SUBJECT_NAME_STRATEGY));
    }

    public Duration connectTimeout() {
        return Duration.ofMillis(getInt(HTTP_CONNECT_TIMEOUT_MS));
    }

    public Duration readTimeout() {
        return Duration.ofMillis(getInt(HTTP_READ_TIMEOUT_MS));
    }

    public int maxRetries() {
        return getInt(REQUEST_MAX_RETRIES);
    }

    public Duration retryBackoff() {
        return Duration.ofMillis(getLong(REQUEST_RETRY_BACKOFF_MS));
    }

    public Duration retryBackoffMax() {
        return Duration.ofMillis(getLong(REQUEST_RETRY_BACKOFF_MAX_MS));
    }

    public String avroSerdeClass() {
        return getString(AVRO_SERDE_CLASS);
    }

    static final String MOCK_PREFIX = "mock://";

    /** Accepts a non-empty list of http(s) URLs, or of mock://SCOPE URLs, not a mix. */
    private static final class RegistryUrls implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (!(value instanceof List<?> list) || list.isEmpty()) {
                throw new ConfigException(name, value, "at least one registry URL is required");
            }
            int mocks = 0;
            for (Object o : list) {
                String url = String.valueOf(o).trim();
                if (url.startsWith(MOCK_PREFIX)) {
                    if (url.length() == MOCK_PREFIX.length()) {
                        throw new ConfigException(name, value, "mock:// needs a scope name, e.g. mock://my-test");
                    }
                    mocks++;
                    continue;
                }
                try {
                    URI uri = new URI(url);
                    if (!("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                            || uri.getHost() == null) {
                        throw new ConfigException(name, value,
                                "'" + url + "' is not an http(s):// URL with a host, nor mock://SCOPE");
                    }
                } catch (URISyntaxException e) {
                    throw new ConfigException(name, value, "'" + url + "' is not a valid URL: " + e.getMessage());
                }
            }
            if (mocks > 0 && mocks < list.size()) {
                throw new ConfigException(name, value, "mock:// URLs cannot be mixed with real registry URLs");
            }
        }

        @Override
        public String toString() {
            return "non-empty list of http(s):// URLs, or mock://SCOPE";
        }
    }

    private static final class StrategyName implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                SubjectNameStrategy.parse((String) value);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "TopicNameStrategy, RecordNameStrategy, TopicRecordNameStrategy (short or Confluent class name)";
        }
    }
}
