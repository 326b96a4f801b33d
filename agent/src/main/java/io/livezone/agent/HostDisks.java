package io.livezone.agent;

import io.livezone.core.EnvironmentException;
import io.livezone.core.InvalidInputException;
import io.livezone.core.cluster.BaseImageImport;
import io.livezone.core.cluster.BaseImageInfo;
import io.livezone.core.cluster.BaseImageSpec;
import io.livezone.core.cluster.DiskDefinition;
import io.livezone.storage.BaseImageCache;
import io.livezone.storage.CachedBaseImage;
import io.livezone.storage.GuestDiskContent;
import io.livezone.storage.ImageFormat;
import io.livezone.storage.ImageTransfer;
import io.livezone.storage.QemuImg;
import io.livezone.storage.StorageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;

/**
 * The disk files on one host: zones' own disks ({@code disks/<zone>/disk.qcow2}), disks this host
 * serves to zones elsewhere ({@code served/<zone>/}), and the base images of the host's site, in a
 * cache folder the hosts of one site may share.
 */
final class HostDisks {
    private final Path disksDir;
    private final Path servedDir;
    private final Path scratchDir;
    private final Path imageCache;
    private QemuImg qemuImg;
    private BaseImageCache cache;

    HostDisks(Path stateDir, Path imageCache) {
        Path state = stateDir.toAbsolutePath();
        this.disksDir = state.resolve("disks");
        this.servedDir = state.resolve("served");
        this.scratchDir = state.resolve("scratch");
        this.imageCache = imageCache;
    }

    /** qemu-img, looked up on first use: an agent whose zones have no disks does without it. */
    synchronized QemuImg qemuImg() {
        if (qemuImg == null) {
            qemuImg = QemuImg.locate();
        }
        return qemuImg;
    }

    synchronized BaseImageCache cache() {
        if (cache == null) {
            cache = new BaseImageCache(imageCache, qemuImg(), ImageTransfer.direct());
        }
        return cache;
    }

    /** The image file of a zone disk that lives on this host. */
    Path diskFile(String zone) {
        return disksDir.resolve(zone).resolve("disk.qcow2");
    }

    /** The folder of a disk this host serves to a zone elsewhere. */
    Path servedDir(String zone) {
        return servedDir.resolve(zone);
    }

    /** The cached base a disk is an overlay on, if this site has it. */
    Optional<CachedBaseImage> base(DiskDefinition disk) {
        if (disk.image() == null || disk.imageSha256() == null) {
            return Optional.empty();
        }
        return cache().find(disk.imageSha256());
    }

    /**
     * Creates {@code file}: an overlay on the disk's cached base, or (for a disk without base, or
     * when {@code blank}) an empty standalone image of the disk's size.
     */
    void create(Path file, DiskDefinition disk, boolean blank) {
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new EnvironmentException("cannot create " + file.getParent(), e);
        }
        if (disk.image() == null || blank) {
            qemuImg().create(file, ImageFormat.QCOW2, disk.sizeBytes());
            return;
        }
        CachedBaseImage base =
                base(disk)
                        .orElseThrow(
                                () ->
                                        new InvalidInputException(
                                                "base image "
                                                        + disk.image()
                                                        + " is not cached at this site ("
                                                        + imageCache
                                                        + "); the coordinator transfers it"
                                                        + " first"));
        if (base.virtualSize() > disk.sizeBytes()) {
            throw new InvalidInputException(
                    "disk of "
                            + disk.sizeMiB()
                            + " MiB is smaller than its base image "
                            + disk.image()
                            + " ("
                            + (base.virtualSize() >> 20)
                            + " MiB)");
        }
        cache().createOverlay(base, file, disk.sizeBytes());
    }

    /**
     * Copies a base image from a file on this machine into the site cache (a zone image's root
     * disk); the file must still have the hash it was registered with.
     */
    BaseImageInfo importBase(BaseImageImport request) {
        Path file = Path.of(request.file());
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(
                    "base image " + request.name() + ": no file " + file + " on this host");
        }
        try {
            return info(request.name(), cache().ensure(file, request.sha256()));
        } catch (StorageException e) {
            throw new InvalidInputException(
                    "base image " + request.name() + " cannot be imported: " + e.getMessage());
        }
    }

    /** Builds a base image with known content into the site cache. */
    BaseImageInfo createBase(BaseImageSpec spec) {
        Path work = null;
        try {
            Files.createDirectories(scratchDir);
            work = Files.createTempDirectory(scratchDir, "base-");
            Path raw = work.resolve("base.raw");
            Path qcow2 = work.resolve("base.qcow2");
            GuestDiskContent.writeBase(raw, spec.name(), spec.sizeMiB() << 20);
            qemuImg().convert(raw, qcow2, ImageFormat.QCOW2);
            CachedBaseImage cached = cache().ensure(qcow2);
            return info(spec.name(), cached);
        } catch (IOException e) {
            throw new EnvironmentException(
                    "cannot build base image " + spec.name() + ": " + e.getMessage(), e);
        } finally {
            if (work != null) {
                deleteTree(work);
            }
        }
    }

    static BaseImageInfo info(String name, CachedBaseImage cached) {
        try {
            return new BaseImageInfo(
                    name,
                    cached.sha256(),
                    cached.format().qemuName(),
                    cached.virtualSize(),
                    Files.size(cached.path()));
        } catch (IOException e) {
            throw new EnvironmentException("cannot read " + cached.path(), e);
        }
    }

    void deleteDisk(String zone) {
        deleteTree(disksDir.resolve(zone));
    }

    void deleteServed(String zone) {
        deleteTree(servedDir.resolve(zone));
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new EnvironmentException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }
}
