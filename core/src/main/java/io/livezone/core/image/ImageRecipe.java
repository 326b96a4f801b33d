package io.livezone.core.image;

import io.livezone.core.ImageName;
import io.livezone.core.InvalidInputException;
import io.livezone.core.ZoneSpec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What {@code image build} makes an image from: Debian packages, the command to run, its ports and
 * readiness probe, and the memory a zone gets by default. Validated whole on construction, so a
 * recipe that exists can be built; packages are kept sorted and without repeats, so the same inputs
 * always describe the same image ({@link #digest}).
 *
 * @param name the image's name (as a base image name: lower-case letters, digits, '-')
 * @param packages Debian package names installed into the root filesystem
 * @param exec the service's command line, run by {@code /bin/sh -c} in the guest
 * @param ports the ports the service listens on: at least one, none twice
 * @param probe how the guest tells the service is ready; its port must be one of {@code ports}
 * @param memoryMiB a zone's memory unless its create says otherwise
 */
public record ImageRecipe(
        String name,
        List<String> packages,
        String exec,
        List<ServicePort> ports,
        Probe probe,
        int memoryMiB) {
    /** A zone's memory floor, whatever it boots ({@code ZoneSpec.MIN_MEMORY}). */
    public static final int MIN_MEMORY_MIB = (int) ZoneSpec.MIN_MEMORY.mib();

    public static final int MAX_MEMORY_MIB = 4096;
    public static final int DEFAULT_MEMORY_MIB = 256;
    public static final int MAX_PACKAGES = 64;
    public static final int MAX_EXEC_CHARS = 1024;

    /** The gateway opens an endpoint per port for every zone of the image. */
    public static final int MAX_PORTS = 16;

    // Debian policy 5.6.7: lower case letters, digits, + - . ; at least two characters.
    private static final Pattern PACKAGE = Pattern.compile("[a-z0-9][a-z0-9+.-]+");

    public ImageRecipe {
        ImageName.validate(name, "image");
        Objects.requireNonNull(packages, "packages is null");
        if (packages.isEmpty()) {
            throw new InvalidInputException("an image needs at least one package (--packages)");
        }
        TreeSet<String> sorted = new TreeSet<>();
        for (String p : packages) {
            if (p == null || !PACKAGE.matcher(p).matches()) {
                throw new InvalidInputException(
                        "'"
                                + p
                                + "' is not a Debian package name (lower-case letters, digits,"
                                + " '+', '-', '.')");
            }
            sorted.add(p);
        }
        if (sorted.size() > MAX_PACKAGES) {
            throw new InvalidInputException(
                    "at most " + MAX_PACKAGES + " packages, got " + sorted.size());
        }
        packages = List.copyOf(sorted);
        Objects.requireNonNull(exec, "exec is null");
        exec = exec.strip();
        if (exec.isEmpty()) {
            throw new InvalidInputException("the service's command (--exec) is empty");
        }
        if (exec.length() > MAX_EXEC_CHARS || exec.chars().anyMatch(c -> c == '\n' || c == '\0')) {
            throw new InvalidInputException(
                    "the service's command must be one line of at most "
                            + MAX_EXEC_CHARS
                            + " characters");
        }
        Objects.requireNonNull(ports, "ports is null");
        if (ports.isEmpty()) {
            throw new InvalidInputException(
                    "an image needs at least one port (--port tcp/N or udp/N)");
        }
        if (ports.size() > MAX_PORTS) {
            throw new InvalidInputException(
                    "an image declares at most " + MAX_PORTS + " ports, got " + ports.size());
        }
        Set<ServicePort> seen = new HashSet<>();
        for (ServicePort p : ports) {
            Objects.requireNonNull(p, "port is null");
            if (!seen.add(p)) {
                throw new InvalidInputException("port " + p + " is declared twice");
            }
        }
        ports = List.copyOf(new TreeSet<>(ports));
        Objects.requireNonNull(probe, "probe is null");
        if (probe.probedPort().isPresent() && !seen.contains(probe.probedPort().get())) {
            throw new InvalidInputException(
                    "probe " + probe + " is on a port the image does not declare (" + ports + ")");
        }
        if (memoryMiB < MIN_MEMORY_MIB || memoryMiB > MAX_MEMORY_MIB) {
            throw new InvalidInputException(
                    "memory "
                            + memoryMiB
                            + " MiB out of range "
                            + MIN_MEMORY_MIB
                            + ".."
                            + MAX_MEMORY_MIB);
        }
    }

    /**
     * The image's identity: SHA-256 over these inputs in a canonical form and the builder's own
     * inputs (its script's hash, the kernel package), so a change to any of them is a new image.
     */
    public String digest(String builderInputs) {
        Objects.requireNonNull(builderInputs, "builder inputs are null");
        List<String> lines = new ArrayList<>();
        lines.add("livezone-image-recipe 1");
        lines.add("packages " + String.join(",", packages));
        lines.add("exec " + exec);
        lines.add("ports " + ports);
        lines.add("probe " + probe);
        lines.add("memory " + memoryMiB);
        lines.add("builder " + builderInputs);
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of()
                    .formatHex(
                            sha.digest(String.join("\n", lines).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
