package io.livezone.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.livezone.core.InvalidInputException;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

class DecentralizedLoadBalancerTest {
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final LoadBalancerConfig CONFIG = LoadBalancerConfig.defaults();

    private final DecentralizedLoadBalancer balancer = new DecentralizedLoadBalancer();

    private static HostLoadReport peer(String id, double load) {
        return new HostLoadReport(id, load, NOW.minusSeconds(2), true);
    }

    private static List<ZoneLoad> zones(double... cpu) {
        List<ZoneLoad> zones = new ArrayList<>();
        for (int i = 0; i < cpu.length; i++) {
            zones.add(new ZoneLoad("z" + (i + 1), cpu[i]));
        }
        return zones;
    }

    private static ConductorView host(double load, List<ZoneLoad> zones, HostLoadReport... peers) {
        return new ConductorView(
                "me", NOW, load, zones, List.of(peers), Optional.empty(), false, false);
    }

    private static ConductorView calmedAt(ConductorView view, Instant lastMigration) {
        return new ConductorView(
                view.hostId(),
                view.now(),
                view.loadPct(),
                view.zones(),
                view.peers(),
                Optional.of(lastMigration),
                view.sending(),
                view.draining());
    }

    @Test
    void aHostMoreThanDeltaAboveTheMeanSendsTheZoneClosestToItsExcess() {
        // Mean (80 + 50 + 56 + 62) / 4 = 62, excess 18 > δ 5. Below the mean: b is 12 under (6
        // from the excess), c 6 under (12 from it): b. Target min(18, 12) = 12: z3 (14, 2 away)
        // beats z2 (9, 3 away); z4 (31) is heavier than the 30-point gap to b.
        ConductorView view =
                host(80, zones(4, 9, 14, 31), peer("c", 56), peer("b", 50), peer("d", 62));

        TransferDecision decision = balancer.decideTransfer(view, CONFIG);

        assertThat(decision.meanLoadPct()).isEqualTo(62.0);
        assertThat(decision.proposal())
                .contains(new MigrationProposal("me", "b", "z3", 14, 80, 50, 62, false));
        assertThat(decision.reason())
                .isEqualTo(
                        "load 80.0% > mean 62.0% + δ 5.0%: propose z3 (14.0%, target 12.0%) to b"
                                + " at 50.0%");
    }

    @Test
    void sendersWithTheSameViewSpreadOverEquallyGoodReceivers() {
        // Ten identical receivers, all 20 under the mean; twenty senders see the same reports.
        // Choosing by id would send all twenty proposals to r0, and nineteen would be refused.
        List<HostLoadReport> receivers = new ArrayList<>();
        for (int r = 0; r < 10; r++) {
            receivers.add(new HostLoadReport("r" + r, 40, NOW, true));
        }
        Set<String> picked = new HashSet<>();
        for (int s = 0; s < 20; s++) {
            List<HostLoadReport> peers = new ArrayList<>(receivers);
            for (int other = 0; other < 20; other++) {
                if (other != s) {
                    peers.add(new HostLoadReport("s" + other, 80, NOW, true));
                }
            }
            ConductorView view =
                    new ConductorView(
                            "s" + s, NOW, 80, zones(10, 20), peers, Optional.empty(), false, false);
            MigrationProposal proposal =
                    balancer.decideTransfer(view, CONFIG).proposal().orElseThrow();
            assertThat(balancer.decideTransfer(view, CONFIG).proposal()).contains(proposal);
            picked.add(proposal.receiverId());
        }
        assertThat(picked).hasSizeGreaterThanOrEqualTo(5);
    }

    @Test
    void aHostWithinDeltaOfTheMeanAndBelowCriticalStays() {
        // Mean (64 + 60 + 60 + 60) / 4 = 61: 3 points above is within δ 5.
        TransferDecision decision =
                balancer.decideTransfer(
                        host(64, zones(4, 8), peer("a", 60), peer("b", 60), peer("c", 60)), CONFIG);
        assertThat(decision.sends()).isFalse();
        assertThat(decision.reason())
                .isEqualTo(
                        "load 64.0% is within δ 5.0% of the mean 61.0%, not above critical 90.0%,"
                                + " and no host is more than δ below the mean");
    }

