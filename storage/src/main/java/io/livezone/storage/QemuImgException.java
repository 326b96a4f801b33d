package io.livezone.storage;

import java.util.List;

/** {@code qemu-img} exited with an error; the message carries what it printed on stderr. */
public final class QemuImgException extends StorageException {
    private final List<String> command;
    private final int exitCode;
    private final String stderr;

    QemuImgException(String what, List<String> command, int exitCode, String stderr) {
        super(
                what
                        + ": qemu-img exited with status "
                        + exitCode
                        + (stderr.isBlank() ? "" : ": " + stderr.strip())
                        + " (command: "
                        + String.join(" ", command)
                        + ")");
        this.command = List.copyOf(command);
        this.exitCode = exitCode;
        this.stderr = stderr;
    }

    public List<String> command() {
        return command;
    }

    public int exitCode() {
        return exitCode;
    }

    /** What qemu-img printed on stderr, unchanged. */
    public String stderr() {
        return stderr;
    }
}
