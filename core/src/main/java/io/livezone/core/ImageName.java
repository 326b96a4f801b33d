package io.livezone.core;

import java.util.regex.Pattern;

/**
 * Names of images (base images and zone images share one namespace: a zone image's root disk is
 * registered as the base image of the same name).
 */
public final class ImageName {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,23}");

    private ImageName() {}

    /**
     * Returns {@code name} if it is 1-24 lowercase letters, digits and '-', starting with a letter.
     *
     * @param what what the name names, for the error ("base image", "image")
     */
    public static String validate(String name, String what) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidInputException(
                    "bad "
                            + what
                            + " name '"
                            + name
                            + "'; use 1-24 characters: lowercase letters, digits and '-', starting"
                            + " with a letter");
        }
        return name;
    }
}