    @Test
    void theMostLoadedHostsFeedTheHostsMoreThanDeltaBelowTheMeanOnePairEach() {
        // Mean (63 + 62 + 62 + 62 + 61 + 44) / 6 = 59: nobody is more than δ above it, but d is 15
        // below — as a host that just joined would be. One host is underloaded, so only the most
        // loaded host (me, 63) feeds it; a (62) leaves it to me. Target min(4, 15) = 4: z1 (3)
        // beats z2 (6).
        TransferDecision decision =
                balancer.decideTransfer(
                        host(
                                63,
                                zones(3, 6, 30),
                                peer("a", 62),
                                peer("b", 62),
                                peer("x", 62),
                                peer("c", 61),
                                peer("d", 44)),
                        CONFIG);
        assertThat(decision.proposal())
                .contains(new MigrationProposal("me", "d", "z1", 3, 63, 44, 59, false));
        assertThat(decision.reason())
                .isEqualTo(
                        "load 63.0% > mean 59.0% and 1 host(s) below mean − δ 54.0%: propose z1"
                                + " (3.0%, target 4.0%) to d at 44.0%");

        ConductorView second =
                new ConductorView(
                        "a",
                        NOW,
                        62,
                        zones(3, 6),
                        List.of(
                                peer("me", 63),
                                peer("b", 62),
                                peer("x", 62),
                                peer("c", 61),
                                peer("d", 44)),
                        Optional.empty(),
                        false,
                        false);
        TransferDecision secondDecision = balancer.decideTransfer(second, CONFIG);
        assertThat(secondDecision.sends()).isFalse();
        assertThat(secondDecision.reason())
                .endsWith(
                        "and the 1 host(s) more than δ below the mean are fed by hosts above this"
                                + " one");
    }

    @Test
    void aHostAboveCriticalSendsEvenWithinDeltaButOnlyAZoneTheReceiverCanTake() {
        // Mean (92 + 90 + 85 + 89) / 4 = 89, excess 3 ≤ δ, but 92 > critical 90. Only a (85) is
        // below the mean. Gap 7 rules out z3 (8); 85 + z ≤ 90 allows z1 (2) and z2 (3.5); the
        // target min(3, 4) = 3 is nearer to 3.5.
        ConductorView view =
                host(92, zones(2, 3.5, 8), peer("a", 85), peer("b", 90), peer("c", 89));

        TransferDecision decision = balancer.decideTransfer(view, CONFIG);

        assertThat(decision.proposal().orElseThrow().zoneId()).isEqualTo("z2");
        assertThat(decision.proposal().orElseThrow().receiverId()).isEqualTo("a");
        assertThat(decision.reason()).startsWith("load 92.0% > critical 90.0%: propose z2");
    }

    @Test
    void aHostAboveCriticalButNotAboveTheMeanLeavesItToTheHottestHosts() {
        TransferDecision decision =
                balancer.decideTransfer(host(92, zones(5), peer("a", 95), peer("b", 95)), CONFIG);
        assertThat(decision.sends()).isFalse();
        assertThat(decision.reason()).contains("not above the mean 94.0%");
    }

    @Test
    void locationPrefersTheReceiverAsFarBelowTheMeanAsTheSenderIsAbove() {
        // Mean (100 + 40 + 60 + 100 + 100) / 5 = 80, excess 20. a is 40 below, b exactly 20
        // below: b wins although a is emptier. Target 20: z2 (18) beats z3 (25).
        ConductorView view =
                host(
                        100,
                        zones(5, 18, 25, 45),
                        peer("a", 40),
                        peer("b", 60),
                        peer("c", 100),
                        peer("d", 100));

        MigrationProposal proposal = balancer.decideTransfer(view, CONFIG).proposal().orElseThrow();

        assertThat(proposal.receiverId()).isEqualTo("b");
        assertThat(proposal.zoneId()).isEqualTo("z2");
    }

    @Test
    void equallyCloseZonesPreferTheLighterOne() {
        // Mean 60, excess 20, b and c at 50: target 10; z1 (12) and z2 (8) are both 2 away.
        ConductorView view = host(80, zones(12, 8), peer("b", 50), peer("c", 50));
        assertThat(balancer.decideTransfer(view, CONFIG).proposal().orElseThrow().zoneId())
                .isEqualTo("z2");
    }

