package io.nodeincidents.registry;

/**
 * No registry URL gave a usable answer within the configured retries: connection failures, timeouts, HTTP 5xx or
 * 429. The message names the URLs tried, the number of attempts and the last failure.
 */
public class SchemaRegistryUnavailableException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    private final int attempts;

    public SchemaRegistryUnavailableException(String message, int attempts, int lastHttpStatus, int lastErrorCode,
            Throwable lastCause) {
        super(message, lastHttpStatus, lastErrorCode, lastCause);
        this.attempts = attempts;
    }

    /** How many requests were made before giving up. */
    public int attempts() {
        return attempts;
    }
}
