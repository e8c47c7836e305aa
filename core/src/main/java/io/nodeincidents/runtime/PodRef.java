package io.nodeincidents.runtime;

import java.util.Map;

/**
 * A pod, as far as the evidence names it: a runtime or kubelet line usually names namespace and pod ({@link #find}),
 * an OOM kill only the pod UID and container id decoded from its memory cgroup path. Any part may be null.
 *
 * @param namespace   pod namespace, or null
 * @param pod         pod name, or null
 * @param podUid      pod UID, or null
 * @param containerId container or sandbox id, or null
 */
public record PodRef(String namespace, String pod, String podUid, String containerId) {

    static final PodRef NONE = new PodRef(null, null, null, null);
    private static final int MAX_NAME = 253;
    private static final int MAX_NAMESPACE = 63;

    /** True when two references name the same pod (same UID, same namespace/name, or same container). */
    public boolean sameAs(PodRef other) {
        if (podUid != null && podUid.equals(other.podUid)) {
            return true;
        }
        if (pod != null && pod.equals(other.pod) && java.util.Objects.equals(namespace, other.namespace)) {
            return true;
        }
        return podUid == null && pod == null && containerId != null && containerId.equals(other.containerId);
    }

    /** True when the reference names nothing at all (then it is not worth listing). */
    public boolean isEmpty() {
        return namespace == null && pod == null && podUid == null && containerId == null;
    }

    /** How a person refers to the pod: namespace/name, else the UID, else the container id. */
    public String label() {
        if (pod != null) {
            return namespace == null ? pod : namespace + "/" + pod;
        }
        if (podUid != null) {
            return "pod " + podUid;
        }
        return containerId == null ? "?" : "container " + shortId(containerId);
    }

    /** A container id as people write it: its first 12 characters. */
    public static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    /** What a line names: pod, namespace and uid; a line's container id is read apart from the pod. */
    private static PodRef named(String pod, String namespace, String podUid) {
        return new PodRef(namespace, pod, podUid, null);
    }

    /**
     * Finds the pod in a line, most specific form first: containerd's {@code PodSandboxMetadata{Name:,Uid:,Namespace:}},
     * kubelet's {@code name_namespace(uid)}, structured klog {@code pod="ns/name" podUID="uid"}, {@code for pod "name"},
     * kubectl's {@code pod/name}.
     */
    static PodRef find(String text, Map<String, String> fields) {
        // a terminal or web page that wrapped "name_kube-" / "system(uid)" left "kube- system": join such breaks
        String full = text.contains("- ") ? joinWrappedNames(text) : text;
        PodRef p = fromSandboxMetadata(full);
        if (p != null) {
            return p;
        }
        p = fromKubeletPodKey(full);
        if (p != null) {
            return p;
        }
        p = fromJsonObjectRef(full);
        if (p != null) {
            return p;
        }
        String structured = fields.get("pod");
        if (structured != null) {
            int slash = structured.indexOf('/');
            String uid = fields.get("podUID");
            if (slash > 0 && isName(structured, slash + 1, structured.length(), MAX_NAME)) {
                return named(structured.substring(slash + 1), structured.substring(0, slash),
                        uid != null && isUid(uid, 0) ? uid : null);
            }
        }
        p = fromCriName(full);
        if (p != null) {
            return p;
        }
        p = fromSandboxName(full);
        if (p != null) {
            return p;
        }
        p = fromQuotedPodKey(full);
        if (p != null) {
            return p;
        }
        p = fromGetPodsRow(full);
        if (p != null) {
            return p;
        }
        String quoted = afterQuote(full, "for pod \"");
        if (quoted != null) {
            return named(quoted, null, null);
        }
        int at = full.indexOf("pod/");
        if (at >= 0 && (at == 0 || full.charAt(at - 1) == ' ')) {
            int end = at + 4;
            while (end < full.length() && isNameChar(full.charAt(end)) && end - at < MAX_NAME + 4) {
                end++;
            }
            if (end > at + 4) {
                return named(full.substring(at + 4, end), null, null);
            }
        }
        return NONE;
    }

