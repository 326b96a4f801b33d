package io.livezone.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MirrorOptionsTest {
    @Test
    void granularityIsAPowerOfTwoQemuAccepts() {
        assertThat(MirrorOptions.top().granularity()).isZero();
        assertThat(MirrorOptions.full().withGranularity(4096).granularity()).isEqualTo(4096);
        assertThat(MirrorOptions.full().withGranularity(4096).withBytesPerSecond(5).granularity())
                .isEqualTo(4096);
        for (long bad : new long[] {256, 3000, 128L << 20, -4096}) {
            assertThatThrownBy(() -> MirrorOptions.full().withGranularity(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("power of two");
        }
    }
}
