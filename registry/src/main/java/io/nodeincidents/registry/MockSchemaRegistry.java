package io.nodeincidents.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * An in-process registry behind {@code mock://SCOPE} URLs, as Confluent's tools offer: one per scope per JVM, so a
 * serializer and a deserializer configured with the same scope see the same schemas. It behaves like a real
 * registry where it matters: identical schemas get the same id across subjects, and a new version must pass the
 * subject's compatibility rule (BACKWARD unless set otherwise), checked with Avro's own
 * {@link SchemaCompatibility}. Drop a scope between tests with {@link #dropScope(String)}.
 */
public final class MockSchemaRegistry implements SchemaRegistryClient {

    private static final Map<String, MockSchemaRegistry> SCOPES = new ConcurrentHashMap<>();

    private final String scope;
    private final Map<String, Integer> idBySchemaText = new HashMap<>();
    private final Map<Integer, Schema> schemaById = new HashMap<>();
    private final Map<String, List<RegisteredSchema>> versionsBySubject = new HashMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
    private int nextId = 1;

    private MockSchemaRegistry(String scope) {
        this.scope = scope;
    }

    /** The registry of {@code scope}, created empty on first use. */
    public static MockSchemaRegistry scope(String scope) {
        return SCOPES.computeIfAbsent(scope, MockSchemaRegistry::new);
    }

    /** Forgets {@code scope}: the next {@link #scope(String)} call starts from an empty registry. */
    public static void dropScope(String scope) {
        SCOPES.remove(scope);
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        List<RegisteredSchema> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        String text = schema.toString();
        for (RegisteredSchema v : versions) {
            if (v.schema().toString().equals(text)) {
                return v.id();
            }
        }
        List<String> problems = incompatibilities(subject, versions, schema);
        if (!problems.isEmpty()) {
            if (versions.isEmpty()) {
                versionsBySubject.remove(subject);
            }
            throw new IncompatibleSchemaException(subject, String.join("; ", problems), -1, 409);
        }
        int id = idBySchemaText.computeIfAbsent(text, t -> nextId++);
        schemaById.putIfAbsent(id, schema);
        versions.add(new RegisteredSchema(subject, id, versions.size() + 1, schema));
        return id;
    }

    @Override
    public synchronized RegisteredSchema lookup(String subject, Schema schema) {
        String text = schema.toString();
        return versions(subject).stream().filter(v -> v.schema().toString().equals(text)).findFirst()
                .orElseThrow(() -> new SchemaNotFoundException("schema not found under subject '" + subject
                        + "' in mock registry '" + scope + "'", -1, SchemaNotFoundException.SCHEMA_NOT_FOUND));
    }

    @Override
    public synchronized Schema schemaById(int id) {
        Schema schema = schemaById.get(id);
        if (schema == null) {
            throw new SchemaNotFoundException("no schema with id " + id + " in mock registry '" + scope + "'", -1,
                    SchemaNotFoundException.SCHEMA_NOT_FOUND);
        }
        return schema;
    }

    @Override
    public synchronized RegisteredSchema latestVersion(String subject) {
        List<RegisteredSchema> versions = versions(subject);
        return versions.get(versions.size() - 1);
    }

    @Override
    public synchronized boolean isCompatibleWithLatest(String subject, Schema schema) {
        return incompatibilities(subject, versions(subject), schema).isEmpty();
    }

    @Override
    public synchronized CompatibilityLevel globalCompatibility() {
        return globalLevel;
    }

    @Override
    public synchronized void setGlobalCompatibility(CompatibilityLevel level) {
        globalLevel = level;
    }

    @Override
    public synchronized CompatibilityLevel subjectCompatibility(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }

    @Override
    public synchronized void setSubjectCompatibility(String subject, CompatibilityLevel level) {
        subjectLevels.put(subject, level);
    }

    private List<RegisteredSchema> versions(String subject) {
        List<RegisteredSchema> versions = versionsBySubject.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw new SchemaNotFoundException("subject '" + subject + "' not found in mock registry '" + scope + "'",
                    -1, SchemaNotFoundException.SUBJECT_NOT_FOUND);
        }
        return versions;
    }

    /** What stops {@code candidate} from becoming the next version; empty when it may. */
    private List<String> incompatibilities(String subject, List<RegisteredSchema> versions, Schema candidate) {
        CompatibilityLevel level = subjectCompatibility(subject);
        if (level == CompatibilityLevel.NONE || versions.isEmpty()) {
            return List.of();
        }
        List<RegisteredSchema> against = level.transitive() ? versions : versions.subList(versions.size() - 1,
                versions.size());
        List<String> problems = new ArrayList<>();
        for (RegisteredSchema old : against) {
            if (level.checksBackward()) {
                // BACKWARD: consumers on the new schema must read data written with the old one
                describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, old.schema()),
                        "new schema cannot read data written with version " + old.version(), problems);
            }
            if (level.checksForward()) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(old.schema(), candidate),
                        "version " + old.version() + " cannot read data written with the new schema", problems);
            }
        }
        return problems;
    }

    private static void describe(SchemaPairCompatibility pair, String what, List<String> problems) {
        if (pair.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        String details = pair.getResult().getIncompatibilities().stream()
                .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage())
                .collect(Collectors.joining(", "));
        problems.add(what + " (" + details + ")");
    }
}
