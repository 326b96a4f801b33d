package io.livezone.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

class LinkTableTest {
    private static final LinkProfile WAN = LinkProfile.parse("40ms", "5ms", "100mbit");
    private static final LinkProfile SLOW_UPLINK = LinkProfile.parse("40ms", "0", "10mbit");

    private final LinkTable table =
            LinkTable.of(
                    List.of("paris", "tokyo", "oslo"),
                    Map.of(
                            SitePair.of("paris", "tokyo"), WAN,
                            SitePair.of("oslo", "paris"), SLOW_UPLINK,
                            SitePair.of("paris", "oslo"), WAN),
                    1);

    @Test
    void givesOneSharedLinkPerDirection() {
        EmulatedLink pt = table.link("paris", "tokyo").orElseThrow();
        EmulatedLink tp = table.link("tokyo", "paris").orElseThrow();
        assertThat(pt).isNotSameAs(tp);
        assertThat(table.link("paris", "tokyo")).containsSame(pt);
        assertThat(pt.name()).isEqualTo("paris->tokyo");

        LinkPair pair = table.between("paris", "tokyo");
        assertThat(pair.outbound()).containsSame(pt);
        assertThat(pair.inbound()).containsSame(tp);
        assertThat(table.between("tokyo", "paris")).isEqualTo(pair.reversed());
        assertThat(table.links()).hasSize(6);
    }

    @Test
    void aProfileAppliesBothWaysUnlessTheReverseHasItsOwn() {
        assertThat(table.link("tokyo", "paris").orElseThrow().profile()).isEqualTo(WAN);
        assertThat(table.link("oslo", "paris").orElseThrow().profile()).isEqualTo(SLOW_UPLINK);
        assertThat(table.link("paris", "oslo").orElseThrow().profile()).isEqualTo(WAN);
    }

    @Test
    void unconfiguredSitePairsGetACountingLinkWithoutEmulation() {
        assertThat(table.link("tokyo", "oslo").orElseThrow().profile()).isEqualTo(LinkProfile.NONE);
    }

    @Test
    void withinASiteThereIsNoLink() {
        assertThat(table.link("oslo", "oslo")).isEmpty();
        assertThat(table.between("oslo", "oslo")).isEqualTo(LinkPair.DIRECT);
        assertThat(LinkPair.DIRECT.isDirect()).isTrue();
    }

    @Test
    void rejectsUnknownDuplicateAndSelfLinkedSites() {
        assertThatThrownBy(() -> table.link("paris", "mars"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown site mars");
        assertThatThrownBy(() -> LinkTable.of(List.of("a"), Map.of(SitePair.of("a", "b"), WAN)))
                .hasMessageContaining("link a->b names unknown site b");
        assertThatThrownBy(() -> LinkTable.of(List.of("a", "a"), Map.of()))
                .hasMessageContaining("site a is listed twice");
        assertThatThrownBy(() -> SitePair.of("a", "a")).hasMessageContaining("no link to itself");
    }

    @Test
    void theSameSeedGivesTheSameJitter() throws Exception {
        LinkProfile jittery = LinkProfile.delay(Duration.ZERO, Duration.ofSeconds(10));
        Map<SitePair, LinkProfile> profiles = Map.of(SitePair.of("a", "b"), jittery);
        JitterDraws one =
                JitterDraws.of(
                        LinkTable.of(List.of("a", "b"), profiles, 3).link("a", "b").get(), 5);
        JitterDraws two =
                JitterDraws.of(
                        LinkTable.of(List.of("a", "b"), profiles, 3).link("a", "b").get(), 5);
        JitterDraws other =
                JitterDraws.of(
                        LinkTable.of(List.of("a", "b"), profiles, 4).link("a", "b").get(), 5);
        assertThat(one.couldEqual(two)).as("same seed, same jitter").isTrue();
        // Draws from 10 s of jitter range: another seed's cannot all fall within the microseconds
        // that bound each draw.
        assertThat(one.couldEqual(other)).as("another seed, other jitter").isFalse();
    }

    @Test
    void aLinkPairNeedsTwoDistinctLinks() {
        EmulatedLink l = new EmulatedLink("x", WAN, 1);
        assertThatThrownBy(() -> LinkPair.of(l, l)).hasMessageContaining("both directions");
    }
}
