package io.livezone.core;

import java.nio.file.Path;
import java.util.Objects;

/** How a zone's VM boots. */
public sealed interface BootImage {
    /**
     * Direct kernel boot: the zone guest image LiveZone builds (kernel + initramfs with the zone
     * server).
     */
    record Kernel(Path kernel, Path initrd) implements BootImage {
        public Kernel {
            Objects.requireNonNull(kernel, "kernel is null");
            Objects.requireNonNull(initrd, "initrd is null");
        }
    }

    /** A bootable disk image (qcow2 or raw). */
    record Disk(Path image) implements BootImage {
        public Disk {
            Objects.requireNonNull(image, "image is null");
        }
    }
}
