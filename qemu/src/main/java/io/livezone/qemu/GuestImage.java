package io.livezone.qemu;

import io.livezone.core.BootImage;
import io.livezone.core.EnvironmentException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The zone guest image built by scripts/build-guest.sh: a Debian kernel and an initramfs with the
 * zone server.
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
                            + "; build it with bin/livezone setup (or run bin/test, which builds"
                            + " it)");
        }
        return image;
    }

    public BootImage.Kernel boot() {
        return new BootImage.Kernel(kernel, initrd);
    }
}
