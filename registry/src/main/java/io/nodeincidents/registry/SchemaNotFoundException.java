package io.nodeincidents.registry;

/**
 * The registry does not know the subject, version or schema asked for (HTTP 404; Confluent error codes 40401
 * subject not found, 40402 version not found, 40403 schema not found; Apicurio answers 40401 for an unknown schema).
 */
public class SchemaNotFoundException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;

    public SchemaNotFoundException(String message, int httpStatus, int errorCode) {
        super(message, httpStatus, errorCode);
    }
}
