package io.nodeincidents.events;

import io.nodeincidents.logs.LineRef;

/**
 * A line or kernel report that a decoder could not read (it threw): set aside so that the host's other lines are
 * still read. The streaming app sends it to the dead-letter topic, offline {@code analyze} prints a note.
 *
 * @param ref    the line, or the first line of the report
 * @param reason what failed, on one line
 */
public record SetAside(LineRef ref, String reason) {

    static SetAside of(LineRef ref, String what, RuntimeException e) {
        String message = e.getMessage() == null ? "" : ": " + e.getMessage().replace('\n', ' ');
        return new SetAside(ref == null ? LineRef.none() : ref, what + " (" + e.getClass().getSimpleName() + message
                + ")");
    }

    @Override
    public String toString() {
        return ref + ": " + reason;
    }
}
