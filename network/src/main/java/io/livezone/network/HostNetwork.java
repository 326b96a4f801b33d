package io.livezone.network;

import static io.livezone.network.Iproute2.ip;
import static io.livezone.network.Iproute2.ipQuietly;

import io.livezone.core.InvalidInputException;
import io.livezone.core.Ipv4Interface;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The host network of a local cluster: one network namespace per emulated server, each joined by a
 * veth to a bridge in the root namespace that carries the coordinator's address. Agents, migration
 * streams and storage traffic travel here; zones keep their own network ({@link ZoneNetwork}). The
 * 10.214.k.0/24 range is LiveZone's own; nothing else is ever addressed.
 */
public final class HostNetwork {
    private static final String NAME = "[a-z][a-z0-9]{0,7}";
    private static final String HOST = "[a-z][a-z0-9]{0,7}";

    private final String cluster;
    private final Ipv4Interface bridgeAddress;
    private final Map<String, Ipv4Interface> hosts;

    private HostNetwork(
            String cluster, Ipv4Interface bridgeAddress, Map<String, Ipv4Interface> hosts) {
        this.cluster = cluster;
        this.bridgeAddress = bridgeAddress;
        this.hosts = hosts;
    }

    /** Creates the bridge and one namespace per host; on failure removes everything it made. */
    public static HostNetwork create(String cluster, List<String> hostNames) {
        if (cluster == null || !cluster.matches(NAME)) {
            throw new InvalidInputException(
                    "cluster name '" + cluster + "' must be 1-8 lower-case letters or digits");
        }
        if (hostNames.isEmpty() || hostNames.size() > 200) {
            throw new InvalidInputException("a local cluster has 1..200 hosts");
        }
        if (ipQuietly("link", "show", "dev", bridgeOf(cluster))) {
            throw new InvalidInputException("cluster '" + cluster + "' already has a host network");
        }
        Ipv4Interface bridge = freeSubnet();
        byte[] b = bridge.address().getAddress();
        String prefix = (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + ".";
        Map<String, Ipv4Interface> hosts = new LinkedHashMap<>();
        for (int i = 0; i < hostNames.size(); i++) {
            String h = hostNames.get(i);
            if (!h.matches(HOST)) {
                throw new InvalidInputException(
                        "host name '" + h + "' must be 1-8 lower-case letters or digits");
            }
            hosts.put(h, Ipv4Interface.parse(prefix + (10 + i) + "/24"));
        }
        HostNetwork net = new HostNetwork(cluster, bridge, hosts);
        try {
            String br = bridgeOf(cluster);
            ip("link", "add", br, "type", "bridge", "stp_state", "0", "forward_delay", "0");
            ip("addr", "add", bridge.toString(), "dev", br);
            ip("link", "set", br, "up");
            int i = 0;
            for (var e : hosts.entrySet()) {
                String ns = net.namespace(e.getKey());
                String veth = vethOf(cluster, i++);
                ip("netns", "add", ns);
                ip("-n", ns, "link", "set", "lo", "up");
                ip("link", "add", veth, "type", "veth", "peer", "name", veth + "p");
                ip("link", "set", veth + "p", "netns", ns);
                ip("-n", ns, "link", "set", veth + "p", "name", "eth0");
                ip("-n", ns, "addr", "add", e.getValue().toString(), "dev", "eth0");
                ip("-n", ns, "link", "set", "eth0", "up");
                ip("link", "set", veth, "master", br, "up");
            }
            return net;
        } catch (RuntimeException e) {
            destroy(cluster);
            throw e;
        }
    }

    /** Removes every namespace, veth and the bridge of {@code cluster}. Idempotent. */
    public static void destroy(String cluster) {
        for (String ns : ZoneNetwork.namespaces()) {
            if (ns.startsWith("lzc-" + cluster + "-")) {
                ipQuietly("netns", "del", ns);
            }
        }
        for (String line : ip("-o", "link", "show").split("\n")) {
            String[] parts = line.split(":\\s+");
            if (parts.length > 1) {
                String dev = parts[1].split("@")[0];
                if (dev.matches("lzv" + cluster + "[0-9]+")) {
                    ipQuietly("link", "del", dev);
                }
            }
        }
        ipQuietly("link", "del", bridgeOf(cluster));
    }

    public static boolean exists(String cluster) {
        return ipQuietly("link", "show", "dev", bridgeOf(cluster));
    }

    /** What is left of a cluster's host network (for tests that check clean-up). */
    public static List<String> leftovers(String cluster) {
        List<String> out = new ArrayList<>();
        for (String ns : ZoneNetwork.namespaces()) {
            if (ns.startsWith("lzc-" + cluster + "-")) {
                out.add(ns);
            }
        }
        if (exists(cluster)) {
            out.add(bridgeOf(cluster));
        }
        return out;
    }

    /**
     * Emulates a host NIC of {@code bytesPerSec} in each direction with the kernel's token-bucket
     * filter (tbf; this kernel has no netem, but tbf works): on the bridge-side veth for traffic
     * into the host and on the host's eth0 for traffic out of it. Both directions are separate, as
     * on a full-duplex NIC.
     */
    public void limitNic(String host, long bytesPerSec) {
        if (bytesPerSec <= 0) {
            throw new InvalidInputException("NIC rate must be positive, got " + bytesPerSec);
        }
        String rate = (bytesPerSec * 8) + "bit";
        // Burst: at least one 4 ms timer tick's worth at full rate, so tbf can reach its rate.
        String burst = Math.max(bytesPerSec / 250, 16 * 1024) + "b";
        // Queue: ~50 ms at full rate; TCP's congestion control keeps it from filling for long.
        String limit = Math.max(bytesPerSec / 20, 64 * 1024) + "b";
        namespace(host); // validates the name
        int i = new ArrayList<>(hosts.keySet()).indexOf(host);
        Iproute2.tc(
                "qdisc",
                "replace",
                "dev",
                vethOf(cluster, i),
                "root",
                "tbf",
                "rate",
                rate,
                "burst",
                burst,
                "limit",
                limit);
        Iproute2.tc(
                "-n",
                namespace(host),
                "qdisc",
                "replace",
                "dev",
                "eth0",
                "root",
                "tbf",
                "rate",
                rate,
                "burst",
                burst,
                "limit",
                limit);
    }

    /** The prefix that runs a command inside a host's namespace. */
    public List<String> execPrefix(String host) {
        return List.of("ip", "netns", "exec", namespace(host));
    }

    public String namespace(String host) {
        if (!hosts.containsKey(host)) {
            throw new InvalidInputException("unknown host " + host);
        }
        return namespaceOf(cluster, host);
    }

    /** The namespace of {@code host} in the host network of {@code cluster}. */
    public static String namespaceOf(String cluster, String host) {
        return "lzc-" + cluster + "-" + host;
    }

    public Ipv4Interface bridgeAddress() {
        return bridgeAddress;
    }

    public Map<String, Ipv4Interface> hosts() {
        return Map.copyOf(hosts);
    }

    public Ipv4Interface address(String host) {
        namespace(host);
        return hosts.get(host);
    }

    private static Ipv4Interface freeSubnet() {
        String routes = ip("-4", "route", "show");
        for (int k = 0; k < 256; k++) {
            if (!routes.contains("10.214." + k + ".0/24")) {
                return Ipv4Interface.parse("10.214." + k + ".1/24");
            }
        }
        throw new NetworkException("no free 10.214.x.0/24 subnet left for a host network");
    }

    private static String bridgeOf(String cluster) {
        return "lzb-" + cluster;
    }

    private static String vethOf(String cluster, int i) {
        return "lzv" + cluster + i;
    }
}
