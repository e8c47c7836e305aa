package io.nodeincidents.runtime;

/** The program whose log line reported a runtime failure. */
public enum RuntimeComponent {
    DOCKERD("dockerd"),
    CONTAINERD("containerd"),
    CRIO("crio"),
    RUNC("runc"),
    /** The docker command line ({@code docker: Error response from daemon: ...}). */
    DOCKER_CLI("docker"),
    KUBELET("kubelet"),
    /** A Kubernetes event as printed by kubectl ({@code Warning  FailedCreatePodSandBox ...}). */
    K8S_EVENT("k8s-event");

    private final String wireName;

    RuntimeComponent(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in records and reports: dockerd|containerd|crio|runc|docker|kubelet|k8s-event. */
    public String wireName() {
        return wireName;
    }
}
