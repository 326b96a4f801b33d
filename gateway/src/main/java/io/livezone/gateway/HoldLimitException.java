package io.livezone.gateway;

import java.util.Objects;

/**
 * Thrown from a switchover hook to abort a migration because the gateway's hold of the zone ran
 * into a limit ({@link HoldProblem}): the migration is aborted, the source resumes, and the held
 * traffic goes back to it, instead of players' traffic being dropped or held for longer than
 * allowed.
 */
public final class HoldLimitException extends GatewayException {
    private final transient HoldHandle hold;

    public HoldLimitException(HoldHandle hold, GatewayConfig config) {
        super(message(hold, config));
        this.hold = Objects.requireNonNull(hold, "hold is null");
    }

    public HoldHandle hold() {
        return hold;
    }

    private static String message(HoldHandle hold, GatewayConfig config) {
        HoldProblem problem = hold.problem().orElseThrow();
        return switch (problem) {
            case EXPIRED ->
                    "the gateway held zone "
                            + hold.zone()
                            + "'s traffic for "
                            + hold.duration().toMillis()
                            + " ms, longer than maxHold "
                            + config.maxHold().toMillis()
                            + " ms; aborting the migration rather than holding its players longer"
                            + " (raise maxHold if switchovers of this zone take that long)";
            case OVERFLOWED ->
                    "the gateway's hold buffer of zone "
                            + hold.zone()
                            + " filled ("
                            + hold.maxHeldPackets()
                            + " packets, "
                            + hold.maxHeldBytes()
                            + " bytes; limits "
                            + config.maxHeldPackets()
                            + " / "
                            + config.maxHeldBytes()
                            + "); aborting the migration rather than dropping its players' traffic";
        };
    }
}
