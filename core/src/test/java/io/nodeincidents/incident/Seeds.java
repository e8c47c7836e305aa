package io.nodeincidents.incident;

import io.nodeincidents.schemas.AllocationFailure;
import io.nodeincidents.schemas.AllocationVerdict;
import io.nodeincidents.schemas.EvidenceRef;
import io.nodeincidents.schemas.KernelEventKind;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.OomConstraint;
import io.nodeincidents.schemas.OomKill;
import io.nodeincidents.schemas.RuntimeFailureEvent;
import io.nodeincidents.schemas.RuntimeFailureKind;
import io.nodeincidents.schemas.SlabFailure;
import io.nodeincidents.schemas.ZoneState;
import java.time.Instant;
import java.util.List;

/**
 * Decoded events built by hand from the facts of the seed write-ups in /work/shared/seeds (what the kernel decoder and
 * runtime classifier are expected to produce for them).
 */
final class Seeds {

    /** 2017-11-12 15:15:41 +08:00, the second of seed 000's kernel report. */
    static final long T0 = micros("2017-11-12T07:15:41Z");
    static final long SECOND = 1_000_000L;
    static final long MINUTE = 60 * SECOND;

    static final String SLAVE_138 = "slave-138";
    static final String RHEL7_514 = "3.10.0-514.el7.x86_64";

    private Seeds() {
    }

    static long micros(String instant) {
        Instant i = Instant.parse(instant);
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
    }

    static EvidenceRef cursor(String host, long time, String cursor) {
        return EvidenceRef.newBuilder().setHost(host).setTimeMicros(time).setCursor(cursor).build();
    }

    /** Seed 000: exe: page allocation failure: order:6 under copy_net_ns, Normal zone fragmented (largest order 5). */
    static KernelMemoryEvent.Builder seed000Allocation(String host, long time) {
        return KernelMemoryEvent.newBuilder()
                .setEventId(host + "-alloc-" + time)
                .setHost(host)
                .setTimeMicros(time)
                .setKind(KernelEventKind.ALLOC_FAILURE)
                .setKernelVersion(RHEL7_514)
                .setComm("exe")
                .setPid(18377)
                .setCallTrace(List.of("dump_stack", "warn_alloc_failed", "__alloc_pages_slowpath",
                        "__alloc_pages_nodemask", "alloc_pages_current", "__get_free_pages", "kmalloc_order_trace",
                        "__kmalloc", "memcg_register_cache", "kmem_cache_create_memcg", "kmem_cache_create",
                        "nf_conntrack_init_net", "nf_conntrack_pernet_init", "ops_init", "setup_net", "copy_net_ns",
                        "create_new_namespaces", "copy_namespaces", "copy_process", "do_fork", "SyS_clone",
                        "stub_clone"))
                .setPointsAt("NETNS_CONNTRACK_CACHE")
                .setAllocation(AllocationFailure.newBuilder()
                        .setOrder(6)
                        .setGfpMask("0x10c0d0")
                        .setZones(List.of(
                                zone("DMA", 15908, 64, 80, 96, List.of(1L, 0L, 0L, 1L, 2L, 1L, 1L, 0L, 1L, 1L, 3L), 10),
                                zone("DMA32", 127248, 11976, 14968, 17964,
                                        List.of(19160L, 6346L, 35L, 7L, 0L, 0L, 0L, 0L, 0L, 0L, 0L), 3),
                                zone("Normal", 311184, 55536, 69420, 83304,
                                        List.of(34178L, 20118L, 412L, 115L, 46L, 6L, 0L, 0L, 0L, 0L, 0L), 5)))
                        .setVerdict(AllocationVerdict.FRAGMENTATION)
                        .build())
                .setEvidence(List.of(cursor(host, time, "s=alloc;i=1"), cursor(host, time, "s=alloc;i=61")))
                .setSummary("exe: page allocation failure: order:6, mode:0x10c0d0");
    }