    @Test
    void staleReportsAreHostsThatLeftAndDrainingHostsReceiveNothing() {
        HostLoadReport gone = new HostLoadReport("gone", 20, NOW.minusSeconds(16), true);
        ConductorView withStale = host(80, zones(10), gone, peer("b", 75), peer("c", 77));
        TransferDecision decision = balancer.decideTransfer(withStale, CONFIG);
        // Mean (80 + 75 + 77) / 3 = 77.3: the 20 % host no longer counts.
        assertThat(decision.meanLoadPct()).isCloseTo(77.333, within(1e-3));
        assertThat(decision.sends()).isFalse();

        HostLoadReport fresh = new HostLoadReport("gone", 20, NOW.minusSeconds(15), true);
        assertThat(
                        balancer.decideTransfer(
                                        host(80, zones(10), fresh, peer("b", 75), peer("c", 77)),
                                        CONFIG)
                                .proposal()
                                .orElseThrow()
                                .receiverId())
                .isEqualTo("gone");

        HostLoadReport draining = new HostLoadReport("leaving", 20, NOW, false);
        TransferDecision noReceiver =
                balancer.decideTransfer(host(80, zones(10), draining, peer("b", 75)), CONFIG);
        assertThat(noReceiver.sends()).isFalse();
        assertThat(noReceiver.reason())
                .endsWith(
                        "no host below the mean can take a zone that narrows the gap (of 2 fresh"
                                + " reports, 0 below the mean and accepting)");
    }

    @Test
    void whenNoZoneFitsTheBestReceiverTheNextOneIsTried() {
        // Mean (90 + 70 + 40 + 100) / 4 = 75, excess 15. a (70) is 5 below, b (40) 35 below:
        // a is the closer match, but the only zone (25) is heavier than the 20-point gap to a.
        ConductorView view = host(90, zones(25), peer("a", 70), peer("b", 40), peer("c", 100));
        assertThat(balancer.decideTransfer(view, CONFIG).proposal().orElseThrow().receiverId())
                .isEqualTo("b");
    }

    @Test
    void calmDownAfterAMigrationAndOneSendAtATime() {
        ConductorView busy = host(80, zones(9), peer("b", 50), peer("c", 50));
        ConductorView calming = calmedAt(busy, NOW.minusSeconds(9));
        TransferDecision decision = balancer.decideTransfer(calming, CONFIG);
        assertThat(decision.sends()).isFalse();
        assertThat(decision.reason())
                .isEqualTo("calming down after a migration until 2026-01-01T12:00:01Z");
        assertThat(balancer.decideTransfer(calmedAt(busy, NOW.minusSeconds(10)), CONFIG).sends())
                .isTrue();

        ConductorView sending =
                new ConductorView(
                        "me", NOW, 80, zones(9), busy.peers(), Optional.empty(), true, false);
        assertThat(balancer.decideTransfer(sending, CONFIG).reason())
                .isEqualTo("a migration from this host is already under way");
    }

    @Test
    void aDrainingHostSendsItsLargestZoneToTheLeastLoadedHostThatHasRoom() {
        // Calm-down and the mean do not hold a leaving host back. b (40) is least loaded and
        // takes z2 (30): 70 ≤ 90. c does not accept zones.
        List<HostLoadReport> peers =
                List.of(peer("a", 50), peer("b", 40), new HostLoadReport("c", 10, NOW, false));
        ConductorView draining =
                new ConductorView(
                        "me",
                        NOW,
                        45,
                        zones(10, 30, 5),
                        peers,
                        Optional.of(NOW.minusSeconds(1)),
                        false,
                        true);
        MigrationProposal proposal =
                balancer.decideTransfer(draining, CONFIG).proposal().orElseThrow();
        assertThat(proposal.receiverId()).isEqualTo("b");
        assertThat(proposal.zoneId()).isEqualTo("z2");

        ConductorView drained =
                new ConductorView("me", NOW, 0, List.of(), peers, Optional.empty(), false, true);
        assertThat(balancer.decideTransfer(drained, CONFIG).reason())
                .isEqualTo("drained: no zones left");

        ConductorView stuck =
                new ConductorView(
                        "me",
                        NOW,
                        45,
                        zones(60),
                        List.of(peer("a", 50)),
                        Optional.empty(),
                        false,
                        true);
        assertThat(balancer.decideTransfer(stuck, CONFIG).reason())
                .isEqualTo(
                        "draining, but no accepting host has room below critical 90.0% for any"
                                + " of 1 zones");
    }

    @Test
    void aLoneHostHasNobodyToSendTo() {
        TransferDecision decision = balancer.decideTransfer(host(99, zones(30, 30)), CONFIG);
        assertThat(decision.meanLoadPct()).isEqualTo(99.0);
        assertThat(decision.sends()).isFalse();
    }

    private static MigrationProposal proposal(double zoneCpu, double senderLoad) {
        return new MigrationProposal("s", "r", "z7", zoneCpu, senderLoad, 50, 60, false);
    }

    private static ReceiverView receiver(double load, Optional<IncomingReservation> slot) {
        return new ReceiverView("r", NOW, load, slot, false);
    }

