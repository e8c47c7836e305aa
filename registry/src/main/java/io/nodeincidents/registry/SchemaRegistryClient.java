package io.nodeincidents.registry;

import java.util.Map;
import org.apache.avro.Schema;

/**
 * The calls of the Confluent Schema Registry REST API that producers and consumers of Avro records need. Two
 * implementations: {@link RestSchemaRegistryClient} for a real registry (Confluent, Apicurio's ccompat API, Karapace,
 * Redpanda) and {@link MockSchemaRegistry} for {@code mock://SCOPE} URLs. Implementations are thread-safe.
 *
 * <p>Failures are {@link SchemaRegistryException}s: {@link IncompatibleSchemaException},
 * {@link SchemaNotFoundException}, {@link SchemaRegistryAuthException}, {@link SchemaRegistryUnavailableException}.
 */
public interface SchemaRegistryClient {

    /**
     * Registers {@code schema} under {@code subject}, or returns its id when that subject already has it.
     *
     * @return the registry-wide schema id
     * @throws IncompatibleSchemaException when the subject's compatibility rule rejects the schema
     */
    int register(String subject, Schema schema);

    /**
     * The id and version of {@code schema} under {@code subject}, without registering anything.
     *
     * @throws SchemaNotFoundException when the subject does not exist or does not hold this schema
     */
    RegisteredSchema lookup(String subject, Schema schema);

    /**
     * The id of {@code schema} under {@code subject}, without registering anything; implementations may cache it.
     *
     * @throws SchemaNotFoundException when the subject does not exist or does not hold this schema
     */
    default int lookupId(String subject, Schema schema) {
        return lookup(subject, schema).id();
    }

    /**
     * The schema with this id.
     *
     * @throws SchemaNotFoundException when the registry has no schema with this id
     */
    Schema schemaById(int id);

    /**
     * The subject's latest version.
     *
     * @throws SchemaNotFoundException when the subject does not exist
     */
    RegisteredSchema latestVersion(String subject);

    /**
     * Whether {@code schema} could be registered as the next version of {@code subject} under its compatibility rule.
     *
     * @throws SchemaNotFoundException when the subject does not exist
     */
    boolean isCompatibleWithLatest(String subject, Schema schema);

    /** The registry's global compatibility level. */
    CompatibilityLevel globalCompatibility();

    /** Sets the registry's global compatibility level. */
    void setGlobalCompatibility(CompatibilityLevel level);

    /** The compatibility level that applies to {@code subject}: its own, or else the global one. */
    CompatibilityLevel subjectCompatibility(String subject);

    /** Sets {@code subject}'s own compatibility level. */
    void setSubjectCompatibility(String subject, CompatibilityLevel level);

    /**
     * A client for the configured registry: the in-process {@link MockSchemaRegistry} scope for {@code mock://SCOPE},
     * a {@link RestSchemaRegistryClient} otherwise, one per configuration in this process, so every serde of an
     * application shares what the registry told any of them (a schema an incident serializer registered is known to
     * the repartition topic's deserializer without asking again: it goes on while the registry is down).
     */
    static SchemaRegistryClient create(SchemaRegistryConfig config) {
        return config.mockScope().<SchemaRegistryClient>map(MockSchemaRegistry::scope)
                .orElseGet(() -> RestSchemaRegistryClient.shared(config));
    }

    /** {@link #create(SchemaRegistryConfig)} from a property map (unknown keys are ignored). */
    static SchemaRegistryClient create(Map<String, ?> props) {
        return create(new SchemaRegistryConfig(props));
    }
}
