package io.livezone.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code ip} tool. There is no maintained Java netlink library, and iproute2 is what
 * operators know.
 */
public final class Iproute2 {
    private Iproute2() {}

    /** Runs {@code ip args...}; returns stdout or throws with stderr. */
    public static String ip(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** Runs {@code tc args...} (traffic control); returns stdout or throws with stderr. */
    public static String tc(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("tc");
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** Like {@link #ip} but reports failure as {@code false} (for idempotent clean-up). */
    public static boolean ipQuietly(String... args) {
        try {
            ip(args);
            return true;
        } catch (NetworkException e) {
            return false;
        }
    }

    static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            p.getOutputStream().close();
            var out = p.getInputStream().readAllBytes();
            var err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new NetworkException(
                        "'" + String.join(" ", cmd) + "' did not finish in 30 s");
            }
            if (p.exitValue() != 0) {
                throw new NetworkException(
                        "'"
                                + String.join(" ", cmd)
                                + "' failed: "
                                + new String(err, StandardCharsets.UTF_8).strip());
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new NetworkException(
                    "cannot run '"
                            + String.join(" ", cmd)
                            + "': "
                            + e.getMessage()
                            + " (is iproute2 installed?)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetworkException("interrupted while running '" + String.join(" ", cmd) + "'");
        }
    }
}
