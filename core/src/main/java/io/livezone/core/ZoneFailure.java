package io.livezone.core;

import java.util.Objects;

/**
 * How a zone's VM died outside a migration, as its host agent saw it: judged by QEMU itself (the
 * process gone, its run state, or a monitor that stopped answering), never by what the control
 * plane believes.
 *
 * @param instance the QEMU instance that died (a restarted zone runs in a new one)
 * @param atMillis when the agent noticed
 * @param reason what happened, in an operator's words
 * @param exitStatus the process's exit status when known (QEMU was a child of this agent process);
 *     null otherwise, e.g. for a hang or after an agent restart
 * @param qemuOutput what QEMU printed on its stderr (errors, the signal that ended it)
 * @param consoleTail the last lines of the guest's serial console
 */
public record ZoneFailure(
        String zone,
        String instance,
        long atMillis,
        String reason,
        Integer exitStatus,
        String qemuOutput,
        String consoleTail) {
    public ZoneFailure {
        Objects.requireNonNull(zone, "zone is null");
        Objects.requireNonNull(instance, "instance is null");
        Objects.requireNonNull(reason, "reason is null");
        qemuOutput = qemuOutput == null ? "" : qemuOutput;
        consoleTail = consoleTail == null ? "" : consoleTail;
    }

    /** "killed by signal 9 (SIGKILL)" for 137 and the like; "exited with status 1" otherwise. */
    public static String describeExit(int status) {
        if (status > 128 && status < 128 + 65) {
            int signal = status - 128;
            return "killed by signal "
                    + signal
                    + switch (signal) {
                        case 9 -> " (SIGKILL)";
                        case 15 -> " (SIGTERM)";
                        case 6 -> " (SIGABRT)";
                        case 11 -> " (SIGSEGV)";
                        case 2 -> " (SIGINT)";
                        default -> "";
                    };
        }
        return "exited with status " + status;
    }
}
