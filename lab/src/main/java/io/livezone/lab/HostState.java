package io.livezone.lab;

import io.livezone.core.EnvironmentException;
import io.livezone.network.ZoneNetwork;
import io.livezone.qemu.AcceleratorProbe;
import io.livezone.qemu.GuestImage;
import io.livezone.qemu.QemuZoneDriver;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The persistent single-host setting behind {@code livezone vm ...}: a state folder and one zone
 * network (default "lz0") created on first use and removed with the last zone.
 */
public final class HostState {
    private HostState() {}

    public static void requireRoot() {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new EnvironmentException(
                    "livezone needs root (it creates network namespaces, bridges and taps)");
        }
    }

    /** Driver over the existing network, if there is one. */
    public static Optional<QemuZoneDriver> existing(Path state, String network) {
        requireRoot();
        return ZoneNetwork.find(network)
                .map(
                        net ->
                                new QemuZoneDriver(
                                        state,
                                        net,
                                        AcceleratorProbe.detect(GuestImage.installed())));
    }

    public static QemuZoneDriver openOrCreate(Path state, String network) {
        requireRoot();
        GuestImage image = GuestImage.installed();
        ZoneNetwork net = ZoneNetwork.findOrCreate(network, ZoneNetwork.freeGateway());
        return new QemuZoneDriver(state, net, AcceleratorProbe.detect(image));
    }
}
