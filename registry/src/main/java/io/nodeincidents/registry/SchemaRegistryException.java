package io.nodeincidents.registry;

import org.apache.kafka.common.KafkaException;

/**
 * A schema registry call failed. Subclasses say why: {@link IncompatibleSchemaException},
 * {@link SchemaNotFoundException}, {@link SchemaRegistryAuthException}, {@link SchemaRegistryUnavailableException}.
 *
 * <p>It is a {@link KafkaException} but deliberately not a
 * {@link org.apache.kafka.common.errors.SerializationException}: an unreachable or misconfigured registry says
 * nothing about the record, so exception handlers must not dead-letter the record because of it. The serdes turn
 * errors that <em>are</em> about the record (unknown schema id, incompatible or unregistered schema) into
 * {@code SerializationException}s carrying the registry exception as cause.
 */
public class SchemaRegistryException extends KafkaException {
    private static final long serialVersionUID = 1L;

    /** HTTP status, or -1 when no HTTP answer was received (in-process registry, connection failure). */
    private final int httpStatus;
    /** The registry's {@code error_code} (e.g. 40401), or -1 when it sent none. */
    private final int errorCode;

    public SchemaRegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(String message, int httpStatus, int errorCode) {
        this(message, httpStatus, errorCode, null);
    }

    /** The HTTP status of the registry's answer, or -1 when there was none. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The registry's {@code error_code}, or -1 when it sent none. */
    public int errorCode() {
        return errorCode;
    }
}
