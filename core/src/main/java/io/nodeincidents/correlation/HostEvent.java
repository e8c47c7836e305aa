package io.nodeincidents.correlation;

import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.RuntimeFailureEvent;
import java.util.Objects;

/** An event extraction completed, as its record, and the time of its host's {@link HostClock} when it did. */
public sealed interface HostEvent permits HostEvent.Kernel, HostEvent.Runtime {

    /** The host's time when extraction completed the event: "now" for its correlation. */
    long hostTimeMs();

    /** The host the event is of. */
    String host();

    /** A completed kernel memory report. */
    record Kernel(KernelMemoryEvent event, long hostTimeMs) implements HostEvent {
        public Kernel {
            Objects.requireNonNull(event, "event");
        }

        @Override
        public String host() {
            return event.getHost();
        }
    }

    /** A completed (de-duplicated) runtime or kubelet failure. */
    record Runtime(RuntimeFailureEvent event, long hostTimeMs) implements HostEvent {
        public Runtime {
            Objects.requireNonNull(event, "event");
        }

        @Override
        public String host() {
            return event.getHost();
        }
    }
}
