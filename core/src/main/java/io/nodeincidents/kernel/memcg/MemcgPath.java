package io.nodeincidents.kernel.memcg;

/**
 * A memory cgroup path from an OOM report, decoded into the container and Kubernetes pod it belongs to.
 * Understands the cgroupfs driver ({@code /kubepods/burstable/pod<uid>/<64hex>}, {@code /docker/<64hex>}), the
 * systemd driver ({@code /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid_with_underscores>.slice/
 * docker-<id>.scope}, {@code cri-containerd-<id>.scope}, {@code crio-<id>.scope}), and nested docker-in-docker
 * ({@code /docker/<id>/docker/<id2>}: the innermost container is the one that was limited), also when a nested
 * kubelet (kind) adds its own root ({@code /docker/<id>/kubelet/kubepods/...}, {@code /kubelet.slice/
 * kubelet-kubepods.slice/...}). cgroup v1 and v2 print the same path shapes.
 *
 * @param path        the path as printed
 * @param containerId 64-hex container id (the innermost one), or null when the path names none (a pod or
 *                    system cgroup, or a path truncated by the log)
 * @param podUid      Kubernetes pod UID with dashes, or null
 * @param runtime     runtime named by the path, UNKNOWN when the path does not say
 * @param qosClass    "guaranteed", "burstable" or "besteffort" for kubepods paths, else null
 */
public record MemcgPath(String path, String containerId, String podUid, ContainerRuntime runtime, String qosClass) {

    private static final int MAX_PATH = 4096;

    /** Decodes {@code path}; null in, null out. Never throws. */
    public static MemcgPath parse(String path) {
        if (path == null) {
            return null;
        }
        String p = path.length() > MAX_PATH ? path.substring(0, MAX_PATH) : path;
        String[] segments = p.split("/", 64);
        String containerId = null;
        ContainerRuntime runtime = ContainerRuntime.UNKNOWN;
        String podUid = null;
        String qos = null;
        boolean kubepods = false;
        for (int i = segments.length - 1; i >= 0; i--) {
            String s = segments[i];
            if (containerId == null) {
                String id = null;
                ContainerRuntime rt = ContainerRuntime.UNKNOWN;
                if (isHex(s, 64, 64)) {
                    id = s;
                    rt = i > 0 && segments[i - 1].equals("docker") ? ContainerRuntime.DOCKER : ContainerRuntime.UNKNOWN;
                } else if (s.endsWith(".scope") && !s.startsWith("crio-conmon-")) {
                    String body = s.substring(0, s.length() - ".scope".length());
                    for (String[] prefix : new String[][]{{"docker-", "DOCKER"}, {"cri-containerd-", "CONTAINERD"},
                            {"crio-", "CRIO"}, {"libpod-", "PODMAN"}}) {
                        if (body.startsWith(prefix[0]) && isHex(body.substring(prefix[0].length()), 12, 64)) {
                            id = body.substring(prefix[0].length());
                            rt = ContainerRuntime.valueOf(prefix[1]);
                        }
                    }
                }
                if (id != null) {
                    containerId = id;
                    runtime = rt;
                    continue;
                }
            }
            if (podUid == null) {
                podUid = podUid(s);
            }
            // a kubelet with a cgroup root (kind: "/kubelet") prefixes the systemd slices: "kubelet-kubepods.slice"
            if (s.equals("kubepods") || s.equals("kubepods.slice") || s.endsWith("-kubepods.slice")) {
                kubepods = true;
            }
            if (qos == null) {
                if (s.equals("burstable") || s.endsWith("kubepods-burstable.slice")) {
                    qos = "burstable";
                } else if (s.equals("besteffort") || s.endsWith("kubepods-besteffort.slice")) {
                    qos = "besteffort";
                }
            }
        }
        if (kubepods && qos == null && podUid != null) {
            qos = "guaranteed";
        }
        return new MemcgPath(path, containerId, podUid, runtime, kubepods ? qos : null);
    }

    private static String podUid(String segment) {
        String s = segment;
        if (s.endsWith(".slice")) {
            int pod = s.lastIndexOf("-pod");
            if (!(s.startsWith("kubepods") || s.contains("-kubepods")) || pod < 0) {
                return null;
            }
            s = s.substring(pod + 4, s.length() - ".slice".length()).replace('_', '-');
        } else if (s.startsWith("pod")) {
            s = s.substring(3);
        } else {
            return null;
        }
        if (s.length() < 8 || s.length() > 64) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.digit(c, 16) < 0 && c != '-') {
                return null;
            }
        }
        return s;
    }

    private static boolean isHex(String s, int min, int max) {
        if (s.length() < min || s.length() > max) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }
}
