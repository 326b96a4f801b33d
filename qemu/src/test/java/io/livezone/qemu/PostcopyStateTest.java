package io.livezone.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PostcopyStateTest {
    @ParameterizedTest
    @CsvSource({
        "postcopy-active, ACTIVE, true",
        "postcopy-paused, PAUSED, true",
        "postcopy-recover-setup, RECOVERING, true",
        "postcopy-recover, RECOVERING, true",
        "active, NONE, false",
        "pre-switchover, NONE, false",
        "completed, NONE, false",
        "failed, NONE, false",
        "none, NONE, false",
    })
    void qemuStatusesMapToPostcopyStates(String status, PostcopyState state, boolean inPostcopy) {
        assertThat(PostcopyState.of(status)).isEqualTo(state);
        assertThat(PostcopyState.of(status).inPostcopy()).isEqualTo(inPostcopy);
    }

    @org.junit.jupiter.api.Test
    void noStatusIsNoPostcopyAndAGoneVmIsNotInOne() {
        assertThat(PostcopyState.of(null)).isEqualTo(PostcopyState.NONE);
        assertThat(PostcopyState.GONE.inPostcopy()).isFalse();
    }
}
