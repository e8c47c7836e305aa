package io.nodeincidents.forecast;

import io.nodeincidents.incident.KernelRelease;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentCounts;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.MemoryForecast;
import io.nodeincidents.schemas.OrderForecast;
import io.nodeincidents.schemas.Severity;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The FRAGMENTATION_RISK incident revisions: what is at risk, by when, and what to do before it fails. */
final class RiskIncidents {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private RiskIncidents() {
    }

    static Incident revision(OpenRisk risk, IncidentStatus status, MemoryForecast forecast, HostMemoryState state,
            SamplePoint now) {
        return Incident.newBuilder()
                .setIncidentId(risk.incidentId())
                .setRevision(risk.revision())
                .setHost(forecast.getHost())
                .setKernelVersion(forecast.getKernelVersion())
                .setStatus(status)
                .setCause(IncidentCause.FRAGMENTATION_RISK)
                .setSeverity(Severity.WARNING)
                .setFirstSeenMicros(risk.openedMicros())
                .setLastSeenMicros(now.timeMicros())
                .setCounts(IncidentCounts.newBuilder().build())
                .setDiagnosis(diagnosis(risk, status, forecast, state))
                .setRemediation(status == IncidentStatus.RESOLVED ? List.of() : remediation(risk, forecast))
                .setMemoryForecast(forecast)
                .build();
    }

    static Incident resolvedByReboot(HostMemoryState state, OpenRisk risk, String host, String kernel,
            SamplePoint now) {
        MemoryForecast forecast = MemoryForecast.newBuilder().setHost(host).setKernelVersion(kernel)
                .setSampledAtMicros(now.timeMicros()).build();
        OpenRisk last = risk.next(risk.order(), risk.belowThreshold());
        return Incident.newBuilder(revision(last, IncidentStatus.RESOLVED, forecast, state, now))
                .setDiagnosis(host + " rebooted (a new boot id in its memory samples): its free lists start again"
                        + " unfragmented, so the risk of order-" + risk.order() + " allocation failures is over for"
                        + " now.")
                .build();
    }

    static Incident resolvedBySilence(HostMemoryState state, OpenRisk risk, String host, SamplePoint latest,
            long nowMicros) {
        MemoryForecast forecast = MemoryForecast.newBuilder().setHost(host).setKernelVersion(state.kernelVersion())
                .setSampledAtMicros(latest.timeMicros()).build();
        OpenRisk last = risk.next(risk.order(), risk.belowThreshold());
        long minutes = (nowMicros - latest.timeMicros()) / 60_000_000L;
        return Incident.newBuilder(revision(last, IncidentStatus.RESOLVED, forecast, state, latest))
                .setDiagnosis(host + " has sent no memory sample for " + minutes + " min (since "
                        + CLOCK.format(Instant.ofEpochMilli(latest.timeMicros() / 1000)) + "): the shipper stopped"
                        + " sampling or the node left the fleet, so the order-" + risk.order() + " risk can no longer"
                        + " be followed. Check the node and its shipper if it is still meant to run.")
                .build();
    }

    private static String diagnosis(OpenRisk risk, IncidentStatus status, MemoryForecast forecast,
            HostMemoryState state) {
        OrderForecast order = null;
        for (OrderForecast o : forecast.getOrders()) {
            if (o.getOrder() == risk.order()) {
                order = o;
            }
        }
        String host = forecast.getHost();
        StringBuilder text = new StringBuilder();
        if (order == null) {
            return host + ": the order-" + risk.order() + " blocks are no longer forecast.";
        }
        String size = blockSize(risk.order());
        if (status == IncidentStatus.RESOLVED) {
            text.append(host).append(" has ").append(order.getFreeBlocks()).append(" free blocks of order ")
                    .append(risk.order()).append(" (").append(size).append(") again, at least twice the threshold of ")
                    .append(order.getThresholdBlocks()).append('.');
            if (Boolean.TRUE.equals(forecast.getCompactionEffective())) {
                text.append(" Compaction was effective: compact_success rose since the warning and the high-order"
                        + " free lists refilled.");
            }
            return text.toString();
        }
        text.append(host).append(" has ").append(order.getFreeBlocks()).append(" free blocks of order ")
                .append(risk.order()).append(" (").append(size).append(')');
        if (order.getFreeBlocks() < order.getThresholdBlocks()) {
            text.append(", below the threshold of ").append(order.getThresholdBlocks())
                    .append(": allocations of that size may fail now");
        } else if (order.getExhaustedAtMicros() != null) {
            long minutes = Math.max(0, (order.getExhaustedAtMicros() - forecast.getSampledAtMicros()) / 60_000_000L);
            text.append(" and at the last hour's rate of ")
                    .append(Math.round(-order.getBlocksPerHour())).append(" fewer per hour will be below ")
                    .append(order.getThresholdBlocks()).append(" in ~").append(minutes).append(" min (")
                    .append(CLOCK.format(Instant.ofEpochMilli(order.getExhaustedAtMicros() / 1000))).append(')');
        }
        text.append(String.format(Locale.ROOT, ". %.0f%% of its free memory is in blocks too small for order %d"
                + " (unusable free space index %.2f)", order.getUnusableIndex() * 100, risk.order(),
                order.getUnusableIndex()));
        text.append(": the memory is free but fragmented. ");
        KernelRelease release = KernelRelease.parse(forecast.getKernelVersion());
        if (risk.order() >= 6 && release.olderThan(4, 6)) {
            text.append("On kernel ").append(forecast.getKernelVersion()).append(" every pod sandbox's network"
                    + " namespace creates its own nf_conntrack slab cache with an order-6 allocation: when these"
                    + " blocks run out, new pods stay in ContainerCreating (RunPodSandbox fails).");
        } else if (state.failedOrders().contains(risk.order())) {
            text.append("Order-").append(risk.order()).append(" allocations have already failed on this host.");
        } else {
            text.append("Pod sandboxes and containers that need ").append(size).append(" of contiguous memory"
                    + " will fail to start when these blocks run out.");
        }
        return text.toString();
    }

    private static List<String> remediation(OpenRisk risk, MemoryForecast forecast) {
        List<String> steps = new ArrayList<>();
        steps.add("Compact memory now, before pods fail: echo 1 > /proc/sys/vm/compact_memory (as root on the node);"
                + " the warning resolves when the order-" + risk.order() + " free blocks come back.");
        steps.add("If compaction does not bring them back, cordon the node (kubectl cordon " + forecast.getHost()
                + ") so no new pods are scheduled there, and drain it in a quiet moment.");
        steps.add("Keep more memory free for the buddy allocator to merge: raise vm.min_free_kbytes (e.g. to 1-3% of"
                + " RAM), and drop clean caches if page cache fills the node (echo 3 > /proc/sys/vm/drop_caches).");
        KernelRelease release = KernelRelease.parse(forecast.getKernelVersion());
        if (risk.order() >= 6 && release.olderThan(4, 6)) {
            steps.add("Lasting fix: a kernel from 4.6 on (or a vendor kernel with the shared nf_conntrack cache"
                    + " backport), where a new network namespace no longer needs an order-6 allocation.");
        }
        return steps;
    }

    /** The size of a block of {@code order} with 4 kB pages, for people. */
    static String blockSize(int order) {
        long kb = 4L << order;
        return kb >= 1024 ? (kb / 1024) + " MB" : kb + " kB";
    }
}
