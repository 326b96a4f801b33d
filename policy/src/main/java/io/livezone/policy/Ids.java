package io.livezone.policy;

import io.livezone.core.InvalidInputException;

import java.util.Objects;

/** Host, zone and VM ids in the load-balancing records: present and not blank. */
final class Ids {
    private Ids() {}

    static String require(String id, String what) {
        Objects.requireNonNull(id, what + " is null");
        if (id.isBlank()) {
            throw new InvalidInputException(what + " is blank");
        }
        return id;
    }
}
