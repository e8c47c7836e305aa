package io.nodeincidents.runtime;

import io.nodeincidents.logs.LogLine;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Recognises container-runtime and kubelet failures in non-kernel log lines: dockerd and containerd logfmt, CRI-O,
 * runc, the docker CLI, kubelet klog (classic and structured) and Kubernetes events as kubectl prints them.
 *
 * <p>Which lines report which failure, which are look-alikes and what shows memory trouble is data
 * ({@link RuntimeRules}: the bundled rules file, extended by an operator's). Most lines of a journal are irrelevant,
 * so the rules' substrings are tested first in one pass and nothing else happens for a line that holds none. What
 * stays in code is structure: klog headers, logfmt fields, nested escaping (peeled with a bound on the depth), pod
 * references, container ids and the innermost error.
 */
public final class RuntimeFailureClassifier {

    /** errorText is cut to this many characters (keeping the end, where the innermost cause is). */
    public static final int MAX_ERROR_CHARS = 512;

    /** Where the error part of an unstructured line starts (after the first of these). */
    private static final String[] ERROR_AFTER = {
        "failed with error: ", "failed: ", "Error response from daemon: ", "ailed to create pod sandbox: ",
        "ailed create pod sandbox: ", "reation error: ", "returned error: "
    };

    private final RuntimeRules rules;

    /** With the bundled rules. */
    public RuntimeFailureClassifier() {
        this(RuntimeRules.bundled());
    }

    public RuntimeFailureClassifier(RuntimeRules rules) {
        this.rules = rules;
    }

    /**
     * The failure this line reports, or empty when it reports none (including kernel lines, image pulls, and
     * anything unrecognised). Never throws on any input.
     */
    public Optional<RuntimeFailure> classify(LogLine line) {
        return read(line, false).failure();
    }

    /**
     * What one line says: the failure it reports, or, when it reports none and {@code context} is asked for, whether
     * it shows memory trouble that the next failure inherits ({@link #mayLeaveContext}). One pass over the line
     * decides which rules can apply at all.
     */
    public LineReading read(LogLine line, boolean context) {
        if (line.isKernel()) {
            return LineReading.NOTHING;
        }
        String m = line.message();
        int gate = rules.gate(m, context);
        if (gate == 0) {
            return LineReading.NOTHING;
        }
        boolean namesPod = context && (gate & RuntimeRules.MAY_NAME_POD) != 0;
        if ((gate & RuntimeRules.MAY_FAIL) != 0) {
            Optional<RuntimeFailure> failure = failureIn(line, m);
            if (failure.isPresent()) {
                return new LineReading(failure, false, namesPod);
            }
        }
        boolean memory = context && (gate & RuntimeRules.MAY_SHOW_MEMORY) != 0 && rules.memoryEvidenceIn(m) != null;
        return new LineReading(Optional.empty(), memory, namesPod);
    }

    /**
     * A line's reading: a failure, or memory trouble for the next failure, and whether it may name the pod of the
     * lines after it.
     */
    public record LineReading(Optional<RuntimeFailure> failure, boolean memoryTrouble, boolean mayNamePod) {
        static final LineReading NOTHING = new LineReading(Optional.empty(), false, false);
    }

    private Optional<RuntimeFailure> failureIn(LogLine line, String m) {
        FailureKind kind = kindOf(m);
        if (kind == null) {
            return Optional.empty();
        }
        RuntimeComponent component = componentOf(line, m);
        int body = klogBodyStart(m);
        Map<String, String> fields = EscapedText.fields(m, body);
        String full = EscapedText.unescapeFully(m);
        boolean memory = kind == FailureKind.CONTAINER_OOM_KILLED || showsMemoryTrouble(full);
        PodRef pod = PodRef.find(full, fields);
        String containerId = containerId(m, fields);
        String error = errorText(m, body, fields, kind);
        return Optional.of(new RuntimeFailure(line.host(), line.realtimeMicros(), kind, component, memory,
                pod.pod(), pod.namespace(), pod.podUid(), containerId, error, List.of(line.ref()), m));
    }

    /**
     * Whether a line may say something about the failure after it (the pod it is about, memory trouble): a line of a
     * container runtime or the kubelet, or of no known origin (a paste).
     */
    public boolean mayLeaveContext(LogLine line) {
        return !line.isKernel() && (line.identifier() == null
                || rules.componentOf(line.identifier(), line.unit()) != null);
    }

    /** The kind the first matching rule gives, or null (no rule, or a look-alike rule). */
    FailureKind kindOf(String m) {
        RuntimeRules.Rule rule = rules.ruleFor(m);
        return rule == null ? null : rule.kind();
    }

    /** Memory trouble anywhere in the (unescaped) error chain, as the rules' memory evidence describes it. */
    boolean showsMemoryTrouble(String full) {
        return rules.memoryEvidenceIn(full) != null;
    }

    RuntimeComponent componentOf(LogLine line, String m) {
        if (m.startsWith("docker: ")) {
            return RuntimeComponent.DOCKER_CLI;
        }
        RuntimeComponent named = rules.componentOf(line.identifier(), line.unit());
        if (named != null) {
            return named;
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

    static boolean isHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /** The innermost error, unescaped, whitespace-normalised, at most {@link #MAX_ERROR_CHARS} chars. */
    static String errorText(String m, int body, Map<String, String> fields, FailureKind kind) {
        if (kind == FailureKind.CONTAINER_OOM_KILLED && m.contains("OOMKilled") && !fields.containsKey("error")
                && !fields.containsKey("err") && !fields.containsKey("msg")) {
            // kubectl's status word (a get pods row, describe's Reason): the same kill however it was printed
            return "OOMKilled";
        }
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
            text = kind == FailureKind.CONTAINER_OOM_KILLED ? "OOMKilled" : normalise(m);
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
}
