package io.livezone.qemu;

import io.livezone.core.BootImage;
import io.livezone.core.EnvironmentException;
import io.livezone.core.cluster.ZoneDefinition;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The zone guest image built by scripts/build-guest.sh: a Debian kernel and an initramfs with the
 * zone server, and a second initramfs that also holds Debian's Redis server (for zones that run it;
 * the plain one saves small guests its memory).
 */
public record GuestImage(Path kernel, Path initrd) {

    /** The image under {@code <livezone home>/build/guest}, where the set-up puts it. */
    public static GuestImage installed() {
        return in(LiveZoneHome.path().resolve("build/guest"));
    }

    public static GuestImage in(Path dir) {
        GuestImage image = new GuestImage(dir.resolve("vmlinuz"), dir.resolve("initrd.img"));
        if (!Files.isRegularFile(image.kernel) || !Files.isRegularFile(image.initrd)) {
            throw new EnvironmentException(
                    "zone guest image not found in "
                            + dir
                            + "; any bin/livezone command (or bin/test) builds it");
        }
        return image;
    }

    public BootImage.Kernel boot() {
        return new BootImage.Kernel(kernel, initrd);
    }

    /** The boot image for a zone that also runs Debian's Redis server ({@code lz.redis=PORT}). */
    public BootImage.Kernel bootWithRedis() {
        Path withRedis = initrd.resolveSibling("initrd-redis.img");
        if (!Files.isRegularFile(withRedis)) {
            throw new EnvironmentException(
                    "no Redis guest image " + withRedis + "; any bin/livezone command rebuilds it");
        }
        return new BootImage.Kernel(kernel, withRedis);
    }

    /**
     * The boot image of a zone booted from a zone image: the kernel with the root initramfs that
     * {@code scripts/build-image.sh} builds beside it, which mounts the zone's disk as its root.
     */
    public BootImage.Kernel rootBoot() {
        Path rootboot = kernel.resolveSibling("rootboot.img");
        if (!Files.isRegularFile(rootboot)) {
            throw new EnvironmentException(
                    "no root initramfs " + rootboot + " (livezone image build makes it)");
        }
        return new BootImage.Kernel(kernel, rootboot);
    }

    /**
     * The boot image of a zone on a host whose zone server boots from {@code boot}: the root
     * initramfs for a zone image, the Redis initramfs for a zone server with Redis, {@code boot}
     * otherwise (and for anything but a kernel boot).
     */
    public static BootImage bootFor(BootImage boot, ZoneDefinition zone) {
        if (!(boot instanceof BootImage.Kernel k)) {
            return boot;
        }
        GuestImage guest = new GuestImage(k.kernel(), k.initrd());
        if (zone.bootsImage()) {
            return guest.rootBoot();
        }
        return zone.redisPort() != 0 ? guest.bootWithRedis() : boot;
    }
}
