package io.livezone.storage;

import io.livezone.core.EnvironmentException;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a short-lived program to completion, capturing stdout and stderr. */
final class ExternalCommand {
    record Result(int exitCode, String stdout, String stderr) {}

    private ExternalCommand() {}

    /**
     * Runs {@code command}; kills it if it outlives {@code timeout}.
     *
     * @throws EnvironmentException the program could not be started
     * @throws StorageException it did not finish in time, or the wait was interrupted
     */
    static Result run(List<String> command, Duration timeout) {
        Process process;
        try {
            process =
                    new ProcessBuilder(command)
                            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                            .start();
        } catch (IOException e) {
            throw new EnvironmentException(
                    "cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        // Both pipes drain concurrently: a program that fills one while we block on the other would
        // deadlock.
        CompletableFuture<byte[]> out = drain(process.getInputStream());
        CompletableFuture<byte[]> err = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new StorageException(
                        String.join(" ", command) + " did not finish within " + timeout);
            }
            return new Result(
                    process.exitValue(),
                    new String(out.join(), StandardCharsets.UTF_8),
                    new String(err.join(), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while running " + command.get(0), e);
        }
    }

    private static CompletableFuture<byte[]> drain(InputStream in) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        Thread.ofVirtual()
                .start(
                        () -> {
                            try (in) {
                                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                                in.transferTo(buf);
                                result.complete(buf.toByteArray());
                            } catch (IOException e) {
                                result.completeExceptionally(new UncheckedIOException(e));
                            }
                        });
        return result;
    }
}
