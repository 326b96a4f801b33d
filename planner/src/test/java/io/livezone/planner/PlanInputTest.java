package io.livezone.planner;

import static io.livezone.planner.Plans.NIC;
import static io.livezone.planner.Plans.ZONE;
import static io.livezone.planner.Plans.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.InvalidInputException;

import org.junit.jupiter.api.Test;

class PlanInputTest {

    @Test
    void acceptsAValidPlanAndCountsMovingZonesAsUsed() {
        PlanInput input = plan().hosts("s1", "s2").move("a", "s1", "s2").build();

        assertThat(input.usedMemoryBytes()).containsEntry("s1", ZONE).doesNotContainKey("s2");
    }

    @Test
    void rejectsAMoveNamingAnUnknownHost() {
        assertThatThrownBy(() -> plan().hosts("s1", "s2").move("a", "s1", "s9").build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("zone a names unknown host s9")
                .hasMessageContaining("known hosts: s1, s2");
        assertThatThrownBy(() -> plan().hosts("s1", "s2").move("a", "s0", "s2").build())
                .hasMessageContaining("unknown host s0");
    }

    @Test
    void rejectsAMoveToItsOwnSource() {
        assertThatThrownBy(() -> new Move("a", "s1", "s1", ZONE, 0, 0))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("zone a cannot move from s1 to itself");
    }

    @Test
    void rejectsAZoneMovingTwice() {
        assertThatThrownBy(
                        () ->
                                plan().hosts("s1", "s2", "s3")
                                        .move("a", "s1", "s2")
                                        .move("a", "s1", "s3")
                                        .build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("zone a moves twice");
    }

    @Test
    void rejectsAZoneThatCanNeverFitItsDestination() {
        assertThatThrownBy(
                        () ->
                                plan().host("s1", NIC, 10 * ZONE)
                                        .host("small", NIC, ZONE / 2)
                                        .move("a", "s1", "small")
                                        .build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("zone a (")
                .hasMessageContaining("can never fit on small")
                .hasMessageContaining("pick a larger destination");
    }

    @Test
    void rejectsAPlanThatOverfillsAHostAtTheEnd() {
        assertThatThrownBy(
                        () ->
                                plan().hosts("s1", "s2")
                                        .host("d", NIC, ZONE)
                                        .move("a", "s1", "d")
                                        .move("b", "s2", "d")
                                        .build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("after the plan host d would hold")
                .hasMessageContaining("send fewer zones to it");
    }

    @Test
    void rejectsNegativeAndZeroQuantities() {
        assertThatThrownBy(() -> new Host("h", "s", 0, 1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("NIC bandwidth must be > 0");
        assertThatThrownBy(() -> new Host("h", "s", 1, -1))
                .hasMessageContaining("memory must be >= 0");
        assertThatThrownBy(() -> new Move("a", "s1", "s2", 0, 0, 0))
                .hasMessageContaining("memory must be > 0");
        assertThatThrownBy(() -> new Move("a", "s1", "s2", ZONE, -1, 0))
                .hasMessageContaining("disk bytes must be >= 0");
        assertThatThrownBy(() -> new Move("a", "s1", "s2", ZONE, 0, -5))
                .hasMessageContaining("dirty rate must be >= 0");
        assertThatThrownBy(() -> new Caps(-1, 0, 0, 0))
                .hasMessageContaining("concurrency caps must be >= 0");
        assertThatThrownBy(() -> new Caps(0, 0, 0, -1))
                .hasMessageContaining("per-migration bandwidth cap must be >= 0");
        assertThatThrownBy(() -> new SiteLink("a", "b", -1, 10))
                .hasMessageContaining("bandwidth must be > 0");
        assertThatThrownBy(() -> new SiteLink("a", "b", 1, -10))
                .hasMessageContaining("RTT must be >= 0");
        assertThatThrownBy(() -> new SiteLink("a", "b", 1, Double.NaN))
                .hasMessageContaining("RTT must be >= 0");
        assertThatThrownBy(() -> plan().hosts("s1", "s2").used("s1", -1).build())
                .hasMessageContaining("used memory must be >= 0");
    }

    @Test
    void rejectsACrossSiteMoveWithoutALink() {
        assertThatThrownBy(
                        () ->
                                plan().host("a1", "east", NIC, ZONE * 4)
                                        .host("b1", "west", NIC, ZONE * 4)
                                        .move("z", "a1", "b1")
                                        .build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("crosses from site east to west but no SiteLink joins them");
    }

    @Test
    void rejectsLinksToUnknownSitesAndDuplicateLinks() {
        assertThatThrownBy(
                        () ->
                                plan().host("a1", "east", NIC, ZONE)
                                        .link("east", "wset", NIC, 10)
                                        .build())
                .hasMessageContaining("names site wset, which has no host");
        assertThatThrownBy(
                        () ->
                                plan().host("a1", "east", NIC, ZONE)
                                        .host("b1", "west", NIC, ZONE)
                                        .link("east", "west", NIC, 10)
                                        .link("west", "east", NIC, 20)
                                        .build())
                .hasMessageContaining("have two links");
        assertThatThrownBy(() -> new SiteLink("east", "east", NIC, 1))
                .hasMessageContaining("joins a site to itself");
    }

    @Test
    void rejectsInconsistentMemoryUse() {
        assertThatThrownBy(() -> plan().hosts("s1", "s2").used("s9", 1).build())
                .hasMessageContaining("memory use given for unknown host s9");
        assertThatThrownBy(() -> plan().host("s1", NIC, ZONE).used("s1", 2 * ZONE).build())
                .hasMessageContaining("host s1 uses")
                .hasMessageContaining("but has only");
        assertThatThrownBy(
                        () -> plan().hosts("s1", "s2").move("a", "s1", "s2").used("s1", 0).build())
                .hasMessageContaining("used memory must include the zones that move");
    }

    @Test
    void rejectsDuplicateHostsAndBlankNames() {
        assertThatThrownBy(() -> plan().hosts("s1", "s1").build())
                .hasMessageContaining("host s1 is listed twice");
        assertThatThrownBy(() -> new Host(" ", "s", 1, 1)).hasMessageContaining("host id is blank");
        assertThatThrownBy(() -> new Move("", "a", "b", 1, 0, 0))
                .hasMessageContaining("blank zone name");
    }
}
