package io.livezone.core.image;

import io.livezone.core.ImageName;
import io.livezone.core.InvalidInputException;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A built zone image: its recipe, and the root disk made from it (a qcow2 holding an ext4 root
 * filesystem), which zones boot as the base of their own overlay.
 *
 * @param name the name it is known by
 * @param digest the recipe's digest ({@link ImageRecipe#digest}): its identity
 * @param recipe what it was built from
 * @param rootDiskSha256 SHA-256 of the root disk file: the name it has in every site's base image
 *     cache once the image is registered with a cluster
 * @param rootDiskBytes the root disk file's size
 * @param builtAtMillis when the build finished (epoch milliseconds)
 * @param buildMillis how long the build took
 */
public record ZoneImage(
        String name,
        String digest,
        ImageRecipe recipe,
        String rootDiskSha256,
        long rootDiskBytes,
        long builtAtMillis,
        long buildMillis) {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public ZoneImage {
        ImageName.validate(name, "image");
        Objects.requireNonNull(recipe, "recipe is null");
        if (digest == null || !SHA256.matcher(digest).matches()) {
            throw new InvalidInputException("image digest must be 64 hex digits, got " + digest);
        }
        if (rootDiskSha256 == null || !SHA256.matcher(rootDiskSha256).matches()) {
            throw new InvalidInputException(
                    "root disk hash must be 64 hex digits, got " + rootDiskSha256);
        }
        if (rootDiskBytes <= 0) {
            throw new InvalidInputException("root disk size must be positive");
        }
    }

    /** What a zone booted from this image records of it. */
    public ImageRef ref() {
        return new ImageRef(name, digest, recipe.ports());
    }
}
