package io.livezone.network;

import static io.livezone.network.Iproute2.ip;
import static io.livezone.network.Iproute2.ipQuietly;

import io.livezone.core.InvalidInputException;
import io.livezone.core.Ipv4Interface;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A layer-2 segment for zones: a network namespace holding a Linux bridge, joined to the host by a
 * veth pair whose host end carries the gateway address. Every QEMU instance of a zone gets a tap on
 * that bridge with the zone's MAC; after a live migration QEMU's self-announce moves the bridge's
 * forwarding entry to the new tap, so the zone keeps its IP and MAC and players on the host keep
 * talking to the same address.
 *
 * <pre>
 *   host: lzh-NAME (gateway .1) ──veth── [netns lz-NAME: lzp ── br0 ── tap per QEMU instance]
 * </pre>
 */
public final class ZoneNetwork {
    public static final String NAMESPACE_PREFIX = "lz-";
    private static final Pattern NAME = Pattern.compile("[a-z0-9]{1,10}");
    private static final String BRIDGE = "br0";
    private static final String PEER = "lzp";

    private final String name;
    private final Ipv4Interface gateway;

    private ZoneNetwork(String name, Ipv4Interface gateway) {
        this.name = name;
        this.gateway = gateway;
    }

    /** Creates the namespace, bridge and host link; on any failure removes what it created. */
    public static ZoneNetwork create(String name, Ipv4Interface gateway) {
        validateName(name);
        if (gateway.prefixLength() != 24) {
            throw new InvalidInputException("zone networks are /24 subnets; got " + gateway);
        }
        if (exists(name)) {
            throw new InvalidInputException("zone network '" + name + "' already exists");
        }
        ZoneNetwork net = new ZoneNetwork(name, gateway);
        try {
            ip("netns", "add", net.namespace());
            net.inNs("link", "set", "lo", "up");
            net.inNs("link", "add", BRIDGE, "type", "bridge");
            // No STP and no forwarding delay: a new tap must pass traffic the moment the
            // destination VM runs.
            net.inNs(
                    "link",
                    "set",
                    BRIDGE,
                    "type",
                    "bridge",
                    "stp_state",
                    "0",
                    "forward_delay",
                    "0");
            net.inNs("link", "set", BRIDGE, "up");
            ip("link", "add", net.hostLink(), "type", "veth", "peer", "name", net.hostLink() + "p");
            ip("link", "set", net.hostLink() + "p", "netns", net.namespace());
            net.inNs("link", "set", net.hostLink() + "p", "name", PEER);
            net.inNs("link", "set", PEER, "master", BRIDGE, "up");
            ip("addr", "add", gateway.toString(), "dev", net.hostLink());
            ip("link", "set", net.hostLink(), "up");
            return net;
        } catch (RuntimeException e) {
            net.destroy();
            throw e;
        }
    }

    /** The network of that name if its namespace and host link exist. */
    public static Optional<ZoneNetwork> find(String name) {
        validateName(name);
        if (!exists(name)) {
            return Optional.empty();
        }
        String out =
                Iproute2.run(List.of("ip", "-4", "-o", "addr", "show", "dev", hostLinkOf(name)));
        for (String token : out.split("\\s+")) {
            if (token.contains("/") && Character.isDigit(token.charAt(0))) {
                return Optional.of(new ZoneNetwork(name, Ipv4Interface.parse(token)));
            }
        }
        return Optional.empty();
    }

    /**
     * An existing network seen from another network namespace (a host agent's), where the host link
     * is not visible: only the zone namespace, which every namespace can enter, is checked.
     */
    public static ZoneNetwork attach(String name, Ipv4Interface gateway) {
        validateName(name);
        if (!namespaces().contains(NAMESPACE_PREFIX + name)) {
            throw new NetworkException("zone network '" + name + "' does not exist");
        }
        return new ZoneNetwork(name, gateway);
    }

    public static ZoneNetwork findOrCreate(String name, Ipv4Interface gateway) {
        return find(name).orElseGet(() -> create(name, gateway));
    }

    public static boolean exists(String name) {
        return namespaces().contains(NAMESPACE_PREFIX + name)
                && ipQuietly("link", "show", "dev", hostLinkOf(name));
    }

