package io.nodeincidents.events;

import io.nodeincidents.kernel.KernelReport;
import io.nodeincidents.runtime.RuntimeFailure;

/**
 * What the decoders make of a host's log: a kernel memory report, or a container runtime / kubelet failure. The
 * correlation joins the two kinds per host.
 */
public sealed interface NodeEvent permits NodeEvent.Kernel, NodeEvent.Runtime {

    String host();

    /** Event time in µs since the epoch, or null when the log had no wall-clock time. */
    Long timeMicros();

    /** A decoded kernel report. */
    record Kernel(KernelReport report) implements NodeEvent {
        @Override
        public String host() {
            return report.context().host();
        }

        @Override
        public Long timeMicros() {
            return report.context().realtimeMicros();
        }
    }

    /** A runtime or kubelet failure, after folding the several lines one failure is printed as. */
    record Runtime(RuntimeFailure failure) implements NodeEvent {
        @Override
        public String host() {
            return failure.host();
        }

        @Override
        public Long timeMicros() {
            return failure.timeMicros();
        }
    }
}
