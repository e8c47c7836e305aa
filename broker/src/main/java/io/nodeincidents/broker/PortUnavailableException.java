package io.nodeincidents.broker;

/** A port the broker should listen on is already taken by another process. */
public final class PortUnavailableException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final int port;

    public PortUnavailableException(String message, int port, Throwable cause) {
        super(message, cause);
        this.port = port;
    }

    /** The port that could not be bound. */
    public int port() {
        return port;
    }
}