    @Test
    void theReceiverAcceptsWhenTheMoveStillNarrowsTheGap() {
        ProposalResponse response =
                balancer.decideProposal(receiver(50, Optional.empty()), proposal(9, 80), CONFIG);
        assertThat(response)
                .isEqualTo(new ProposalResponse(true, "accepts z7: load 50.0% → 59.0%"));
    }

    @Test
    void theReceiverTakesOneMigrationAtATime() {
        IncomingReservation committed =
                new IncomingReservation("other", "z3", NOW.minusSeconds(60), true);
        ProposalResponse busy =
                balancer.decideProposal(
                        receiver(50, Optional.of(committed)), proposal(9, 80), CONFIG);
        assertThat(busy.accepted()).isFalse();
        assertThat(busy.reason())
                .isEqualTo("busy: receiving z3 from other (one migration at a time)");

        // Accepted 9 s ago and never committed: still held (timeout 10 s); at 10 s it lapses.
        IncomingReservation pending =
                new IncomingReservation("other", "z3", NOW.minusSeconds(9), false);
        assertThat(
                        balancer.decideProposal(
                                        receiver(50, Optional.of(pending)), proposal(9, 80), CONFIG)
                                .accepted())
                .isFalse();
        IncomingReservation lapsed =
                new IncomingReservation("other", "z3", NOW.minusSeconds(10), false);
        assertThat(
                        balancer.decideProposal(
                                        receiver(50, Optional.of(lapsed)), proposal(9, 80), CONFIG)
                                .accepted())
                .isTrue();

        // The same proposal delivered twice gets the same answer.
        IncomingReservation mine = new IncomingReservation("s", "z7", NOW.minusSeconds(1), false);
        assertThat(
                        balancer.decideProposal(
                                receiver(50, Optional.of(mine)), proposal(9, 80), CONFIG))
                .isEqualTo(new ProposalResponse(true, "already reserved for this proposal"));
    }

    @Test
    void theReceiverRejectsOverCriticalOrWhenItsLoadHasCaughtUp() {
        // The sender saw 50 %, but the receiver is at 85 now: 85 + 9 > 90.
        assertThat(
                        balancer.decideProposal(
                                        receiver(85, Optional.empty()), proposal(9, 99), CONFIG)
                                .reason())
                .isEqualTo("taking z7 would raise load to 94.0% > critical 90.0%");
        // 72 + 9 = 81 ≥ the sender's 80: the move would just swap who is hotter.
        ProposalResponse caughtUp =
                balancer.decideProposal(receiver(72, Optional.empty()), proposal(9, 80), CONFIG);
        assertThat(caughtUp.accepted()).isFalse();
        assertThat(caughtUp.reason()).startsWith("the move no longer narrows the gap");

        // A leaving sender's zone is taken even though the move does not narrow any gap.
        MigrationProposal fromLeaver = new MigrationProposal("s", "r", "z7", 9, 30, 50, 60, true);
        assertThat(
                        balancer.decideProposal(receiver(72, Optional.empty()), fromLeaver, CONFIG)
                                .accepted())
                .isTrue();
        assertThat(
                        balancer.decideProposal(receiver(85, Optional.empty()), fromLeaver, CONFIG)
                                .accepted())
                .isFalse();

        ReceiverView draining = new ReceiverView("r", NOW, 10, Optional.empty(), true);
        assertThat(balancer.decideProposal(draining, proposal(9, 80), CONFIG).reason())
                .isEqualTo("draining: accepts no zones");

        ReceiverView someoneElse = new ReceiverView("x", NOW, 10, Optional.empty(), false);
        assertThatThrownBy(() -> balancer.decideProposal(someoneElse, proposal(9, 80), CONFIG))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("proposal for r was delivered to x");
    }

