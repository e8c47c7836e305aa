package io.nodeincidents.forecast;

import java.util.List;

/**
 * What the forecast keeps per host between samples.
 *
 * @param bootId            boot id of the samples kept (counters and free lists start again at a reboot)
 * @param kernelVersion     the host's kernel release, null when unknown
 * @param points            the recent samples, oldest first, at most the trend window and the settings' cap
 * @param failedOrders      orders of allocation failures seen on the host, watched from then on (a few, newest last)
 * @param risk              the open FRAGMENTATION_RISK, null when none is open
 * @param lastRiskOpenedMicros when the latest FRAGMENTATION_RISK (open or resolved) opened, null when never
 */
public record HostMemoryState(String bootId, String kernelVersion, List<SamplePoint> points,
                              List<Integer> failedOrders, OpenRisk risk, Long lastRiskOpenedMicros) {

    /** Orders of failures remembered per host. */
    static final int MAX_FAILED_ORDERS = 4;

    public static final HostMemoryState EMPTY = new HostMemoryState(null, null, List.of(), List.of(), null, null);

    public HostMemoryState {
        points = List.copyOf(points);
        failedOrders = List.copyOf(failedOrders);
    }

    /** The latest sample, null when none is kept. */
    public SamplePoint latest() {
        return points.isEmpty() ? null : points.get(points.size() - 1);
    }
}
