package io.livezone.core.image;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import io.livezone.core.InvalidInputException;

import java.util.Locale;
import java.util.Objects;

/** One port a zone's service listens on, as {@code tcp/7000} or {@code udp/30000}. */
public record ServicePort(Protocol protocol, int port) implements Comparable<ServicePort> {
    public enum Protocol {
        TCP,
        UDP;

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ServicePort {
        Objects.requireNonNull(protocol, "protocol is null");
        if (port < 1 || port > 65535) {
            throw new InvalidInputException(
                    "port " + protocol.id() + "/" + port + " is out of range 1..65535");
        }
    }

    /**
     * The name of this port's endpoint at the players' gateway for {@code zone}: {@code
     * kv1.tcp6379} (a zone name has no dot, so the gateway finds a zone's endpoints by the prefix
     * {@code zone.}).
     */
    public String endpointOf(String zone) {
        return zone + "." + protocol.id() + port;
    }

    /** Parses {@code tcp/N} or {@code udp/N} (also its JSON form). */
    @JsonCreator
    public static ServicePort parse(String text) {
        Objects.requireNonNull(text, "port is null");
        String s = text.strip();
        int slash = s.indexOf('/');
        if (slash < 0) {
            throw new InvalidInputException(
                    "port '" + text + "' must be tcp/N or udp/N (e.g. udp/30000)");
        }
        return new ServicePort(
                protocol(s.substring(0, slash), text), number(s.substring(slash + 1), text));
    }

    static Protocol protocol(String name, String whole) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "tcp" -> Protocol.TCP;
            case "udp" -> Protocol.UDP;
            default ->
                    throw new InvalidInputException(
                            "'" + whole + "': protocol must be tcp or udp, got '" + name + "'");
        };
    }

    static int number(String digits, String whole) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new InvalidInputException(
                    "'" + whole + "': port must be a number 1..65535, got '" + digits + "'");
        }
    }

    @Override
    public int compareTo(ServicePort o) {
        int c = protocol.compareTo(o.protocol);
        return c != 0 ? c : Integer.compare(port, o.port);
    }

    @JsonValue
    @Override
    public String toString() {
        return protocol.id() + "/" + port;
    }
}
