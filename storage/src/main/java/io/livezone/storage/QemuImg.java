package io.livezone.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The {@code qemu-img} operations LiveZone needs on zone disks: base images, qcow2 overlays on
 * them, inspection, comparison and content hashes. Every failure is a {@link QemuImgException}
 * carrying qemu-img's stderr.
 *
 * <p>Paths handed to qemu-img are made absolute first: qemu-img resolves a relative backing file
 * against the overlay's folder, not the caller's working directory, which silently breaks overlays
 * created from elsewhere.
 */
public final class QemuImg {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration QUICK = Duration.ofSeconds(60);
    private static final Duration BULK = Duration.ofMinutes(30);

    private final Path binary;

    public QemuImg(Path binary) {
        this.binary = Objects.requireNonNull(binary, "binary is null");
    }

    /**
     * Finds qemu-img (see {@link QemuTool} for the lookup order).
     *
     * @throws io.livezone.core.EnvironmentException it is not installed (package qemu-utils)
     */
    public static QemuImg locate() {
        return new QemuImg(QemuTool.QEMU_IMG.require());
    }

    public Path binary() {
        return binary;
    }

    /**
     * Creates an empty image of {@code virtualSize} bytes.
     *
     * @throws StorageException {@code image} already exists (qemu-img would silently overwrite it)
     */
    public void create(Path image, ImageFormat format, long virtualSize) {
        requirePositive(virtualSize);
        Path target = absentFile(image);
        run(
                "cannot create " + format.qemuName() + " image " + target,
                QUICK,
                "create",
                "-q",
                "-f",
                format.qemuName(),
                target.toString(),
                Long.toString(virtualSize));
    }

    /**
     * Creates a qcow2 overlay on {@code backing}, of the backing image's virtual size. Only writes
     * land in the overlay; unwritten clusters read through to the backing image.
     */
    public void createOverlay(Path overlay, Path backing, ImageFormat backingFormat) {
        createOverlay(overlay, backing, backingFormat, OptionalLong.empty());
    }

    /** Creates a qcow2 overlay of {@code virtualSize} bytes (at least the backing image's). */
    public void createOverlay(
            Path overlay, Path backing, ImageFormat backingFormat, long virtualSize) {
        requirePositive(virtualSize);
        createOverlay(overlay, backing, backingFormat, OptionalLong.of(virtualSize));
    }

