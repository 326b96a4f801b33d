package io.livezone.core;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a zone is, independent of where it runs: identity, size, boot image and its network
 * identity. The NIC's MAC and IP travel with the zone on every migration, and so does the content
 * of its disk, if it has one (where the disk's bytes live is the host's business: {@link
 * DiskDevice} only says how to attach them).
 */
public record ZoneSpec(
        String name,
        MemorySize memory,
        int vcpus,
        BootImage boot,
        NicSpec nic,
        ZoneApp app,
        Optional<DiskDevice> disk) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,23}");
    public static final MemorySize MIN_MEMORY = MemorySize.ofMiB(160);
    public static final MemorySize MAX_MEMORY = MemorySize.ofMiB(64 * 1024);

    public ZoneSpec {
        validateName(name);
        Objects.requireNonNull(memory, "memory is null");
        if (memory.compareTo(MIN_MEMORY) < 0 || memory.compareTo(MAX_MEMORY) > 0) {
            throw new InvalidInputException(
                    "zone memory "
                            + memory
                            + " out of range "
                            + MIN_MEMORY
                            + ".."
                            + MAX_MEMORY
                            + " (the guest needs at least "
                            + MIN_MEMORY
                            + " for its kernel and Java runtime)");
        }
        if (memory.bytes() % MemorySize.MIB != 0) {
            throw new InvalidInputException(
                    "zone memory must be a whole number of MiB, got " + memory.bytes() + " bytes");
        }
        if (vcpus < 1 || vcpus > 16) {
            throw new InvalidInputException("vcpus must be 1..16, got " + vcpus);
        }
        Objects.requireNonNull(boot, "boot is null");
        Objects.requireNonNull(nic, "nic is null");
        Objects.requireNonNull(app, "app is null");
        Objects.requireNonNull(disk, "disk is null");
    }

    /** A zone without a disk. */
    public ZoneSpec(
            String name, MemorySize memory, int vcpus, BootImage boot, NicSpec nic, ZoneApp app) {
        this(name, memory, vcpus, boot, nic, app, Optional.empty());
    }

    /** The same zone with {@code device} attached. */
    public ZoneSpec withDisk(DiskDevice device) {
        return new ZoneSpec(name, memory, vcpus, boot, nic, app, Optional.of(device));
    }

    public static String validateName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidInputException(
                    "bad zone name '"
                            + name
                            + "'; use 1-24 characters: lowercase letters, digits and '-', starting"
                            + " with a letter");
        }
        return name;
    }
}
