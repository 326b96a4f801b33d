package io.livezone.storage;

/** Disk image formats LiveZone uses: raw for plain base images, qcow2 for bases and overlays. */
public enum ImageFormat {
    RAW("raw"),
    QCOW2("qcow2");

    private final String qemuName;

    ImageFormat(String qemuName) {
        this.qemuName = qemuName;
    }

    /** The name QEMU uses ({@code -f}, {@code driver}). */
    public String qemuName() {
        return qemuName;
    }

    /**
     * The format QEMU calls {@code name}.
     *
     * @throws StorageException a format LiveZone does not handle
     */
    public static ImageFormat fromQemuName(String name) {
        for (ImageFormat f : values()) {
            if (f.qemuName.equals(name)) {
                return f;
            }
        }
        throw new StorageException(
                "image format '"
                        + name
                        + "' is not supported; LiveZone uses raw and qcow2 images (convert with:"
                        + " qemu-img convert -O qcow2 <image> <image>.qcow2)");
    }
}
