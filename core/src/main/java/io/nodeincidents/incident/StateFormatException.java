package io.nodeincidents.incident;

/**
 * Stored state bytes that cannot be read: corrupt, or written by a version of the application whose state format or
 * embedded contract schemas differ. The caller should log it and start the key from an empty state.
 */
public class StateFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public StateFormatException(String message) {
        super(message);
    }

    public StateFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
