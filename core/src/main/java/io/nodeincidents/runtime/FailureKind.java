package io.nodeincidents.runtime;

/** What went wrong in the container runtime. */
public enum FailureKind {
    /** A pod's sandbox (its pause container and network namespace) could not be created. */
    SANDBOX_FAILURE,
    /** A container could not be created or started (OCI runtime / shim failure). */
    CONTAINER_START_FAILURE,
    /** A container was killed by the out-of-memory killer of its memory cgroup. */
    CONTAINER_OOM_KILLED
}
