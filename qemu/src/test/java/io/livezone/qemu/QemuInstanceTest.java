package io.livezone.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.core.BootImage;
import io.livezone.core.Ipv4Interface;
import io.livezone.core.MacAddress;
import io.livezone.core.MemorySize;
import io.livezone.core.NicSpec;
import io.livezone.core.ZoneApp;
import io.livezone.core.ZoneSpec;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;

class QemuInstanceTest {
    private static ZoneSpec spec(ZoneApp app) {
        return new ZoneSpec(
                "arena",
                MemorySize.ofMiB(192),
                1,
                new BootImage.Kernel(Path.of("/k"), Path.of("/i")),
                new NicSpec(
                        MacAddress.forZone("arena"),
                        Ipv4Interface.parse("10.9.0.10/24"),
                        Optional.empty()),
                app,
                Optional.empty());
    }

    @Test
    void theGuestLearnsItsZoneFromTheKernelCommandLine() {
        String line = QemuInstance.kernelCommandLine(spec(new ZoneApp(7100, 7101, 30)));
        assertThat(line)
                .contains(" lz.zone=arena", " lz.ip=10.9.0.10/24", " lz.tcp=7100", " lz.udp=7101")
                .contains(" lz.tick=30", " lz.heap=48")
                .doesNotContain("lz.redis", "lz.gw", "lz.diskwriter");
    }

    @Test
    void debiansRedisServerStartsOnlyWhenTheZoneAsksForIt() {
        assertThat(QemuInstance.kernelCommandLine(spec(ZoneApp.DEFAULT.withRedis(6379))))
                .contains(" lz.redis=6379");
    }
}
