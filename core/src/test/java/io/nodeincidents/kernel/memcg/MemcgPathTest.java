package io.nodeincidents.kernel.memcg;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MemcgPathTest {

    private static final String ID = "0ead341e639c2f2bd27a38666aa0834c969e8c7e6d2fb21516a2c698adce8d5f";
    private static final String ID2 = "5b9be8c5bb121264899fac8d9d36b02150269d41ce96ba6ad36d70b8640cb01c";

    @Test
    void cgroupfsDriver() {
        MemcgPath p = MemcgPath.parse("/kubepods/burstable/pod485fd485-1ed6-11e9-8661-0a587f8021ea/" + ID);
        assertThat(p.containerId()).isEqualTo(ID);
        assertThat(p.podUid()).isEqualTo("485fd485-1ed6-11e9-8661-0a587f8021ea");
        assertThat(p.qosClass()).isEqualTo("burstable");
        assertThat(p.runtime()).isEqualTo(ContainerRuntime.UNKNOWN);

        MemcgPath guaranteed = MemcgPath.parse("/kubepods/pod485fd485-1ed6-11e9-8661-0a587f8021ea/" + ID);
        assertThat(guaranteed.qosClass()).isEqualTo("guaranteed");
        assertThat(MemcgPath.parse("/docker/" + ID).runtime()).isEqualTo(ContainerRuntime.DOCKER);
    }

    @Test
    void systemdDriverAllRuntimes() {
        String pod = "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod485fd485_1ed6_11e9_8661_0a587f8021ea.slice/";
        for (String[] c : new String[][]{{"docker-", "DOCKER"}, {"cri-containerd-", "CONTAINERD"}, {"crio-", "CRIO"}}) {
            MemcgPath p = MemcgPath.parse(pod + c[0] + ID + ".scope");
            assertThat(p.containerId()).isEqualTo(ID);
            assertThat(p.runtime()).isEqualTo(ContainerRuntime.valueOf(c[1]));
            assertThat(p.podUid()).isEqualTo("485fd485-1ed6-11e9-8661-0a587f8021ea");
            assertThat(p.qosClass()).isEqualTo("besteffort");
        }
        MemcgPath guaranteed = MemcgPath.parse("/kubepods.slice/kubepods-pod485fd485_1ed6_11e9_8661_0a587f8021ea.slice/cri-containerd-" + ID + ".scope");
        assertThat(guaranteed.qosClass()).isEqualTo("guaranteed");
        assertThat(MemcgPath.parse("/system.slice/docker-" + ID + ".scope").containerId()).isEqualTo(ID);
    }

    @Test
    void nestedDockerInDockerNamesTheInnermostContainer() {
        MemcgPath p = MemcgPath.parse("/docker/" + ID + "/docker/" + ID2);
        assertThat(p.containerId()).isEqualTo(ID2);
        assertThat(p.runtime()).isEqualTo(ContainerRuntime.DOCKER);
    }

    @Test
    void aKubeletInsideAContainerNamesItsPodAndContainer() {
        // kind: a kubelet in a docker container, cgroupfs driver under the container's cgroup
        MemcgPath cgroupfs = MemcgPath.parse("/docker/" + ID + "/kubelet/kubepods/burstable/"
                + "pod1788d98a-0700-426a-8701-2312e4cc2163/" + ID2);
        assertThat(cgroupfs.containerId()).isEqualTo(ID2);
        assertThat(cgroupfs.podUid()).isEqualTo("1788d98a-0700-426a-8701-2312e4cc2163");
        assertThat(cgroupfs.qosClass()).isEqualTo("burstable");
        assertThat(MemcgPath.parse("/docker/" + ID + "/kubelet/kubepods/pod1788d98a-0700-426a-8701-2312e4cc2163/"
                + ID2).qosClass()).isEqualTo("guaranteed");
        // systemd driver with the kubelet's cgroup root "/kubelet"
        MemcgPath systemd = MemcgPath.parse("/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
                + "kubelet-kubepods-besteffort-pod1788d98a_0700_426a_8701_2312e4cc2163.slice/cri-containerd-" + ID2
                + ".scope");
        assertThat(systemd.containerId()).isEqualTo(ID2);
        assertThat(systemd.runtime()).isEqualTo(ContainerRuntime.CONTAINERD);
        assertThat(systemd.podUid()).isEqualTo("1788d98a-0700-426a-8701-2312e4cc2163");
        assertThat(systemd.qosClass()).isEqualTo("besteffort");
        // cgroup v2 inside an LXC container
        MemcgPath lxc = MemcgPath.parse("/lxc.payload.ny2g2r5hh3-lxc/kubepods.slice/kubepods-burstable.slice/"
                + "kubepods-burstable-podeded8c65_6e8e_4c6e_a889_3e427565c740.slice/cri-containerd-" + ID + ".scope");
        assertThat(lxc.containerId()).isEqualTo(ID);
        assertThat(lxc.podUid()).isEqualTo("eded8c65-6e8e-4c6e-a889-3e427565c740");
        assertThat(lxc.qosClass()).isEqualTo("burstable");
    }

    @Test
    void podCgroupsConmonAndTruncatedPathsNameNoContainer() {
        MemcgPath pod = MemcgPath.parse("/kubepods/burstable/pod485fd485-1ed6-11e9-8661-0a587f8021ea");
        assertThat(pod.containerId()).isNull();
        assertThat(pod.podUid()).isEqualTo("485fd485-1ed6-11e9-8661-0a587f8021ea");
        assertThat(MemcgPath.parse("/kubepods.slice/crio-conmon-" + ID + ".scope").containerId()).isNull();
        assertThat(MemcgPath.parse("/docker/0ead341e639c2f2bd27a38666aa0834c96").containerId()).isNull();
        assertThat(MemcgPath.parse("/user.slice/user-0.slice/session-3.scope").containerId()).isNull();
        assertThat(MemcgPath.parse("/").containerId()).isNull();
        assertThat(MemcgPath.parse(null)).isNull();
        assertThat(MemcgPath.parse("/".repeat(100_000)).containerId()).isNull();
    }
}
