package io.nodeincidents.bench;

import io.nodeincidents.events.HostLogState;
import io.nodeincidents.events.NodeEventExtractor;
import io.nodeincidents.logs.LogLine;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The decoders' speed target: classification and assembly of a realistic journal (99% ordinary lines, 1% relevant
 * ones, including full kernel reports) at >= 1,000,000 lines/s on one core. Measures exactly what the streaming
 * app and {@code analyze} run per line: {@link NodeEventExtractor#step} with per-host state.
 *
 * <p>Score is lines per second (one thread).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class LineDecodingBenchmark {

    static final int LINES = 200_000;

    private List<LogLine> lines;
    private NodeEventExtractor extractor;

    @Setup
    public void setUp() {
        lines = LineMix.build(LINES, 50, 42);
        extractor = new NodeEventExtractor();
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void classifyAndAssemble(Blackhole events) {
        Map<String, HostLogState> hosts = new HashMap<>();
        for (LogLine line : lines) {
            NodeEventExtractor.Step step = extractor.step(hosts.getOrDefault(line.host(), HostLogState.EMPTY), line);
            hosts.put(line.host(), step.state());
            events.consume(step.events());
        }
        for (HostLogState state : hosts.values()) {
            events.consume(extractor.flush(state).events());
        }
    }
}
