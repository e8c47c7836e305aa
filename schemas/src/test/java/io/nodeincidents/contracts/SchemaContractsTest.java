package io.nodeincidents.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.schemas.FleetAlert;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.RuntimeFailureEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaContractsTest {

    private static final Path CURRENT = Path.of("src/main/avro");
    private static final Path RELEASED = Path.of("src/released");

    @Test
    void currentSchemasReadEverythingTheNewestReleaseWrote() {
        Map<String, Schema> current = SchemaContracts.parseDirectory(CURRENT);
        Map<String, Schema> released = SchemaContracts.parseDirectory(SchemaContracts.newestRelease(RELEASED));

        assertThat(SchemaContracts.backwardIncompatibilities(current, released))
                .as("a schema change broke BACKWARD compatibility with %s; add defaults or release a new major",
                        SchemaContracts.newestRelease(RELEASED))
                .isEmpty();
    }

    @Test
    void generatedClassesMatchTheSchemaFiles() {
        Map<String, Schema> current = SchemaContracts.parseDirectory(CURRENT);
        for (Schema generated : List.of(JournalEntry.getClassSchema(), KernelMemoryEvent.getClassSchema(),
                RuntimeFailureEvent.getClassSchema(), Incident.getClassSchema(), FleetAlert.getClassSchema())) {
            // generated classes carry avro.java.string properties: compare the parsing canonical forms
            assertThat(SchemaNormalization.toParsingForm(current.get(generated.getFullName())))
                    .isEqualTo(SchemaNormalization.toParsingForm(generated));
        }
    }

    @Test
    void everyFieldOfEveryContractIsDocumented() {
        Map<String, Schema> current = SchemaContracts.parseDirectory(CURRENT);
        for (Schema schema : current.values()) {
            assertThat(schema.getNamespace()).as("namespace of %s", schema.getName()).isEqualTo("io.nodeincidents.schemas");
            assertThat(schema.getDoc()).as("doc of %s", schema.getFullName()).isNotBlank();
            if (schema.getType() == Schema.Type.RECORD) {
                for (Schema.Field field : schema.getFields()) {
                    assertThat(field.doc()).as("doc of %s.%s", schema.getName(), field.name()).isNotBlank();
                }
            }
        }
    }

    @Test
    void addingAnOptionalFieldStaysCompatible(@TempDir Path tmp) throws IOException {
        Path changed = copyWithEdit(tmp, "JournalEntry.avsc", text -> text.replace(
                "{\"name\": \"truncated\"",
                "{\"name\": \"shipperHost\", \"type\": [\"null\", \"string\"], \"default\": null, \"doc\": \"new\"},\n    {\"name\": \"truncated\""));

        assertThat(check(changed)).isEmpty();
    }

    @Test
    void aNewRequiredFieldBreaksTheBuild(@TempDir Path tmp) throws IOException {
        Path changed = copyWithEdit(tmp, "JournalEntry.avsc", text -> text.replace(
                "{\"name\": \"truncated\"",
                "{\"name\": \"shipperHost\", \"type\": \"string\", \"doc\": \"new, no default\"},\n    {\"name\": \"truncated\""));

        assertThat(check(changed)).singleElement().satisfies(problem -> {
            assertThat(problem.record()).isEqualTo("io.nodeincidents.schemas.JournalEntry");
            assertThat(problem.description()).contains("shipperHost");
        });
    }

    @Test
    void aRemovedSymbolOfAnEnumWithoutDefaultBreaksTheBuild(@TempDir Path tmp) throws IOException {
        Path changed = copyWithEdit(tmp, "Incident.avsc",
                text -> text.replace("[\"OPEN\", \"UPDATED\", \"RESOLVED\"]", "[\"OPEN\", \"UPDATED\"]"));

        assertThat(check(changed)).extracting(SchemaContracts.Incompatibility::record)
                .contains("io.nodeincidents.schemas.Incident");
    }

    private static List<SchemaContracts.Incompatibility> check(Path changedDir) {
        return SchemaContracts.backwardIncompatibilities(SchemaContracts.parseDirectory(changedDir),
                SchemaContracts.parseDirectory(SchemaContracts.newestRelease(RELEASED)));
    }

    private static Path copyWithEdit(Path tmp, String file, UnaryOperator<String> edit)
            throws IOException {
        Path dir = tmp.resolve("avro");
        try (var files = Files.walk(CURRENT)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = dir.resolve(CURRENT.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.writeString(target, Files.readString(source));
                }
            }
        }
        Path edited = dir.resolve(file);
        String before = Files.readString(edited);
        String after = edit.apply(before);
        assertThat(after).as("the edit must change %s", file).isNotEqualTo(before);
        Files.writeString(edited, after);
        return dir;
    }
}
