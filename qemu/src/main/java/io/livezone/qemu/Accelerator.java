package io.livezone.qemu;

import java.util.List;

/**
 * How QEMU executes guest code. KVM when it really boots guests on this host, else TCG (software).
 */
public enum Accelerator {
    KVM(List.of("-accel", "kvm")),
    TCG(List.of("-accel", "tcg"));

    private final List<String> args;

    Accelerator(List<String> args) {
        this.args = args;
    }

    public List<String> qemuArgs() {
        return args;
    }

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
