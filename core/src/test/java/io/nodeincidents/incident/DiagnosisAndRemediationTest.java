package io.nodeincidents.incident;

import static io.nodeincidents.incident.Seeds.MINUTE;
import static io.nodeincidents.incident.Seeds.SECOND;
import static io.nodeincidents.incident.Seeds.T0;
import static io.nodeincidents.incident.Seeds.sandboxFailure;
import static io.nodeincidents.incident.Seeds.seed000Allocation;
import static io.nodeincidents.incident.Seeds.seed000Slab;
import static io.nodeincidents.incident.Seeds.seed004MemcgOom;
import static io.nodeincidents.incident.Seeds.zone;
import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.schemas.AllocationFailure;
import io.nodeincidents.schemas.AllocationVerdict;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.KernelEventKind;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.OomConstraint;
import io.nodeincidents.schemas.OomKill;
import io.nodeincidents.schemas.RuntimeFailureEvent;
import io.nodeincidents.schemas.RuntimeFailureKind;
import io.nodeincidents.schemas.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Diagnosis and remediation for the seed incidents, as the final (RESOLVED) revision carries them. */
class DiagnosisAndRemediationTest {

    private final IncidentAggregator aggregator = new IncidentAggregator(IncidentSettings.defaults());

    private Incident resolve(List<Object> events) {
        HostIncidentState state = null;
        long stream = Long.MIN_VALUE;
        for (Object event : events) {
            if (event instanceof KernelMemoryEvent kernel) {
                stream = Math.max(stream, kernel.getTimeMicros());
                state = aggregator.onKernelEvent(state, kernel, stream).state();
            } else {
                RuntimeFailureEvent failure = (RuntimeFailureEvent) event;
                stream = Math.max(stream, failure.getTimeMicros());
                state = aggregator.onRuntimeFailure(state, failure, stream).state();
            }
        }
        List<Incident> out = aggregator.onTime(state, stream + 30 * MINUTE).emitted();
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    @Test
    void seed000FragmentedNormalZoneKillsSandboxCreationOnRhel7() {
        String host = "slave-138";
        Incident incident = resolve(List.of(
                seed000Allocation(host, T0).build(),
                seed000Slab(host, T0).setEventId("slab").build(),
                sandboxFailure(host, T0 + 1, "basic", "matchdataserver-1255064836-t4b2w").build(),
                sandboxFailure(host, T0 + 2, "basic", "matchdataserver-1255064836-x9k2p").build(),
                sandboxFailure(host, T0 + 3, "basic", "quoteserver-2033019234-r7w1d").build()));

        assertThat(incident.getCause()).isEqualTo(IncidentCause.MEMORY_FRAGMENTATION);
        assertThat(incident.getSeverity()).isEqualTo(Severity.CRITICAL);
        assertThat(incident.getDiagnosis()).isEqualTo(
                "exe (pid 18377) could not get 64 contiguous pages (order 6) in nf_conntrack_init_net under"
                + " copy_net_ns: every new pod sandbox creates a network namespace, and on kernel"
                + " 3.10.0-514.el7.x86_64 each one creates its own nf_conntrack slab cache."
                + " Zone Normal had 303 MiB free, above its low watermark (67 MiB), but no free block larger than"
                + " order 5 (128 kB): memory is fragmented, not exhausted."
                + " kmem_cache_create(nf_conntrack_ffff8803eef66180) failed with error -12 (ENOMEM) as a result."
                + " 3 pod sandboxes failed to start in the same minute: basic/matchdataserver-1255064836-t4b2w,"
                + " basic/matchdataserver-1255064836-x9k2p, basic/quoteserver-2033019234-r7w1d.");

        List<String> steps = incident.getRemediation();
        assertThat(steps.get(0)).contains("echo 1 > /proc/sys/vm/compact_memory");
        assertThat(steps.get(1)).contains("echo 3 > /proc/sys/vm/drop_caches");
        assertThat(steps).anySatisfy(s -> assertThat(s).contains("kubectl cordon slave-138"));
        assertThat(steps).anySatisfy(s -> assertThat(s).startsWith("Upgrade the kernel (3.10.0-514.el7.x86_64)")
                .contains("before 4.6", "RHEL/CentOS 7"));
        assertThat(steps).anySatisfy(s -> assertThat(s).contains("vm.min_free_kbytes")
                .contains("vm.watermark_scale_factor only exists from kernel 4.6"));
        assertThat(indexOf(steps, "compact_memory")).isLessThan(indexOf(steps, "Upgrade the kernel"));
    }

    @Test
    void seed002OnAnUnknownKernelNamesTheVersionRangeInstead() {
        KernelMemoryEvent runc = seed000Allocation("dc05", T0).setComm("runc:[1:CHILD]").setPid(null)
                .setKernelVersion(null).build();

        Incident incident = resolve(List.of(runc));

        assertThat(incident.getDiagnosis()).startsWith("runc:[1:CHILD] could not get 64 contiguous pages (order 6)"
                + " in nf_conntrack_init_net under copy_net_ns: every new pod sandbox creates a network namespace,"
                + " and on kernels before 4.6 each one creates its own nf_conntrack slab cache.")
                .endsWith("No pod or container failure has been seen with it yet.");
        assertThat(incident.getSeverity()).isEqualTo(Severity.MEDIUM);
        assertThat(incident.getRemediation()).anySatisfy(s -> assertThat(s).startsWith("Upgrade the kernel:"));
    }

    @Test
    void fragmentationOnAModernKernelSuggestsWatermarkScalingAndNoUpgrade() {
        KernelMemoryEvent modern = seed000Allocation("node-7", T0).setKernelVersion("5.10.0-28-amd64").build();

        Incident incident = resolve(List.of(modern));

        assertThat(incident.getRemediation())
                .anySatisfy(s -> assertThat(s).contains("vm.watermark_scale_factor (e.g. 200"))
                .noneSatisfy(s -> assertThat(s).startsWith("Upgrade the kernel"));
    }

    @Test
    void seed001Order4WithoutZoneLinesCannotTellAndSaysHowToFindOut() {
        String host = "jenkins-1";
        KernelMemoryEvent order4 = seed000Allocation(host, T0).setComm("dockerd").setPid(977)
                .setKernelVersion("3.10.0-327.10.1.el7.x86_64").setPointsAt(null)
                .setCallTrace(List.of("dump_stack", "warn_alloc_failed", "__alloc_pages_slowpath",
                        "__alloc_pages_nodemask", "alloc_pages_current", "kmalloc_order_trace", "__kmalloc",
                        "ovl_fill_merge"))
                .setAllocation(AllocationFailure.newBuilder().setOrder(4)
                        .setVerdict(AllocationVerdict.UNDETERMINED).build())
                .build();
        RuntimeFailureEvent console = RuntimeFailureEvent.newBuilder()
                .setEventId("console").setHost(host).setTimeMicros(T0 + 2 * SECOND)
                .setKind(RuntimeFailureKind.CONTAINER_START_FAILURE).setComponent("dockerd").setMemoryRelated(true)
                .setErrorText("open /var/lib/docker/overlay/x-init/merged/dev/console: cannot allocate memory")
                .build();

        Incident incident = resolve(List.of(order4, console));

        assertThat(incident.getCause()).isEqualTo(IncidentCause.HIGH_ORDER_ALLOCATION_FAILURE);
        assertThat(incident.getSeverity()).isEqualTo(Severity.CRITICAL);
        assertThat(incident.getDiagnosis())
                .startsWith("dockerd (pid 977) could not get 16 contiguous pages (order 4) in ovl_fill_merge.")
                .contains("lacks the zone and buddy lines", "1 container failed to start in the same minute");
        assertThat(incident.getRemediation().get(0)).contains("cat /proc/buddyinfo", "compact_memory");
        assertThat(incident.getRemediation().get(1)).contains("echo 3 > /proc/sys/vm/drop_caches");
    }

    @Test
    void seed004MemcgOomNamesTheVictimInMibAndWarnsAboutPages() {
        Incident incident = resolve(List.of(seed004MemcgOom("ip-10-1-2-125", T0).build()));

        assertThat(incident.getCause()).isEqualTo(IncidentCause.CGROUP_OOM);
        assertThat(incident.getSeverity()).isEqualTo(Severity.HIGH);
        assertThat(incident.getDiagnosis()).isEqualTo(
                "The OOM killer killed java (pid 26675) because memory cgroup"
                + " /docker/0ead341e639c2f2bd27a38666aa0834c969e8c7e6d2fb21516a2c698adce8d5f hit its limit:"
                + " usage 256 MiB of a 256 MiB limit."
                + " The victim had 252 MiB resident (258308 kB); in the task table above the kill the rss column"
                + " counts 4 kB pages, not kB (64577 pages here)."
                + " It ran in container 0ead341e639c.");
        List<String> steps = incident.getRemediation();
        assertThat(steps.get(0)).contains("4 kB pages", "java had 252 MiB resident against a 256 MiB limit");
        assertThat(steps).anySatisfy(s -> assertThat(s).contains("-Xmx", "metaspace", "thread stacks"));
        assertThat(steps).anySatisfy(s -> assertThat(s).contains("MaxRAMPercentage", "resources.limits.memory"));
        assertThat(steps).noneSatisfy(s -> assertThat(s).contains("compact_memory"));
    }

    @Test
    void anOldKernelOomWithoutTableOrSelectionLineWarnsAboutTiesAndAdvisesTheUpgrade() {
        KernelMemoryEvent.Builder oom = seed004MemcgOom("tdocker-3", T0).setKernelVersion("2.6.32-431.el6.x86_64")
                .setComm("node").setPid(40391);
        oom.setOom(OomKill.newBuilder(oom.getOom()).setVictimComm("mingetty").setVictimPid(16944)
                .setVictimRssKb(60L).setMemcg(null).setContainerId(null).setMemoryUsageKb(null)
                .setMemoryLimitKb(8L * 1024 * 1024).build());

        Incident incident = resolve(List.of(oom.build()));

        // only the kill line survived: nothing says whether the kill missed, so the diagnosis does not claim it
        assertThat(incident.getDiagnosis()).contains("killed mingetty (pid 16944)", "60 kB resident")
                .doesNotContain("missed the memory", "floor");
        assertThat(incident.getRemediation())
                .anySatisfy(s -> assertThat(s).contains("(before 3.10), if the container runs hundreds of small"
                        + " processes", "they tie, the first task scanned is killed", "upgrade to 3.10 or later"))
                .noneSatisfy(s -> assertThat(s).contains("-Xmx"));
    }

    @Test
    void aGlobalOomSaysTheHostRanOutAndPointsAtRequestsAndReservations() {
        KernelMemoryEvent.Builder global = seed004MemcgOom("big-1", T0).setComm("kworker/u8:2");
        global.setOom(OomKill.newBuilder(global.getOom()).setConstraint(OomConstraint.GLOBAL).setMemcg(null)
                .setMemoryLimitKb(null).setMemoryUsageKb(null).build());

        Incident incident = resolve(List.of(global.build()));

        assertThat(incident.getCause()).isEqualTo(IncidentCause.GLOBAL_OOM);
        assertThat(incident.getDiagnosis()).startsWith("The host ran out of memory: the OOM killer killed java"
                + " (pid 26675) after kworker/u8:2 could not get memory (order 0).");
        assertThat(incident.getRemediation()).anySatisfy(s -> assertThat(s).contains("--system-reserved"));
    }

    @Test
    void anExhaustedZoneIsCalledExhaustedNotFragmented() {
        KernelMemoryEvent exhausted = seed000Allocation("small-1", T0).setPointsAt("FORK")
                .setAllocation(AllocationFailure.newBuilder().setOrder(2).setVerdict(AllocationVerdict.EXHAUSTION)
                        .setZones(List.of(zone("Normal", 50_000, 55_536, 69_420, 83_304,
                                List.of(12_000L, 300L, 0L, 0L), 1)))
                        .build())
                .build();

        Incident incident = resolve(List.of(exhausted));

        assertThat(incident.getDiagnosis()).contains("could not get 4 contiguous pages (order 2) while forking",
                "Zone Normal had only 48 MiB free, at or below its low watermark (67 MiB): memory is exhausted");
        assertThat(incident.getRemediation().get(0)).contains("ps aux --sort=-rss");
    }

    @Test
    void untrustedTextIsBoundedInTheDiagnosis() {
        KernelMemoryEvent hostile = seed000Allocation("n", T0).setComm("x".repeat(100_000)).build();
        KernelMemoryEvent slab = KernelMemoryEvent.newBuilder(seed000Slab("n", T0).build()).setEventId("s")
                .setKind(KernelEventKind.SLAB_FAILURE)
                .setSlab(seed000Slab("n", T0).getSlab()).build();

        Incident incident = resolve(List.of(hostile, slab));

        assertThat(incident.getDiagnosis().length()).isLessThan(2_000);
    }

    private static int indexOf(List<String> steps, String text) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }
}
