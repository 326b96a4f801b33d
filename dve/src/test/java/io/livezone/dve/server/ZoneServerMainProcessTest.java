package io.livezone.dve.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs ZoneServerMain the way the guest does — its own JVM, 48 MB heap, SerialGC — restricted to
 * java.base and with only this module's classes on the class path (no Jackson), so loading any
 * class outside java.base, or any bot class, would fail.
 */
class ZoneServerMainProcessTest {
    private static final Pattern READY =
            Pattern.compile("LIVEZONE-ZONE-READY zone=proc tcp=(\\d+) udp=(\\d+)");

    private static ProcessBuilder guestJvm(String... args) throws Exception {
        Path classes =
                Path.of(
                        ZoneServerMain.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "--limit-modules",
                                "java.base",
                                "-Xmx48m",
                                "-XX:+UseSerialGC",
                                "-cp",
                                classes.toString(),
                                ZoneServerMain.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    @Test
    void printsExactlyOneReadyLineAndServesWithJavaBaseOnly() throws Exception {
        Process p =
                guestJvm(
                                "--bind",
                                "127.0.0.1",
                                "--tcp-port",
                                "0",
                                "--udp-port",
                                "0",
                                "--tick-hz",
                                "20",
                                "--zone",
                                "proc")
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
        try (BufferedReader stdout =
                new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line = stdout.readLine();
            assertThat(line).isNotNull();
            Matcher m = READY.matcher(line);
            assertThat(m.matches()).as("ready line: " + line).isTrue();
            int tcp = Integer.parseInt(m.group(1));
            int udp = Integer.parseInt(m.group(2));

            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), tcp)) {
                s.setSoTimeout(10_000);
                PrintWriter out =
                        new PrintWriter(s.getOutputStream(), true, StandardCharsets.US_ASCII);
                BufferedReader in =
                        new BufferedReader(
                                new InputStreamReader(
                                        s.getInputStream(), StandardCharsets.US_ASCII));
                out.print("JOIN guestbot\n");
                out.flush();
                assertThat(in.readLine()).matches("WELCOME \\d+ [0-9a-f]+ " + udp + " 20");
                out.print("LEAVE\n");
                out.flush();
                assertThat(in.readLine()).isEqualTo("BYE");
            }
            // SIGTERM via the handle: Process.destroy() would also close our end of stdout.
            p.toHandle().destroy();
            assertThat(stdout.readLine()).as("nothing but the ready line on stdout").isNull();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void rejectsBadArgumentsWithUsageAndExitCode2() throws Exception {
        Process p =
                guestJvm("--zone", "proc", "--tick-hz", "fast").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(output).contains("--tick-hz expects an integer, got 'fast'").contains("usage:");
    }
}
