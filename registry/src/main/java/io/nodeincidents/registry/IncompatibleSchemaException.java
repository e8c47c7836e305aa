package io.nodeincidents.registry;

/**
 * The registry refused a new version of a subject because it breaks the subject's compatibility rule (HTTP 409).
 * The message carries the registry's own explanation.
 */
public class IncompatibleSchemaException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    private final String subject;

    public IncompatibleSchemaException(String subject, String registryMessage, int httpStatus, int errorCode) {
        super("schema is incompatible with the earlier versions of subject '" + subject + "' and was not registered: "
                + registryMessage, httpStatus, errorCode);
        this.subject = subject;
    }

    /** The subject the schema was to be registered under. */
    public String subject() {
        return subject;
    }
}
