package io.livezone.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.livezone.core.InvalidInputException;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

class EquiPingPlacementTest {
    private static final List<String> PLAYERS = List.of("p1", "p2", "p3");

    private static Map<String, Double> row(double p1, double p2, double p3) {
        return Map.of("p1", p1, "p2", p2, "p3", p3);
    }

    // rtt[s][p] in ms. Closeness = mean over pairs (p1,p2), (p1,p3), (p2,p3) of |difference|:
    //   sA 20/40/60:    (20 + 40 + 20) / 3 = 26.67, mean RTT 40
    //   sB 50/55/60:    ( 5 + 10 +  5) / 3 =  6.67, mean RTT 55   <- winner at 180 ms
    //   sC 181/181/181: ( 0 +  0 +  0) / 3 =  0,    mean RTT 181  <- fairest, but beyond 180 ms for
    // everyone
    private static final Map<String, Map<String, Double>> RTT =
            Map.of(
                    "sA", row(20, 40, 60),
                    "sB", row(50, 55, 60),
                    "sC", row(181, 181, 181));

    @Test
    void picksTheServerWithTheSmallestClosenessFactorAmongThoseWithin180Ms() {
        EquiPingDecision decision =
                new EquiPingPlacement().choose(PLAYERS, List.of("sA", "sB", "sC"), RTT);

        assertThat(decision.choice()).isPresent();
        EquiPingChoice choice = decision.choice().orElseThrow();
        assertThat(choice.serverId()).isEqualTo("sB");
        assertThat(choice.closenessMs()).isCloseTo(20.0 / 3, within(1e-9));
        assertThat(choice.meanRttMs()).isCloseTo(55.0, within(1e-9));
        assertThat(decision.reason()).isEqualTo("server sB: closeness 6.7 ms, mean RTT 55.0 ms");
    }

    @Test
    void theDiscardLimitIsConfigurableAndInclusive() {
        EquiPingDecision lenient =
                new EquiPingPlacement(200, 16).choose(PLAYERS, List.of("sA", "sB", "sC"), RTT);
        assertThat(lenient.choice().orElseThrow().serverId()).isEqualTo("sC");
        assertThat(lenient.choice().orElseThrow().closenessMs()).isZero();

        // Exactly at the limit still qualifies; one player beyond it disqualifies the server.
        Map<String, Map<String, Double>> edge =
                Map.of("s1", row(180, 180, 180), "s2", row(10, 10, 181));
        assertThat(
                        new EquiPingPlacement()
                                .choose(PLAYERS, List.of("s1", "s2"), edge)
                                .choice()
                                .orElseThrow()
                                .serverId())
                .isEqualTo("s1");
    }

    @Test
    void noServerWithinTheLimitGivesAnEmptyChoiceWithAReason() {
        EquiPingDecision decision = new EquiPingPlacement().choose(PLAYERS, List.of("sC"), RTT);
        assertThat(decision.choice()).isEmpty();
        assertThat(decision.reason())
                .isEqualTo(
                        "no server qualifies: each of 1 servers is more than 180 ms from some"
                                + " player");
    }

    @Test
    void tiesBreakByMeanRttThenServerId() {
        // sX 10/20/30 and sY 40/50/60 both have closeness (10 + 20 + 10) / 3 = 13.33; sX has the
        // lower mean (20 < 50).
        Map<String, Map<String, Double>> rtt = Map.of("sY", row(40, 50, 60), "sX", row(10, 20, 30));
        assertThat(
                        new EquiPingPlacement()
                                .choose(PLAYERS, List.of("sY", "sX"), rtt)
                                .choice()
                                .orElseThrow()
                                .serverId())
                .isEqualTo("sX");

        // Identical rows: the smaller id wins whatever order the servers are listed in.
        Map<String, Map<String, Double>> same = Map.of("b", row(10, 20, 30), "a", row(10, 20, 30));
        assertThat(
                        new EquiPingPlacement()
                                .choose(PLAYERS, List.of("b", "a"), same)
                                .choice()
                                .orElseThrow()
                                .serverId())
                .isEqualTo("a");
        assertThat(
                        new EquiPingPlacement()
                                .choose(PLAYERS, List.of("a", "b"), same)
                                .choice()
                                .orElseThrow()
                                .serverId())
                .isEqualTo("a");
    }

