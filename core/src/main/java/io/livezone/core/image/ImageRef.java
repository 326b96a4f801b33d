package io.livezone.core.image;

import io.livezone.core.ImageName;
import io.livezone.core.InvalidInputException;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What a zone definition says about the image it boots: which image (by name and digest, so a zone
 * never silently changes what it runs) and the service ports players reach through the gateway. The
 * zone's disk is the image's root disk under an overlay of its own.
 */
public record ImageRef(String name, String digest, List<ServicePort> ports) {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public ImageRef {
        ImageName.validate(name, "image");
        if (digest == null || !SHA256.matcher(digest).matches()) {
            throw new InvalidInputException("image digest must be 64 hex digits, got " + digest);
        }
        if (ports == null || ports.isEmpty()) {
            throw new InvalidInputException("image " + name + " declares no port");
        }
        ports = List.copyOf(ports);
        if (ports.stream().distinct().count() != ports.size()) {
            throw new InvalidInputException("image " + name + " declares a port twice: " + ports);
        }
    }
}