    private static PodRef fromSandboxMetadata(String s) {
        int at = s.indexOf("PodSandboxMetadata{");
        if (at < 0) {
            return null;
        }
        int end = s.indexOf('}', at);
        if (end < 0 || end - at > 1024) {
            return null;
        }
        String body = s.substring(at + "PodSandboxMetadata{".length(), end);
        String name = null;
        String uid = null;
        String ns = null;
        for (String part : body.split(",", 8)) {
            int colon = part.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String k = part.substring(0, colon).trim();
            String v = part.substring(colon + 1).trim();
            switch (k) {
                case "Name" -> name = v;
                case "Uid" -> uid = v;
                case "Namespace" -> ns = v;
                default -> {
                }
            }
        }
        return name == null ? null : named(name, ns, uid);
    }

    /**
     * The names kubelet gives containers and sandboxes: {@code k8s_POD_NAME_NAMESPACE_UID_ATTEMPT} (docker's pause
     * container), {@code k8s_CONTAINER_NAME_NAMESPACE_UID_ATTEMPT}, and CRI-O's and containerd's sandbox
     * {@code k8s_NAME_NAMESPACE_UID_ATTEMPT}: the part before the uid names the pod and its namespace.
     */
    private static PodRef fromCriName(String s) {
        for (int at = s.indexOf("k8s_"); at >= 0; at = s.indexOf("k8s_", at + 4)) {
            if (at > 0 && isNameChar(s.charAt(at - 1))) {
                continue;
            }
            String[] parts = new String[5];
            int n = 0;
            int i = at + 4;
            while (n < parts.length) {
                int start = i;
                // docker's pause container is "k8s_POD_...": the one upper-case part there is
                while (i < s.length() && i - start <= MAX_NAME && (isNameChar(s.charAt(i)) || s.charAt(i) == '*'
                        || (n == 0 && s.charAt(i) >= 'A' && s.charAt(i) <= 'Z'))) {
                    i++;
                }
                if (i == start) {
                    break;
                }
                parts[n++] = s.substring(start, i);
                if (i >= s.length() || s.charAt(i) != '_') {
                    break;
                }
                i++;
            }
            for (int u = 2; u < n; u++) {
                // a static pod's "uid" is the 32-hex hash of its manifest
                if ((parts[u].length() == 36 && isUid(parts[u], 0)) || (parts[u].length() == 32 && RuntimeFailureClassifier.isHex(parts[u], 0, 32))) {
                    return named(parts[u - 2], parts[u - 1], parts[u]);
                }
            }
        }
        return null;
    }

    /** kubelet's JSON log format: {@code "pod":{"name":"NAME","namespace":"NAMESPACE"}}. */
    private static PodRef fromJsonObjectRef(String s) {
        int at = s.indexOf("\"pod\":{");
        if (at < 0) {
            return null;
        }
        int from = at + "\"pod\":{".length();
        int end = s.indexOf('}', from);
        if (end < 0 || end - from > 512) {
            return null;
        }
        String body = s.substring(from, end);
        String name = afterQuote(body, "\"name\":\"");
        String ns = afterQuote(body, "\"namespace\":\"");
        if (!isName(name) || (ns != null && !isName(ns))) {
            return null;
        }
        return named(name, ns, null);
    }

    /**
     * A {@code kubectl get pods} row: {@code NAME READY STATUS ...}, or with {@code -A} {@code NAMESPACE NAME READY
     * STATUS ...}, READY being {@code n/m}.
     */
    private static PodRef fromGetPodsRow(String s) {
        String[] cells = s.strip().split("\\s+", 5);
        for (int ready = 1; ready <= 2 && ready < cells.length - 1; ready++) {
            // the STATUS after READY is a word of kubectl's (Running, OOMKilled, Init:0/1, ...)
            if (isReadyCount(cells[ready]) && Character.isUpperCase(cells[ready + 1].charAt(0))) {
                String name = cells[ready - 1];
                String ns = ready == 2 ? cells[0] : null;
                if (isName(name) && (ns == null || isName(ns))) {
                    return named(name, ns, null);
                }
            }
        }
        return null;
    }

