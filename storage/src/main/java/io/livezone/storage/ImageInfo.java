package io.livezone.storage;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code qemu-img info} reports about one image file.
 *
 * @param virtualSize guest-visible size in bytes
 * @param actualSize bytes the file occupies on the host file system
 * @param backingFile the backing file's path as resolved by QEMU (absolute), if any
 * @param backingFormat the format recorded for the backing file, if any
 */
public record ImageInfo(
        Path file,
        ImageFormat format,
        long virtualSize,
        long actualSize,
        Optional<Path> backingFile,
        Optional<ImageFormat> backingFormat) {

    public ImageInfo {
        Objects.requireNonNull(file, "file is null");
        Objects.requireNonNull(format, "format is null");
        Objects.requireNonNull(backingFile, "backingFile is null");
        Objects.requireNonNull(backingFormat, "backingFormat is null");
    }
}
