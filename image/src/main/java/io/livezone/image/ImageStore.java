package io.livezone.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.livezone.core.EnvironmentException;
import io.livezone.core.InvalidInputException;
import io.livezone.core.cluster.DiskDefinition;
import io.livezone.core.image.ZoneImage;
import io.livezone.qemu.LiveZoneHome;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The images built on this machine, one folder each: {@code <dir>/<name>/image.json} (the {@link
 * ZoneImage}), {@code root.qcow2} and {@code build.log}. A folder appears whole or not at all: a
 * build fills a hidden one and renames it into place, so a crash mid-build leaves nothing that
 * looks like an image ({@link #sweep} removes the hidden leftovers).
 */
public final class ImageStore {
    static final String RECORD = "image.json";
    static final String ROOT_DISK = "root.qcow2";
    static final String LOG = "build.log";
    private static final ObjectMapper JSON =
            new ObjectMapper().findAndRegisterModules().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;

    /** This machine's images: {@code -Dlivezone.images=DIR}, else {@code build/images}. */
    public static ImageStore installed() {
        String dir = System.getProperty("livezone.images");
        return new ImageStore(
                dir != null ? Path.of(dir) : LiveZoneHome.path().resolve("build/images"));
    }

    public ImageStore(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    public Path directory() {
        return dir;
    }

    public Optional<ZoneImage> find(String name) {
        DiskDefinition.validateImageName(name);
        Path record = dir.resolve(name).resolve(RECORD);
        if (!Files.isRegularFile(record)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(record.toFile(), ZoneImage.class));
        } catch (IOException e) {
            throw new EnvironmentException(
                    "image record " + record + " is unreadable: " + e.getMessage(), e);
        }
    }

    /** The image, or a clear error naming the ones there are. */
    public ZoneImage require(String name) {
        return find(name)
                .orElseThrow(
                        () -> {
                            List<String> names = list().stream().map(ZoneImage::name).toList();
                            return new InvalidInputException(
                                    "no image '"
                                            + name
                                            + "' (images: "
                                            + (names.isEmpty() ? "none" : String.join(", ", names))
                                            + ")");
                        });
    }

    public List<ZoneImage> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<ZoneImage> out = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.sorted().toList()) {
                String n = p.getFileName().toString();
                if (!n.startsWith(".") && Files.isRegularFile(p.resolve(RECORD))) {
                    find(n).ifPresent(out::add);
                }
            }
        } catch (IOException e) {
            throw new EnvironmentException(
                    "cannot list images in " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    public Path rootDisk(String name) {
        return dir.resolve(DiskDefinition.validateImageName(name)).resolve(ROOT_DISK);
    }

    public Path buildLog(String name) {
        return dir.resolve(DiskDefinition.validateImageName(name)).resolve(LOG);
    }

    /** A fresh hidden folder to build {@code name} in. */
    Path staging(String name) {
        try {
            Files.createDirectories(dir);
            return Files.createTempDirectory(dir, "." + name + ".building-");
        } catch (IOException e) {
            throw new EnvironmentException("cannot create a build folder in " + dir, e);
        }
    }

    /** Writes the record into {@code staging} and moves it into place as the image's folder. */
    ZoneImage commit(Path staging, ZoneImage image) {
        Path target = dir.resolve(image.name());
        try {
            JSON.writeValue(staging.resolve(RECORD).toFile(), image);
            if (Files.exists(target)) {
                deleteTree(target); // an older build of the same name (its record said so)
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            return image;
        } catch (IOException e) {
            throw new EnvironmentException(
                    "cannot store image '" + image.name() + "': " + e.getMessage(), e);
        }
    }

    /**
     * Removes an image's folder; false if there was none. Refused while a process on this machine
     * holds its root disk open (a zone's QEMU reads it through its overlay).
     */
    /**
     * Refuses (naming the processes) while a process on this machine holds the image's root disk
     * open: a running zone's QEMU.
     */
    public void requireUnused(String name) {
        Path target = dir.resolve(DiskDefinition.validateImageName(name));
        List<ProcessHandle> users = openedBy(target.resolve(ROOT_DISK));
        if (!users.isEmpty()) {
            throw new InvalidInputException(
                    "image '"
                            + name
                            + "' is in use: its root disk is open in "
                            + users.stream()
                                    .map(
                                            p ->
                                                    "pid "
                                                            + p.pid()
                                                            + " ("
                                                            + p.info()
                                                                    .command()
                                                                    .map(
                                                                            c ->
                                                                                    Path.of(c)
                                                                                            .getFileName()
                                                                                            .toString())
                                                                    .orElse("?")
                                                            + ")")
                                    .toList()
                            + "; stop the zones that boot it first");
        }
    }

    public boolean delete(String name) {
        Path target = dir.resolve(DiskDefinition.validateImageName(name));
        if (!Files.exists(target)) {
            return false;
        }
        requireUnused(name);
        // Renamed first, so a half-deleted image never looks whole.
        Path doomed = dir.resolve("." + name + ".deleting-" + ProcessHandle.current().pid());
        try {
            Files.move(target, doomed, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new EnvironmentException(
                    "cannot delete image '" + name + "': " + e.getMessage(), e);
        }
        deleteTree(doomed);
        return true;
    }

    /** The processes that hold {@code file} open, from {@code /proc/<pid>/fd}. */
    static List<ProcessHandle> openedBy(Path file) {
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException e) {
            return List.of(); // no such file: nobody holds it
        }
        List<ProcessHandle> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.toList()) {
                String pid = proc.getFileName().toString();
                if (!pid.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
                    if (fds.anyMatch(fd -> points(fd, real))) {
                        ProcessHandle.of(Long.parseLong(pid)).ifPresent(out::add);
                    }
                } catch (IOException | SecurityException e) {
                    // gone meanwhile, or not ours to read
                }
            }
        } catch (IOException e) {
            throw new EnvironmentException("cannot read /proc: " + e.getMessage(), e);
        }
        return out;
    }

    private static boolean points(Path fd, Path file) {
        try {
            return Files.readSymbolicLink(fd).equals(file);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Removes what interrupted builds and deletions left (hidden folders). */
    public void sweep() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            entries.filter(p -> p.getFileName().toString().startsWith("."))
                    .filter(p -> !p.getFileName().toString().equals(".lock"))
                    .forEach(ImageStore::deleteTree);
        } catch (IOException e) {
            throw new EnvironmentException("cannot clean " + dir + ": " + e.getMessage(), e);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new EnvironmentException("cannot remove " + root + ": " + e.getMessage(), e);
        }
    }
}
