package io.nodeincidents.trust;

import java.util.Objects;

/**
 * A journal entry that claims to be evidence but does not come from where such evidence comes from: left out of the
 * decoding, counted and logged.
 *
 * @param claim  what the entry claimed to be
 * @param sender who sent it, as far as the entry says (printable, bounded): the key to log it under once per host
 */
public record Refusal(Claim claim, String sender) {

    /** What a refused entry claimed to be. */
    public enum Claim {
        /** A kernel line: tagged {@code kernel}, but not from the kernel. */
        KERNEL,
        /** A container runtime or kubelet failure, from another process. */
        RUNTIME
    }

    public Refusal {
        Objects.requireNonNull(claim, "claim");
        Objects.requireNonNull(sender, "sender");
    }

    /** One line for a log: {@code an entry claiming a kernel line from container evil (unit docker.service)}. */
    public String describe() {
        return (claim == Claim.KERNEL ? "kernel lines" : "runtime or kubelet failures") + " from " + sender;
    }
}
