package io.livezone.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.EnvironmentException;
import io.livezone.core.MigrationFailedException;
import io.livezone.core.MigrationProgress;
import io.livezone.core.cluster.SwitchoverGate;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

class GatewayHoldTest {
    /** Records calls; can be told the zone is not served, the hold is over its limit, or down. */
    private static final class FakeGate implements SwitchoverGate {
        final List<String> calls = new CopyOnWriteArrayList<>();
        boolean serves = true;
        boolean overLimit;
        boolean down;

        private void reach() {
            if (down) {
                throw new EnvironmentException("cannot reach the gateway");
            }
        }

        @Override
        public boolean hold(String zone) {
            reach();
            calls.add("hold " + zone);
            return serves;
        }

        @Override
        public boolean abortRequired(String zone) {
            reach();
            return overLimit;
        }

        @Override
        public void release(String zone, String site) {
            reach();
            calls.add("release " + zone + " " + site);
        }

        @Override
        public void abort(String zone) {
            reach();
            calls.add("abort " + zone);
        }
    }

    private static MigrationProgress progress(String status) {
        return new MigrationProgress("za", status, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void theHandOverReleasesToTheDestinationSiteOnce() {
        FakeGate gate = new FakeGate();
        GatewayHold hold = new GatewayHold(gate, "za", "b");
        hold.hold();
        hold.checkLimit();
        hold.onProgress(progress("device"));
        hold.onProgress(progress("completed"));
        hold.released();
        hold.aborted();
        assertThat(gate.calls).containsExactly("hold za", "release za b");
    }

    @Test
    void aFailedMigrationSendsTheTrafficBackToTheSource() {
        FakeGate gate = new FakeGate();
        GatewayHold hold = new GatewayHold(gate, "za", "b");
        hold.hold();
        hold.aborted();
        hold.released();
        assertThat(gate.calls).containsExactly("hold za", "abort za");
    }

    @Test
    void aHoldOverItsLimitAbortsTheMigrationBeforeThePointOfNoReturn() {
        FakeGate gate = new FakeGate();
        gate.overLimit = true;
        GatewayHold hold = new GatewayHold(gate, "za", "b");
        hold.hold();
        assertThatThrownBy(hold::checkLimit)
                .isInstanceOf(MigrationFailedException.class)
                .hasMessageContaining("longer than it may")
                .matches(e -> ((MigrationFailedException) e).sourceStillRunning());
    }

    @Test
    void noGatewayOrAZoneItDoesNotServeNeverStopsAMigration() {
        FakeGate down = new FakeGate();
        down.down = true;
        GatewayHold unreachable = new GatewayHold(down, "za", "b");
        unreachable.hold();
        unreachable.checkLimit();
        unreachable.onProgress(progress("completed"));
        assertThat(down.calls).isEmpty();

        FakeGate notServed = new FakeGate();
        notServed.serves = false;
        notServed.overLimit = true;
        GatewayHold nothing = new GatewayHold(notServed, "zz", "b");
        nothing.hold();
        nothing.checkLimit();
        nothing.released();
        assertThat(notServed.calls).containsExactly("hold zz");
    }
}
