package io.livezone.coordinator.plan;

import static io.livezone.coordinator.plan.MoveResolution.Kind.ABSENT;
import static io.livezone.coordinator.plan.MoveResolution.Kind.ARRIVAL_FAILED;
import static io.livezone.coordinator.plan.MoveResolution.Kind.ARRIVED;
import static io.livezone.coordinator.plan.MoveResolution.Kind.ARRIVED_MARKED;
import static io.livezone.coordinator.plan.MoveResolution.Kind.DEAD;
import static io.livezone.coordinator.plan.MoveResolution.Kind.MIGRATING;
import static io.livezone.coordinator.plan.MoveResolution.Kind.RUNNING;
import static io.livezone.coordinator.plan.MoveResolution.Kind.STOPPED;
import static io.livezone.coordinator.plan.MoveResolution.Kind.UNREACHABLE;
import static io.livezone.coordinator.plan.MoveResolution.Kind.WAITING;
import static io.livezone.coordinator.plan.MoveResolution.Phase.COMMITTING;
import static io.livezone.coordinator.plan.MoveResolution.Phase.POSTCOPY;
import static io.livezone.coordinator.plan.MoveResolution.Phase.TRANSFER;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.coordinator.plan.MoveResolution.Action;
import io.livezone.coordinator.plan.MoveResolution.Kind;
import io.livezone.coordinator.plan.MoveResolution.Phase;
import io.livezone.coordinator.plan.MoveResolution.Side;
import io.livezone.core.ZoneState;
import io.livezone.core.ZoneStatus;

import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.OptionalLong;

/** The rules that keep a zone from being lost or run twice, case by case. */
class MoveResolutionTest {

    private static Side side(Kind k) {
        return new Side(k, false, k.name());
    }

    private static Action decide(Phase p, Kind source, Kind destination) {
        return MoveResolution.decide(p, side(source), side(destination));
    }

    @Test
    void aRunningDestinationIsAdoptedWhateverTheSourceSays() {
        for (Kind s : new Kind[] {STOPPED, UNREACHABLE, ABSENT, DEAD}) {
            for (Phase p : Phase.values()) {
                assertThat(decide(p, s, RUNNING)).isInstanceOf(Action.AdoptDestination.class);
            }
        }
    }

    @Test
    void aDestinationThatNeverRanIsFencedBeforeAStoppedSourceResumes() {
        for (Kind d : new Kind[] {WAITING, ARRIVAL_FAILED, ABSENT}) {
            assertThat(decide(TRANSFER, STOPPED, d)).isEqualTo(new Action.RollBack(true));
            assertThat(decide(COMMITTING, STOPPED, d)).isEqualTo(new Action.RollBack(true));
            assertThat(decide(TRANSFER, RUNNING, d)).isEqualTo(new Action.RollBack(false));
        }
    }

    @Test
    void anArrivedDestinationWithAStoppedOrLostSourceIsCommittedForward() {
        for (Kind s : new Kind[] {STOPPED, UNREACHABLE, ABSENT, DEAD}) {
            assertThat(decide(COMMITTING, s, ARRIVED)).isInstanceOf(Action.Commit.class);
            assertThat(decide(TRANSFER, s, ARRIVED)).isInstanceOf(Action.Commit.class);
        }
        assertThat(decide(TRANSFER, RUNNING, ARRIVED)).isEqualTo(new Action.RollBack(false));
    }

    @Test
    void aDestinationMarkedToRunButPausedIsCommittedForwardAndNeverDiscarded() {
        // Its agent died between marking it and continuing it: whole, and it may have run.
        Side marked =
                Side.of(
                        Optional.of(
                                new ZoneStatus(
                                        "z",
                                        ZoneState.PAUSED,
                                        "i2",
                                        OptionalLong.of(1),
                                        ZoneStatus.ARRIVED_MARKED)));
        assertThat(marked.kind()).isEqualTo(ARRIVED_MARKED);
        Side source =
                Side.of(
                        Optional.of(
                                new ZoneStatus(
                                        "z",
                                        ZoneState.PAUSED,
                                        "i1",
                                        OptionalLong.of(2),
                                        "postmigrate; migration completed")));
        assertThat(source.kind()).isEqualTo(STOPPED);
        for (Phase p : Phase.values()) {
            assertThat(MoveResolution.decide(p, source, marked)).isInstanceOf(Action.Commit.class);
            for (Kind s : new Kind[] {UNREACHABLE, ABSENT, DEAD}) {
                assertThat(decide(p, s, ARRIVED_MARKED)).isInstanceOf(Action.Commit.class);
            }
        }
        // A source running or sending beside it cannot happen under the protocol: nothing moves.
        assertThat(decide(TRANSFER, RUNNING, ARRIVED_MARKED)).isInstanceOf(Action.AtRisk.class);
        assertThat(decide(TRANSFER, MIGRATING, ARRIVED_MARKED)).isInstanceOf(Action.AtRisk.class);
    }

