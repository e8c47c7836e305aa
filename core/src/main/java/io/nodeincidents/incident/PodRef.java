package io.nodeincidents.incident;

import io.nodeincidents.schemas.AffectedPod;

/**
 * A pod hit by an incident, as far as the evidence names it. Runtime failures usually name namespace and pod; OOM
 * kills only the pod UID and container id decoded from the memory cgroup path.
 *
 * @param namespace   pod namespace, or null
 * @param pod         pod name, or null
 * @param podUid      pod UID, or null
 * @param containerId container or sandbox id, or null
 */
public record PodRef(String namespace, String pod, String podUid, String containerId) {

    /** True when two references name the same pod (same UID, same namespace/name, or same container). */
    boolean sameAs(PodRef other) {
        if (podUid != null && podUid.equals(other.podUid)) {
            return true;
        }
        if (pod != null && pod.equals(other.pod) && java.util.Objects.equals(namespace, other.namespace)) {
            return true;
        }
        return podUid == null && pod == null && containerId != null && containerId.equals(other.containerId);
    }

    /** True when the reference names nothing at all (then it is not worth listing). */
    boolean isEmpty() {
        return namespace == null && pod == null && podUid == null && containerId == null;
    }

    /** How a person refers to the pod: namespace/name, else the UID, else the container id. */
    String label() {
        if (pod != null) {
            return namespace == null ? pod : namespace + "/" + pod;
        }
        if (podUid != null) {
            return "pod " + podUid;
        }
        return containerId == null ? "?" : "container " + shortId(containerId);
    }

    AffectedPod toAvro() {
        return AffectedPod.newBuilder().setNamespace(namespace).setPod(pod).setPodUid(podUid)
                .setContainerId(containerId).build();
    }

    static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }
}
