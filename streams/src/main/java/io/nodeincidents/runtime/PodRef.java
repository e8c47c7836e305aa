package io.nodeincidents.runtime;

import java.util.Map;

/** Pod name, namespace and uid as far as a line tells them; any part may be null. */
record PodRef(String name, String namespace, String uid) {

    static final PodRef NONE = new PodRef(null, null, null);
    private static final int MAX_NAME = 253;
    private static final int MAX_NAMESPACE = 63;

    /**
     * Finds the pod in a line, most specific form first: containerd's {@code PodSandboxMetadata{Name:,Uid:,Namespace:}},
     * kubelet's {@code name_namespace(uid)}, structured klog {@code pod="ns/name" podUID="uid"}, {@code for pod "name"},
     * kubectl's {@code pod/name}.
     */
    static PodRef find(String full, Map<String, String> fields) {
        PodRef p = fromSandboxMetadata(full);
        if (p != null) {
            return p;
        }
        p = fromKubeletPodKey(full);
        if (p != null) {
            return p;
        }
        String structured = fields.get("pod");
        if (structured != null) {
            int slash = structured.indexOf('/');
            String uid = fields.get("podUID");
            if (slash > 0 && isName(structured, slash + 1, structured.length(), MAX_NAME)) {
                return new PodRef(structured.substring(slash + 1), structured.substring(0, slash),
                        uid != null && isUid(uid, 0) ? uid : null);
            }
        }
        String quoted = afterQuote(full, "for pod \"");
        if (quoted != null) {
            return new PodRef(quoted, null, null);
        }
        int at = full.indexOf("pod/");
        if (at >= 0 && (at == 0 || full.charAt(at - 1) == ' ')) {
            int end = at + 4;
            while (end < full.length() && isNameChar(full.charAt(end)) && end - at < MAX_NAME + 4) {
                end++;
            }
            if (end > at + 4) {
                return new PodRef(full.substring(at + 4, end), null, null);
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
        return name == null ? null : new PodRef(name, ns, uid);
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
            return new PodRef(s.substring(nameStart, under), s.substring(nsStart, open), s.substring(open + 1, open + 37));
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