    @Test
    void anUnreachableDestinationIsNeverDiscardedNorTheSourceResumedAfterTheTransfer() {
        for (Phase p : new Phase[] {COMMITTING, POSTCOPY}) {
            for (Kind s : new Kind[] {STOPPED, UNREACHABLE, ABSENT}) {
                assertThat(decide(p, s, UNREACHABLE)).isInstanceOf(Action.Wait.class);
            }
        }
        assertThat(decide(TRANSFER, STOPPED, UNREACHABLE)).isInstanceOf(Action.Wait.class);
        // Before any commit the destination cannot have run: a running source keeps the zone.
        assertThat(decide(TRANSFER, RUNNING, UNREACHABLE)).isEqualTo(new Action.RollBack(false));
    }

    @Test
    void afterPostcopyBeganTheSourceIsNeverResumed() {
        for (Kind d : new Kind[] {ABSENT, ARRIVAL_FAILED, DEAD}) {
            assertThat(decide(POSTCOPY, STOPPED, d)).isInstanceOf(Action.AtRisk.class);
        }
        assertThat(decide(POSTCOPY, STOPPED, WAITING)).isInstanceOf(Action.Commit.class);
        // The source's own QEMU saying post-copy is enough, even if the phase was never stored.
        Side postcopySource = new Side(STOPPED, true, "paused; migration postcopy-paused");
        assertThat(MoveResolution.decide(TRANSFER, postcopySource, side(ABSENT)))
                .isInstanceOf(Action.AtRisk.class);
    }

    @Test
    void aDestinationThatRanAndDiedLeavesTheStoppedSourceAsItIs() {
        assertThat(decide(COMMITTING, STOPPED, DEAD)).isInstanceOf(Action.AtRisk.class);
        assertThat(decide(COMMITTING, RUNNING, DEAD)).isEqualTo(new Action.RollBack(false));
    }

    @Test
    void aSourceStillMigratingIsCancelledFirst() {
        assertThat(decide(TRANSFER, MIGRATING, WAITING)).isInstanceOf(Action.CancelAndWait.class);
        assertThat(decide(TRANSFER, MIGRATING, ARRIVED)).isInstanceOf(Action.CancelAndWait.class);
    }

    @Test
    void aLostSourceWithAnIncompleteDestinationIsAtRisk() {
        assertThat(decide(TRANSFER, DEAD, WAITING)).isInstanceOf(Action.AtRisk.class);
        assertThat(decide(TRANSFER, ABSENT, ARRIVAL_FAILED)).isInstanceOf(Action.AtRisk.class);
        assertThat(decide(TRANSFER, UNREACHABLE, WAITING)).isInstanceOf(Action.Wait.class);
    }

    @Test
    void twoRunningCopiesBeforeTheCommitKeepTheSource() {
        assertThat(decide(TRANSFER, RUNNING, RUNNING)).isEqualTo(new Action.RollBack(false));
    }

    @Test
    void agentStatusesMapToKinds() {
        assertThat(Side.of(Optional.empty()).kind()).isEqualTo(ABSENT);
        assertThat(Side.of(status(ZoneState.INCOMING, "inmigrate")).kind()).isEqualTo(WAITING);
        assertThat(Side.of(status(ZoneState.INCOMING, "arrived, paused")).kind())
                .isEqualTo(ARRIVED);
        assertThat(Side.of(status(ZoneState.ARRIVAL_FAILED, "dead before it ran")).kind())
                .isEqualTo(ARRIVAL_FAILED);
        Side source = Side.of(status(ZoneState.PAUSED, "postmigrate; migration postcopy-paused"));
        assertThat(source.kind()).isEqualTo(STOPPED);
        assertThat(source.postcopy()).isTrue();
    }

    private static Optional<ZoneStatus> status(ZoneState state, String qemu) {
        return Optional.of(new ZoneStatus("z", state, "i1", OptionalLong.of(7), qemu));
    }

    /**
     * A post-copy whose stream broke or stalled leaves both halves paused: recovered, never resumed
     * at the source or discarded; while it flows or a half cannot be asked, it waits.
     */
    @Test
    void aPausedPostcopyIsRecoveredAndAFlowingOneWaits() {
        Side pausedSource = new Side(STOPPED, true, "finish-migrate; migration postcopy-paused");
        Side pausedDestination = new Side(MIGRATING, true, "postcopy-paused");
        for (Phase p : Phase.values()) {
            assertThat(MoveResolution.decide(p, pausedSource, pausedDestination))
                    .as("phase %s", p)
                    .isInstanceOf(Action.RecoverPostcopy.class);
        }
        assertThat(MoveResolution.decide(POSTCOPY, side(MIGRATING), pausedDestination))
                .isInstanceOf(Action.Wait.class);
        assertThat(MoveResolution.decide(POSTCOPY, side(UNREACHABLE), pausedDestination))
                .isInstanceOf(Action.Wait.class);
        assertThat(MoveResolution.decide(POSTCOPY, side(DEAD), pausedDestination))
                .isInstanceOf(Action.AtRisk.class);
        assertThat(MoveResolution.decide(POSTCOPY, pausedSource, side(DEAD)))
                .isInstanceOf(Action.AtRisk.class);
    }
}
