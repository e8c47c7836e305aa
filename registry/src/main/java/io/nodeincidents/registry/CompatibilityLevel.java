package io.nodeincidents.registry;

/** A registry's compatibility rule for new versions of a subject, with the Confluent REST API's names. */
public enum CompatibilityLevel {
    NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE;

    /** True when a new version must be able to read data written with earlier versions. */
    public boolean checksBackward() {
        return this == BACKWARD || this == BACKWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
    }

    /** True when earlier versions must be able to read data written with a new version. */
    public boolean checksForward() {
        return this == FORWARD || this == FORWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
    }

    /** True when a new version is checked against every earlier version, not just the latest. */
    public boolean transitive() {
        return name().endsWith("_TRANSITIVE");
    }
}