    /** Seed 000: kmem_cache_create(nf_conntrack_ffff8803eef66180) failed with error -12. */
    static KernelMemoryEvent.Builder seed000Slab(String host, long time) {
        return KernelMemoryEvent.newBuilder()
                .setEventId(host + "-slab-" + time)
                .setHost(host)
                .setTimeMicros(time)
                .setKind(KernelEventKind.SLAB_FAILURE)
                .setKernelVersion(RHEL7_514)
                .setComm("exe")
                .setPid(18377)
                .setCallTrace(List.of("dump_stack", "kmem_cache_create_memcg", "kmem_cache_create",
                        "nf_conntrack_init_net", "nf_conntrack_pernet_init", "ops_init", "setup_net", "copy_net_ns"))
                .setPointsAt("NETNS_CONNTRACK_CACHE")
                .setSlab(SlabFailure.newBuilder().setCache("nf_conntrack_ffff8803eef66180").setErrorCode(-12).build())
                .setEvidence(List.of(cursor(host, time, "s=slab;i=1")))
                .setSummary("kmem_cache_create(nf_conntrack_ffff8803eef66180) failed with error -12");
    }

    /** A kubelet RunPodSandbox failure: setns exit status 6, which the classifier marks memory-related. */
    static RuntimeFailureEvent.Builder sandboxFailure(String host, long time, String namespace, String pod) {
        return RuntimeFailureEvent.newBuilder()
                .setEventId(host + "-sandbox-" + pod + "-" + time)
                .setHost(host)
                .setTimeMicros(time)
                .setKind(RuntimeFailureKind.SANDBOX_FAILURE)
                .setComponent("kubelet")
                .setMemoryRelated(true)
                .setPod(pod)
                .setNamespace(namespace)
                .setErrorText("running exec setns process for init caused \"exit status 6\"")
                .setEvidence(List.of(cursor(host, time, "s=kubelet;pod=" + pod + ";t=" + time)));
    }

    /** Seed 004: java killed in /docker/0ead... at its 256 MiB limit; rss 64577 pages = 258308 kB. */
    static KernelMemoryEvent.Builder seed004MemcgOom(String host, long time) {
        String container = "0ead341e639c2f2bd27a38666aa0834c969e8c7e6d2fb21516a2c698adce8d5f";
        return KernelMemoryEvent.newBuilder()
                .setEventId(host + "-oom-" + time)
                .setHost(host)
                .setTimeMicros(time)
                .setKind(KernelEventKind.OOM_KILL)
                .setKernelVersion("4.4.0-28-generic")
                .setComm("java")
                .setPid(26686)
                .setCallTrace(List.of("dump_stack", "dump_header", "oom_kill_process", "mem_cgroup_out_of_memory",
                        "mem_cgroup_oom_synchronize", "pagefault_out_of_memory", "mm_fault_error",
                        "__do_page_fault", "do_page_fault", "page_fault"))
                .setPointsAt("PAGE_FAULT")
                .setOom(OomKill.newBuilder()
                        .setConstraint(OomConstraint.MEMCG)
                        .setGfpMask("0x2400040")
                        .setOrder(0)
                        .setVictimPid(26675)
                        .setVictimComm("java")
                        .setVictimRssKb(258308L)
                        .setVictimTotalVmKb(2754556L)
                        .setMemcg("/docker/" + container)
                        .setTaskMemcg("/docker/" + container)
                        .setContainerId(container)
                        .setMemoryUsageKb(262144L)
                        .setMemoryLimitKb(262144L)
                        .build())
                .setEvidence(List.of(cursor(host, time, "s=oom;i=1")))
                .setSummary("Memory cgroup out of memory: Killed process 26675 (java)");
    }

    static ZoneState zone(String name, long free, long min, long low, long high, List<Long> blocks, int largest) {
        return ZoneState.newBuilder().setNode(0).setZone(name).setFreeKb(free).setMinKb(min).setLowKb(low)
                .setHighKb(high).setFreeBlocks(blocks).setLargestFreeOrder(largest).build();
    }
}
