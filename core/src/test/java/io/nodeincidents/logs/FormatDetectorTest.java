package io.nodeincidents.logs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class FormatDetectorTest {

    @TempDir
    Path dir;

    LogFormat detect(String content) throws Exception {
        return new FormatDetector().detect(Files.writeString(dir.resolve("f"), content)).orElse(null);
    }

    @Test
    void eachShapeFromItsFirstLines() throws Exception {
        assertThat(detect("{\"MESSAGE\":\"x\"}\n")).isEqualTo(LogFormat.JOURNAL_JSON);
        assertThat(detect("Nov  2 15:15:41 kernel: x\n")).isEqualTo(LogFormat.SYSLOG);
        assertThat(detect("<34>1 2003-10-11T22:14:15.003Z host app 123 - - msg\n")).isEqualTo(LogFormat.SYSLOG);
        assertThat(detect("2024-01-23T14:15:31.352386+08:00 host kernel: x\n")).isEqualTo(LogFormat.SYSLOG);
        assertThat(detect("[  123.456789] exe: page allocation failure\n")).isEqualTo(LogFormat.DMESG);
        assertThat(detect("[Tue Nov 12 15:15:41 2017] x\n")).isEqualTo(LogFormat.DMESG);
        assertThat(detect("[  123.456789] dc05 kernel: x\n")).isEqualTo(LogFormat.SHORT_MONOTONIC);
        assertThat(detect("<4>[  123.456] [ T2438] x\n")).isEqualTo(LogFormat.KMSG);
        assertThat(detect("4,1234,123456789,-;x\n")).isEqualTo(LogFormat.KMSG);
        assertThat(detect("just words\nmore words\n")).isEqualTo(LogFormat.BARE);
        assertThat(detect("\n\n  \n")).isNull();
    }

    @Test
    void dmesgLinesThatLookHostTaggedStayDmesg() throws Exception {
        assertThat(detect("""
                [    0.000000] Linux version 5.10.0
                [    1.234567] usb 1-1: new high-speed USB device number 2 using xhci_hcd
                [    1.300000] usb 1-1: New USB device found
                """)).isEqualTo(LogFormat.DMESG);
    }

    @Test
    void majorityWinsOverProseAroundLogLines() throws Exception {
        assertThat(detect("""
                the node failed, here is the log:
                Nov 12 15:15:41 slave-138 dockerd: time="2017-11-12T15:15:41" level=error
                Nov 12 15:15:41 kernel: exe: page allocation failure: order:6
                Nov 12 15:15:41 kernel: Mem-Info:
                """)).isEqualTo(LogFormat.SYSLOG);
    }
}