    private static boolean isReadyCount(String cell) {
        int slash = cell.indexOf('/');
        if (slash <= 0 || slash == cell.length() - 1 || cell.length() > 9) {
            return false;
        }
        for (int i = 0; i < cell.length(); i++) {
            if (i != slash && !Character.isDigit(cell.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * containerd's sandbox names, {@code sandbox name "NAME_NAMESPACE_UID_ATTEMPT"} ({@code failed to reserve sandbox
     * name ...}): the pod is named there even when a pager cut the line's {@code pod=} field.
     */
    private static PodRef fromSandboxName(String s) {
        String key = "sandbox name \"";
        int at = s.indexOf(key);
        if (at < 0) {
            return null;
        }
        int from = at + key.length();
        String[] parts = s.substring(from, podKeyEnd(s, from, 400)).split("_", 5);
        if (parts.length < 4 || parts[2].length() != 36 || !isUid(parts[2], 0) || !isName(parts[0])
                || !isName(parts[1])) {
            return null;
        }
        return named(parts[0], parts[1], parts[2]);
    }

    /** Where a key of names joined by '_' that starts at {@code from} ends, after at most {@code max} characters. */
    private static int podKeyEnd(String s, int from, int max) {
        int end = from;
        while (end < s.length() && (isNameChar(s.charAt(end)) || s.charAt(end) == '_') && end - from < max) {
            end++;
        }
        return end;
    }

    /** CNI plugins' {@code pod "NAME_NAMESPACE"} ({@code failed to set up pod "r2_default" network}). */
    private static PodRef fromQuotedPodKey(String s) {
        for (int at = s.indexOf("pod \""); at >= 0; at = s.indexOf("pod \"", at + 5)) {
            int from = at + 5;
            int end = podKeyEnd(s, from, 320);
            if (end >= s.length() || s.charAt(end) != '"') {
                continue;
            }
            int under = s.lastIndexOf('_', end);
            if (under > from && under < end - 1 && s.indexOf('_', from) == under) {
                return named(s.substring(from, under), s.substring(under + 1, end), null);
            }
        }
        return null;
    }

    /** {@code matchdataserver-1255064836-t4b2w_basic(485fd485-1ed6-11e9-8661-0a587f8021ea)}. */
    private static PodRef fromKubeletPodKey(String s) {
        for (int open = s.indexOf('('); open >= 0; open = s.indexOf('(', open + 1)) {
            if (open + 38 > s.length() || s.charAt(open + 37) != ')' || !isUid(s, open + 1)) {
                continue;
            }
            int nsStart = open;
            while (nsStart > 0 && isNameChar(s.charAt(nsStart - 1)) && open - nsStart < MAX_NAMESPACE) {
                nsStart--;
            }
            if (nsStart == open || nsStart == 0 || s.charAt(nsStart - 1) != '_') {
                continue;
            }
            int under = nsStart - 1;
            int nameStart = under;
            while (nameStart > 0 && isNameChar(s.charAt(nameStart - 1)) && under - nameStart < MAX_NAME) {
                nameStart--;
            }
            if (nameStart == under) {
                continue;
            }
            return named(s.substring(nameStart, under), s.substring(nsStart, open), s.substring(open + 1, open + 37));
        }
        return null;
    }

    private static String afterQuote(String s, String marker) {
        int at = s.indexOf(marker);
        if (at < 0) {
            return null;
        }
        int from = at + marker.length();
        int end = from;
        while (end < s.length() && isNameChar(s.charAt(end)) && end - from < MAX_NAME) {
            end++;
        }
        return end > from && end < s.length() && s.charAt(end) == '"' ? s.substring(from, end) : null;
    }

    static boolean isUid(String s, int i) {
        if (i + 36 > s.length()) {
            return false;
        }
        for (int k = 0; k < 36; k++) {
            char c = s.charAt(i + k);
            boolean dash = k == 8 || k == 13 || k == 18 || k == 23;
            if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }


    private static String joinWrappedNames(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(c);
            if (c == '-' && i > 0 && isNameChar(s.charAt(i - 1)) && i + 1 < s.length() && s.charAt(i + 1) == ' ') {
                int j = i + 1;
                while (j < s.length() && s.charAt(j) == ' ' && j - i < 64) {
                    j++;
                }
                if (j < s.length() && isNameChar(s.charAt(j))) {
                    i = j - 1;
                }
            }
        }
        return out.toString();
    }

    /** A pod or namespace name: DNS label characters, not too long. */
    static boolean isName(String s) {
        return s != null && isName(s, 0, s.length(), MAX_NAME);
    }

    private static boolean isName(String s, int from, int to, int max) {
        if (to <= from || to - from > max) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!isNameChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    }
}
