package io.livezone.agent.balance;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import io.livezone.core.InvalidInputException;
import io.livezone.core.http.JsonHttpServer;
import io.livezone.policy.MigrationProposal;

import java.io.IOException;

/**
 * What conductors say to each other over the group, as JSON. {@link Load} is multicast to the group
 * every period; the two-phase transfer is unicast between sender and receiver: {@link Propose} →
 * {@link Answer} → {@link Commit} → {@link Outcome}. An {@link Outcome} that is not {@code moved}
 * also aborts an accepted proposal the sender will not commit, so the receiver's slot is freed at
 * once rather than when it times out.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ConductorMessage.Load.class, name = "load"),
    @JsonSubTypes.Type(value = ConductorMessage.Propose.class, name = "propose"),
    @JsonSubTypes.Type(value = ConductorMessage.Answer.class, name = "answer"),
    @JsonSubTypes.Type(value = ConductorMessage.Commit.class, name = "commit"),
    @JsonSubTypes.Type(value = ConductorMessage.Outcome.class, name = "outcome")
})
sealed interface ConductorMessage {
    /** The periodic broadcast (§IV information policy); it also tells who accepts zones now. */
    record Load(String host, double loadPct, boolean acceptsZones) implements ConductorMessage {}

    /** Phase one: {@code id} numbers the sender's proposals. */
    record Propose(long id, MigrationProposal proposal) implements ConductorMessage {}

    /** The receiver's vote; accepting reserves its single incoming slot. */
    record Answer(long id, boolean accepted, String reason) implements ConductorMessage {}

    /** Phase two: the sender starts the move; the slot stays taken until the outcome. */
    record Commit(long id) implements ConductorMessage {}

    /** The move ended (or the proposal was withdrawn); the receiver frees its slot. */
    record Outcome(long id, boolean moved, String detail) implements ConductorMessage {}

    static byte[] encode(ConductorMessage message) {
        try {
            return JsonHttpServer.JSON.writerFor(ConductorMessage.class).writeValueAsBytes(message);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + message, e);
        }
    }

    static ConductorMessage decode(byte[] bytes, int offset, int length) {
        try {
            return JsonHttpServer.JSON.readValue(bytes, offset, length, ConductorMessage.class);
        } catch (IOException e) {
            throw new InvalidInputException("malformed conductor message: " + e.getMessage());
        }
    }
}
