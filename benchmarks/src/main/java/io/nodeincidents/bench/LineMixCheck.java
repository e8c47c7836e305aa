package io.nodeincidents.bench;

import io.nodeincidents.events.HostLogState;
import io.nodeincidents.events.NodeEvent;
import io.nodeincidents.events.NodeEventExtractor;
import io.nodeincidents.logs.LogLine;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Prints what the benchmark's mix holds and what it decodes to, so the figure is known to measure real work. */
public final class LineMixCheck {

    private LineMixCheck() {
    }

    public static void main(String[] args) {
        List<LogLine> lines = LineMix.build(LineDecodingBenchmark.LINES, 50, 42);
        NodeEventExtractor extractor = new NodeEventExtractor();
        Map<String, HostLogState> hosts = new HashMap<>();
        int kernel = 0;
        int runtime = 0;
        long kernelLines = lines.stream().filter(LogLine::isKernel).count();
        for (LogLine line : lines) {
            NodeEventExtractor.Step step = extractor.step(hosts.getOrDefault(line.host(), HostLogState.EMPTY), line);
            hosts.put(line.host(), step.state());
            for (NodeEvent event : step.events()) {
                if (event instanceof NodeEvent.Kernel) {
                    kernel++;
                } else {
                    runtime++;
                }
            }
        }
        for (HostLogState state : hosts.values()) {
            for (NodeEvent event : extractor.flush(state).events()) {
                if (event instanceof NodeEvent.Kernel) {
                    kernel++;
                } else {
                    runtime++;
                }
            }
        }
        System.out.printf("%d lines (%d kernel lines), %d kernel reports, %d runtime failures decoded%n",
                lines.size(), kernelLines, kernel, runtime);
    }
}
