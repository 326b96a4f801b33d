package io.livezone.policy;

import io.livezone.core.InvalidInputException;

/**
 * Phase one of the two-phase transfer: {@code senderId} asks {@code receiverId} to take zone {@code
 * zoneId}. Carries the loads the sender decided on so the receiver can tell whether the move still
 * pays with its own, fresher, load; a draining sender's move must happen whether it pays or not.
 */
public record MigrationProposal(
        String senderId,
        String receiverId,
        String zoneId,
        double zoneCpuPct,
        double senderLoadPct,
        double receiverLoadPct,
        double meanLoadPct,
        boolean senderDraining) {
    public MigrationProposal {
        Ids.require(senderId, "sender id");
        Ids.require(receiverId, "receiver id");
        Ids.require(zoneId, "zone id");
        if (senderId.equals(receiverId)) {
            throw new InvalidInputException(
                    "zone " + zoneId + " cannot be proposed from " + senderId + " to itself");
        }
        Percent.requireLoad(zoneCpuPct, "zone " + zoneId + ": CPU load");
        Percent.requireLoad(senderLoadPct, "sender load");
        Percent.requireLoad(receiverLoadPct, "receiver load");
        Percent.requireLoad(meanLoadPct, "mean load");
    }
}
