package io.livezone.qemu;

import java.nio.file.Path;

/** Where LiveZone is installed (the checkout): set by bin/livezone and the test build. */
public final class LiveZoneHome {
    private LiveZoneHome() {}

    public static Path path() {
        String home = System.getProperty("livezone.home", System.getenv("LIVEZONE_HOME"));
        return Path.of(home == null ? "." : home).toAbsolutePath().normalize();
    }
}
