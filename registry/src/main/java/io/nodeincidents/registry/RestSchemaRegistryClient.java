package io.nodeincidents.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client of the Confluent Schema Registry REST API ({@code application/vnd.schemaregistry.v1+json}) over
 * {@link HttpClient}, as served by Confluent Schema Registry, Apicurio Registry's {@code /apis/ccompat/v7}, Karapace
 * and Redpanda.
 *
 * <p>It caches id → schema and (subject, schema) → id, so a serde asks the registry once per schema. It sticks to the
 * first URL that answers; a connection failure, timeout, HTTP 5xx or 429 moves it to the next URL (round-robin) and
 * retries after an exponential backoff, up to {@link SchemaRegistryConfig#REQUEST_MAX_RETRIES} times. Other 4xx
 * answers are not retried and become {@link IncompatibleSchemaException} (409), {@link SchemaRegistryAuthException}
 * (401, 403), {@link SchemaNotFoundException} (404) or {@link SchemaRegistryException}.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

    /** The Confluent REST API's media type. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private static final Logger LOG = LoggerFactory.getLogger(RestSchemaRegistryClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> urls;
    private final AtomicInteger currentUrl = new AtomicInteger();
    private final HttpClient http;
    private final Optional<String> authorization;
    private final Duration readTimeout;
    private final int maxRetries;
    private final long backoffMs;
    private final long backoffMaxMs;

    private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> idBySubjectSchema = new ConcurrentHashMap<>();

    private record SubjectSchema(String subject, Schema schema) {
    }

    public RestSchemaRegistryClient(SchemaRegistryConfig config) {
        if (config.mockScope().isPresent()) {
            throw new ConfigException(SchemaRegistryConfig.SCHEMA_REGISTRY_URL, config.urls(),
                    "mock:// URLs are served by MockSchemaRegistry; use SchemaRegistryClient.create");
        }
        this.urls = List.copyOf(config.urls());
        this.readTimeout = config.readTimeout();
        this.maxRetries = config.maxRetries();
        this.backoffMs = config.retryBackoff().toMillis();
        this.backoffMaxMs = Math.max(backoffMs, config.retryBackoffMax().toMillis());
        this.authorization = config.basicAuthUserInfo().map(userInfo ->
                "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)));
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL);
        sslContext(config).ifPresent(builder::sslContext);
        this.http = builder.build();
    }

    /** Clients by their configuration (passwords included, so different credentials never share one). */
    private static final Map<String, RestSchemaRegistryClient> SHARED = new ConcurrentHashMap<>();

    /** The process's client for {@code config}: created once, its caches shared by every serde so configured. */
    static RestSchemaRegistryClient shared(SchemaRegistryConfig config) {
        StringBuilder key = new StringBuilder();
        new TreeMap<>(config.values()).forEach((name, value) -> key.append(name).append('=')
                .append(value instanceof Password p ? p.value() : value)
                .append('\n'));
        return SHARED.computeIfAbsent(key.toString(), k -> new RestSchemaRegistryClient(config));
    }

    /** A client of the registry at {@code props}' {@code schema.registry.url} (unknown keys are ignored). */
    public RestSchemaRegistryClient(Map<String, ?> props) {
        this(new SchemaRegistryConfig(props));
    }

    @Override
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = idBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = call("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema), subject);
        int id = requiredInt(answer, "id", "register under subject '" + subject + "'");
        idBySubjectSchema.put(key, id);
        schemaById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public RegisteredSchema lookup(String subject, Schema schema) {
        JsonNode answer = call("POST", "/subjects/" + encode(subject), schemaBody(schema), subject);
        String what = "look up schema under subject '" + subject + "'";
        RegisteredSchema found = new RegisteredSchema(subject, requiredInt(answer, "id", what),
                requiredInt(answer, "version", what), schema);
        idBySubjectSchema.put(new SubjectSchema(subject, schema), found.id());
        schemaById.putIfAbsent(found.id(), schema);
        return found;
    }

    /** The id of {@code schema} under {@code subject}, from the cache when it was registered or looked up before. */
    @Override
    public int lookupId(String subject, Schema schema) {
        Integer cached = idBySubjectSchema.get(new SubjectSchema(subject, schema));
        return cached != null ? cached : lookup(subject, schema).id();
    }

    @Override
    public Schema schemaById(int id) {
        Schema cached = schemaById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = call("GET", "/schemas/ids/" + id, null, null);
        Schema schema = parse(requiredText(answer, "schema", "fetch schema id " + id), "schema id " + id);
        Schema raced = schemaById.putIfAbsent(id, schema);
        return raced != null ? raced : schema;
    }

    @Override
    public RegisteredSchema latestVersion(String subject) {
        JsonNode answer = call("GET", "/subjects/" + encode(subject) + "/versions/latest", null, subject);
        String what = "fetch latest version of subject '" + subject + "'";
        int id = requiredInt(answer, "id", what);
        Schema schema = schemaById.computeIfAbsent(id,
                i -> parse(requiredText(answer, "schema", what), "latest version of subject '" + subject + "'"));
        return new RegisteredSchema(subject, id, requiredInt(answer, "version", what), schema);
    }

    @Override
    public boolean isCompatibleWithLatest(String subject, Schema schema) {
        JsonNode answer = call("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest",
                schemaBody(schema), subject);
        JsonNode flag = answer.get("is_compatible");
        if (flag == null || !flag.isBoolean()) {
            throw unexpected("compatibility test for subject '" + subject + "'", answer);
        }
        return flag.booleanValue();
    }

    @Override
    public CompatibilityLevel globalCompatibility() {
        return level(call("GET", "/config", null, null), "global compatibility");
    }

    @Override
    public void setGlobalCompatibility(CompatibilityLevel level) {
        call("PUT", "/config", levelBody(level), null);
    }

    @Override
    public CompatibilityLevel subjectCompatibility(String subject) {
        try {
            return level(call("GET", "/config/" + encode(subject) + "?defaultToGlobal=true", null, subject),
                    "compatibility of subject '" + subject + "'");
        } catch (SchemaNotFoundException e) {
            // registries that do not know defaultToGlobal answer 404 for a subject without its own level
            return globalCompatibility();
        }
    }

    @Override
    public void setSubjectCompatibility(String subject, CompatibilityLevel level) {
        call("PUT", "/config/" + encode(subject), levelBody(level), subject);
    }

    /** The registry URLs this client uses, in order. */
    public List<String> urls() {
        return urls;
    }

    // ---- HTTP ----

    private JsonNode call(String method, String path, JsonNode body, String subject) {
        int attempts = maxRetries + 1;
        String lastFailure = "";
        Throwable lastCause = null;
        int lastStatus = -1;
        int lastErrorCode = -1;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            int index = Math.floorMod(currentUrl.get(), urls.size());
            String base = urls.get(index);
            try {
                HttpResponse<String> response = http.send(request(method, base + path, body),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    return readJson(response.body(), method, base + path);
                }
                RegistryError error = RegistryError.of(response.body());
                if (status >= 500 || status == 429) {
                    lastFailure = base + " answered HTTP " + status + " (" + error.describe() + ")";
                    lastStatus = status;
                    lastErrorCode = error.code();
                    lastCause = null;
                } else {
                    throw clientError(status, error, method, base + path, subject);
                }
            } catch (javax.net.ssl.SSLHandshakeException e) {
                // an untrusted certificate does not heal by retrying
                throw new SchemaRegistryException("TLS handshake with " + base + " failed (check "
                        + SchemaRegistryConfig.SSL_TRUSTSTORE_LOCATION + " and the keystore settings): "
                        + e.getMessage(), -1, -1, e);
            } catch (IOException e) {
                lastFailure = base + ": " + describe(e);
                lastCause = e;
                lastStatus = -1;
                lastErrorCode = -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("interrupted while calling " + method + " " + base + path, -1, -1,
                        e);
            }
            // move on to the next URL (if any) for the retry; only if no other thread already did
            currentUrl.compareAndSet(index, index + 1);
            if (attempt < attempts) {
                long wait = backoff(attempt);
                LOG.warn("schema registry request {} {} failed (attempt {} of {}), retrying in {} ms: {}", method,
                        path, attempt, attempts, wait, lastFailure);
                sleep(wait, method, path);
            }
        }
        throw new SchemaRegistryUnavailableException("schema registry unavailable: " + method + " " + path
                + " failed " + attempts + " time(s) on " + urls + "; last failure: " + lastFailure, attempts,
                lastStatus, lastErrorCode, lastCause);
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            // the JDK's ConnectException often comes without a message
            message = e instanceof java.net.ConnectException ? "connection refused or host unreachable" : "no detail";
        }
        return e.getClass().getSimpleName() + ": " + message;
    }

    /** Exponential backoff with equal jitter: half the wait is fixed, half random, so clients do not retry in step. */
    private long backoff(int attempt) {
        long exp = backoffMs << Math.min(attempt - 1, 30);
        long wait = Math.min(exp < 0 ? backoffMaxMs : exp, backoffMaxMs);
        long half = wait / 2;
        return half + (wait - half == 0 ? 0 : ThreadLocalRandom.current().nextLong(wait - half + 1));
    }

    private static void sleep(long millis, String method, String path) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted while waiting to retry " + method + " " + path, -1, -1, e);
        }
    }

    private HttpRequest request(String method, String url, JsonNode body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(readTimeout)
                .header("Accept", CONTENT_TYPE + ", application/json;q=0.9");
        authorization.ifPresent(a -> b.header("Authorization", a));
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", CONTENT_TYPE);
            b.method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        }
        return b.build();
    }

    private static SchemaRegistryException clientError(int status, RegistryError error, String method, String url,
            String subject) {
        return switch (status) {
            case 409 -> new IncompatibleSchemaException(Objects.requireNonNullElse(subject, "?"), error.describe(),
                    status, error.code());
            case 401, 403 -> new SchemaRegistryAuthException("schema registry refused " + method + " " + url
                    + " with HTTP " + status + (status == 401 ? " (unauthorized: check basic.auth.credentials.source"
                    + " and basic.auth.user.info)" : " (forbidden: the credentials lack the rights)") + ": "
                    + error.describe(), status, error.code());
            case 404 -> new SchemaNotFoundException("not found: " + method + " " + url + " answered HTTP 404 ("
                    + error.describe() + ")", status, error.code());
            case 422 -> new SchemaRegistryException("schema registry rejected " + method + " " + url
                    + " as invalid (HTTP 422): " + error.describe(), status, error.code());
            default -> new SchemaRegistryException("schema registry answered " + method + " " + url + " with HTTP "
                    + status + ": " + error.describe(), status, error.code());
        };
    }

    /** The registry's {@code {"error_code": N, "message": "..."}} body, or whatever text it sent. */
    private record RegistryError(int code, String message) {
        static RegistryError of(String body) {
            try {
                JsonNode node = JSON.readTree(body);
                if (node != null && node.isObject()) {
                    return new RegistryError(node.path("error_code").asInt(-1),
                            node.path("message").asText(abbreviate(body)));
                }
            } catch (JsonProcessingException e) {
                // not JSON: a proxy's error page, for instance; its text still helps
            }
            return new RegistryError(-1, abbreviate(body));
        }

        String describe() {
            return (code >= 0 ? "error_code " + code + ": " : "") + message;
        }
    }

    private static String abbreviate(String body) {
        String oneLine = body == null ? "" : body.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "...";
    }

    private static JsonNode readJson(String body, String method, String url) {
        try {
            JsonNode node = JSON.readTree(body);
            return node == null ? JSON.nullNode() : node;
        } catch (JsonProcessingException e) {
            throw new SchemaRegistryException("schema registry answered " + method + " " + url
                    + " with something that is not JSON: " + abbreviate(body), 200, -1, e);
        }
    }

    private static ObjectNode schemaBody(Schema schema) {
        ObjectNode body = JSON.createObjectNode();
        body.put("schema", schema.toString());
        return body;
    }

    private static ObjectNode levelBody(CompatibilityLevel level) {
        ObjectNode body = JSON.createObjectNode();
        body.put("compatibility", level.name());
        return body;
    }

    private static CompatibilityLevel level(JsonNode answer, String what) {
        String text = answer.path("compatibilityLevel").asText(answer.path("compatibility").asText(""));
        try {
            return CompatibilityLevel.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw unexpected(what, answer);
        }
    }

    private static int requiredInt(JsonNode answer, String field, String what) {
        JsonNode node = answer.get(field);
        if (node == null || !node.canConvertToInt()) {
            throw unexpected(what, answer);
        }
        return node.intValue();
    }

    private static String requiredText(JsonNode answer, String field, String what) {
        JsonNode node = answer.get(field);
        if (node == null || !node.isTextual()) {
            throw unexpected(what, answer);
        }
        return node.textValue();
    }

    private static SchemaRegistryException unexpected(String what, JsonNode answer) {
        return new SchemaRegistryException("unexpected schema registry answer to " + what + ": "
                + abbreviate(answer.toString()), 200, -1);
    }

    private static Schema parse(String text, String what) {
        try {
            return new Schema.Parser().parse(text);
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException("schema registry returned an unparseable Avro schema for " + what
                    + ": " + e.getMessage(), 200, -1, e);
        }
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // ---- TLS ----

    /** An SSLContext from the configured trust and key stores; empty (JVM defaults) when neither is configured. */
    static Optional<SSLContext> sslContext(SchemaRegistryConfig config) {
        String trustLocation = config.getString(SchemaRegistryConfig.SSL_TRUSTSTORE_LOCATION);
        String keyLocation = config.getString(SchemaRegistryConfig.SSL_KEYSTORE_LOCATION);
        if (isBlank(trustLocation) && isBlank(keyLocation)) {
            return Optional.empty();
        }
        try {
            TrustManager[] trust = null;
            if (!isBlank(trustLocation)) {
                KeyStore store = load(config.getString(SchemaRegistryConfig.SSL_TRUSTSTORE_TYPE), trustLocation,
                        config.getPassword(SchemaRegistryConfig.SSL_TRUSTSTORE_PASSWORD),
                        SchemaRegistryConfig.SSL_TRUSTSTORE_LOCATION);
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(store);
                trust = tmf.getTrustManagers();
            }
            KeyManager[] keys = null;
            if (!isBlank(keyLocation)) {
                Password storePassword = config.getPassword(SchemaRegistryConfig.SSL_KEYSTORE_PASSWORD);
                KeyStore store = load(config.getString(SchemaRegistryConfig.SSL_KEYSTORE_TYPE), keyLocation,
                        storePassword, SchemaRegistryConfig.SSL_KEYSTORE_LOCATION);
                Password keyPassword = Optional.ofNullable(config.getPassword(SchemaRegistryConfig.SSL_KEY_PASSWORD))
                        .orElse(storePassword);
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store, chars(keyPassword));
                keys = kmf.getKeyManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return Optional.of(context);
        } catch (GeneralSecurityException e) {
            throw new ConfigException("cannot set up TLS for the schema registry: " + e.getMessage());
        }
    }

    private static KeyStore load(String type, String location, Password password, String setting)
            throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(type.toUpperCase(Locale.ROOT));
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            store.load(in, chars(password));
            return store;
        } catch (IOException e) {
            throw new ConfigException(setting, location, "cannot read " + type + " store: " + e);
        }
    }

    private static char[] chars(Password password) {
        return password == null ? null : password.value().toCharArray();
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
