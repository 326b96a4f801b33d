package io.livezone.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * QEMU answered a command with {@code {"error": {"class": ..., "desc": ...}}}. The connection stays
 * usable.
 */
public final class QmpCommandException extends QmpException {
    private final String command;
    private final QmpErrorClass errorClass;
    private final String errorClassName;
    private final String description;

    public QmpCommandException(String command, String errorClassName, String description) {
        super("QMP command '" + command + "' failed (" + errorClassName + "): " + description);
        this.command = command;
        this.errorClass = QmpErrorClass.fromWireName(errorClassName);
        this.errorClassName = errorClassName;
        this.description = description;
    }

    static QmpCommandException fromError(String command, JsonNode error) {
        return new QmpCommandException(
                command,
                error.path("class").asText("GenericError"),
                error.path("desc").asText("(no description)"));
    }

    public String command() {
        return command;
    }

    public QmpErrorClass errorClass() {
        return errorClass;
    }

    /**
     * The raw {@code error.class}, useful when {@link #errorClass()} is {@link
     * QmpErrorClass#UNKNOWN}.
     */
    public String errorClassName() {
        return errorClassName;
    }

    /** QEMU's human-readable {@code error.desc}. */
    public String description() {
        return description;
    }
}
