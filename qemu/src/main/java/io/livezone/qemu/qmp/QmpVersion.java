package io.livezone.qemu.qmp;

/**
 * QEMU version from the QMP greeting.
 *
 * @param packageVersion distribution package string (e.g. {@code Debian 1:7.2+dfsg-7}); empty if
 *     QEMU sent none
 */
public record QmpVersion(int major, int minor, int micro, String packageVersion) {

    public boolean isAtLeast(int major, int minor) {
        return this.major != major ? this.major > major : this.minor >= minor;
    }

    @Override
    public String toString() {
        return major
                + "."
                + minor
                + "."
                + micro
                + (packageVersion.isEmpty() ? "" : " (" + packageVersion + ")");
    }
}
