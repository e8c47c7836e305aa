package io.nodeincidents.contracts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.SchemaParseException;

/**
 * The project's Avro contracts as files, and the BACKWARD check of the current ones against a released copy.
 * Released copies live in the repo so the check needs no registry: a schema change that would make the registry
 * reject the next deployment fails the build instead.
 */
public final class SchemaContracts {

    /** Records that are topic values; the others are named types they embed. */
    public static final List<String> TOPIC_RECORDS = List.of(
            "io.nodeincidents.schemas.JournalEntry",
            "io.nodeincidents.schemas.KernelMemoryEvent",
            "io.nodeincidents.schemas.RuntimeFailureEvent",
            "io.nodeincidents.schemas.Incident",
            "io.nodeincidents.schemas.FleetAlert",
            "io.nodeincidents.schemas.DeadLetter",
            "io.nodeincidents.schemas.NodeMemorySample",
            "io.nodeincidents.schemas.MemoryForecast");

    private SchemaContracts() {
    }

    /**
     * Parses every {@code .avsc} below {@code dir}, in whatever order the files reference each other: a file naming
     * a type defined in a later file is retried after the others.
     *
     * @return every named type defined, by full name
     */
    public static Map<String, Schema> parseDirectory(Path dir) {
        List<Path> pending;
        try (Stream<Path> files = Files.walk(dir)) {
            pending = files.filter(p -> p.toString().endsWith(".avsc")).sorted(Comparator.naturalOrder())
                    .collect(java.util.stream.Collectors.toCollection(ArrayList::new));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list schemas in " + dir, e);
        }
        Map<String, Schema> known = new LinkedHashMap<>();
        while (!pending.isEmpty()) {
            List<Path> unresolved = new ArrayList<>();
            AvroRuntimeException lastError = null;
            for (Path file : pending) {
                Schema.Parser parser = new Schema.Parser();
                parser.addTypes(known.values());
                try {
                    parser.parse(Files.readString(file));
                    known.putAll(parser.getTypes());
                } catch (AvroRuntimeException e) {
                    // Undefined names (AvroTypeException in 1.12) mean a dependency comes later: retry this file
                    unresolved.add(file);
                    lastError = e;
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + file, e);
                }
            }
            if (unresolved.size() == pending.size()) {
                throw new SchemaParseException("cannot parse " + unresolved + ": " + lastError.getMessage());
            }
            pending = unresolved;
        }
        return known;
    }

    /** One incompatibility: which record, and what Avro says is wrong. */
    public record Incompatibility(String record, String description) {
    }

    /**
     * Checks that each topic record in {@code current} can read data written with the same record in
     * {@code released} (BACKWARD). Records new since the release are fine; a released record that disappeared is
     * an incompatibility.
     */
    public static List<Incompatibility> backwardIncompatibilities(Map<String, Schema> current,
                                                                  Map<String, Schema> released) {
        List<Incompatibility> problems = new ArrayList<>();
        for (String name : TOPIC_RECORDS) {
            Schema writer = released.get(name);
            if (writer == null) {
                continue;
            }
            Schema reader = current.get(name);
            if (reader == null) {
                problems.add(new Incompatibility(name, "record removed since the release"));
                continue;
            }
            SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
            if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                problems.add(new Incompatibility(name, result.getResult().getIncompatibilities().toString()));
            }
        }
        return problems;
    }

    /** The newest released copy below {@code releasedRoot}: the folder {@code vN} with the highest N. */
    public static Path newestRelease(Path releasedRoot) {
        try (Stream<Path> dirs = Files.list(releasedRoot)) {
            return dirs.filter(Files::isDirectory)
                    .filter(p -> p.getFileName().toString().matches("v\\d{1,6}"))
                    .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().substring(1))))
                    .orElseThrow(() -> new IllegalStateException("no released schema folder vN in " + releasedRoot));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + releasedRoot, e);
        }
    }
}
