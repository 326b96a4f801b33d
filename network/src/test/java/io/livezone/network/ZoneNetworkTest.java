package io.livezone.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.livezone.core.InvalidInputException;
import io.livezone.core.Ipv4Interface;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;

/**
 * A real zone network: namespace, bridge, veth to the host and taps, made with iproute2 under a
 * name no one else uses, then removed. Traffic goes only into the namespace the test made.
 */
class ZoneNetworkTest {
    private String name;
    private Ipv4Interface gateway;
    private ZoneNetwork net;

    @BeforeAll
    static void requireRoot() {
        assumeTrue(
                "root".equals(System.getProperty("user.name")),
                "zone networks need root (network namespaces, bridges, taps)");
    }

    @BeforeEach
    void create() {
        name = NetworkInputTest.uniqueName();
        gateway = subnetFromTheTop();
        net = ZoneNetwork.create(name, gateway);
    }

    @AfterEach
    void destroyAndCheckNothingIsLeft() {
        net.destroy();
        assertNothingLeft();
    }

    @Test
    void aNetworkIsANamespaceWithABridgeJoinedToTheHostByAVeth() {
        assertThat(ZoneNetwork.exists(name)).isTrue();
        assertThat(ZoneNetwork.namespaces()).contains("lz-" + name);
        assertThat(net.namespace()).isEqualTo("lz-" + name);
        assertThat(ZoneNetwork.find(name))
                .hasValueSatisfying(
                        found -> {
                            assertThat(found.gateway()).isEqualTo(gateway);
                            assertThat(found.namespace()).isEqualTo(net.namespace());
                        });
        assertThat(Iproute2.ip("-n", net.namespace(), "-d", "-o", "link", "show", "dev", "br0"))
                .contains("bridge");
        assertThat(Iproute2.ip("-n", net.namespace(), "-o", "link", "show", "dev", "lzp"))
                .contains("master br0")
                .contains("state UP");
        assertThat(Iproute2.ip("-4", "-o", "addr", "show", "dev", net.hostLink()))
                .contains("inet " + gateway);
        assertThat(net.execPrefix()).containsExactly("ip", "netns", "exec", "lz-" + name);
    }

    @Test
    void theHostReachesAnAddressOnTheBridgeThroughTheVeth() throws Exception {
        Ipv4Interface onBridge = net.hostAddress(2);
        Iproute2.ip("-n", net.namespace(), "addr", "add", onBridge.toString(), "dev", "br0");
        // Nothing listens on the port: the namespace's answer is an ICMP port unreachable,
        // which proves the datagram crossed host link, veth and bridge, and came back.
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(10_000);
            socket.connect(new InetSocketAddress(onBridge.address(), 9));
            socket.send(new DatagramPacket(new byte[] {1}, 1));
            assertThatThrownBy(() -> socket.receive(new DatagramPacket(new byte[16], 16)))
                    .isInstanceOf(PortUnreachableException.class);
        }
    }

    @Test
    void aTapJoinsTheBridgeGoesDownAndUpAndLeaves() {
        String tap = "tap-" + name.substring(1, 8);
        net.addTap(tap);
        assertThat(net.hasTap(tap)).isTrue();
        assertThat(Iproute2.ip("-n", net.namespace(), "-o", "link", "show", "dev", tap))
                .contains("master br0");
        assertThat(flags(tap)).contains(",UP,");

        net.setTapLink(tap, false);
        assertThat(flags(tap)).doesNotContain(",UP,");
        net.setTapLink(tap, true);
        assertThat(flags(tap)).contains(",UP,");

        net.removeTap(tap);
        assertThat(net.hasTap(tap)).isFalse();
        net.removeTap(tap); // idempotent
        assertThatThrownBy(() -> net.addTap("Tap;rm"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("bad tap name");
    }

    @Test
    void zoneAddressesAreHostsOfTheSubnet() throws Exception {
        byte[] g = gateway.address().getAddress();
        String prefix = (g[0] & 0xff) + "." + (g[1] & 0xff) + "." + (g[2] & 0xff) + ".";
        assertThat(net.hostAddress(10)).isEqualTo(Ipv4Interface.parse(prefix + "10/24"));
        assertThat(net.hostAddress(254)).isEqualTo(Ipv4Interface.parse(prefix + "254/24"));
        assertThatThrownBy(() -> net.hostAddress(1)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> net.hostAddress(255)).isInstanceOf(InvalidInputException.class);
        assertThat(net.contains(Ipv4Interface.parseAddress(prefix + "77"))).isTrue();
        Inet4Address nextSubnet =
                Ipv4Interface.parseAddress("10.213." + ((g[2] & 0xff) - 1) + ".77");
        assertThat(net.contains(nextSubnet)).isFalse();
    }

    @Test
    void anExistingNetworkIsNotCreatedTwiceAndStaysIntact() {
        assertThatThrownBy(() -> ZoneNetwork.create(name, gateway))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("zone network '" + name + "' already exists");
        assertThat(ZoneNetwork.findOrCreate(name, gateway).gateway()).isEqualTo(gateway);
        assertThat(ZoneNetwork.exists(name)).isTrue();
    }

    @Test
    void destroyRemovesNamespaceBridgeTapsAndHostLinkAndMayBeRepeated() {
        net.addTap("tap-gone");
        net.destroy();
        assertNothingLeft();
        net.destroy();
        assertNothingLeft();
    }

    @Test
    void aCreateThatFailsHalfWayRemovesWhatItMade() {
        net.destroy();
        // Take the name of the veth's peer: the create fails after the namespace and bridge.
        String squatter = "lzh-" + name + "p";
        Iproute2.ip("link", "add", squatter, "type", "veth", "peer", "name", "lzq-" + name);
        try {
            assertThatThrownBy(() -> ZoneNetwork.create(name, gateway))
                    .isInstanceOf(NetworkException.class)
                    .hasMessageContaining("File exists");
            assertNothingLeft();
            assertThat(Iproute2.ipQuietly("link", "show", "dev", squatter))
                    .as("a link the create did not make")
                    .isTrue();
        } finally {
            Iproute2.ipQuietly("link", "del", squatter);
        }
    }

    private void assertNothingLeft() {
        assertThat(ZoneNetwork.exists(name)).isFalse();
        assertThat(ZoneNetwork.namespaces()).doesNotContain("lz-" + name);
        assertThat(Iproute2.ipQuietly("link", "show", "dev", "lzh-" + name)).isFalse();
        String subnet = gateway.toString().replaceAll("\\.1/24$", ".0/24");
        assertThat(Iproute2.ip("-4", "route", "show")).doesNotContain(subnet);
    }

    /** The link flags of a tap in the namespace, e.g. ",NO-CARRIER,BROADCAST,MULTICAST,UP,". */
    private String flags(String tap) {
        String line = Iproute2.ip("-n", net.namespace(), "-o", "link", "show", "dev", tap);
        return "," + line.substring(line.indexOf('<') + 1, line.indexOf('>')) + ",";
    }

    /**
     * A free 10.213.k.1/24 searched from k = 250 down: ZoneNetwork.freeGateway(), which the lab and
     * the cluster use, searches from 0 up, so a test running beside them does not take the subnet
     * they are about to pick.
     */
    private static Ipv4Interface subnetFromTheTop() {
        String routes = Iproute2.ip("-4", "route", "show");
        for (int k = 250; k > 100; k--) {
            if (!routes.contains("10.213." + k + ".0/24")) {
                return Ipv4Interface.parse("10.213." + k + ".1/24");
            }
        }
        throw new IllegalStateException("no free 10.213.k.0/24 subnet above 100");
    }
}
