package io.nodeincidents.ingest.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodeincidents.ingest.journal.JournalctlInvocation.JournalSource;
import io.nodeincidents.ingest.journal.JournalctlInvocation.StartPosition;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class JournalctlInvocationTest {

    @Test
    void defaultFilterIsKernelOrRuntimesOrKubelet() {
        List<String> matches = JournalFilter.defaults().matchArguments();
        assertThat(matches).startsWith("_TRANSPORT=kernel", "+", "SYSLOG_IDENTIFIER=dockerd");
        assertThat(matches).contains("SYSLOG_IDENTIFIER=kubelet", "SYSLOG_IDENTIFIER=containerd",
                "SYSLOG_IDENTIFIER=crio", "_SYSTEMD_UNIT=kubelet.service");
        assertThat(matches.stream().filter("+"::equals)).hasSize(2);
    }

    @Test
    void allShipsEverything() {
        assertThat(JournalFilter.everything().matchArguments()).isEmpty();
    }

    @Test
    void restartResumesAfterTheSavedCursorInAMountedJournalDirectory() {
        String cursor = "s=abc;i=1f;b=0123;m=1;t=2;x=3";
        List<String> argv = new JournalctlInvocation("journalctl",
                new JournalSource.Directory(Path.of("/host/var/log/journal")),
                new StartPosition.AfterCursor(cursor), JournalFilter.defaults(), true).command();

        assertThat(argv).startsWith("journalctl", "--output=json");
        assertThat(argv).contains("--follow", "--directory=/host/var/log/journal", "--after-cursor=" + cursor, "--all");
        assertThat(argv).doesNotContain("--lines=0");
    }

    @Test
    void firstStartWithoutSinceReadsOnlyNewEntries() {
        List<String> argv = new JournalctlInvocation("journalctl", new JournalSource.Local(), new StartPosition.Now(),
                JournalFilter.everything(), true).command();
        assertThat(argv).contains("--lines=0").noneMatch(arg -> arg.startsWith("--after-cursor"));
    }

    @Test
    void sinceAndBeginning() {
        assertThat(new JournalctlInvocation("journalctl", new JournalSource.Local(), new StartPosition.Since("-1h"),
                JournalFilter.everything(), true).command()).contains("--since=-1h");
        assertThat(new JournalctlInvocation("journalctl", new JournalSource.Files(List.of(Path.of("/a.journal"))),
                new StartPosition.Beginning(), JournalFilter.everything(), true).command())
                .contains("--lines=all", "--file=/a.journal");
    }

    @Test
    void hostileValuesStaySingleArguments() {
        // no shell is involved, so a cursor with spaces or semicolons is one argument, never a command
        String odd = "s=a;i=1;$(reboot)";
        List<String> argv = new JournalctlInvocation("journalctl", new JournalSource.Local(),
                new StartPosition.AfterCursor(odd), JournalFilter.everything(), false).command();
        assertThat(argv).contains("--after-cursor=" + odd);
    }

    @Test
    void filterValuesThatWouldChangeTheMatchExpressionAreRefused() {
        assertThatThrownBy(() -> new JournalFilter(false, true, List.of("kubelet +"), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JournalFilter(false, true, List.of("a=b"), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new JournalFilter(false, false, List.of(), List.of()).matchesNothing()).isTrue();
    }
}
