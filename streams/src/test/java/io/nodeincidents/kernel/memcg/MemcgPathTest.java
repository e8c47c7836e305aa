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
