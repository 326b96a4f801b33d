package io.livezone.core.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.InvalidInputException;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

class ClusterSnapshotTest {
    private static final List<ServerInfo> SERVERS =
            List.of(new ServerInfo("s1", "eu", 2), new ServerInfo("s2", "us", 1));
    private static final List<ZonePlacement> PLACEMENTS =
            List.of(new ZonePlacement("z1", "s1"), new ZonePlacement("z2", "s2"));

    @Test
    void aConsistentSnapshotIsAcceptedAndDefensivelyCopied() {
        List<ClientInfo> clients =
                new ArrayList<>(List.of(new ClientInfo("c1", "z1", Map.of("s1", 10.0))));
        ClusterSnapshot snapshot = new ClusterSnapshot(SERVERS, PLACEMENTS, clients);
        clients.clear();
        assertThat(snapshot.clients()).hasSize(1);
        assertThatThrownBy(() -> snapshot.servers().add(new ServerInfo("s3", "eu", 1)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void clientRttMapIsCopiedAndSparseEntriesAreEmpty() {
        Map<String, Double> rtt = new HashMap<>(Map.of("s1", 10.0));
        ClientInfo client = new ClientInfo("c1", "z1", rtt);
        rtt.put("s2", 5.0);
        assertThat(client.rttMsByServer()).containsOnlyKeys("s1");
        assertThat(client.rttMs("s1")).contains(10.0);
        assertThat(client.rttMs("s2")).isEmpty();
    }

    @Test
    void recordsRejectBadValues() {
        assertThatThrownBy(() -> new ServerInfo("s1", "eu", -1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("capacity");
        assertThatThrownBy(() -> new ServerInfo(" ", "eu", 1))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new ServerInfo(null, "eu", 1))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new ZonePlacement("", "s1"))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new ClientInfo("c1", "z1", Map.of("s1", -1.0)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("c1")
                .hasMessageContaining("s1");
        assertThatThrownBy(() -> new ClientInfo("c1", "z1", Map.of("s1", Double.NaN)))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void duplicateIdsAreRejected() {
        assertThatThrownBy(
                        () ->
                                new ClusterSnapshot(
                                        List.of(
                                                new ServerInfo("s1", "eu", 1),
                                                new ServerInfo("s1", "us", 1)),
                                        List.of(),
                                        List.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("duplicate server id s1");
        assertThatThrownBy(
                        () ->
                                new ClusterSnapshot(
                                        SERVERS,
                                        List.of(
                                                new ZonePlacement("z1", "s1"),
                                                new ZonePlacement("z1", "s2")),
                                        List.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("zone z1 is placed more than once");
        assertThatThrownBy(
                        () ->
                                new ClusterSnapshot(
                                        SERVERS,
                                        PLACEMENTS,
                                        List.of(
                                                new ClientInfo("c1", "z1", Map.of()),
                                                new ClientInfo("c1", "z2", Map.of()))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("duplicate client id c1");
    }

    @Test
    void unknownReferencesAreRejectedWithTheOffendingIds() {
        assertThatThrownBy(
                        () ->
                                new ClusterSnapshot(
                                        SERVERS, List.of(new ZonePlacement("z1", "s9")), List.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("zone z1 is placed on unknown server s9");
        assertThatThrownBy(
                        () ->
                                new ClusterSnapshot(
                                        SERVERS,
                                        PLACEMENTS,
                                        List.of(new ClientInfo("c1", "z9", Map.of()))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("client c1 plays in unknown zone z9");
        assertThatThrownBy(
                        () ->
                                new ClusterSnapshot(
                                        SERVERS,
                                        PLACEMENTS,
                                        List.of(new ClientInfo("c1", "z1", Map.of("s9", 1.0)))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("client c1 has an RTT to unknown server s9");
    }

    @Test
    void placementsBeyondCapacityAreRejected() {
        assertThatThrownBy(
                        () ->
                                new ClusterSnapshot(
                                        SERVERS,
                                        List.of(
                                                new ZonePlacement("z1", "s2"),
                                                new ZonePlacement("z2", "s2")),
                                        List.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("server s2 holds more zones than its capacity of 1");
    }
}
