package io.livezone.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One site's cache of base images, each stored once under its content hash ({@code
 * <sha256>.<format>}). Zone disks are qcow2 overlays on a cached base, so moving a zone to another
 * site sends only its overlay (mode c) once the base is in that site's cache, and zones sharing a
 * base never send it twice.
 *
 * <p>{@link #ensure} copies a missing base through the caller's {@link ImageTransfer} (the control
 * plane's route over the WAN link), counts the bytes that arrive and checks their hash before the
 * file appears under its final name, so a cached file is always complete. Cached files are made
 * read-only: every overlay on them depends on their bytes never changing.
 *
 * <p>Thread-safe; concurrent {@code ensure} calls for the same base transfer it once. Several
 * processes may share the folder: each transfers into a private temporary file and renames it
 * atomically.
 */
public final class BaseImageCache {
    private static final Logger LOG = LoggerFactory.getLogger(BaseImageCache.class);
    private static final Pattern CACHED_NAME = Pattern.compile("([0-9a-f]{64})\\.(raw|qcow2)");

    private final Path directory;
    private final QemuImg qemuImg;
    private final ImageTransfer transfer;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final Map<Path, KnownHash> hashes = new ConcurrentHashMap<>();
    private final AtomicLong bytesTransferred = new AtomicLong();
    private final AtomicInteger transfers = new AtomicInteger();

    /** Hash of an origin file, valid while its size and modification time are unchanged. */
    private record KnownHash(long size, FileTime modified, String sha256) {}

    public BaseImageCache(Path directory, QemuImg qemuImg, ImageTransfer transfer) {
        this.directory =
                Objects.requireNonNull(directory, "directory is null").toAbsolutePath().normalize();
        this.qemuImg = Objects.requireNonNull(qemuImg, "qemuImg is null");
        this.transfer = Objects.requireNonNull(transfer, "transfer is null");
    }

    public Path directory() {
        return directory;
    }

    /**
     * Returns the cached copy of {@code baseImage}, transferring it first if this cache lacks an
     * image with its hash.
     *
     * @param baseImage a standalone raw or qcow2 image (no backing file) at its origin
     * @throws ImageTransferException the transfer failed or delivered other bytes
     * @throws StorageException the image is missing, has a backing file or an unsupported format
     */
    public CachedBaseImage ensure(Path baseImage) {
        return ensure(baseImage, null);
    }

    /**
     * Like {@link #ensure(Path)}, but refuses (before copying anything) an image whose hash is not
     * {@code expectedSha256}: a file changed since it was described never enters the cache.
     *
     * @param expectedSha256 the hash the file must have, or null for any
     */
    public CachedBaseImage ensure(Path baseImage, String expectedSha256) {
        Path source = baseImage.toAbsolutePath().normalize();
        ImageInfo info = qemuImg.info(source);
        if (info.backingFile().isPresent()) {
            throw new StorageException(
                    "base image "
                            + source
                            + " has a backing file ("
                            + info.backingFile().get()
                            + "); a base must stand alone: flatten it with qemu-img convert -O"
                            + " qcow2 "
                            + source
                            + " <new base>");
        }
        String sha256 = hashOf(source);
        if (expectedSha256 != null && !expectedSha256.equals(sha256)) {
            throw new StorageException(
                    "base image "
                            + source
                            + " has SHA-256 "
                            + sha256
                            + ", not the expected "
                            + expectedSha256
                            + ": it changed since it was described");
        }
        synchronized (locks.computeIfAbsent(sha256, h -> new Object())) {
            Path cached = directory.resolve(sha256 + "." + info.format().qemuName());
            if (Files.isRegularFile(cached)) {
                LOG.debug("base {} already cached as {}", source, cached);
                return new CachedBaseImage(sha256, cached, info.format(), info.virtualSize(), 0);
            }
            long bytes =
                    copyIn(
                            source.toString(),
                            sha256,
                            cached,
                            out -> {
                                try (InputStream in = Files.newInputStream(source)) {
                                    transfer.transfer(in, out);
                                }
                            });
            bytesTransferred.addAndGet(bytes);
            transfers.incrementAndGet();
            LOG.info("cached base {} as {} ({} bytes transferred)", source, cached, bytes);
            return new CachedBaseImage(sha256, cached, info.format(), info.virtualSize(), bytes);
        }
    }

    /**
     * Stores a base image whose bytes arrive from another host (read from {@code in} to its end),
     * for a cache whose host cannot read the origin file. The bytes are hashed on the way; the
     * image appears under its final name only if its hash is {@code sha256}. If this cache already
     * holds the image, {@code in} is not read.
     *
     * @throws ImageTransferException the stream broke or delivered other bytes
     * @throws StorageException the received image is not a standalone image of {@code format}
     */
    public CachedBaseImage receive(String sha256, ImageFormat format, InputStream in) {
        Objects.requireNonNull(sha256, "sha256 is null");
        Objects.requireNonNull(format, "format is null");
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a SHA-256 in hex: " + sha256);
        }
        synchronized (locks.computeIfAbsent(sha256, h -> new Object())) {
            Path cached = directory.resolve(sha256 + "." + format.qemuName());
            if (Files.isRegularFile(cached)) {
                return describe(cached, sha256, format);
            }
            String origin = sha256.substring(0, 12) + " (received from another host)";
            long bytes = copyIn(origin, sha256, cached, out -> in.transferTo(out));
            ImageInfo info = qemuImg.info(cached);
            if (info.format() != format || info.backingFile().isPresent()) {
                deleteCached(cached);
                throw new StorageException(
                        "received base image "
                                + sha256
                                + " is "
                                + info.format().qemuName()
                                + (info.backingFile().isPresent() ? " with a backing file" : "")
                                + ", expected a standalone "
                                + format.qemuName()
                                + " image");
            }
            bytesTransferred.addAndGet(bytes);
            transfers.incrementAndGet();
            LOG.info("received base {} ({} bytes)", cached, bytes);
            return new CachedBaseImage(sha256, cached, format, info.virtualSize(), bytes);
        }
    }

    private static void deleteCached(Path cached) {
        try {
            Files.deleteIfExists(cached);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", cached, e.getMessage());
        }
    }

    /** The cached image with this hash, if present. */
    public Optional<CachedBaseImage> find(String sha256) {
        for (ImageFormat format : ImageFormat.values()) {
            Path cached = directory.resolve(sha256 + "." + format.qemuName());
            if (Files.isRegularFile(cached)) {
                return Optional.of(describe(cached, sha256, format));
            }
        }
        return Optional.empty();
    }

    /** Everything in the cache, in file name order. */
    public List<CachedBaseImage> list() {
        List<CachedBaseImage> images = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return images;
        }
        try (var files = Files.list(directory)) {
            for (Path f : files.sorted().toList()) {
                Matcher m = CACHED_NAME.matcher(f.getFileName().toString());
                if (m.matches() && Files.isRegularFile(f)) {
                    images.add(describe(f, m.group(1), ImageFormat.fromQemuName(m.group(2))));
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot list base image cache " + directory, e);
        }
        return images;
    }

    /** A zone overlay on a cached base, of the base's size. */
    public void createOverlay(CachedBaseImage base, Path overlay) {
        qemuImg.createOverlay(overlay, base.path(), base.format());
    }

    /**
     * A zone overlay on a cached base, of {@code virtualSize} bytes: the destination of a {@code
     * sync=top} mirror must match the source overlay's size, which may exceed the base's.
     */
    public void createOverlay(CachedBaseImage base, Path overlay, long virtualSize) {
        qemuImg.createOverlay(overlay, base.path(), base.format(), virtualSize);
    }

    /** Bytes all transfers into this cache have moved so far. */
    public long bytesTransferred() {
        return bytesTransferred.get();
    }

    /** How many images this cache has transferred so far. */
    public int transfers() {
        return transfers.get();
    }

    private CachedBaseImage describe(Path cached, String sha256, ImageFormat format) {
        return new CachedBaseImage(sha256, cached, format, qemuImg.info(cached).virtualSize(), 0);
    }

    /** Writes what {@code delivery} produces into the cache as {@code cached}, checking it. */
    @FunctionalInterface
    private interface Delivery {
        void deliver(OutputStream out) throws IOException;
    }

    private long copyIn(String source, String sha256, Path cached, Delivery delivery) {
        Path partial;
        try {
            Files.createDirectories(directory);
            partial = Files.createTempFile(directory, "." + sha256 + ".", ".partial");
        } catch (IOException e) {
            throw new ImageTransferException(
                    "cannot write to base image cache " + directory + ": " + e.getMessage(), e);
        }
        try {
            MessageDigest digest = QemuImg.newSha256();
            CountingOutputStream counted;
            try (OutputStream file = Files.newOutputStream(partial);
                    DigestOutputStream hashed = new DigestOutputStream(file, digest)) {
                counted = new CountingOutputStream(hashed);
                delivery.deliver(counted);
                counted.flush();
            }
            String received = HexFormat.of().formatHex(digest.digest());
            if (!received.equals(sha256)) {
                throw new ImageTransferException(
                        "transfer of base image "
                                + source
                                + " delivered "
                                + counted.count()
                                + " bytes with SHA-256 "
                                + received
                                + ", expected "
                                + sha256
                                + "; the link corrupted or truncated it, retry the transfer");
            }
            Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("r--r--r--"));
            moveIntoPlace(partial, cached);
            return counted.count();
        } catch (IOException e) {
            throw new ImageTransferException(
                    "transfer of base image "
                            + source
                            + " into "
                            + directory
                            + " failed: "
                            + e.getMessage(),
                    e);
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException e) {
                LOG.warn("could not delete partial transfer {}: {}", partial, e.getMessage());
            }
        }
    }

    private static void moveIntoPlace(Path partial, Path cached) throws IOException {
        // Another process may have cached the same bytes meanwhile: replacing them is harmless.
        Files.move(
                partial,
                cached,
                StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    private String hashOf(Path source) {
        try {
            long size = Files.size(source);
            FileTime modified = Files.getLastModifiedTime(source);
            KnownHash known = hashes.get(source);
            if (known != null && known.size() == size && known.modified().equals(modified)) {
                return known.sha256();
            }
            String sha256 = QemuImg.sha256OfFile(source, size);
            hashes.put(source, new KnownHash(size, modified, sha256));
            return sha256;
        } catch (IOException e) {
            throw new StorageException("cannot read base image " + source, e);
        }
    }

    /** Counts what the transfer delivers. Not thread-safe, like the stream it wraps. */
    private static final class CountingOutputStream extends FilterOutputStream {
        private long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        long count() {
            return count;
        }
    }
}
