package io.livezone.core.cluster;

import io.livezone.core.LiveZoneException;

/**
 * The agent no longer knows a job it accepted: it restarted (jobs live in its memory), or the job
 * finished so long ago that it was forgotten. What became of the operation is in what the agent
 * reports of its zones, not in the job.
 */
public final class AgentJobLostException extends LiveZoneException {
    public AgentJobLostException(String message) {
        super(message);
    }
}
