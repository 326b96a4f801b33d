package io.livezone.core.fault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Named points of a move at which a fault-injection run can hold a process, so that a real fault
 * (SIGKILL, partition, full disk) lands in an exact phase instead of a lucky one — the failpoints
 * of FoundationDB, TiKV's fail-rs or etcd's gofail, reduced to files.
 *
 * <p>Off unless the JVM has {@code -Dlivezone.failpoints=DIR} (local clusters set it to their
 * {@code failpoints} folder). Then {@link #reach} of point {@code p} does nothing unless the file
 * {@code DIR/p} exists (one {@code stat}); if it does, it writes {@code DIR/p.reached} and waits
 * until {@code DIR/p} is gone (at most {@link #MAX_HOLD}). The run arms a point, waits for it to be
 * reached, injects its fault and disarms it ({@code lab.cluster.FaultControl}).
 */
public final class Failpoints {
    public static final String PROPERTY = "livezone.failpoints";

    /** A point held longer than this lets go, so a forgotten arm cannot wedge a process forever. */
    public static final Duration MAX_HOLD = Duration.ofMinutes(10);

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9.-]{0,63}");

    private Failpoints() {}

    /** Holds here while point {@code name} is armed; returns at once otherwise. */
    public static void reach(String name) {
        checked(name);
        Path dir = dir();
        if (dir == null) {
            return;
        }
        Path armed = dir.resolve(name);
        if (!Files.exists(armed)) {
            return;
        }
        try {
            Files.writeString(
                    dir.resolve(name + ".reached"),
                    ProcessHandle.current().pid() + "\n",
                    StandardCharsets.UTF_8);
            long deadline = System.nanoTime() + MAX_HOLD.toNanos();
            while (Files.exists(armed) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } catch (IOException e) {
            // A failpoint that cannot report itself holds nothing: the run times out and says so.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Validates a point's name (a file name: lower case, digits, dots, dashes). */
    public static String checked(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad failpoint name: " + name);
        }
        return name;
    }

    private static Path dir() {
        String d = System.getProperty(PROPERTY);
        return d == null || d.isBlank() ? null : Path.of(d);
    }
}
