package io.nodeincidents.kernel.memcg;

/** The container runtime a memcg path names, when the path says (cgroupfs kubepods paths do not). */
public enum ContainerRuntime {
    DOCKER, CONTAINERD, CRIO, PODMAN, UNKNOWN
}
