package io.nodeincidents.runtime;

import io.nodeincidents.logs.LogLine;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Recognises container-runtime and kubelet failures in non-kernel log lines: dockerd and containerd logfmt, CRI-O,
 * runc, the docker CLI, kubelet klog (classic and structured) and Kubernetes events as kubectl prints them.
 *
 * <p>Most lines of a journal are irrelevant, so a handful of substring checks run first and nothing else happens for
 * a line that fails them. All scanning is linear; nested escaping is peeled with a bound on the depth.
 */
public final class RuntimeFailureClassifier {

    /** errorText is cut to this many characters (keeping the end, where the innermost cause is). */
    public static final int MAX_ERROR_CHARS = 512;

    /** Cheap gate: a line containing none of these cannot be a failure we report. */
    private static final String[] PREFILTER = {
        "andbox", "andBox", "untime", "OOM", "oom", "shim", "ontainer process", "ontainer failed", "ContainerError",
        "Error response from daemon", "reation error", "ontainer create failed", "returned error"
    };

    private static final String[] SANDBOX = {
        "RunPodSandbox", "CreatePodSandbox", "createPodSandbox", "FailedCreatePodSandBox",
        "ailed to create pod sandbox", "ailed create pod sandbox", "Failed to create sandbox for pod",
        "rror creating pod sandbox"
    };

    private static final String[] START = {
        "oci runtime error", "OCI runtime create failed", "OCI runtime start failed", "failed to create shim",
        "Create container failed", "starting container process caused", "failed to create containerd task",
        "RunContainerError", "CreateContainerError", "StartContainer from runtime service failed",
        "CreateContainer in sandbox", "ontainer create failed", "Container creation error"
    };

    private static final String[] OOM = {"TaskOOM", "/tasks/oom", "container oom", "OOMKilled"};

    /** Image pulls fail loudly but say nothing about the node's runtime: not a failure kind. */
    private static final String[] IMAGE_PULL = {
        "ErrImagePull", "ImagePullBackOff", "ailed to pull image", "PullImage", "pull access denied",
        "manifest unknown", "Back-off pulling image", "Unable to find image"
    };

    /** {@code docker exec} failures mention the same runc wording but start no container. */
    private static final String[] EXEC = {"OCI runtime exec failed", "exec failed:"};

    /** Where the error part of an unstructured line starts (after the first of these). */
    private static final String[] ERROR_AFTER = {
        "failed with error: ", "failed: ", "Error response from daemon: ", "ailed to create pod sandbox: ",
        "ailed create pod sandbox: ", "reation error: ", "returned error: "
    };

    /**
     * The failure this line reports, or empty when it reports none (including kernel lines, image pulls, and
     * anything unrecognised). Never throws on any input.
     */
    public Optional<RuntimeFailure> classify(LogLine line) {
        if (line.isKernel()) {
            return Optional.empty();
        }
        String m = line.message();
        if (!containsAny(m, PREFILTER)) {
            return Optional.empty();
        }
        RuntimeFailureKind kind = kindOf(m);
        if (kind == null) {
            return Optional.empty();
        }
        RuntimeComponent component = componentOf(line, m);
        int body = klogBodyStart(m);
        Map<String, String> fields = EscapedText.logfmt(m, body);
        String full = EscapedText.unescapeFully(m);
        boolean memory = kind == RuntimeFailureKind.CONTAINER_OOM_KILLED || showsMemoryTrouble(full);
        PodRef pod = PodRef.find(full, fields);
        String containerId = containerId(m, fields);
        String error = errorText(m, body, fields, kind);
        return Optional.of(new RuntimeFailure(line.host(), line.realtimeMicros(), kind, component, memory,
                pod.name(), pod.namespace(), pod.uid(), containerId, error, List.of(line.ref())));
    }

    static RuntimeFailureKind kindOf(String m) {
        if (containsAny(m, SANDBOX) && hasFailureWord(m)) {
            return RuntimeFailureKind.SANDBOX_FAILURE;
        }
        if (containsAny(m, IMAGE_PULL)) {
            return null;
        }
        if (containsAny(m, OOM)) {
            return RuntimeFailureKind.CONTAINER_OOM_KILLED;
        }
        if (containsAny(m, EXEC)) {
            return null;
        }
        if ((containsAny(m, START) && hasFailureWord(m)) || isDockerCliError(m) || isStartHandlerError(m)) {
            return RuntimeFailureKind.CONTAINER_START_FAILURE;
        }
        return null;
    }