    /** Names of all network namespaces on the host. */
    public static List<String> namespaces() {
        List<String> names = new ArrayList<>();
        for (String line : ip("netns", "list").split("\n")) {
            if (!line.isBlank()) {
                names.add(line.trim().split("\\s+")[0]);
            }
        }
        return names;
    }

    /**
     * A 10.213.k.1/24 gateway whose subnet no host route uses yet. The range is LiveZone's own;
     * nothing outside this machine is ever addressed.
     */
    public static Ipv4Interface freeGateway() {
        String routes = ip("-4", "route", "show");
        for (int k = 0; k < 256; k++) {
            if (!routes.contains("10.213." + k + ".0/24")) {
                return Ipv4Interface.parse("10.213." + k + ".1/24");
            }
        }
        throw new NetworkException("no free 10.213.x.0/24 subnet left for a zone network");
    }

    /** Removes the namespace (with its bridge and taps) and the host link. Idempotent. */
    public void destroy() {
        ipQuietly("link", "del", hostLink());
        ipQuietly("netns", "del", namespace());
    }

    /** Creates a persistent tap on the bridge for one QEMU instance. */
    public void addTap(String tap) {
        validateTap(tap);
        inNs("tuntap", "add", "dev", tap, "mode", "tap");
        try {
            inNs("link", "set", tap, "master", BRIDGE, "up");
        } catch (RuntimeException e) {
            removeTap(tap);
            throw e;
        }
    }

    public void removeTap(String tap) {
        validateTap(tap);
        ipQuietly("-n", namespace(), "link", "del", tap);
    }

    /**
     * Takes a tap's link down or up. Down also flushes the bridge's forwarding entries learned on
     * it, so frames for a zone's MAC are flooded to every port (and so reach a new instance) until
     * the bridge learns again.
     */
    public void setTapLink(String tap, boolean up) {
        validateTap(tap);
        inNs("link", "set", tap, up ? "up" : "down");
    }

    /** True if the tap exists and its link is administratively up. */
    public boolean isTapUp(String tap) {
        validateTap(tap);
        try {
            String out = ip("-n", namespace(), "-o", "link", "show", "dev", tap);
            int open = out.indexOf('<');
            int close = out.indexOf('>', open + 1);
            return open >= 0
                    && close > open
                    && java.util.Arrays.asList(out.substring(open + 1, close).split(","))
                            .contains("UP");
        } catch (RuntimeException e) {
            return false;
        }
    }

    public boolean hasTap(String tap) {
        return ipQuietly("-n", namespace(), "link", "show", "dev", tap);
    }

    /** Prefix that runs a command inside the namespace (QEMU must open its tap there). */
    public List<String> execPrefix() {
        return List.of("ip", "netns", "exec", namespace());
    }

    /** The n-th zone address of this subnet (n from 10), e.g. 10.213.0.10/24. */
    public Ipv4Interface hostAddress(int n) {
        if (n < 2 || n > 254) {
            throw new InvalidInputException("host number must be 2..254, got " + n);
        }
        byte[] b = gateway.address().getAddress();
        return Ipv4Interface.parse(
                (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + n + "/24");
    }

    public boolean contains(Inet4Address address) {
        byte[] a = address.getAddress();
        byte[] g = gateway.address().getAddress();
        return a[0] == g[0] && a[1] == g[1] && a[2] == g[2];
    }

    public String name() {
        return name;
    }

    public String namespace() {
        return NAMESPACE_PREFIX + name;
    }

    public Ipv4Interface gateway() {
        return gateway;
    }

    public String hostLink() {
        return hostLinkOf(name);
    }

    private static String hostLinkOf(String name) {
        return "lzh-" + name;
    }

    private void inNs(String... args) {
        List<String> cmd = new ArrayList<>(List.of("-n", namespace()));
        cmd.addAll(List.of(args));
        ip(cmd.toArray(String[]::new));
    }

    private static void validateName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidInputException(
                    "bad network name '" + name + "'; use 1-10 lowercase letters or digits");
        }
    }

    private static void validateTap(String tap) {
        if (tap == null || !tap.matches("[a-z0-9-]{1,15}")) {
            throw new InvalidInputException("bad tap name '" + tap + "'");
        }
    }

    @Override
    public String toString() {
        return "ZoneNetwork[" + name + " " + gateway + "]";
    }
}
