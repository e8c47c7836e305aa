package io.nodeincidents.registry;

/** The registry refused the client's credentials (HTTP 401) or their rights (HTTP 403). Never retried. */
public class SchemaRegistryAuthException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public SchemaRegistryAuthException(String message, int httpStatus, int errorCode) {
        super(message, httpStatus, errorCode);
    }
}