    private static boolean hasFailureWord(String m) {
        return m.contains("fail") || m.contains("Fail") || m.contains("rror") || m.contains("caused");
    }

    /** {@code docker run} prints {@code docker: Error response from daemon: ...} when the container did not start. */
    private static boolean isDockerCliError(String m) {
        return m.startsWith("docker: Error response from daemon:") && !m.contains("Conflict.");
    }

    /** dockerd: {@code Handler for POST /v1.30/containers/<id>/start returned error: ...}. */
    private static boolean isStartHandlerError(String m) {
        int h = m.indexOf("Handler for POST ");
        return h >= 0 && m.indexOf("/start returned error", h) > 0;
    }

    static RuntimeComponent componentOf(LogLine line, String m) {
        String id = line.identifier() == null ? "" : line.identifier().toLowerCase(Locale.ROOT);
        String unit = line.unit() == null ? "" : line.unit().toLowerCase(Locale.ROOT);
        if (m.startsWith("docker: ")) {
            return RuntimeComponent.DOCKER_CLI;
        }
        if (id.startsWith("dockerd") || id.equals("docker") || unit.startsWith("docker.")) {
            return RuntimeComponent.DOCKERD;
        }
        if (id.startsWith("containerd") || unit.startsWith("containerd.")) {
            return RuntimeComponent.CONTAINERD;
        }
        if (id.equals("crio") || id.equals("cri-o") || unit.startsWith("crio.")) {
            return RuntimeComponent.CRIO;
        }
        if (id.equals("kubelet") || id.equals("hyperkube") || unit.startsWith("kubelet.")) {
            return RuntimeComponent.KUBELET;
        }
        if (id.startsWith("runc")) {
            return RuntimeComponent.RUNC;
        }
        if (isKubectlEvent(m)) {
            return RuntimeComponent.K8S_EVENT;
        }
        if (klogBodyStart(m) > 0) {
            return RuntimeComponent.KUBELET;
        }
        if (m.contains("PodSandboxMetadata{") || m.contains("TaskOOM")) {
            return RuntimeComponent.CONTAINERD;
        }
        if (m.contains("level=")) {
            return RuntimeComponent.DOCKERD;
        }
        return RuntimeComponent.KUBELET;
    }

    /** {@code Warning  FailedCreatePodSandBox  2m  kubelet  Failed to create pod sandbox: ...} (describe or get). */
    private static boolean isKubectlEvent(String m) {
        String t = m.strip();
        int w = t.indexOf("Warning ");
        return w >= 0 && w < 64 && (t.contains("FailedCreatePodSandBox") || t.contains(" Failed ")
                || t.contains(" OOMKilled") || t.contains("BackOff"));
    }

    /**
     * Index after a klog header ({@code E0123 14:15:31.352386   26037 remote_runtime.go:91] }), or 0 when there is
     * none.
     */
    static int klogBodyStart(String m) {
        if (m.length() < 22 || "IWEF".indexOf(m.charAt(0)) < 0 || !digits(m, 1, 4) || m.charAt(5) != ' '
                || m.charAt(8) != ':') {
            return 0;
        }
        int close = m.indexOf("] ", 20);
        return close > 0 && close < 160 ? close + 2 : 0;
    }

