package io.livezone.core.cluster;

import io.livezone.core.InvalidInputException;

import java.nio.file.Path;

/**
 * Asks an agent to copy a base image from a file on its machine into its site's cache: how a zone
 * image built on this machine reaches a cluster. Refused unless the file's SHA-256 is {@code
 * sha256}, so a root disk changed since its build never becomes a base.
 *
 * @param file absolute path of a standalone qcow2 or raw image
 */
public record BaseImageImport(String name, String file, String sha256) {
    public BaseImageImport {
        DiskDefinition.validateImageName(name);
        BaseImageSend.validateSha256(sha256);
        if (file == null || !Path.of(file).isAbsolute()) {
            throw new InvalidInputException(
                    "a base image to import needs an absolute path: " + file);
        }
    }
}
