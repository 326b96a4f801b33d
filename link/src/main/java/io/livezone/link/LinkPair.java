package io.livezone.link;

import java.util.Objects;
import java.util.Optional;

/**
 * The two directions of the path a tunnel's connections take: {@code outbound} carries what the
 * accepted side sends towards the target, {@code inbound} the replies. Empty means no emulation.
 *
 * <p>Give a pair to exactly one hop of a path (normally the sending host's forwarder), or its bytes
 * are delayed and rate-limited twice.
 */
public record LinkPair(Optional<EmulatedLink> outbound, Optional<EmulatedLink> inbound) {
    /** No emulation either way: same site, or a real deployment. */
    public static final LinkPair DIRECT = new LinkPair(Optional.empty(), Optional.empty());

    public LinkPair {
        Objects.requireNonNull(outbound, "outbound is null");
        Objects.requireNonNull(inbound, "inbound is null");
        if (outbound.isPresent() && outbound.equals(inbound)) {
            throw new IllegalArgumentException(
                    "link "
                            + outbound.get().name()
                            + " is given for both directions; a link is one direction, use one"
                            + " per direction");
        }
    }

    public static LinkPair of(EmulatedLink outbound, EmulatedLink inbound) {
        return new LinkPair(
                Optional.of(Objects.requireNonNull(outbound, "outbound is null")),
                Optional.of(Objects.requireNonNull(inbound, "inbound is null")));
    }

    /** The same path seen from the other end. */
    public LinkPair reversed() {
        return new LinkPair(inbound, outbound);
    }

    public boolean isDirect() {
        return outbound.isEmpty() && inbound.isEmpty();
    }
}
