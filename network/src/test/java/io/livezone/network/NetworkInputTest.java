package io.livezone.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.InvalidInputException;
import io.livezone.core.Ipv4Interface;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Names and addresses are checked before anything is created: these calls fail without adding a
 * namespace, link or bridge (at most they read the host's links and routes).
 */
class NetworkInputTest {
    private static final Ipv4Interface GATEWAY = Ipv4Interface.parse("10.213.250.1/24");

    @Test
    void zoneNetworkNamesAreOneToTenLowerCaseLettersOrDigits() {
        for (String bad : new String[] {"", "Lab", "lab_1", "lab-1", "abcdefghijk", "la b"}) {
            assertThatThrownBy(() -> ZoneNetwork.create(bad, GATEWAY))
                    .as("name '%s'", bad)
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("bad network name '" + bad + "'");
            assertThat(ZoneNetwork.namespaces()).doesNotContain("lz-" + bad);
        }
        assertThatThrownBy(() -> ZoneNetwork.create(null, GATEWAY))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> ZoneNetwork.find("Lab")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> ZoneNetwork.attach("lab_1", GATEWAY))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void aZoneNetworkIsASlash24() {
        String name = uniqueName();
        assertThatThrownBy(() -> ZoneNetwork.create(name, Ipv4Interface.parse("10.213.0.1/16")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("zone networks are /24 subnets; got 10.213.0.1/16");
        assertThat(ZoneNetwork.exists(name)).isFalse();
        assertThat(ZoneNetwork.namespaces()).doesNotContain("lz-" + name);
    }

    @Test
    void attachingToAMissingNetworkFails() {
        String name = uniqueName();
        assertThatThrownBy(() -> ZoneNetwork.attach(name, GATEWAY))
                .isInstanceOf(NetworkException.class)
                .hasMessageContaining("zone network '" + name + "' does not exist");
        assertThat(ZoneNetwork.find(name)).isEmpty();
    }

    @Test
    void aFreeGatewayIsTheFirstAddressOfA10_213SubnetNoRouteUses() {
        String routesBefore = Iproute2.ip("-4", "route", "show");
        Ipv4Interface gateway = ZoneNetwork.freeGateway();
        String routesAfter = Iproute2.ip("-4", "route", "show");
        String text = gateway.toString();
        assertThat(text).matches("10\\.213\\.\\d{1,3}\\.1/24");
        String subnet = text.replaceAll("\\.1/24$", ".0/24");
        // Other processes may add or remove zone networks meanwhile: a used subnet is one that
        // was routed both before and after.
        assertThat(routesBefore.contains(subnet) && routesAfter.contains(subnet))
                .as("%s routed", subnet)
                .isFalse();
    }

    @Test
    void hostNetworkInputIsCheckedBeforeAnythingIsCreated() {
        assertThatThrownBy(() -> HostNetwork.create("Lab", List.of("h1")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(
                        "cluster name 'Lab' must be 1-8 lower-case letters or digits");
        assertThatThrownBy(() -> HostNetwork.create("abcdefghi", List.of("h1")))
                .isInstanceOf(InvalidInputException.class);
        String cluster = uniqueName().substring(0, 8);
        assertThatThrownBy(() -> HostNetwork.create(cluster, List.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("a local cluster has 1..200 hosts");
        // The second host's name is bad: the first one's namespace must not be made either.
        assertThatThrownBy(() -> HostNetwork.create(cluster, List.of("h1", "H_2")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("host name 'H_2' must be 1-8 lower-case letters or digits");
        assertThat(HostNetwork.exists(cluster)).isFalse();
        assertThat(HostNetwork.leftovers(cluster)).isEmpty();
    }

    /** A name no other test or process uses: "t" and nine random lower-case letters or digits. */
    static String uniqueName() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder b = new StringBuilder("t");
        for (int i = 0; i < 9; i++) {
            b.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
