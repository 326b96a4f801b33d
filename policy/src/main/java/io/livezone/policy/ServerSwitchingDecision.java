package io.livezone.policy;

import java.util.List;
import java.util.Objects;

/**
 * What to switch now: VMs to resume (and where), VMs to take out of rotation (drain, then
 * hibernate), and why. Both empty means keep the current set.
 */
public record ServerSwitchingDecision(
        List<ServerResume> resume, List<String> retire, String reason) {
    public ServerSwitchingDecision {
        resume = List.copyOf(Objects.requireNonNull(resume, "resume is null"));
        retire = List.copyOf(Objects.requireNonNull(retire, "retire is null"));
        Objects.requireNonNull(reason, "reason is null");
    }

    public boolean switches() {
        return !resume.isEmpty() || !retire.isEmpty();
    }
}