    private static boolean digits(String s, int from, int n) {
        for (int i = from; i < from + n; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * Memory trouble anywhere in the (unescaped) chain: ENOMEM, {@code cannot allocate memory} (memory cgroup mkdir
     * included), or runc's setns child exiting with status 6, which is how 3.x kernels report the failed high-order
     * allocation for a new network namespace. A memory cgroup that cannot be created is memory trouble whatever
     * the errno: on 3.10 kernels with kmem accounting, leaked memory cgroups exhaust the 65535 cgroup ids and
     * {@code mkdir /sys/fs/cgroup/memory/...} fails with {@code no space left on device}. Not: a full disk
     * ({@code no space left on device} elsewhere), setns exit status 34/40 (user namespaces), seccomp.
     */
    static boolean showsMemoryTrouble(String full) {
        if (full.contains("annot allocate memory") || full.contains("ENOMEM") || full.contains("ut of memory")) {
            return true;
        }
        int memcg = full.indexOf("cgroup/memory/");
        if (memcg >= 0 && full.indexOf("no space left on device", memcg) >= 0) {
            return true;
        }
        int setns = full.indexOf("setns process");
        if (setns < 0) {
            return false;
        }
        for (int i = full.indexOf("exit status 6", setns); i >= 0; i = full.indexOf("exit status 6", i + 1)) {
            int after = i + "exit status 6".length();
            if (after >= full.length() || full.charAt(after) < '0' || full.charAt(after) > '9') {
                return true;
            }
        }
        return false;
    }

    /** The container or sandbox id: an {@code id=} field, else the first run of exactly 64 hex digits. */
    static String containerId(String m, Map<String, String> fields) {
        for (String key : new String[] {"id", "container", "containerID", "sandboxID", "podSandboxID"}) {
            String v = fields.get(key);
            if (v != null && v.length() == 64 && isHex(v, 0, 64)) {
                return v;
            }
        }
        int run = 0;
        for (int i = 0; i <= m.length(); i++) {
            char c = i < m.length() ? m.charAt(i) : ' ';
            if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) {
                run++;
            } else {
                if (run == 64) {
                    return m.substring(i - 64, i);
                }
                run = 0;
            }
        }
        return null;
    }

    private static boolean isHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /** The innermost error, unescaped, whitespace-normalised, at most {@link #MAX_ERROR_CHARS} chars. */
    static String errorText(String m, int body, Map<String, String> fields, RuntimeFailureKind kind) {
        String source = fields.get("error");
        if (source == null) {
            source = fields.get("err");
        }
        if (source == null) {
            for (String marker : ERROR_AFTER) {
                int at = m.indexOf(marker, body);
                if (at >= 0) {
                    source = m.substring(at + marker.length());
                    break;
                }
            }
        }
        if (source == null) {
            source = fields.getOrDefault("msg", m.substring(body));
        }
        String text = innermost(normalise(EscapedText.unescapeFully(source)));
        if (text.isEmpty()) {
            text = kind == RuntimeFailureKind.CONTAINER_OOM_KILLED ? "OOMKilled" : normalise(m);
        }
        if (text.length() > MAX_ERROR_CHARS) {
            text = "..." + text.substring(text.length() - (MAX_ERROR_CHARS - 3));
        }
        return text;
    }

    /** From the last {@code X caused Y} clause when there is one (runc's chain), else without rpc wrappers. */
    static String innermost(String u) {
        int caused = Math.max(u.lastIndexOf(" caused "), u.lastIndexOf(" caused: "));
        String t = u;
        if (caused > 0) {
            int start = Math.max(u.lastIndexOf(": ", caused), u.lastIndexOf('"', caused));
            t = u.substring(start < 0 ? 0 : start + (u.charAt(start) == '"' ? 1 : 2));
        } else {
            for (int guard = 0; guard < 4 && t.startsWith("rpc error: code = "); guard++) {
                int desc = t.indexOf(" desc = ");
                if (desc < 0) {
                    break;
                }
                t = t.substring(desc + " desc = ".length());
            }
        }
        return trimJunk(t);
    }

    /** Strips the quote/brace debris nesting leaves at the end; closes an odd quote. */
    private static String trimJunk(String t) {
        int end = t.length();
        while (end > 0 && "\"}' .\\".indexOf(t.charAt(end - 1)) >= 0) {
            end--;
        }
        int start = 0;
        while (start < end && "\"{' ".indexOf(t.charAt(start)) >= 0) {
            start++;
        }
        String r = t.substring(start, end);
        long quotes = r.chars().filter(c -> c == '"').count();
        return quotes % 2 == 1 ? r + '"' : r;
    }

    private static String normalise(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 1 << 16));
        boolean space = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                space = sb.length() > 0;
            } else {
                if (space) {
                    sb.append(' ');
                    space = false;
                }
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static boolean containsAny(String s, String[] needles) {
        for (String n : needles) {
            if (s.contains(n)) {
                return true;
            }
        }
        return false;
    }
}
