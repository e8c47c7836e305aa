package io.nodeincidents.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.KernelMemoryEvent;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MockSchemaRegistryTest {

    private static final Schema ENTRY = JournalEntry.getClassSchema();
    private static final Schema WITH_OPTIONAL_ZONE =
            TestRecords.journalEntryWith("{\"name\":\"zone\",\"type\":[\"null\",\"string\"],\"default\":null}");
    private static final Schema WITH_REQUIRED_ZONE =
            TestRecords.journalEntryWith("{\"name\":\"zone\",\"type\":\"string\"}");

    private final String scope = "mock-test-" + System.nanoTime();
    private final MockSchemaRegistry registry = MockSchemaRegistry.scope(scope);

    @AfterEach
    void drop() {
        MockSchemaRegistry.dropScope(scope);
    }

    @Test
    void reRegisteringGivesTheSameIdAndNoNewVersion() {
        int id = registry.register("a-value", ENTRY);

        assertThat(registry.register("a-value", ENTRY)).isEqualTo(id);
        assertThat(registry.latestVersion("a-value").version()).isEqualTo(1);
    }

    @Test
    void identicalSchemasShareTheirIdAcrossSubjects() {
        int a = registry.register("a-value", ENTRY);
        int b = registry.register("b-value", ENTRY);
        int other = registry.register("c-value", KernelMemoryEvent.getClassSchema());

        assertThat(b).isEqualTo(a);
        assertThat(other).isNotEqualTo(a);
        assertThat(registry.schemaById(other)).isEqualTo(KernelMemoryEvent.getClassSchema());
    }

    @Test
    void backwardIsTheDefaultAndAcceptsAFieldWithADefault() {
        registry.register("a-value", ENTRY);

        assertThat(registry.globalCompatibility()).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(registry.isCompatibleWithLatest("a-value", WITH_OPTIONAL_ZONE)).isTrue();
        registry.register("a-value", WITH_OPTIONAL_ZONE);
        assertThat(registry.latestVersion("a-value").version()).isEqualTo(2);
    }

    @Test
    void backwardRejectsARequiredFieldWithoutDefaultSayingWhere() {
        registry.register("a-value", ENTRY);

        assertThat(registry.isCompatibleWithLatest("a-value", WITH_REQUIRED_ZONE)).isFalse();
        assertThatThrownBy(() -> registry.register("a-value", WITH_REQUIRED_ZONE))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessageContaining("a-value")
                .hasMessageContaining("zone")
                .satisfies(e -> assertThat(((IncompatibleSchemaException) e).subject()).isEqualTo("a-value"));
        assertThat(registry.latestVersion("a-value").version()).isEqualTo(1);
    }

    @Test
    void forwardChecksTheOtherDirection() {
        registry.setSubjectCompatibility("a-value", CompatibilityLevel.FORWARD);
        registry.register("a-value", ENTRY);

        // old readers cannot fill in 'message' when a new writer drops it
        Schema withoutMessage = new Schema.Parser().parse(ENTRY.toString().replace(
                "{\"name\":\"message\",", "{\"name\":\"renamedMessage\","));
        assertThat(registry.isCompatibleWithLatest("a-value", withoutMessage)).isFalse();
        // a new required field is fine for old readers, which ignore it
        assertThat(registry.isCompatibleWithLatest("a-value", WITH_REQUIRED_ZONE)).isTrue();
        assertThat(registry.subjectCompatibility("a-value")).isEqualTo(CompatibilityLevel.FORWARD);
        assertThat(registry.subjectCompatibility("b-value")).isEqualTo(CompatibilityLevel.BACKWARD);
    }

    @Test
    void noneAcceptsAnything() {
        registry.setGlobalCompatibility(CompatibilityLevel.NONE);
        registry.register("a-value", ENTRY);

        registry.register("a-value", WITH_REQUIRED_ZONE);

        assertThat(registry.latestVersion("a-value").schema()).isEqualTo(WITH_REQUIRED_ZONE);
    }

    @Test
    void lookupFindsRegisteredSchemasOnly() {
        int id = registry.register("a-value", ENTRY);

        assertThat(registry.lookup("a-value", ENTRY)).isEqualTo(new RegisteredSchema("a-value", id, 1, ENTRY));
        assertThatThrownBy(() -> registry.lookup("a-value", WITH_OPTIONAL_ZONE))
                .isInstanceOf(SchemaNotFoundException.class)
                .satisfies(e -> assertThat(((SchemaNotFoundException) e).errorCode()).isEqualTo(40403));
        assertThatThrownBy(() -> registry.lookup("nope", ENTRY))
                .isInstanceOf(SchemaNotFoundException.class)
                .satisfies(e -> assertThat(((SchemaNotFoundException) e).errorCode()).isEqualTo(40401));
        assertThatThrownBy(() -> registry.schemaById(id + 100)).isInstanceOf(SchemaNotFoundException.class);
    }

    @Test
    void scopesAreSharedByNameAndDroppedOnRequest() {
        registry.register("a-value", ENTRY);

        assertThat(SchemaRegistryClient.create(Map.of("schema.registry.url", "mock://" + scope)))
                .isSameAs(registry);
        MockSchemaRegistry.dropScope(scope);
        assertThatThrownBy(() -> MockSchemaRegistry.scope(scope).latestVersion("a-value"))
                .isInstanceOf(SchemaNotFoundException.class);
    }
}