    private void createOverlay(
            Path overlay, Path backing, ImageFormat backingFormat, OptionalLong virtualSize) {
        Path target = absentFile(overlay);
        Path base = backing.toAbsolutePath().normalize();
        if (!Files.isRegularFile(base)) {
            throw new StorageException(
                    "cannot create overlay " + target + ": backing image " + base + " is missing");
        }
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "create",
                                "-q",
                                "-f",
                                "qcow2",
                                "-b",
                                base.toString(),
                                "-F",
                                backingFormat.qemuName(),
                                target.toString()));
        virtualSize.ifPresent(size -> args.add(Long.toString(size)));
        run("cannot create overlay " + target + " on " + base, QUICK, args.toArray(String[]::new));
    }

    /**
     * Describes one image. Opens it with {@code -U} (no lock), so it also works on the disk of a
     * running zone; sizes may then be momentarily stale.
     */
    public ImageInfo info(Path image) {
        Path file = existingFile(image);
        JsonNode json =
                parse(
                        run(
                                "cannot inspect " + file,
                                QUICK,
                                "info",
                                "-U",
                                "--output=json",
                                file.toString()),
                        file);
        return toInfo(json, file);
    }

    /** The image and everything below it: element 0 is {@code image}, the last is the base. */
    public List<ImageInfo> backingChain(Path image) {
        Path file = existingFile(image);
        JsonNode json =
                parse(
                        run(
                                "cannot inspect the backing chain of " + file,
                                QUICK,
                                "info",
                                "-U",
                                "--backing-chain",
                                "--output=json",
                                file.toString()),
                        file);
        List<ImageInfo> chain = new ArrayList<>();
        for (JsonNode entry : json) {
            chain.add(toInfo(entry, Path.of(entry.path("filename").asText())));
        }
        return List.copyOf(chain);
    }

    /**
     * True if both images show the guest the same bytes (backing files included). Images of
     * different sizes compare equal when the longer one holds only zeros past the shorter one's
     * end, as {@code qemu-img compare} does in non-strict mode.
     */
    public boolean sameContent(Path a, Path b) {
        Path first = existingFile(a);
        Path second = existingFile(b);
        List<String> cmd =
                List.of(binary.toString(), "compare", "-q", first.toString(), second.toString());
        ExternalCommand.Result r = ExternalCommand.run(cmd, BULK);
        return switch (r.exitCode()) {
            case 0 -> true;
            case 1 -> false;
            default ->
                    throw new QemuImgException(
                            "cannot compare " + first + " with " + second,
                            cmd,
                            r.exitCode(),
                            r.stderr());
        };
    }

    /**
     * SHA-256 (lower-case hex) of the bytes the guest sees, through the whole backing chain. Two
     * images with equal hashes have equal content whatever their format or layering. Converts to a
     * sparse raw file next to the image for the duration of the call (qemu-img cannot write raw
     * output to a pipe).
     */
    public String sha256(Path image) {
        Path file = existingFile(image);
        Path raw;
        try {
            raw = Files.createTempFile(file.getParent(), ".lz-sha256-", ".raw");
        } catch (IOException e) {
            throw new StorageException(
                    "cannot hash " + file + ": no scratch file in " + file.getParent(), e);
        }
        long size = info(file).virtualSize();
        try {
            // -n writes into the existing scratch file, so it must already have the image's size;
            // setLength keeps it sparse.
            try (var f = new RandomAccessFile(raw.toFile(), "rw")) {
                f.setLength(size);
            } catch (IOException e) {
                throw new StorageException(
                        "cannot hash " + file + ": cannot size scratch file " + raw, e);
            }
            run(
                    "cannot read the content of " + file,
                    BULK,
                    "convert",
                    "-O",
                    "raw",
                    "-n",
                    file.toString(),
                    raw.toString());
            return sha256OfFile(raw, size);
        } finally {
            try {
                Files.deleteIfExists(raw);
            } catch (IOException ignored) {
                // a stray scratch file in the image folder is harmless; its name says what it is
            }
        }
    }

    /**
     * Converts an image into a new standalone image of {@code format} (backing chain flattened).
     *
     * @throws StorageException {@code target} already exists
     */
    public void convert(Path source, Path target, ImageFormat format) {
        Path file = existingFile(source);
        Path out = absentFile(target);
        run(
                "cannot convert " + file + " to " + format.qemuName(),
                BULK,
                "convert",
                "-O",
                format.qemuName(),
                file.toString(),
                out.toString());
    }

    /**
     * Writes the bytes the guest sees (backing chain included) into a new raw file. Opens the image
     * shared ({@code -U}), so it also works on the disk of a running zone: pause the zone first for
     * a consistent copy (pausing drains and flushes its I/O).
     *
     * @throws StorageException {@code raw} already exists
     */
    public void toRaw(Path image, Path raw) {
        Path file = existingFile(image);
        Path target = absentFile(raw);
        run(
                "cannot read the content of " + file,
                BULK,
                "convert",
                "-U",
                "-O",
                "raw",
                file.toString(),
                target.toString());
    }

    /**
     * Bytes of guest data stored in the top image itself (not read through from a backing file):
     * for an overlay, what a {@code sync=top} mirror has to move.
     */
    public long topLayerDataBytes(Path image) {
        return mappedBytes(
                image, e -> e.path("depth").asInt(-1) == 0 && e.path("data").asBoolean());
    }

    /**
     * Bytes of guest data stored anywhere in the image's backing chain (what a full copy has to
     * move; zeros and unallocated ranges excluded).
     */
    public long dataBytes(Path image) {
        return mappedBytes(image, e -> e.path("data").asBoolean() && !e.path("zero").asBoolean());
    }

    /** The total length of the extents of {@code qemu-img map} that {@code counts}. */
    private long mappedBytes(Path image, java.util.function.Predicate<JsonNode> counts) {
        Path file = existingFile(image);
        JsonNode map =
                parse(
                        run(
                                "cannot map " + file,
                                BULK,
                                "map",
                                "-U",
                                "--output=json",
                                file.toString()),
                        file);
        long bytes = 0;
        for (JsonNode extent : map) {
            if (counts.test(extent)) {
                bytes += extent.path("length").asLong();
            }
        }
        return bytes;
    }

    /**
     * Makes {@code newBacking} the backing image of {@code overlay} without changing what the guest
     * sees: clusters where old and new backing differ are copied into the overlay first. Slow for
     * large images; use {@link #setBackingFile} when the two backing images are known to be equal.
     */
    public void rebase(Path overlay, Path newBacking, ImageFormat backingFormat) {
        Path file = existingFile(overlay);
        Path base = existingFile(newBacking);
        run(
                "cannot rebase " + file + " onto " + base,
                BULK,
                "rebase",
                "-q",
                "-f",
                "qcow2",
                "-b",
                base.toString(),
                "-F",
                backingFormat.qemuName(),
                file.toString());
    }

    /**
     * Rewrites only the backing file name in {@code overlay}'s header ({@code rebase -u}). Correct
     * only if {@code newBacking} has the same content as the old backing image, e.g. the same base
     * image in another site's {@link BaseImageCache} (equal content hash); otherwise the guest sees
     * corrupted data.
     */
    public void setBackingFile(Path overlay, Path newBacking, ImageFormat backingFormat) {
        Path file = existingFile(overlay);
        Path base = existingFile(newBacking);
        run(
                "cannot point " + file + " at backing image " + base,
                QUICK,
                "rebase",
                "-q",
                "-u",
                "-f",
                "qcow2",
                "-b",
                base.toString(),
                "-F",
                backingFormat.qemuName(),
                file.toString());
    }

    // ---- helpers ----

    private String run(String what, Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(args.length + 1);
        cmd.add(binary.toString());
        cmd.addAll(List.of(args));
        ExternalCommand.Result r = ExternalCommand.run(cmd, timeout);
        if (r.exitCode() != 0) {
            throw new QemuImgException(what, cmd, r.exitCode(), r.stderr());
        }
        return r.stdout();
    }

    private static JsonNode parse(String json, Path file) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new StorageException(
                    "qemu-img printed unreadable JSON for " + file + ": " + e.getMessage(), e);
        }
    }

    private static ImageInfo toInfo(JsonNode json, Path file) {
        String backing = json.path("full-backing-filename").asText(null);
        if (backing == null) {
            backing = json.path("backing-filename").asText(null);
        }
        String backingFormat = json.path("backing-filename-format").asText(null);
        return new ImageInfo(
                file,
                ImageFormat.fromQemuName(json.path("format").asText()),
                json.path("virtual-size").asLong(),
                json.path("actual-size").asLong(),
                Optional.ofNullable(backing).map(Path::of),
                Optional.ofNullable(backingFormat).map(ImageFormat::fromQemuName));
    }

    static String sha256OfFile(Path file, long expectedLength) {
        MessageDigest digest = newSha256();
        long total = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                digest.update(buf, 0, n);
                total += n;
            }
        } catch (IOException e) {
            throw new StorageException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (expectedLength >= 0 && total != expectedLength) {
            throw new StorageException(
                    "raw copy "
                            + file
                            + " has "
                            + total
                            + " bytes, expected "
                            + expectedLength
                            + " (was the image resized while being hashed?)");
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static Path existingFile(Path image) {
        Path file = image.toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new StorageException("image " + file + " does not exist");
        }
        return file;
    }

    private static Path absentFile(Path image) {
        Path file = image.toAbsolutePath().normalize();
        if (Files.exists(file)) {
            throw new StorageException(
                    "image "
                            + file
                            + " already exists; remove it first (LiveZone never overwrites a"
                            + " disk)");
        }
        return file;
    }

    private static void requirePositive(long virtualSize) {
        if (virtualSize <= 0) {
            throw new IllegalArgumentException("virtual size must be positive: " + virtualSize);
        }
    }
}
