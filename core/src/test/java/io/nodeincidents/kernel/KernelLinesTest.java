package io.nodeincidents.kernel;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KernelLinesTest {

    @Test
    void taskLinesOfEveryEra() {
        assertThat(KernelLines.taskLine("CPU: 1 PID: 18377 Comm: exe Not tainted 3.10.0-514.el7.x86_64 #1"))
                .isEqualTo(new KernelLines.TaskLine(18377, "exe", "3.10.0-514.el7.x86_64"));
        assertThat(KernelLines.taskLine("CPU: 0 PID: 26686 Comm: java Tainted: G           OE   4.4.0-28-generic #47-Ubuntu"))
                .isEqualTo(new KernelLines.TaskLine(26686, "java", "4.4.0-28-generic"));
        assertThat(KernelLines.taskLine("CPU: 3 UID: 0 PID: 1 Comm: x Not tainted 6.8.0-45-generic #45-Ubuntu"))
                .isEqualTo(new KernelLines.TaskLine(1, "x", "6.8.0-45-generic"));
        assertThat(KernelLines.taskLine("CPU: 11 PID: 4242 Comm: CPU 11/KVM Kdump: loaded Tainted: G        W  OEL  5.14.0-362.8.1.el9_3.x86_64 #1"))
                .isEqualTo(new KernelLines.TaskLine(4242, "CPU 11/KVM", "5.14.0-362.8.1.el9_3.x86_64"));
        assertThat(KernelLines.taskLine("Pid: 1234, comm: node Tainted: P           ---------------    2.6.32-431.el6.x86_64 #1 Dell Inc."))
                .isEqualTo(new KernelLines.TaskLine(1234, "node", "2.6.32-431.el6.x86_64"));
        assertThat(KernelLines.taskLine("CPU: 1 is up")).isNull();
        // a paste cut inside the line: the pid it still shows, nothing taken from a line that goes on otherwise
        assertThat(KernelLines.taskLine("CPU: 6 PID: 544614 Comm")).isEqualTo(new KernelLines.TaskLine(544614, null, null));
        assertThat(KernelLines.taskLine("CPU: 6 PID: 544614")).isEqualTo(new KernelLines.TaskLine(544614, null, null));
        assertThat(KernelLines.taskLine("CPU: 3 UID: 0 PID: 17 Co")).isEqualTo(new KernelLines.TaskLine(17, null, null));
        assertThat(KernelLines.taskLine("CPU: 6 PID: 544614 is busy")).isNull();
        assertThat(KernelLines.taskLine("CPU: 6 PID: ")).isNull();
        assertThat(KernelLines.taskLine("CPU: 6 PID: 99999999999999999999")).isNull();
    }

    @Test
    void framesOfEveryEra() {
        assertThat(KernelLines.frame("[<ffffffff81685fac>] dump_stack+0x19/0x1b")).isEqualTo("dump_stack");
        assertThat(KernelLines.frame("[<ffffffff81691e76>] ? trace_do_page_fault+0x56/0x150")).isEqualTo("?trace_do_page_fault");
        assertThat(KernelLines.frame("dump_stack_lvl+0x48/0x70")).isEqualTo("dump_stack_lvl");
        assertThat(KernelLines.frame("? __pfx_x+0x10/0x10")).isEqualTo("?__pfx_x");
        assertThat(KernelLines.frame("nf_conntrack_init_net+0x101/0x250 [nf_conntrack]")).isEqualTo("nf_conntrack_init_net");
        assertThat(KernelLines.frame("__alloc_pages_slowpath.constprop.0+0xd50/0xd80")).isEqualTo("__alloc_pages_slowpath");
        assertThat(KernelLines.frame("<IRQ>  [<ffffffff8112c257>] ? __alloc_pages_nodemask+0x757/0x8d0")).isEqualTo("?__alloc_pages_nodemask");
        assertThat(KernelLines.frame("RIP: 0010:warn_alloc+0x12/0x50")).isNull();
        assertThat(KernelLines.frame("<TASK>")).isNull();
        assertThat(KernelLines.frame("Call Trace:")).isNull();
        assertThat(KernelLines.frame("active_anon:44762 inactive_anon:52333")).isNull();
    }

    @Test
    void piecesSplitAtNewlineAndLiteralHash012() {
        assertThat(KernelLines.pieces("a:1#012 b:2\n c:3")).containsExactly("a:1", " b:2", " c:3");
        assertThat(KernelLines.pieces("")).containsExactly("");
    }

    @Test
    void piecesSplitBeforeOomMessagesGluedToWhatPrecedesThem() {
        assertThat(KernelLines.pieces("Killed process 19271 (trashapplet)Out of memory: kill process 12475 (qemu) "
                + "score 7899 or a childKilled process 12475 (qemu)")).containsExactly(
                "Killed process 19271 (trashapplet)", "Out of memory: kill process 12475 (qemu) score 7899 or a child",
                "Killed process 12475 (qemu)");
        assertThat(KernelLines.pieces("uid=0oom-kill:constraint=CONSTRAINT_NONE,task=a,pid=1,uid=0"))
                .containsExactly("uid=0", "oom-kill:constraint=CONSTRAINT_NONE,task=a,pid=1,uid=0");
        // the messages as printed: nothing glued
        for (String line : List.of("Out of memory: Killed process 1 (a) total-vm:1kB",
                "Memory cgroup out of memory: Killed process 1 (a)", "oom_reaper: reaped process 1 (a), now anon-rss:0kB",
                "Out of memory (oom_kill_allocating_task): Killed process 1 (a)", "TCP: out of memory -- consider tuning tcp_mem",
                "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),task=Killed process,pid=1,uid=0")) {
            assertThat(KernelLines.pieces(line)).containsExactly(line);
        }
        assertThat(KernelLines.pieces("xKilled process ".repeat(10_000))).hasSizeLessThanOrEqualTo(9);
    }

    @Test
    void normalizeDropsDmesgStampsButNotTableRows() {
        assertThat(KernelLines.normalize("[ 5123.456789]  dump_stack+0x66/0x90")).isEqualTo("dump_stack+0x66/0x90");
        assertThat(KernelLines.normalize("[   8990]     0  8990 java")).isEqualTo("[   8990]     0  8990 java");
        assertThat(KernelLines.normalize("x".repeat(100_000))).hasSize(KernelLines.MAX_LINE);
    }

    @Test
    void callTraceStopsAtRegistersAndSkipsMarkers() {
        assertThat(KernelLines.callTrace(List.of("Call Trace:", "<TASK>", "a+0x1/0x2", "? b+0x1/0x2", "</TASK>",
                "<IRQ>", "c+0x1/0x2", "RIP: 0033:0x7f", "d+0x1/0x2"))).containsExactly("a", "c");
    }
}
