package io.livezone.image;

import io.livezone.core.EnvironmentException;
import io.livezone.core.InvalidInputException;
import io.livezone.core.image.ImageRecipe;
import io.livezone.core.image.ZoneImage;
import io.livezone.qemu.LiveZoneHome;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds zone images from Debian packages with {@code scripts/build-image.sh} (mmdebstrap, {@code
 * mkfs.ext4 -d}, qemu-img) into an {@link ImageStore}. The same recipe under the same name is found
 * built and costs nothing; a name already used for another recipe is refused. A failed build leaves
 * nothing behind, and its error names the cause (an unknown package, one that does not install, a
 * command that is not in the image, Debian's mirror out of reach).
 */
public final class ImageBuilder {
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(30);
    private static final int TAIL_LINES = 40;
    private static final String PHASE = "phase: ";
    private static final String MMDEBSTRAP_STEP = "  I: ";
    private static final Pattern STEPS =
            Pattern.compile(
                    "running apt-get update|downloading packages|extracting archives"
                            + "|installing (essential|remaining) packages|success in");
    private static final List<String> SCRIPTS =
            List.of("build-image.sh", "image-init.sh", "image-rootboot-init.sh");

    private static final Pattern UNKNOWN_PACKAGE =
            Pattern.compile("Unable to locate package (\\S+)");
    private static final Pattern NO_CANDIDATE =
            Pattern.compile("Package '?([^' ]+)'? has no installation candidate");
    private static final Pattern DPKG_FAILED =
            Pattern.compile("dpkg: error processing package (\\S+) \\((--\\S+)\\):?");
    private static final Pattern UNMET = Pattern.compile("(\\S+) : Depends: .*");
    private static final Pattern NETWORK =
            Pattern.compile("Temporary failure resolving|Could not resolve|Failed to fetch");

    private final ImageStore store;
    private final Path scripts;
    private final Path guest;

    /** A builder into {@code store} with the scripts and guest folder of this checkout. */
    public static ImageBuilder installed(ImageStore store) {
        Path home = LiveZoneHome.path();
        return new ImageBuilder(store, home.resolve("scripts"), home.resolve("build/guest"));
    }

    /**
     * @param scripts the folder holding {@code build-image.sh} and the guest init scripts
     * @param guest the zone guest folder (its extracted Debian kernel; the root initramfs goes
     *     there)
     */
    public ImageBuilder(ImageStore store, Path scripts, Path guest) {
        this.store = store;
        this.scripts = scripts;
        this.guest = guest;
    }

    /** What a build returns: the image, and whether it was already built. */
    public record Built(ZoneImage image, boolean cached) {}

    public Built build(ImageRecipe recipe, Consumer<String> progress) {
        String digest = recipe.digest(builderInputs());
        Optional<ZoneImage> existing = store.find(recipe.name());
        if (existing.isPresent()) {
            if (existing.get().digest().equals(digest)
                    && Files.isRegularFile(store.rootDisk(recipe.name()))) {
                progress.accept("image '" + recipe.name() + "' is built already (same inputs)");
                return new Built(existing.get(), true);
            }
            throw new InvalidInputException(
                    "image '"
                            + recipe.name()
                            + "' exists with other inputs ("
                            + describe(existing.get().recipe())
                            + "); delete it first or choose another name");
        }
        try (FileChannel lockFile = openLock();
                FileLock lock = lockFile.lock()) {
            store.sweep();
            return new Built(buildLocked(recipe, digest, progress), false);
        } catch (IOException e) {
            throw new EnvironmentException("cannot lock " + store.directory(), e);
        }
    }

    private FileChannel openLock() throws IOException {
        Files.createDirectories(store.directory());
        return FileChannel.open(
                store.directory().resolve(".lock"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
    }

    private ZoneImage buildLocked(ImageRecipe recipe, String digest, Consumer<String> progress) {
        Path staging = store.staging(recipe.name());
        long t0 = System.nanoTime();
        boolean done = false;
        try {
            runScript(recipe, digest, staging, progress);
            Path disk = staging.resolve(ImageStore.ROOT_DISK);
            if (!Files.isRegularFile(disk)) {
                throw new EnvironmentException("the image build made no root disk in " + staging);
            }
            ZoneImage image =
                    new ZoneImage(
                            recipe.name(),
                            digest,
                            recipe,
                            sha256(disk),
                            Files.size(disk),
                            System.currentTimeMillis(),
                            (System.nanoTime() - t0) / 1_000_000);
            store.commit(staging, image);
            done = true;
            return image;
        } catch (IOException e) {
            throw new EnvironmentException("image build failed: " + e.getMessage(), e);
        } finally {
            if (!done) {
                ImageStore.deleteTree(staging);
            }
        }
    }

    private void runScript(
            ImageRecipe recipe, String digest, Path staging, Consumer<String> progress)
            throws IOException {
        Path log = staging.resolve(ImageStore.LOG);
        List<String> cmd =
                List.of(
                        "bash",
                        scripts.resolve("build-image.sh").toString(),
                        guest.toString(),
                        staging.toString(),
                        String.join(",", recipe.packages()),
                        recipe.exec(),
                        recipe.probe().toString(),
                        digest);
        Process p =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .start();
        Deque<String> tail = new ArrayDeque<>();
        try (BufferedReader out =
                        new BufferedReader(
                                new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                var logOut = Files.newBufferedWriter(log)) {
            String line;
            while ((line = out.readLine()) != null) {
                logOut.write(line);
                logOut.newLine();
                if (line.startsWith(PHASE)) {
                    progress.accept(line.substring(PHASE.length()));
                } else if (line.startsWith(MMDEBSTRAP_STEP)
                        && STEPS.matcher(line.substring(MMDEBSTRAP_STEP.length())).lookingAt()) {
                    // mmdebstrap's own steps: resolving, downloading, extracting, installing
                    progress.accept(line.substring(MMDEBSTRAP_STEP.length()));
                }
                tail.addLast(line);
                if (tail.size() > TAIL_LINES) {
                    tail.removeFirst();
                }
            }
        }
        int status;
        try {
            if (!p.waitFor(BUILD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new EnvironmentException(
                        "image build did not finish within " + BUILD_TIMEOUT.toMinutes() + " min");
            }
            status = p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new EnvironmentException("interrupted while building image " + recipe.name());
        }
        if (status != 0) {
            throw failure(recipe, List.copyOf(tail));
        }
    }

    /** The build's failure in the user's terms, from the tools' last lines. */
    static RuntimeException failure(ImageRecipe recipe, List<String> tail) {
        String all = String.join("\n", tail);
        Matcher m = UNKNOWN_PACKAGE.matcher(all);
        if (m.find()) {
            return new InvalidInputException(
                    "unknown package '" + m.group(1) + "': Debian bookworm has no such package");
        }
        m = NO_CANDIDATE.matcher(all);
        if (m.find()) {
            return new InvalidInputException(
                    "package '" + m.group(1) + "' has no installable version in Debian bookworm");
        }
        m = DPKG_FAILED.matcher(all);
        if (m.find()) {
            return new InvalidInputException(
                    "package '"
                            + m.group(1)
                            + "' does not install (dpkg "
                            + m.group(2)
                            + " failed):\n"
                            + last(tail, 8));
        }
        for (String line : tail) {
            Matcher u = UNMET.matcher(line.strip());
            if (u.matches()) {
                return new InvalidInputException(
                        "packages "
                                + recipe.packages()
                                + " cannot be installed together: "
                                + line.strip());
            }
        }
        for (String line : tail) {
            if (line.contains("is not in the image")) {
                return new InvalidInputException(line.replaceFirst("^build-image: ", ""));
            }
        }
        if (NETWORK.matcher(all).find()) {
            return new EnvironmentException(
                    "cannot download Debian packages (is Debian's mirror reachable?):\n"
                            + last(tail, 8));
        }
        return new EnvironmentException("image build failed:\n" + last(tail, 15));
    }

    private static String last(List<String> lines, int n) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    /** The builder's own inputs in every digest: its scripts and the kernel it boots. */
    String builderInputs() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String s : SCRIPTS) {
                sha.update(Files.readAllBytes(scripts.resolve(s)));
            }
            Path kernel = guest.resolve("kernel-version");
            String kver = Files.isRegularFile(kernel) ? Files.readString(kernel).strip() : "?";
            return kver + " " + HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (IOException e) {
            throw new EnvironmentException(
                    "cannot read the image build scripts in " + scripts + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in =
                new DigestInputStream(
                        Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static String describe(ImageRecipe r) {
        return "packages "
                + String.join(",", r.packages())
                + ", exec '"
                + r.exec()
                + "', ports "
                + r.ports()
                + ", probe "
                + r.probe()
                + ", "
                + r.memoryMiB()
                + " MiB";
    }
}
