package io.nodeincidents.trust;

import io.nodeincidents.config.Setting;
import io.nodeincidents.config.Setting.Importance;
import java.util.List;
import java.util.Objects;

/**
 * Which journal entries may report container-runtime and kubelet failures, for deployments whose runtime or kubelet
 * runs under other units than the usual ones. Kernel lines need no setting: journald's kernel transport says it.
 *
 * @param runtimeUnits           {@code _SYSTEMD_UNIT}s of the container runtimes and the kubelet; an entry ending in
 *                               {@code *} matches every unit that starts with the rest
 * @param runtimeComms           process names ({@code _COMM}) taken as the runtime or kubelet for entries that have no
 *                               {@code _SYSTEMD_UNIT}
 * @param refuseContainerEntries whether entries a journald log driver marked as a container's output
 *                               ({@code CONTAINER_ID}, {@code CONTAINER_NAME}) are refused
 * @param runtimeContainers      {@code CONTAINER_NAME}s whose output is the runtime's or kubelet's all the same
 */
public record TrustSettings(List<String> runtimeUnits, List<String> runtimeComms, boolean refuseContainerEntries,
                            List<String> runtimeContainers) {

    public static final Setting<List<String>> RUNTIME_UNITS = Setting.list("trust.runtime.units", List.of(
            "docker.service", "containerd.service", "crio.service", "cri-dockerd.service", "kubelet.service",
            "k3s.service", "k3s-agent.service", "rke2-server.service", "rke2-agent.service", "k0sworker.service",
            "k0scontroller.service", "snap.kubelet.daemon.service", "snap.microk8s.daemon-kubelite.service",
            "snap.microk8s.daemon-kubelet.service", "snap.microk8s.daemon-containerd.service"), null,
            Importance.MEDIUM, "systemd units (_SYSTEMD_UNIT, which journald sets from the sender's cgroup) whose"
                    + " journal entries may report container runtime and kubelet failures; a name ending in * is a"
                    + " prefix. Entries of any other unit (a container's scope among them) are refused.");
    public static final Setting<List<String>> RUNTIME_COMMS = Setting.list("trust.runtime.comms", List.of(), null,
            Importance.LOW, "Process names (_COMM) taken as the runtime or kubelet for journal entries without a"
                    + " _SYSTEMD_UNIT, e.g. dockerd,containerd,kubelet where they run outside systemd units. Empty by"
                    + " default: a process chooses its own name, and a container under the cgroupfs driver has no"
                    + " unit either.");
    public static final Setting<Boolean> REFUSE_CONTAINER_ENTRIES = Setting.bool("trust.refuse.container.entries",
            true, Importance.MEDIUM, "Refuse journal entries marked with CONTAINER_ID or CONTAINER_NAME: docker's"
                    + " journald log driver writes a container's output under docker.service with those fields, and"
                    + " the text is the container's.");
    public static final Setting<List<String>> RUNTIME_CONTAINERS = Setting.list("trust.runtime.containers", List.of(),
            null, Importance.LOW, "Container names (CONTAINER_NAME) whose journal entries are the runtime's or"
                    + " kubelet's all the same, e.g. kubelet where the kubelet runs in a docker container (RKE1).");

    /** In the order {@code --help} shows them. */
    public static final List<Setting<?>> SETTINGS = List.of(RUNTIME_UNITS, RUNTIME_COMMS, REFUSE_CONTAINER_ENTRIES,
            RUNTIME_CONTAINERS);

    public TrustSettings {
        runtimeUnits = List.copyOf(Objects.requireNonNull(runtimeUnits, "runtimeUnits"));
        runtimeComms = List.copyOf(Objects.requireNonNull(runtimeComms, "runtimeComms"));
        runtimeContainers = List.copyOf(Objects.requireNonNull(runtimeContainers, "runtimeContainers"));
    }

    /** The declared defaults. */
    public static TrustSettings defaults() {
        return new TrustSettings(RUNTIME_UNITS.defaultValue(), RUNTIME_COMMS.defaultValue(),
                REFUSE_CONTAINER_ENTRIES.defaultValue(), RUNTIME_CONTAINERS.defaultValue());
    }
}
