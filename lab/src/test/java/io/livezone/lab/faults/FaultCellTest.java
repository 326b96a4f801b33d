package io.livezone.lab.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.InvalidInputException;
import io.livezone.lab.faults.FaultCell.Fault;
import io.livezone.lab.faults.FaultCell.Phase;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

class FaultCellTest {
    @Test
    void theMatrixHasAtLeastFortyDistinctCellsCoveringEveryPhaseAndFault() {
        List<FaultCell> m = FaultCell.matrix();
        assertThat(m).hasSizeGreaterThanOrEqualTo(40).doesNotHaveDuplicates();
        assertThat(m.stream().map(FaultCell::phase).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(Phase.values());
        assertThat(m.stream().map(FaultCell::fault).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(Fault.values());
    }

    @Test
    void onlyFaultsThatKillTheOnlyCompleteCopyDestroyTheZone() {
        assertThat(new FaultCell(Phase.PRECOPY, Fault.KILL_SOURCE_QEMU).destroysZone()).isTrue();
        assertThat(new FaultCell(Phase.COMMIT, Fault.KILL_SOURCE_QEMU).destroysZone()).isFalse();
        assertThat(new FaultCell(Phase.COMMIT, Fault.KILL_DESTINATION_QEMU).destroysZone())
                .as("the destination never ran: the source holds the zone")
                .isFalse();
        assertThat(new FaultCell(Phase.RESUMED, Fault.KILL_DESTINATION_QEMU).destroysZone())
                .isTrue();
        assertThat(
                        FaultCell.matrix().stream()
                                .filter(c -> c.fault() == Fault.KILL_COORDINATOR)
                                .noneMatch(FaultCell::destroysZone))
                .isTrue();
    }

    @Test
    void selectorsNameCellsPhasesOrFaults() {
        assertThat(FaultCell.select(List.of("commit/kill-src-qemu")))
                .containsExactly(new FaultCell(Phase.COMMIT, Fault.KILL_SOURCE_QEMU));
        assertThat(FaultCell.select(List.of("kill-gateway")))
                .extracting(FaultCell::id)
                .containsExactly("switchover/kill-gateway", "commit/kill-gateway");
        assertThat(FaultCell.select(List.of("idle", "idle"))).hasSize(1);
        assertThat(FaultCell.select(List.of())).isEqualTo(FaultCell.matrix());
        assertThatThrownBy(() -> FaultCell.select(List.of("precopy/kill-nothing")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("precopy/kill-nothing");
    }

    @Test
    void everyPhaseOfAMoveIsHeldByAFailpointOrObserved() {
        Set<Phase> observed = Set.of(Phase.PRECOPY, Phase.POSTCOPY, Phase.IDLE);
        for (Phase p : Phase.values()) {
            assertThat(p.failpoint() == null).as(p.id()).isEqualTo(observed.contains(p));
        }
    }
}
