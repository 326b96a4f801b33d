package io.livezone.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.coordinator.registry.ZoneRecord.ZoneLifecycle;
import io.livezone.coordinator.testing.TestCluster;
import io.livezone.core.Ipv4Interface;
import io.livezone.core.ZoneState;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ZoneServiceTest {
    private final TestCluster cluster = new TestCluster();
    private final ZoneService zones =
            new ZoneService(cluster.registry, cluster.agents, Ipv4Interface.parse("10.213.5.1/24"));

    @AfterEach
    void tearDown() {
        cluster.close();
    }

    /**
     * A zone at risk after its move: its source died on h1, a destination that never got all of it
     * waits on h2. Deleting it ends both, so no host keeps its name and address.
     */
    @Test
    void deletingAZoneEndsItsCopiesOnEveryHost() {
        ZoneRecord z = cluster.zone("arena", "h1");
        cluster.registry.putZone(z.in(ZoneLifecycle.LOST));
        cluster.agents.put("h1", "arena", ZoneState.DEAD);
        cluster.agents.put("h2", "arena", ZoneState.INCOMING);

        zones.delete("arena");

        assertThat(cluster.registry.findZone("arena")).isEmpty();
        assertThat(cluster.agents.state("h1", "arena")).isEmpty();
        assertThat(cluster.agents.state("h2", "arena")).isEmpty();
        assertThat(cluster.agents.calls("arena"))
                .contains("h1.stop(arena)", "h2.discardIncoming(arena)");
    }
}
