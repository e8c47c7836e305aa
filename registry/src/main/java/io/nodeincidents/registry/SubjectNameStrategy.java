package io.nodeincidents.registry;

import java.util.Locale;
import org.apache.avro.Schema;

/**
 * How a subject name is derived for a record written to a topic, as Confluent's serializers name them. Accepts
 * Confluent's class names ({@code io.confluent.kafka.serializers.subject.TopicNameStrategy}) or the short names, so
 * existing producer and Streams configurations keep working unchanged.
 */
public enum SubjectNameStrategy {
    /** {@code <topic>-key} / {@code <topic>-value}: one schema lineage per topic (Confluent's default). */
    TOPIC_NAME("TopicNameStrategy"),
    /** The record's full name: the same record type shares one lineage across topics. */
    RECORD_NAME("RecordNameStrategy"),
    /** {@code <topic>-<record full name>}: several record types per topic, each with its own lineage. */
    TOPIC_RECORD_NAME("TopicRecordNameStrategy");

    private static final String CONFLUENT_PACKAGE = "io.confluent.kafka.serializers.subject.";

    private final String shortName;

    SubjectNameStrategy(String shortName) {
        this.shortName = shortName;
    }

    /** The short name (e.g. {@code TopicNameStrategy}). */
    public String shortName() {
        return shortName;
    }

    /** Confluent's class name for this strategy. */
    public String confluentClassName() {
        return CONFLUENT_PACKAGE + shortName;
    }

    /** The subject under which a record of {@code schema} written to {@code topic} is registered. */
    public String subject(String topic, boolean isKey, Schema schema) {
        return switch (this) {
            case TOPIC_NAME -> topic + (isKey ? "-key" : "-value");
            case RECORD_NAME -> recordName(schema);
            case TOPIC_RECORD_NAME -> topic + "-" + recordName(schema);
        };
    }

    private static String recordName(Schema schema) {
        if (schema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException(
                    "record-name subject strategies need a record schema, got " + schema.getType());
        }
        return schema.getFullName();
    }

    /**
     * Parses a configured value: Confluent's class name, the short name ({@code TopicNameStrategy}), or this enum's
     * constant name ({@code TOPIC_NAME}), case-insensitively.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static SubjectNameStrategy parse(String value) {
        if (value != null) {
            String trimmed = value.trim();
            String simple = trimmed.startsWith(CONFLUENT_PACKAGE) ? trimmed.substring(CONFLUENT_PACKAGE.length()) : trimmed;
            for (SubjectNameStrategy s : values()) {
                if (s.shortName.equalsIgnoreCase(simple) || s.name().equalsIgnoreCase(simple.toUpperCase(Locale.ROOT))) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("unknown subject name strategy '" + value + "'; use one of TopicNameStrategy, "
                + "RecordNameStrategy, TopicRecordNameStrategy (optionally prefixed by " + CONFLUENT_PACKAGE + ")");
    }
}