    @Test
    void repeatedDecisionsOnSteadyLoadsConvergeWithoutPingPong() {
        // Every accepted move strictly lowers the sum of squared host loads, so on a cluster whose
        // zone loads do not change the conductors must stop after finitely many moves.
        Random random = new Random(42);
        LoadBalancerConfig noCalmDown =
                new LoadBalancerConfig(
                        90, 5, Duration.ZERO, Duration.ofSeconds(15), Duration.ofSeconds(10));
        for (int trial = 0; trial < 200; trial++) {
            int hosts = 2 + random.nextInt(8);
            List<List<ZoneLoad>> zonesOf = new ArrayList<>();
            for (int h = 0; h < hosts; h++) {
                zonesOf.add(new ArrayList<>());
            }
            int zoneCount = hosts * (1 + random.nextInt(10));
            for (int z = 0; z < zoneCount; z++) {
                // Skewed placement: low host indexes get more zones.
                int h = Math.min(random.nextInt(hosts), random.nextInt(hosts));
                zonesOf.get(h).add(new ZoneLoad("z" + z, 1 + random.nextInt(15)));
            }
            double squares = sumOfSquares(zonesOf);
            int moves = 0;
            boolean moved = true;
            while (moved) {
                moved = false;
                for (int h = 0; h < hosts; h++) {
                    List<HostLoadReport> peers = new ArrayList<>();
                    for (int p = 0; p < hosts; p++) {
                        if (p != h) {
                            peers.add(new HostLoadReport("h" + p, load(zonesOf.get(p)), NOW, true));
                        }
                    }
                    ConductorView view =
                            new ConductorView(
                                    "h" + h,
                                    NOW,
                                    load(zonesOf.get(h)),
                                    zonesOf.get(h),
                                    peers,
                                    Optional.empty(),
                                    false,
                                    false);
                    Optional<MigrationProposal> proposal =
                            balancer.decideTransfer(view, noCalmDown).proposal();
                    if (proposal.isEmpty()) {
                        continue;
                    }
                    int to = Integer.parseInt(proposal.get().receiverId().substring(1));
                    ReceiverView receiver =
                            new ReceiverView(
                                    "h" + to, NOW, load(zonesOf.get(to)), Optional.empty(), false);
                    if (!balancer.decideProposal(receiver, proposal.get(), noCalmDown).accepted()) {
                        continue;
                    }
                    ZoneLoad zone =
                            zonesOf.get(h).stream()
                                    .filter(z -> z.zoneId().equals(proposal.get().zoneId()))
                                    .findFirst()
                                    .orElseThrow();
                    zonesOf.get(h).remove(zone);
                    zonesOf.get(to).add(zone);
                    double after = sumOfSquares(zonesOf);
                    assertThat(after).isLessThan(squares);
                    squares = after;
                    moved = true;
                    moves++;
                    assertThat(moves).isLessThan(10_000);
                }
            }
        }
    }

    private static double load(List<ZoneLoad> zones) {
        return zones.stream().mapToDouble(ZoneLoad::cpuPct).sum();
    }

    private static double sumOfSquares(List<List<ZoneLoad>> zonesOf) {
        return zonesOf.stream().mapToDouble(z -> load(z) * load(z)).sum();
    }

    @Test
    void configRejectsNonsenseWithMessagesThatSayWhatIsWrong() {
        Duration s = Duration.ofSeconds(1);
        for (double critical : new double[] {-1, 0, 100.5, Double.NaN}) {
            assertThatThrownBy(() -> new LoadBalancerConfig(critical, 5, s, s, s))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageStartingWith("critical load threshold must be in (0, 100]");
        }
        for (double delta : new double[] {-5, 0, 100, Double.NaN}) {
            assertThatThrownBy(() -> new LoadBalancerConfig(90, delta, s, s, s))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("δ")
                    .hasMessageContaining("(0, 100) percentage points, got " + delta);
        }
        assertThatThrownBy(() -> new LoadBalancerConfig(90, 5, s.negated(), s, s))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("calm-down period must be >= 0, got PT-1S");
        assertThatThrownBy(() -> new LoadBalancerConfig(90, 5, s, Duration.ZERO, s))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("load report max age must be > 0");
        assertThatThrownBy(() -> new LoadBalancerConfig(90, 5, s, s, Duration.ZERO))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("reservation timeout must be > 0");
        assertThat(new LoadBalancerConfig(100, 99.9, Duration.ZERO, s, s).criticalLoadPct())
                .isEqualTo(100);
    }

    @Test
    void viewsRejectInconsistentInput() {
        assertThatThrownBy(() -> host(50, zones(1), peer("me", 40)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("host me lists its own load report among its peers");
        assertThatThrownBy(() -> host(50, zones(1), peer("a", 40), peer("a", 41)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("host me has two load reports from a");
        assertThatThrownBy(() -> host(50, List.of(new ZoneLoad("z", 1), new ZoneLoad("z", 2))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("host me lists zone z twice");
        assertThatThrownBy(() -> new ZoneLoad("z", -1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("zone z: CPU load must be a finite number >= 0 %, got -1.0");
        assertThatThrownBy(() -> new HostLoadReport("h", Double.NaN, NOW, true))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new HostLoadReport(" ", 1, NOW, true))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("host id is blank");
        assertThatThrownBy(() -> new MigrationProposal("a", "a", "z", 1, 2, 3, 4, false))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("zone z cannot be proposed from a to itself");
    }
}
