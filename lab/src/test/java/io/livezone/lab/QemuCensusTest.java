package io.livezone.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

class QemuCensusTest {
    private static final String CLUSTER_QEMU =
            "qemu-system-x86_64 -name my-zone-i3,debug-threads=on -accel tcg -machine pc -m 192M"
                + " -serial file:/run/livezone/clusters/c1/hosts/h2/zones/my-zone/i3/console.log"
                + " -qmp"
                + " unix:/run/livezone/clusters/c1/hosts/h2/zones/my-zone/i3/qmp.sock,server=on,wait=off"
                + " -pidfile /x/qemu.pid -qmp"
                + " unix:/run/livezone/clusters/c1/hosts/h2/zones/my-zone/i3/storage.sock"
                + ",server=on,wait=off";

    @Test
    void aQemuCommandLineNamesItsZoneInstanceHostAndFirstMonitor() {
        QemuCensus.Identity id = QemuCensus.identify(CLUSTER_QEMU).orElseThrow();
        assertThat(id.zone()).isEqualTo("my-zone");
        assertThat(id.instance()).isEqualTo("i3");
        assertThat(id.qmpSocket())
                .isEqualTo(Path.of("/run/livezone/clusters/c1/hosts/h2/zones/my-zone/i3/qmp.sock"));
        assertThat(id.host()).isEqualTo("h2");
    }

    @Test
    void aQemuOutsideAClusterHasNoHostAndOtherProcessesAreNotZones() {
        String lab = CLUSTER_QEMU.replace("/run/livezone/clusters/c1/hosts/h2/", "/run/livezone/");
        assertThat(QemuCensus.identify(lab).orElseThrow().host()).isEmpty();
        assertThat(QemuCensus.identify("qemu-system-x86_64 -accel kvm -m 64M")).isEmpty();
    }
}
