package io.nodeincidents.kernel;

import io.nodeincidents.logs.LogLine;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random, binary and adversarial input: the assembler never throws, never keeps more than its bound, and never
 * reports more events than there were lines able to start one. Nothing here is timed; the adversarial cases are
 * sized so a super-linear regex would not finish in any reasonable build.
 */
class KernelReportFuzzTest {

    private static final List<String> REAL = new ArrayList<>();

    static {
        for (String f : List.of("seed-000-centos7-order6-conntrack.log", "seed-004-ubuntu-4.4-docker-memcg.log",
                "seed-003-rhel6-memcg-tail.log", "era-4.19-debian-memcg-systemd-docker.log",
                "era-5.10-debian-unshare-fragmentation.log", "era-6.8-global-oom.log")) {
            for (LogLine l : KernelFixtures.load(f, "h")) {
                if (l.isKernel()) {
                    REAL.add(l.message());
                }
            }
        }
    }

    @Provide
    Arbitrary<List<String>> kernelishLines() {
        Arbitrary<String> real = Arbitraries.of(REAL);
        Arbitrary<String> junk = Arbitraries.strings().all().ofMaxLength(300);
        Arbitrary<String> keyword = Arbitraries.of("page allocation failure", " invoked oom-killer:", "Killed process ",
                "Kill process ", "oom-kill:constraint=", ",task=", ",pid=", ",uid=", "kmem_cache_create(",
                ") failed with error", "SLUB: Unable to allocate memory", " on CPU 1 (of node 0) on node -1, gfp=",
                "swapper/0: ", "oom-killer: gfp_mask=", "Out of Memory: ", "kill process ", " score 1 or a child",
                "Killed", "cache: ", ", object size: ", "node 0: slabs: 1, objs: 1, free: 0",
                "Unable to create nf_conn slab cache", "order:", "mode:0x", "(", ")", "*4kB", " = ", "Node 0 ", "Normal",
                "free:", "kB", "CPU: ", " PID: ", " Comm: ", "Not tainted ", "[<", ">] ", "+0x", "/0x", "\n", "#012",
                "Call Trace:", "[ pid ]", "[", "]", "Memory cgroup out of memory: ", "Out of memory: ", "pages reserved",
                "lowmem_reserve[]:", " 0", "12", "-1", "Task in ", " killed as a result of limit of ", "/docker/");
        Arbitrary<String> spliced = keyword.list().ofMaxSize(12).map(l -> String.join("", l));
        Arbitrary<String> mutated = Arbitraries.of(REAL).flatMap(s -> Arbitraries.integers().between(0, s.length())
                .map(cut -> s.substring(0, cut)));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, real), net.jqwik.api.Tuple.of(2, junk), net.jqwik.api.Tuple.of(3, spliced),
                net.jqwik.api.Tuple.of(2, mutated)).list().ofMaxSize(300);
    }

    @Property(tries = 300)
    void anySequenceOfKernelLinesIsHandled(@ForAll("kernelishLines") List<String> messages,
                                           @ForAll @Size(max = 3) List<Boolean> bootFlips) {
        KernelReportAssembler assembler = new KernelReportAssembler(java.time.Duration.ofSeconds(5), 40);
        PendingReport pending = null;
        List<KernelReport> out = new ArrayList<>();
        int possibleStarts = 0;
        for (int i = 0; i < messages.size(); i++) {
            String boot = bootFlips.isEmpty() || i < messages.size() / 2 || !bootFlips.get(0) ? "a" : "b";
            LogLine line = KernelFixtures.kernel("h", boot, 1_000_000L * (i / 7), messages.get(i), i);
            for (String piece : KernelLines.pieces(messages.get(i))) {
                possibleStarts += ReportStarts.count(KernelLines.normalize(piece));
            }
            KernelReportAssembler.Step s = assembler.step(pending, line);
            pending = s.pending();
            out.addAll(s.completed());
            if (pending != null) {
                assertThat(pending.lines().size()).isLessThanOrEqualTo(40 + 16);
                assertThat(pending.lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(KernelLines.MAX_LINE));
            }
        }
        out.addAll(assembler.flush(pending));
        assertThat(out.size()).as("no report without a line able to start one").isLessThanOrEqualTo(possibleStarts);
        for (KernelReport r : out) {
            assertThat(r.context().lineCount()).isPositive();
            assertThat(r.summary()).isNotNull();
        }
    }

    @Property(tries = 60)
    void interleavingTwoRealReportsNeverThrowsAndKeepsTheSeedCountsBounded(@ForAll Random random) {
        List<LogLine> a = KernelFixtures.load("seed-000-centos7-order6-conntrack.log", "h");
        List<LogLine> b = KernelFixtures.load("era-6.8-global-oom.log", "h");
        List<LogLine> mixed = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (j >= b.size() || i < a.size() && random.nextBoolean()) {
                mixed.add(a.get(i++));
            } else {
                mixed.add(b.get(j++));
            }
        }
        List<LogLine> sameClock = mixed.stream().map(l -> new LogLine("h", "boot", 5L, null, l.transport(),
                l.identifier(), null, null, null, l.message(), l.ref())).toList();

        List<KernelReport> reports = new KernelReportAssembler().assembleAll(sameClock);

        // headers: allocation failure, kmem_cache_create, nf_conn line, OOM header, oom-kill/Killed tails
        assertThat(reports).hasSizeBetween(1, 6);
    }

    @Example
    void adversarialLinesComplete() {
        String header = "exe: page allocation failure: order:6, mode:0x10c0d0";
        List<String> evil = List.of(
                "Node 0 Normal: " + "1*4kB (UEM) ".repeat(10_000) + "= 4kB",
                "1*4kB ".repeat(20_000),
                "Killed process 1 (" + "(".repeat(100_000),
                "Killed process 1 (" + "x) total-vm:1kB, ".repeat(6_000),
                "Killed  process  1 " + "(".repeat(30_000) + ")".repeat(30_000),
                "Out of memory: kill process 1 (" + "((".repeat(40_000) + " score 1 or a child",
                "Out of memory: Killed process 1 (" + "Kill".repeat(40_000),
                "oom-kill:constraint=CONSTRAINT_NONE" + ",pid=1,uid=".repeat(10_000) + ",task=x".repeat(10_000),
                "oom-kill:constraint=CONSTRAINT_NONE,task_memcg=" + " ,".repeat(50_000) + ",task=x,pid=1,uid=0",
                "page allocation failure: order:0".repeat(20_000),
                "cache: " + "x".repeat(100_000) + ", object size: 1",
                "SLUB: Unable to allocate memory on CPU " + "1".repeat(100_000) + " (of node 0) on node -1, gfp=0x20",
                "Memory cgroup out of memory: Kill process 1 (" + ")(".repeat(50_000) + " score 1",
                "kmem_cache_create(".repeat(20_000) + ") failed with error -12",
                "SLUB: Unable to allocate memory on node -1, gfp=0x" + "(".repeat(100_000),
                "CPU: " + " PID: ".repeat(10_000) + " Comm: " + "Tainted: ".repeat(5_000),
                "oom-kill:constraint=" + "a=,".repeat(30_000),
                "Task in " + "/a".repeat(50_000) + " killed as a result of limit of " + "/b".repeat(50_000),
                "[" + " ".repeat(100_000) + "]",
                "[<" + "f".repeat(100_000),
                "x invoked oom-killer: gfp_mask=" + "0x".repeat(50_000),
                "page allocation failure: order:" + "9".repeat(100_000),
                "Node 0 Normal: 1*4kB = 4kB\n".repeat(5_000),
                "memory: usage " + "9".repeat(100_000) + "kB, limit 1kB, failcnt 1",
                "[ pid ] " + "uid ".repeat(20_000) + "name",
                new String(randomBytes(100_000), StandardCharsets.ISO_8859_1),
                new String(randomBytes(100_000), StandardCharsets.UTF_8));
        List<LogLine> lines = new ArrayList<>();
        long n = 0;
        for (String e : evil) {
            lines.add(KernelFixtures.kernel("h", "b", 1, e, n++));
            lines.add(KernelFixtures.kernel("h", "b", 1, header, n++));
            lines.add(KernelFixtures.kernel("h", "b", 1, e, n++));
            lines.add(KernelFixtures.kernel("h", "b", 1, "java invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=0", n++));
            lines.add(KernelFixtures.kernel("h", "b", 1, "[ pid ]   uid  tgid total_vm      rss name", n++));
            lines.add(KernelFixtures.kernel("h", "b", 1, e, n++));
        }

        List<KernelReport> reports = new KernelReportAssembler().assembleAll(lines);

        assertThat(reports.size()).isBetween(2 * evil.size(), 6 * evil.size());
    }

    @Example
    void unterminatedReportsAtEveryCutOfARealOneNeverThrow() {
        List<LogLine> seed = KernelFixtures.load("seed-000-centos7-order6-conntrack.log", "h");
        KernelReportAssembler assembler = new KernelReportAssembler();
        for (int cut = 0; cut <= seed.size(); cut++) {
            for (int skip = 0; skip < seed.size(); skip += 7) {
                List<LogLine> partial = new ArrayList<>(seed.subList(0, cut));
                if (skip < partial.size()) {
                    partial.remove(skip);
                }
                List<KernelReport> reports = assembler.assembleAll(partial);
                assertThat(reports.size()).isLessThanOrEqualTo(3);
            }
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(42).nextBytes(b);
        return b;
    }
}
