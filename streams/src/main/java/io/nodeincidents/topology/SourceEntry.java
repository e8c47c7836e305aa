package io.nodeincidents.topology;

import io.nodeincidents.schemas.JournalEntry;
import java.util.Objects;

/**
 * A record of journal.entries as the source reads it: a decoded {@link JournalEntry}, or the raw bytes that could not
 * be decoded and why. Reading never fails on a bad record, so one bad record cannot stop the application; the
 * topology sends {@link Undecodable} ones to the dead-letter topic.
 */
sealed interface SourceEntry permits SourceEntry.Decoded, SourceEntry.Undecodable {

    /** A well-formed entry. */
    record Decoded(JournalEntry entry) implements SourceEntry {
        public Decoded {
            Objects.requireNonNull(entry, "entry");
        }
    }

    /**
     * Bytes that are not a JournalEntry.
     *
     * @param raw    the value as read (null for a tombstone)
     * @param reason why it could not be decoded
     */
    record Undecodable(byte[] raw, String reason) implements SourceEntry {
        public Undecodable {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
