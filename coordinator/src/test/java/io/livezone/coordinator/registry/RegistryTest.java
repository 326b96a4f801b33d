package io.livezone.coordinator.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.coordinator.registry.HostRecord.HostState;
import io.livezone.coordinator.registry.ZoneRecord.ZoneLifecycle;
import io.livezone.coordinator.testing.TestCluster;
import io.livezone.core.InvalidInputException;
import io.livezone.core.ZoneNotFoundException;
import io.livezone.core.cluster.Heartbeat;
import io.livezone.core.cluster.HostLoad;
import io.livezone.core.cluster.LinkSettings;
import io.livezone.core.http.ApiException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

/** Sites, hosts, links and zones; host liveness from heartbeats. */
class RegistryTest {
    private final Store store = Store.inMemory();
    private final Registry registry = new Registry(store);

    RegistryTest() {
        registry.addSite("eu");
        registry.addSite("us");
        registry.addHost("h1", "eu", 1L << 30, 125_000_000);
        registry.addHost("h2", "eu", 2L << 30, 125_000_000);
        registry.addHost("h3", "us", 1L << 30, 12_500_000);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static Heartbeat beat(String host, String site, String url, long memory) {
        return new Heartbeat(host, site, url, 0, new HostLoad(5, 1, memory, 0, 0, List.of()));
    }

    @Test
    void aHeartbeatBringsAConfiguredHostUp() {
        assertThat(registry.host("h1").state()).isEqualTo(HostState.UNKNOWN);

        assertThat(registry.heartbeat(beat("h1", "eu", "http://10.0.0.1:7700", 9), 1000)).isTrue();
        HostRecord h = registry.host("h1");
        assertThat(h.state()).isEqualTo(HostState.UP);
        assertThat(h.url()).isEqualTo("http://10.0.0.1:7700");
        assertThat(h.lastSeenMillis()).isEqualTo(1000);
        assertThat(h.load().cpuPercent()).isEqualTo(5);
        // Configured capacities are kept; the load report does not override them.
        assertThat(h.memoryBytes()).isEqualTo(1L << 30);
        assertThat(store.hosts().getFirst().url()).isEqualTo("http://10.0.0.1:7700");

        assertThat(registry.heartbeat(beat("h1", "eu", "http://10.0.0.1:7700", 9), 2000)).isFalse();
        assertThat(registry.host("h1").lastSeenMillis()).isEqualTo(2000);

        // An agent restarted on another address is reached there from now on.
        registry.heartbeat(beat("h1", "eu", "http://10.0.0.9:7700", 9), 3000);
        assertThat(registry.host("h1").url()).isEqualTo("http://10.0.0.9:7700");
        assertThat(store.hosts().getFirst().url()).isEqualTo("http://10.0.0.9:7700");
    }

    @Test
    void anUnconfiguredHostRegistersItselfInAKnownSite() {
        assertThat(registry.heartbeat(beat("h4", "us", "http://10.0.0.4:7700", 4L << 30), 10))
                .isTrue();

        HostRecord h = registry.host("h4");
        assertThat(h.site()).isEqualTo("us");
        assertThat(h.state()).isEqualTo(HostState.UP);
        assertThat(h.memoryBytes()).isEqualTo(4L << 30);
        assertThat(h.nicBytesPerSec()).isEqualTo(125_000_000L);
        assertThat(store.hosts()).extracting(HostRecord::name).contains("h4");
    }

    @Test
    void aHeartbeatFromAnUnknownSiteIsRejected() {
        assertThatThrownBy(() -> registry.heartbeat(beat("h4", "mars", "http://x:1", 1), 10))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("unknown site 'mars'; known sites: [eu, us]");
        assertThat(registry.findHost("h4")).isEmpty();
    }

    @Test
    void aHostCannotMoveToAnotherSite() {
        assertThatThrownBy(() -> registry.heartbeat(beat("h1", "us", "http://x:1", 1), 10))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("host h1 is registered in site eu, not us");
        assertThat(registry.host("h1").state()).isEqualTo(HostState.UNKNOWN);
        assertThat(registry.host("h1").site()).isEqualTo("eu");
    }

    @Test
    void hostsThatStopHeartbeatingGoDownAndTheirZonesAreLost() {
        registry.heartbeat(beat("h1", "eu", "http://x:1", 1), 1000);
        registry.heartbeat(beat("h2", "eu", "http://x:2", 1), 1500);
        registry.putZone(
                new ZoneRecord(TestCluster.definition("a", 192), "h1", ZoneLifecycle.RUNNING));
        registry.putZone(
                new ZoneRecord(TestCluster.definition("b", 192), "h2", ZoneLifecycle.RUNNING));

        assertThat(registry.expire(6000, 5000)).isEmpty();
        assertThat(registry.expire(6001, 5000)).containsExactly("h1");

        assertThat(registry.host("h1").state()).isEqualTo(HostState.DOWN);
        assertThat(registry.host("h2").state()).isEqualTo(HostState.UP);
        // A host that never reported is not "down".
        assertThat(registry.host("h3").state()).isEqualTo(HostState.UNKNOWN);
        assertThat(registry.zone("a").state()).isEqualTo(ZoneLifecycle.LOST);
        assertThat(registry.zone("a").host()).isEqualTo("h1");
        assertThat(registry.zone("b").state()).isEqualTo(ZoneLifecycle.RUNNING);
        assertThat(store.zones()).contains(registry.zone("a"));
        assertThat(registry.expire(6500, 5000)).isEmpty(); // h1 is not reported twice

        // Back from DOWN counts as coming up again.
        assertThat(registry.heartbeat(beat("h1", "eu", "http://x:1", 1), 8000)).isTrue();
        assertThat(registry.host("h1").state()).isEqualTo(HostState.UP);
    }

    @Test
    void linksWithinASiteAreNoneAndAcrossSitesAsConfigured() {
        assertThat(registry.linkBetween("h1", "h2")).isEqualTo(LinkSettings.NONE);
        // No link configured between the sites: nothing is emulated.
        assertThat(registry.linkBetween("h1", "h3")).isEqualTo(LinkSettings.NONE);

        registry.putLink(new SiteLink("eu", "us", new LinkSettings(30, 3, 50_000_000)));
        assertThat(registry.linkBetween("h1", "h3")).isEqualTo(new LinkSettings(30, 3, 50_000_000));
        assertThat(registry.linkBetween("h3", "h1")).isEqualTo(new LinkSettings(30, 3, 50_000_000));
        assertThat(registry.linkBetween("h1", "h2")).isEqualTo(LinkSettings.NONE);
    }

    @Test
    void aLinkWithoutBandwidthRunsAtTheSlowerNic() {
        registry.putLink(new SiteLink("us", "eu", new LinkSettings(30, 3, 0)));

        assertThat(registry.linkBetween("h1", "h3")).isEqualTo(new LinkSettings(30, 3, 12_500_000));
        assertThat(registry.linkBetween("h3", "h2")).isEqualTo(new LinkSettings(30, 3, 12_500_000));
        assertThat(registry.links()).hasSize(1);
    }

    @Test
    void aLinkIsReplacedWhicheverWayItsSitesAreNamed() {
        registry.putLink(new SiteLink("eu", "us", new LinkSettings(30, 0, 1000)));
        registry.putLink(new SiteLink("us", "eu", new LinkSettings(10, 0, 1000)));

        assertThat(registry.links()).hasSize(1);
        assertThat(registry.linkBetween("h1", "h3").latencyMs()).isEqualTo(10);
    }

    @Test
    void badSitesHostsAndLinksAreRejected() {
        assertThatThrownBy(() -> registry.addSite("EU"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("invalid site name 'EU'");
        assertThatThrownBy(() -> registry.addHost("h 5", "eu", 1, 1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("invalid host name 'h 5'");
        assertThatThrownBy(() -> registry.addHost("h5", "mars", 1, 1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("unknown site 'mars'");
        assertThatThrownBy(() -> registry.addHost("h5", "eu", 0, 1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("host h5: memory and NIC bandwidth must be positive");
        assertThatThrownBy(
                        () -> registry.putLink(new SiteLink("eu", "eu", new LinkSettings(1, 0, 0))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("a link joins two different sites, got eu twice");
        assertThatThrownBy(
                        () ->
                                registry.putLink(
                                        new SiteLink("eu", "mars", new LinkSettings(1, 0, 0))))
                .isInstanceOf(InvalidInputException.class);
        assertThat(registry.sites()).containsExactly("eu", "us");
        assertThat(registry.links()).isEmpty();
    }

    @Test
    void unknownHostsAndZonesAreNotFound() {
        assertThatThrownBy(() -> registry.host("h9"))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(404))
                .hasMessage("unknown host 'h9'");
        assertThatThrownBy(() -> registry.zone("nope"))
                .isInstanceOf(ZoneNotFoundException.class)
                .hasMessage("unknown zone 'nope'");
        assertThatThrownBy(() -> registry.linkBetween("h1", "h9")).isInstanceOf(ApiException.class);
    }

    @Test
    void zonesAreListedByNameAndRemoved() {
        registry.putZone(
                new ZoneRecord(TestCluster.definition("zz", 192), "h1", ZoneLifecycle.RUNNING));
        registry.putZone(
                new ZoneRecord(TestCluster.definition("aa", 192), "h2", ZoneLifecycle.STAGING));

        assertThat(registry.zones()).extracting(ZoneRecord::name).containsExactly("aa", "zz");
        registry.removeZone("zz");
        assertThat(registry.findZone("zz")).isEmpty();
        assertThat(store.zones()).extracting(ZoneRecord::name).containsExactly("aa");
    }
}
