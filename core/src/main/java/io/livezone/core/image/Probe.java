package io.livezone.core.image;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import io.livezone.core.InvalidInputException;

import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How a zone tells its service is ready: a TCP port that accepts, a UDP port that answers a
 * request, or nothing (ready once the service started). Run inside the guest, against its loopback.
 */
public sealed interface Probe {
    /** Its JSON form is its text form: {@code tcp/M}, {@code udp/N:HEX}, {@code none}. */
    @JsonValue
    String toString();

    /**
     * Largest UDP request a probe sends: a readiness query, within one Ethernet frame (a Teeworlds
     * 0.7 token request is 519 bytes, zero-padded by its protocol).
     */
    int MAX_REQUEST_BYTES = 1200;

    record Tcp(int port) implements Probe {
        public Tcp {
            new ServicePort(ServicePort.Protocol.TCP, port); // validates the range
        }

        @Override
        public String toString() {
            return "tcp/" + port;
        }
    }

    /** Sends {@code requestHex} (hex digits) and waits for any datagram back. */
    record Udp(int port, String requestHex) implements Probe {
        public Udp {
            new ServicePort(ServicePort.Protocol.UDP, port);
            Objects.requireNonNull(requestHex, "request is null");
            if (requestHex.isEmpty() || requestHex.length() % 2 != 0) {
                throw new InvalidInputException(
                        "udp probe request must be an even number of hex digits, got '"
                                + requestHex
                                + "'");
            }
            try {
                HexFormat.of().parseHex(requestHex);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(
                        "udp probe request must be hex digits, got '" + requestHex + "'");
            }
            if (requestHex.length() / 2 > MAX_REQUEST_BYTES) {
                throw new InvalidInputException(
                        "udp probe request is longer than " + MAX_REQUEST_BYTES + " bytes");
            }
            requestHex = requestHex.toLowerCase(Locale.ROOT);
        }

        @Override
        public String toString() {
            return "udp/" + port + ":" + requestHex;
        }
    }

    record None() implements Probe {
        @Override
        public String toString() {
            return "none";
        }
    }

    /** The port it probes, if any. */
    default Optional<ServicePort> probedPort() {
        return switch (this) {
            case Tcp t -> Optional.of(new ServicePort(ServicePort.Protocol.TCP, t.port()));
            case Udp u -> Optional.of(new ServicePort(ServicePort.Protocol.UDP, u.port()));
            case None n -> Optional.empty();
        };
    }

    /** Parses {@code tcp/M}, {@code udp/N:HEXREQUEST} or {@code none} (also its JSON form). */
    @JsonCreator
    static Probe parse(String text) {
        Objects.requireNonNull(text, "probe is null");
        String s = text.strip();
        if (s.equalsIgnoreCase("none")) {
            return new None();
        }
        int slash = s.indexOf('/');
        if (slash < 0) {
            throw new InvalidInputException(
                    "probe '" + text + "' must be tcp/PORT, udp/PORT:HEXREQUEST or none");
        }
        ServicePort.Protocol protocol = ServicePort.protocol(s.substring(0, slash), text);
        String rest = s.substring(slash + 1);
        if (protocol == ServicePort.Protocol.TCP) {
            return new Tcp(ServicePort.number(rest, text));
        }
        int colon = rest.indexOf(':');
        if (colon < 0) {
            throw new InvalidInputException(
                    "udp probe '" + text + "' needs a request: udp/PORT:HEXREQUEST");
        }
        return new Udp(
                ServicePort.number(rest.substring(0, colon), text), rest.substring(colon + 1));
    }
}
