package io.nodeincidents.kernel;

import java.util.List;
import java.util.Set;

/**
 * What a report's call trace shows the kernel was doing when memory ran short. Checked from the most specific
 * cause to the most generic, because one trace often shows several (a conntrack cache created while copying a
 * network namespace during clone()).
 */
public enum PointsAt {
    /** nf_conntrack_init_net: the per-namespace conntrack slab cache of a new network namespace (a pod sandbox). */
    NETNS_CONNTRACK_CACHE,
    /** copy_net_ns/setup_net without conntrack: creating a network namespace. */
    NETWORK_NAMESPACE,
    /** copy_process/kernel_clone: fork or clone (kernel stack, task struct). */
    FORK,
    /** A user-space page fault (including memcg OOMs resolved on the way out of a fault). */
    PAGE_FAULT,
    /** Charging a memory cgroup outside a page fault (page cache, kernel memory accounting). */
    MEMCG_CHARGE,
    /** Receiving network packets (softirq skb allocation). */
    NETWORK_RX,
    /** Growing a slab cache or a large kmalloc. */
    SLAB_ALLOCATION,
    /** A call trace none of the above explains. */
    OTHER,
    /** No call trace in the report. */
    UNKNOWN;

    private static final Set<String> CONNTRACK = Set.of("nf_conntrack_init_net", "nf_conntrack_pernet_init");
    private static final Set<String> NETNS = Set.of("copy_net_ns", "setup_net");
    private static final Set<String> FORKING = Set.of(
            "copy_process", "_do_fork", "do_fork", "kernel_clone", "dup_task_struct", "alloc_thread_stack_node");
    private static final Set<String> FAULT = Set.of(
            "handle_mm_fault", "__handle_mm_fault", "do_page_fault", "__do_page_fault", "exc_page_fault",
            "asm_exc_page_fault", "page_fault", "pagefault_out_of_memory", "do_user_addr_fault", "handle_pte_fault");
    private static final Set<String> MEMCG = Set.of(
            "try_charge", "try_charge_memcg", "mem_cgroup_try_charge", "__mem_cgroup_charge", "mem_cgroup_charge",
            "charge_memcg", "__memcg_kmem_charge", "__memcg_kmem_charge_page", "obj_cgroup_charge",
            "mem_cgroup_out_of_memory", "mem_cgroup_oom_synchronize", "memcg_kmem_charge");
    private static final Set<String> NET_RX = Set.of(
            "net_rx_action", "__netdev_alloc_skb", "__napi_alloc_skb", "napi_alloc_skb", "netif_receive_skb",
            "__netif_receive_skb", "napi_gro_receive");
    private static final Set<String> SLAB = Set.of(
            "kmem_cache_alloc", "new_slab", "allocate_slab", "cache_grow", "cache_grow_begin", "___slab_alloc",
            "__slab_alloc", "kmalloc_order", "kmalloc_order_trace", "kmalloc_large", "__kmalloc",
            "kmem_cache_create", "kmem_cache_create_memcg", "kmem_cache_alloc_node");

    /** Classifies a call trace (function names, any order). */
    public static PointsAt fromTrace(List<String> callTrace) {
        if (callTrace.isEmpty()) {
            return UNKNOWN;
        }
        if (anyIn(callTrace, CONNTRACK)) {
            return NETNS_CONNTRACK_CACHE;
        }
        if (anyIn(callTrace, NETNS)) {
            return NETWORK_NAMESPACE;
        }
        if (anyIn(callTrace, FORKING)) {
            return FORK;
        }
        if (anyIn(callTrace, FAULT)) {
            return PAGE_FAULT;
        }
        if (anyIn(callTrace, MEMCG)) {
            return MEMCG_CHARGE;
        }
        if (anyIn(callTrace, NET_RX)) {
            return NETWORK_RX;
        }
        if (anyIn(callTrace, SLAB)) {
            return SLAB_ALLOCATION;
        }
        return OTHER;
    }

    private static boolean anyIn(List<String> trace, Set<String> names) {
        for (String f : trace) {
            if (names.contains(f)) {
                return true;
            }
        }
        return false;
    }
}