    @Test
    void aSinglePlayerGetsTheNearestServer() {
        Map<String, Map<String, Double>> rtt =
                Map.of("s1", Map.of("p", 70.0), "s2", Map.of("p", 30.0));
        EquiPingChoice choice =
                new EquiPingPlacement()
                        .choose(List.of("p"), List.of("s1", "s2"), rtt)
                        .choice()
                        .orElseThrow();
        assertThat(choice.serverId()).isEqualTo("s2");
        assertThat(choice.closenessMs()).isZero();
    }

    @Test
    void aRepeatedGroupIsAnsweredFromTheCacheButChangedRttsAreRecomputed() {
        EquiPingPlacement placement = new EquiPingPlacement();
        EquiPingDecision first = placement.choose(PLAYERS, List.of("sA", "sB", "sC"), RTT);
        assertThat(placement.cacheHits()).isZero();

        // Same sets in another order: the key is the sorted sets, so this is a hit with the same
        // answer.
        EquiPingDecision again =
                placement.choose(List.of("p3", "p1", "p2"), List.of("sC", "sB", "sA"), RTT);
        assertThat(placement.cacheHits()).isEqualTo(1);
        assertThat(again).isSameAs(first);

        Map<String, Map<String, Double>> changed = new HashMap<>(RTT);
        changed.put("sA", row(50, 50, 50));
        EquiPingDecision recomputed = placement.choose(PLAYERS, List.of("sA", "sB", "sC"), changed);
        assertThat(placement.cacheHits()).isEqualTo(1);
        assertThat(recomputed.choice().orElseThrow().serverId()).isEqualTo("sA");
    }

    @Test
    void theCacheIsBoundedAndEvictsTheLeastRecentlyUsedGroup() {
        EquiPingPlacement placement = new EquiPingPlacement(180, 1);
        placement.choose(PLAYERS, List.of("sA"), RTT);
        placement.choose(PLAYERS, List.of("sB"), RTT);
        placement.choose(PLAYERS, List.of("sA"), RTT);
        assertThat(placement.cacheHits()).isZero();
        placement.choose(PLAYERS, List.of("sA"), RTT);
        assertThat(placement.cacheHits()).isEqualTo(1);
    }

    @Test
    void badInputIsRejected() {
        EquiPingPlacement placement = new EquiPingPlacement();
        List<String> servers = List.of("sA", "sB");
        assertThatThrownBy(() -> placement.choose(List.of(), servers, RTT))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("no players given");
        assertThatThrownBy(() -> placement.choose(PLAYERS, List.of(), RTT))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("no servers given");
        assertThatThrownBy(() -> placement.choose(List.of("p1", "p1"), servers, RTT))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("duplicate player p1");
        assertThatThrownBy(() -> placement.choose(PLAYERS, List.of("sA", "sZ"), RTT))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("no RTTs for server sZ");
        assertThatThrownBy(() -> placement.choose(List.of("p1", "p4"), servers, RTT))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("no RTT from server sA to player p4");
        assertThatThrownBy(
                        () ->
                                placement.choose(
                                        PLAYERS,
                                        servers,
                                        Map.of("sA", row(1, -2, 3), "sB", row(1, 2, 3))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("must be a finite number >= 0 ms");
        assertThatThrownBy(() -> placement.choose(PLAYERS, servers, null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new EquiPingPlacement(0, 10))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new EquiPingPlacement(180, -1))
                .isInstanceOf(InvalidInputException.class);
    }
}
