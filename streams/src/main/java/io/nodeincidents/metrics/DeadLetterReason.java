package io.nodeincidents.metrics;

import io.nodeincidents.schemas.DeadLetter;

/**
 * Why a record was set aside, as a bounded label: {@link DeadLetter#getReason()} is free text (often an exception
 * message) and would make a Prometheus label of unbounded cardinality. The label value is the constant's name, as
 * for the other enum-valued labels.
 */
public enum DeadLetterReason {
    /** A null value on journal.entries, which carries no deletes. */
    TOMBSTONE,
    /** Bytes that are not a journal entry (the deserializer failed, or decoded to nothing). */
    UNDECODABLE,
    /** A decoded entry the event extraction failed on. */
    EXTRACTION_FAILED,
    /** A completed event that could not be turned into its record. */
    CONVERSION_FAILED,
    /** Any other reason. */
    OTHER;

    /**
     * The class of {@code letter}. Undecodable records are the ones without a host (nothing could be read from the
     * value); the others are told by the start of the reason the topology writes ("event extraction failed: ...",
     * "event record conversion failed: ...", "null value (tombstone) ...").
     */
    public static DeadLetterReason of(DeadLetter letter) {
        String reason = letter.getReason() == null ? "" : letter.getReason();
        if (reason.startsWith("null value")) {
            return TOMBSTONE;
        }
        if (reason.startsWith("event extraction failed")) {
            return EXTRACTION_FAILED;
        }
        if (reason.startsWith("event record conversion failed")) {
            return CONVERSION_FAILED;
        }
        if (letter.getHost() == null) {
            return UNDECODABLE;
        }
        return OTHER;
    }
}
