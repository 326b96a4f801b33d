package io.livezone.qemu.qmp;

/**
 * The {@code error.class} values QEMU 7.2 can report (see qapi/error.json), plus a fallback for
 * newer ones.
 */
public enum QmpErrorClass {
    GENERIC_ERROR("GenericError"),
    COMMAND_NOT_FOUND("CommandNotFound"),
    DEVICE_NOT_ACTIVE("DeviceNotActive"),
    DEVICE_NOT_FOUND("DeviceNotFound"),
    KVM_MISSING_CAP("KVMMissingCap"),
    /**
     * A class this client does not know; {@link QmpCommandException#errorClassName()} has the raw
     * name.
     */
    UNKNOWN("");

    private final String wireName;

    QmpErrorClass(String wireName) {
        this.wireName = wireName;
    }

    /**
     * The name as it appears on the wire, e.g. {@code GenericError}; empty for {@link #UNKNOWN}.
     */
    public String wireName() {
        return wireName;
    }

    public static QmpErrorClass fromWireName(String name) {
        for (QmpErrorClass c : values()) {
            if (c != UNKNOWN && c.wireName.equals(name)) {
                return c;
            }
        }
        return UNKNOWN;
    }
}
