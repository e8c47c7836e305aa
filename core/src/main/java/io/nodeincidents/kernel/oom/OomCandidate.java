package io.nodeincidents.kernel.oom;

/**
 * The task the OOM killer selected ("Kill process N (x) score S or sacrifice child"). Not necessarily the task
 * that died: old kernels sacrificed a child instead; the victim is the "Killed process" line.
 */
public record OomCandidate(int pid, String comm, Long score) {
}
