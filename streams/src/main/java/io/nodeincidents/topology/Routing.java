package io.nodeincidents.topology;

import io.nodeincidents.correlation.HostClock;
import io.nodeincidents.schemas.DeadLetter;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.MemoryForecast;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.RuntimeFailureEvent;
import java.util.Objects;

/**
 * What flows between the topology's steps inside one task (never serialized): each step either passes its result on
 * or sets the record aside as a {@link Rejected} dead letter, and the topology splits the two.
 */
final class Routing {

    private Routing() {
    }

    /** What event extraction produces. */
    sealed interface Extracted permits HostEvent, Rejected {
    }

    /** What the memory forecast produces from a sample. */
    sealed interface Forecasted permits HostForecast, RiskRevision, Rejected {
    }

    /** The host's forecast after a sample. */
    record HostForecast(MemoryForecast forecast) implements Forecasted {
        HostForecast {
            Objects.requireNonNull(forecast, "forecast");
        }
    }

    /** A FRAGMENTATION_RISK incident revision. */
    record RiskRevision(Incident incident) implements Forecasted {
        RiskRevision {
            Objects.requireNonNull(incident, "incident");
        }
    }

    /** A record set aside, with why and where. */
    record Rejected(DeadLetter letter) implements Extracted, Forecasted {
        Rejected {
            Objects.requireNonNull(letter, "letter");
        }
    }

    /** What event extraction completed, and the time of its host's {@link HostClock} when it did. */
    sealed interface HostEvent extends Extracted permits KernelEvent, RuntimeEvent {
        /** The host's time when extraction completed the event: "now" for its correlation. */
        long hostTimeMs();
    }

    /** A completed kernel memory report. */
    record KernelEvent(KernelMemoryEvent event, long hostTimeMs) implements HostEvent {
        KernelEvent {
            Objects.requireNonNull(event, "event");
        }
    }

    /** A completed (de-duplicated) runtime or kubelet failure. */
    record RuntimeEvent(RuntimeFailureEvent event, long hostTimeMs) implements HostEvent {
        RuntimeEvent {
            Objects.requireNonNull(event, "event");
        }
    }
}
