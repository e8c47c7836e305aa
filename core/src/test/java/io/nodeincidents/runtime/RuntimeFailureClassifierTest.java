package io.nodeincidents.runtime;

import io.nodeincidents.logs.LineRef;
import io.nodeincidents.logs.LogFileReader;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.logs.ReadOptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RuntimeFailureClassifierTest {

    static final String SETNS_6 = "running exec setns process for init caused \"exit status 6\"";

    final RuntimeFailureClassifier classifier = new RuntimeFailureClassifier();

    static List<LogLine> seed(String name, int year) throws Exception {
        Path file = Path.of(RuntimeFailureClassifierTest.class.getResource("/runtime/" + name).toURI());
        List<LogLine> lines = new ArrayList<>();
        new LogFileReader().read(file, ReadOptions.defaults().withYear(year).withZone(ZoneId.of("Asia/Shanghai")),
                lines::add, r -> {
                    throw new AssertionError("fixture line rejected: " + r);
                });
        return lines;
    }

    long lineNo;

    LogLine line(String identifier, String message) {
        return new LogLine("node-1", null, 1_700_000_000_000_000L, null, null, identifier, null, null, null, message,
                LineRef.fileLine("test.log", ++lineNo));
    }

    Optional<RuntimeFailure> classify(String identifier, String message) {
        return classifier.classify(line(identifier, message));
    }

    RuntimeFailure failure(String identifier, String message) {
        return classify(identifier, message).orElseThrow(() -> new AssertionError("no failure in: " + message));
    }

    // ---- the seeds ---------------------------------------------------------------------------------------------

    @Test
    void seed002FourKubeletLinesAreOneMemorySandboxFailure() throws Exception {
        List<LogLine> lines = seed("seed-002-dc05.log", 2019);
        List<RuntimeFailure> raw = new ArrayList<>();
        for (LogLine l : lines) {
            classifier.classify(l).ifPresent(raw::add);
        }
        assertThat(raw).extracting(RuntimeFailure::kind).containsExactly(
                FailureKind.CONTAINER_START_FAILURE, FailureKind.CONTAINER_START_FAILURE,
                FailureKind.SANDBOX_FAILURE, FailureKind.SANDBOX_FAILURE,
                FailureKind.SANDBOX_FAILURE, FailureKind.SANDBOX_FAILURE);
        assertThat(raw).allMatch(RuntimeFailure::memoryRelated);
        assertThat(raw.get(2).pod()).as("the RunPodSandbox line names only the pod")
                .isEqualTo("matchdataserver-1255064836-t4b2w");
        assertThat(raw.get(2).namespace()).isNull();

        List<RuntimeFailure> folded = FailureDeduplicator.deduplicate(raw);
        List<RuntimeFailure> sandbox = folded.stream()
                .filter(f -> f.kind() == FailureKind.SANDBOX_FAILURE).toList();
        assertThat(sandbox).singleElement().satisfies(f -> {
            assertThat(f.host()).isEqualTo("dc05");
            assertThat(f.component()).isEqualTo(RuntimeComponent.KUBELET);
            assertThat(f.pod()).isEqualTo("matchdataserver-1255064836-t4b2w");
            assertThat(f.namespace()).isEqualTo("basic");
            assertThat(f.podUid()).isEqualTo("485fd485-1ed6-11e9-8661-0a587f8021ea");
            assertThat(f.memoryRelated()).isTrue();
            assertThat(f.errorText()).isEqualTo(SETNS_6);
            assertThat(f.refs()).extracting(LineRef::line).containsExactly(3L, 4L, 5L, 6L);
            assertThat(f.timeMicros()).isEqualTo(1548224131000000L);
        });
        RuntimeFailure dockerd = folded.stream()
                .filter(f -> f.kind() == FailureKind.CONTAINER_START_FAILURE).findFirst().orElseThrow();
        assertThat(folded).hasSize(2);
        assertThat(dockerd.component()).isEqualTo(RuntimeComponent.DOCKERD);
        assertThat(dockerd.containerId()).isEqualTo("5b9be8c5bb121264899fac8d9d36b02150269d41ce96ba6ad36d70b8640cb01c");
        assertThat(dockerd.refs()).hasSize(2);
    }

    @Test
    void seed002KubeletLinesThatAreNotFailuresAreIgnored() throws Exception {
        List<LogLine> lines = seed("seed-002-dc05.log", 2019);
        assertThat(lines.subList(6, 9)).allSatisfy(l -> assertThat(classifier.classify(l)).as(l.message()).isEmpty());
    }

    @Test
    void seed000DockerdLinesWrappedInAWriteUpAndKernelLinesIgnored() throws Exception {
        List<LogLine> lines = seed("seed-000-slave-138.log", 2017);
        List<RuntimeFailure> raw = new ArrayList<>();
        for (LogLine l : lines) {
            classifier.classify(l).ifPresent(raw::add);
        }
        assertThat(raw).hasSize(2).allSatisfy(f -> {
            assertThat(f.kind()).isEqualTo(FailureKind.CONTAINER_START_FAILURE);
            assertThat(f.component()).isEqualTo(RuntimeComponent.DOCKERD);
            assertThat(f.host()).isEqualTo("slave-138");
            assertThat(f.memoryRelated()).isTrue();
            assertThat(f.errorText()).isEqualTo(SETNS_6);
        });
        assertThat(raw.get(0).containerId())
                .isEqualTo("64bec16ba46d3973a0475cdc55a196381195d69bc73d2248e81a56bce1e12f0d");
    }

    @Test
    void seed000DockerCliLine() {
        RuntimeFailure f = failure(null, "docker: Error response from daemon: invalid header field value \"oci runtime"
                + " error: container_linux.go:247: starting container process caused \\\"process_linux.go:245: running"
                + " exec setns process for init caused \\\\\\\"exit status 6\\\\\\\"\\\"\\n\".");
        assertThat(f.kind()).isEqualTo(FailureKind.CONTAINER_START_FAILURE);
        assertThat(f.component()).isEqualTo(RuntimeComponent.DOCKER_CLI);
        assertThat(f.memoryRelated()).isTrue();
        assertThat(f.errorText()).isEqualTo(SETNS_6);
    }

    @Test
    void seed001CannotAllocateMemoryFromDocker() {
        String err = "open /var/lib/docker/overlay/3f1a0b9c2d-init/merged/dev/console: cannot allocate memory";
        RuntimeFailure cli = failure(null, "docker: Error response from daemon: " + err + ".");
        assertThat(cli.component()).isEqualTo(RuntimeComponent.DOCKER_CLI);
        assertThat(cli.memoryRelated()).isTrue();
        assertThat(cli.errorText()).isEqualTo(err);

        RuntimeFailure daemon = failure("dockerd", "time=\"2017-08-01T10:00:00.000000000Z\" level=error msg=\"Handler"
                + " for POST /v1.30/containers/9f2c/start returned error: " + err + "\"");
        assertThat(daemon.kind()).isEqualTo(FailureKind.CONTAINER_START_FAILURE);
        assertThat(daemon.component()).isEqualTo(RuntimeComponent.DOCKERD);
        assertThat(daemon.memoryRelated()).isTrue();
        assertThat(daemon.errorText()).isEqualTo(err);
    }

    // ---- other runtimes and newer kubelets ----------------------------------------------------------------------

    @Test
    void containerdRunPodSandboxFailedWithSandboxMetadata() {
        RuntimeFailure f = failure("containerd", "time=\"2023-03-01T10:00:00.123456789Z\" level=error"
                + " msg=\"RunPodSandbox for &PodSandboxMetadata{Name:web-7d4b9c8f5-x2x9q,"
                + "Uid:9a1c2e3f-4b5d-4e6f-8a9b-0c1d2e3f4a5b,Namespace:shop,Attempt:0,} failed, error\""
                + " error=\"failed to create containerd task: failed to create shim task: OCI runtime create failed:"
                + " runc create failed: unable to start container process: error during container init: error"
                + " creating cgroup: mkdir /sys/fs/cgroup/memory/kubepods/besteffort/pod9a1c: cannot allocate memory:"
                + " unknown\"");
        assertThat(f.kind()).isEqualTo(FailureKind.SANDBOX_FAILURE);
        assertThat(f.component()).isEqualTo(RuntimeComponent.CONTAINERD);
        assertThat(f.pod()).isEqualTo("web-7d4b9c8f5-x2x9q");
        assertThat(f.namespace()).isEqualTo("shop");
        assertThat(f.podUid()).isEqualTo("9a1c2e3f-4b5d-4e6f-8a9b-0c1d2e3f4a5b");
        assertThat(f.memoryRelated()).isTrue();
        assertThat(f.errorText()).startsWith("failed to create containerd task:").endsWith("cannot allocate memory: unknown");
    }

    @Test
    void containerdInfoLinesAreNotFailures() {
        assertThat(classify("containerd", "time=\"2023-03-01T10:00:00Z\" level=info msg=\"RunPodSandbox for"
                + " &PodSandboxMetadata{Name:web,Uid:u,Namespace:shop,Attempt:0,}\"")).isEmpty();
        assertThat(classify("containerd", "time=\"2023-03-01T10:00:00Z\" level=info msg=\"RunPodSandbox for"
                + " &PodSandboxMetadata{Name:web,Uid:u,Namespace:shop,Attempt:0,} returns sandbox id"
                + " \\\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\\\"\"")).isEmpty();
    }

    @Test
    void containerdTaskOomIsAnOomKill() {
        RuntimeFailure f = failure("containerd", "time=\"2023-03-01T10:00:00Z\" level=info msg=\"TaskOOM event"
                + " &TaskOOM{ContainerID:4c0b7a1f2e3d4c5b6a79808f7e6d5c4b3a29181f0e0d0c0b0a09080706050403,XXX_unrecognized:[],}\"");
        assertThat(f.kind()).isEqualTo(FailureKind.CONTAINER_OOM_KILLED);
        assertThat(f.memoryRelated()).isTrue();
        assertThat(f.containerId()).isEqualTo("4c0b7a1f2e3d4c5b6a79808f7e6d5c4b3a29181f0e0d0c0b0a09080706050403");
    }

    @Test
    void criOContainerCreationError() {
        RuntimeFailure f = failure("crio", "time=\"2023-03-01 10:00:00.123456789Z\" level=error msg=\"Container"
                + " creation error: time=\\\"2023-03-01T10:00:00Z\\\" level=error msg=\\\"runc create failed: unable to"
                + " start container process: container init caused: process_linux.go:458: setting cgroup config for"
                + " procHooks process caused: cannot allocate memory\\\"\\n\"");
        assertThat(f.kind()).isEqualTo(FailureKind.CONTAINER_START_FAILURE);
        assertThat(f.component()).isEqualTo(RuntimeComponent.CRIO);
        assertThat(f.memoryRelated()).isTrue();
        assertThat(f.errorText()).isEqualTo("setting cgroup config for procHooks process caused: cannot allocate memory");
    }

    @Test
    void structuredKlogSandboxLinesFoldIntoOne() {
        String err = "rpc error: code = Unknown desc = failed to create containerd task: failed to create shim task:"
                + " OCI runtime create failed: runc create failed: unable to start container process: unable to init"
                + " seccomp: error loading seccomp filter into kernel: error loading seccomp filter: errno 524: unknown";
        String uid = "0f5c8c1e-2b3a-4c5d-8e9f-a0b1c2d3e4f5";
        List<RuntimeFailure> raw = List.of(
                failure("kubelet", "E0301 10:00:00.123456    1234 remote_runtime.go:222] \"RunPodSandbox from runtime"
                        + " service failed\" err=\"" + err + "\""),
                failure("kubelet", "E0301 10:00:00.123500    1234 kuberuntime_sandbox.go:72] \"Failed to create"
                        + " sandbox for pod\" err=\"" + err + "\" pod=\"kube-system/coredns-5d78c9869d-abcde\""),
                failure("kubelet", "E0301 10:00:00.123600    1234 pod_workers.go:1294] \"Error syncing pod, skipping\""
                        + " err=\"failed to \\\"CreatePodSandbox\\\" for \\\"coredns-5d78c9869d-abcde_kube-system(" + uid
                        + ")\\\" with CreatePodSandboxError: \\\"Failed to create sandbox for pod"
                        + " \\\\\\\"coredns-5d78c9869d-abcde_kube-system(" + uid + ")\\\\\\\": " + err + "\\\"\""
                        + " pod=\"kube-system/coredns-5d78c9869d-abcde\" podUID=" + uid));
        assertThat(raw).allSatisfy(f -> {
            assertThat(f.kind()).isEqualTo(FailureKind.SANDBOX_FAILURE);
            assertThat(f.memoryRelated()).as("seccomp is not memory").isFalse();
        });
        assertThat(raw.get(1).namespace()).isEqualTo("kube-system");
        assertThat(raw.get(2).podUid()).isEqualTo(uid);
        assertThat(raw.get(0).errorText()).startsWith("failed to create containerd task").endsWith("errno 524: unknown");

        assertThat(raw.get(0).pod()).as("this line names no pod").isNull();

        // the pod-less first line carries the same error chain as the second, in the same second: one failure
        assertThat(FailureDeduplicator.deduplicate(raw)).singleElement().satisfies(f -> {
            assertThat(f.pod()).isEqualTo("coredns-5d78c9869d-abcde");
            assertThat(f.namespace()).isEqualTo("kube-system");
            assertThat(f.podUid()).isEqualTo(uid);
            assertThat(f.refs()).extracting(LineRef::line).containsExactly(1L, 2L, 3L);
        });
    }

    @Test
    void kubernetesEventsFromKubectl() {
        RuntimeFailure describe = failure(null, "  Warning  FailedCreatePodSandBox  2m (x4 over 3m)  kubelet, node-1"
                + "  Failed create pod sandbox: rpc error: code = Unknown desc = failed to start sandbox container for"
                + " pod \"nginx-6799fc88d8-7xk2p\": Error response from daemon: OCI runtime create failed:"
                + " container_linux.go:349: starting container process caused \"process_linux.go:319: getting the"
                + " final child's pid from pipe caused \\\"EOF\\\"\": unknown");
        assertThat(describe.kind()).isEqualTo(FailureKind.SANDBOX_FAILURE);
        assertThat(describe.component()).isEqualTo(RuntimeComponent.K8S_EVENT);
        assertThat(describe.pod()).isEqualTo("nginx-6799fc88d8-7xk2p");
        assertThat(describe.memoryRelated()).isFalse();

        RuntimeFailure get = failure(null, "5m          Warning   FailedCreatePodSandBox   pod/web-0   Failed to create"
                + " pod sandbox: rpc error: code = Unknown desc = failed to create a sandbox for pod \"web-0\":"
                + " Error response from daemon: cannot allocate memory");
        assertThat(get.component()).isEqualTo(RuntimeComponent.K8S_EVENT);
        assertThat(get.pod()).isEqualTo("web-0");
        assertThat(get.memoryRelated()).isTrue();
    }

    @Test
    void oomKilledFromKubeletAndDockerd() {
        RuntimeFailure kubelet = failure("kubelet", "I0301 10:00:00.123456    1234 kubelet.go:2157] \"Container"
                + " terminated\" reason=\"OOMKilled\" pod=\"shop/api-5f6d7c8b9-qwert\" containerName=\"api\"");
        assertThat(kubelet.kind()).isEqualTo(FailureKind.CONTAINER_OOM_KILLED);
        assertThat(kubelet.pod()).isEqualTo("api-5f6d7c8b9-qwert");
        assertThat(kubelet.namespace()).isEqualTo("shop");

        RuntimeFailure dockerd = failure("dockerd", "time=\"2019-01-23T14:15:31Z\" level=info msg=\"ignoring event\""
                + " module=libcontainerd namespace=moby topic=/tasks/oom type=\"*events.TaskOOM\"");
        assertThat(dockerd.kind()).isEqualTo(FailureKind.CONTAINER_OOM_KILLED);
        assertThat(dockerd.component()).isEqualTo(RuntimeComponent.DOCKERD);
    }

    @Test
    void kubectlGetPodsRowsNameTheirPod() {
        RuntimeFailure row = failure(null, "web-7d4b9-x2k8p      0/1     OOMKilled   4 (57s ago)   2m40s");
        assertThat(row.kind()).isEqualTo(FailureKind.CONTAINER_OOM_KILLED);
        assertThat(row.pod()).isEqualTo("web-7d4b9-x2k8p");
        assertThat(row.namespace()).isNull();
        RuntimeFailure all = failure(null, "shop   api-0   0/2   OOMKilled   1   5m");
        assertThat(all.pod()).isEqualTo("api-0");
        assertThat(all.namespace()).isEqualTo("shop");
        // a count that is no READY column, and a row whose third cell is no status, name no pod
        assertThat(failure(null, "retrying 2/5 after RunPodSandbox failed: context deadline exceeded").pod()).isNull();
        assertThat(failure(null, "api-0 1/2 retries: OOMKilled").pod()).isNull();
    }

    @Test
    void kubeletJsonLogFormatGivesPodNamespaceAndError() {
        RuntimeFailure f = failure("kubelet", "{\"ts\":1678886400123.456,\"caller\":\"kuberuntime/kuberuntime_sandbox"
                + ".go:72\",\"msg\":\"Failed to create sandbox for pod\",\"pod\":{\"name\":\"web-7d4b9-x2k8p\","
                + "\"namespace\":\"shop\"},\"err\":\"rpc error: code = Unknown desc = failed to start sandbox container:"
                + " OCI runtime create failed: running exec setns process for init caused: exit status 6: unknown\","
                + "\"v\":0}");
        assertThat(f.kind()).isEqualTo(FailureKind.SANDBOX_FAILURE);
        assertThat(f.pod()).isEqualTo("web-7d4b9-x2k8p");
        assertThat(f.namespace()).isEqualTo("shop");
        assertThat(f.memoryRelated()).isTrue();
        assertThat(f.errorText()).isEqualTo("running exec setns process for init caused: exit status 6: unknown");
        // a JSON line cut by a paste, or nested a thousand deep, is still read without throwing
        assertThat(failure("kubelet", "{\"msg\":\"RunPodSandbox from runtime service failed\",\"err\":\"rpc error:"
                + " cannot allocate memory\",\"pod\":{\"na").memoryRelated()).isTrue();
        assertThat(classify("kubelet", "{\"msg\":\"RunPodSandbox failed\",\"x\":" + "[".repeat(5000))).isPresent();
    }

    @Test
    void containerdSandboxNamesNameThePodWhenThePodFieldWasCut() {
        RuntimeFailure f = failure("kubelet", "E1029 09:58:07.693205    5738 remote_runtime.go:193] \"RunPodSandbox"
                + " from runtime service failed\" err=\"rpc error: code = Unknown desc = failed to reserve sandbox name"
                + " \\\"metricbeat-2qr2j_monitoring_5dfb5e21-176d-4a54-8248-7fad9fc7d81e_0\\\": name >");
        assertThat(f.pod()).isEqualTo("metricbeat-2qr2j");
        assertThat(f.namespace()).isEqualTo("monitoring");
        assertThat(f.podUid()).isEqualTo("5dfb5e21-176d-4a54-8248-7fad9fc7d81e");
        // not a uid in the third place: no pod taken from it
        assertThat(failure("kubelet", "RunPodSandbox failed: sandbox name \"a_b_c_0\" is reserved").pod()).isNull();
    }

    @Test
    void startFailuresTooSmallForTheContainerAreMemory() {
        assertThat(failure(null, "docker: Error response from daemon: OCI runtime create failed: failed to write 5242880"
                + " to memory.memsw.limit_in_bytes: write /sys/fs/cgroup/memory/docker/0e4e/memory.memsw.limit_in_bytes:"
                + " device or resource busy: unknown.").memoryRelated()).isTrue();
        RuntimeFailure ecs = failure(null, "Status reason | CannotStartContainerError: Error response from daemon: OCI"
                + " runtime create failed: container_linux.go:380: starting container process caused: container init"
                + " was OOM-killed (memory limit too low?): unknown");
        assertThat(ecs.kind()).isEqualTo(FailureKind.CONTAINER_START_FAILURE);
        assertThat(ecs.memoryRelated()).isTrue();
        // the validation error with the same words stays a configuration mistake
        assertThat(classify(null, "docker: Error response from daemon: Minimum memory limit allowed is 6MB; memory"
                + " limit too low.")).isEmpty();
    }

    // ---- look-alikes ----------------------------------------------------------------------------------------------

    @Test
    void cniNotReadyIsNoFailureAndCniSandboxFailureIsNotMemory() {
        assertThat(classify("kubelet", "E0301 10:00:00.123456    1234 kubelet.go:2211] \"Container runtime network"
                + " not ready\" networkReady=\"NetworkReady=false reason:NetworkPluginNotReady message:docker:"
                + " network plugin is not ready: cni config uninitialized\"")).isEmpty();
        RuntimeFailure f = failure("kubelet", "E0301 10:00:00.1    1234 remote_runtime.go:92] RunPodSandbox from"
                + " runtime service failed: rpc error: code = Unknown desc = failed to set up sandbox container"
                + " \"abc\" network for pod \"web-0\": networkPlugin cni failed to set up pod \"web-0_shop\" network:"
                + " network plugin is not ready: cni config uninitialized");
        assertThat(f.kind()).isEqualTo(FailureKind.SANDBOX_FAILURE);
        assertThat(f.memoryRelated()).isFalse();
    }

    @Test
    void imagePullFailuresAreNotFailures() {
        assertThat(classify("kubelet", "E0301 10:00:00.1    1234 pod_workers.go:190] Error syncing pod 485fd485-1ed6-"
                + "11e9-8661-0a587f8021ea (\"web-0_shop(485fd485-1ed6-11e9-8661-0a587f8021ea)\"), skipping: failed to"
                + " \"StartContainer\" for \"web\" with ErrImagePull: \"rpc error: code = Unknown desc = Error response"
                + " from daemon: pull access denied for nosuch, repository does not exist\"")).isEmpty();
        assertThat(classify("kubelet", "E0301 10:00:00.1    1234 pod_workers.go:190] Error syncing pod, skipping:"
                + " failed to \"StartContainer\" for \"web\" with ImagePullBackOff: \"Back-off pulling image"
                + " \\\"nosuch:latest\\\"\"")).isEmpty();
        assertThat(classify(null, "  Warning  Failed  12s  kubelet  Failed to pull image \"nosuch\": rpc error: code ="
                + " Unknown desc = Error response from daemon: manifest unknown")).isEmpty();
        assertThat(classify(null, "docker: Error response from daemon: pull access denied for nosuch, repository"
                + " does not exist or may require 'docker login'.")).isEmpty();
    }

    @Test
    void userNamespaceSetnsExitStatusesAreNotMemory() {
        for (String status : List.of("34", "40", "60")) {
            RuntimeFailure f = failure("dockerd", "time=\"2019-01-23T14:15:31Z\" level=error msg=\"containerd:"
                    + " start container\" error=\"oci runtime error: container_linux.go:247: starting container"
                    + " process caused \\\"process_linux.go:245: running exec setns process for init caused"
                    + " \\\\\\\"exit status " + status + "\\\\\\\"\\\"\\n\"");
            assertThat(f.kind()).isEqualTo(FailureKind.CONTAINER_START_FAILURE);
            assertThat(f.memoryRelated()).as("exit status " + status).isFalse();
            assertThat(f.errorText()).isEqualTo("running exec setns process for init caused \"exit status "
                    + status + "\"");
        }
    }

    @Test
    void noSpaceLeftOnDeviceIsNotMemory() {
        RuntimeFailure f = failure("dockerd", "time=\"2019-01-23T14:15:31Z\" level=error msg=\"Handler for POST"
                + " /v1.24/containers/abc/start returned error: mkdir /var/lib/docker/overlay2/abc/merged: no space"
                + " left on device\"");
        assertThat(f.kind()).isEqualTo(FailureKind.CONTAINER_START_FAILURE);
        assertThat(f.memoryRelated()).isFalse();
    }

    @Test
    void aMemoryCgroupThatCannotBeCreatedIsMemoryTroubleEvenAsNoSpaceLeft() {
        // 3.10 kernels leak memory cgroups until the 65535 ids run out; mkdir then fails with ENOSPC
        RuntimeFailure f = failure("dockerd", "time=\"2019-01-23T14:15:31Z\" level=error msg=\"Handler for POST"
                + " /v1.24/containers/abc/start returned error: oci runtime error: container_linux.go:247: starting"
                + " container process caused \\\"process_linux.go:258: applying cgroup configuration for process"
                + " caused \\\\\\\"mkdir /sys/fs/cgroup/memory/kubepods/burstable/pod1/abc: no space left on"
                + " device\\\\\\\"\\\"\"");
        assertThat(f.kind()).isEqualTo(FailureKind.CONTAINER_START_FAILURE);
        assertThat(f.memoryRelated()).isTrue();
    }

    @Test
    void dockerExecFailureIsNotAContainerStart() {
        assertThat(classify(null, "OCI runtime exec failed: exec failed: container_linux.go:367: starting container"
                + " process caused: exec: \"bash\": executable file not found in $PATH: unknown")).isEmpty();
    }

    @Test
    void kernelLinesAndOrdinaryLinesAreIgnored() {
        LogLine kernel = new LogLine("n", null, null, null, "kernel", "kernel", null, null, null,
                "runc:[1:CHILD]: page allocation failure: order:6, mode:0x10c0d0", LineRef.none());
        assertThat(classifier.classify(kernel)).isEmpty();
        assertThat(classify("systemd", "Started Session 12 of user root.")).isEmpty();
        assertThat(classify("kubelet", "I0301 10:00:00.1    1234 kuberuntime_manager.go:383] No ready sandbox for pod"
                + " \"web-0_shop(485fd485-1ed6-11e9-8661-0a587f8021ea)\" can be found. Need to start a new one"))
                .isEmpty();
    }

    // ---- adversarial input ---------------------------------------------------------------------------------------

    @Test
    void thousandsOfNestedEscapesDoNotThrowAndStayBounded() {
        String nested = "\\".repeat(20_000) + "\"";
        RuntimeFailure f = failure("dockerd", "level=error msg=\"Create container failed with error: " + nested.repeat(5)
                + "cannot allocate memory" + nested + "\"");
        assertThat(f.memoryRelated()).isTrue();
        assertThat(f.errorText().length()).isLessThanOrEqualTo(RuntimeFailureClassifier.MAX_ERROR_CHARS);
    }

    @Test
    void hundredKilobyteLinesAndBinaryNeverThrow() {
        Random random = new Random(3);
        List<String> inputs = new ArrayList<>();
        inputs.add("RunPodSandbox from runtime service failed: " + "(".repeat(100_000));
        inputs.add("E0123 14:15:31.352386 1 x.go:1] \"RunPodSandbox failed\" err=\"" + "\\\"".repeat(50_000));
        inputs.add("CreatePodSandbox for pod \"" + "a_b(".repeat(25_000) + "\" failed");
        inputs.add("level=error msg=\"oci runtime error\" " + "k=".repeat(50_000));
        inputs.add("Create container failed " + "0123456789abcdef".repeat(6_000));
        inputs.add("TaskOOM &PodSandboxMetadata{" + ",".repeat(100_000));
        for (int i = 0; i < 20; i++) {
            byte[] junk = new byte[5_000];
            random.nextBytes(junk);
            inputs.add("RunPodSandbox failed " + new String(junk, StandardCharsets.ISO_8859_1));
        }
        for (String input : inputs) {
            for (String ident : new String[] {null, "kubelet", "dockerd", "containerd"}) {
                Optional<RuntimeFailure> f = classify(ident, input);
                f.ifPresent(x -> assertThat(x.errorText().length())
                        .isLessThanOrEqualTo(RuntimeFailureClassifier.MAX_ERROR_CHARS));
            }
        }
        assertThat(classify("kubelet", inputs.get(0))).isPresent();
    }
}
