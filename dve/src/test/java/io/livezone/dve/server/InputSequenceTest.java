package io.livezone.dve.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InputSequenceTest {
    @Test
    void aCompleteSequenceHasNothingMissing() {
        InputSequence s = new InputSequence();
        for (int seq = 1; seq <= 10_000; seq++) {
            s.record(seq);
        }
        assertThat(s.received()).isEqualTo(10_000);
        assertThat(s.missing()).isZero();
        assertThat(s.late()).isZero();
        assertThat(s.duplicates()).isZero();
    }

    @Test
    void skippedNumbersAreMissingUntilTheyArriveLate() {
        InputSequence s = new InputSequence();
        s.record(1);
        s.record(2);
        s.record(5); // 3 and 4 skipped
        assertThat(s.missing()).isEqualTo(2);
        s.record(4);
        assertThat(s.missing()).isEqualTo(1);
        assertThat(s.late()).isEqualTo(1);
        s.record(6);
        assertThat(s.missing()).isEqualTo(1);
        assertThat(s.received()).isEqualTo(5);
    }

    @Test
    void repeatsAreDuplicatesNotFills() {
        InputSequence s = new InputSequence();
        s.record(10);
        s.record(11);
        s.record(13);
        // A replay of the last few numbers: 11 again, then 12 for the first time, then 13 again.
        s.record(11);
        s.record(12);
        s.record(13);
        s.record(14);
        assertThat(s.duplicates()).isEqualTo(2);
        assertThat(s.late()).isEqualTo(1);
        assertThat(s.missing()).isZero();
    }

    @Test
    void wrapsAroundTheIntegerRange() {
        InputSequence s = new InputSequence();
        s.record(Integer.MAX_VALUE - 1);
        s.record(Integer.MAX_VALUE);
        s.record(Integer.MIN_VALUE + 1); // MIN_VALUE skipped
        assertThat(s.missing()).isEqualTo(1);
        s.record(Integer.MIN_VALUE);
        assertThat(s.missing()).isZero();
        assertThat(s.late()).isEqualTo(1);
    }

    @Test
    void aSlotReusedAWindowLaterIsNotMistakenForADuplicate() {
        InputSequence s = new InputSequence();
        s.record(1);
        s.record(1 + InputSequence.WINDOW + 5); // skips a whole window
        assertThat(s.missing()).isEqualTo(InputSequence.WINDOW + 4);
        s.record(6); // same slot as 6 + WINDOW, never received: too old to classify
        assertThat(s.tooOld()).isEqualTo(1);
        s.record(InputSequence.WINDOW + 2); // within the window and skipped: a late fill
        assertThat(s.late()).isEqualTo(1);
        assertThat(s.duplicates()).isZero();
    }
}
