package io.livezone.gateway;

import io.livezone.core.SwitchoverHook;

import java.util.Objects;
import java.util.Optional;

/**
 * Connects a live migration to the gateway. {@link #hookFor} gives the migration its {@link
 * SwitchoverHook}: at QEMU's pause-before-switchover (source stopped, destination not yet running)
 * it starts holding the zone's inbound traffic. After the destination's RESUME the driver calls
 * {@link ZoneSwitchover#resumed}; if the migration is aborted instead (it failed, or the hold asked
 * for it), {@link ZoneSwitchover#aborted} releases the traffic back to the source.
 *
 * <pre>{@code
 * ZoneSwitchover switchover = new GatewaySwitchover(gateway).hookFor("z1");
 * try {
 *     driver.migrate("z1", options, switchover, listener);       // hook holds at switchover
 *     if (switchover.abortRequired()) { ... abort if still possible ... }
 *     switchover.resumed(destinationLocation);                    // flush to the destination
 * } catch (MigrationFailedException e) {
 *     switchover.aborted();                                       // flush back to the source
 * }
 * }</pre>
 */
public final class GatewaySwitchover {
    private final Gateway gateway;

    public GatewaySwitchover(Gateway gateway) {
        this.gateway = Objects.requireNonNull(gateway, "gateway is null");
    }

    /** A hook for one migration of {@code zone}; use each hook for one migration only. */
    public ZoneSwitchover hookFor(String zone) {
        return new ZoneSwitchover(gateway, zone);
    }

    /** One migration's switchover: holds at the hook, releases after RESUME or abort. */
    public static final class ZoneSwitchover implements SwitchoverHook {
        private final Gateway gateway;
        private final String zone;
        private volatile HoldHandle handle;
        private volatile ZoneLocation source;

        private ZoneSwitchover(Gateway gateway, String zone) {
            this.gateway = gateway;
            this.zone = Objects.requireNonNull(zone, "zone is null");
        }

        /**
         * Starts the hold. Throwing aborts the migration, which is right when the gateway does not
         * serve the zone: its players would lose the switchover's packets.
         */
        @Override
        public void atSwitchover(String migratingZone) {
            if (!zone.equals(migratingZone)) {
                throw new GatewayException(
                        "switchover hook for zone " + zone + " called for zone " + migratingZone);
            }
            source =
                    gateway.location(zone)
                            .orElseThrow(
                                    () ->
                                            new GatewayException(
                                                    "zone " + zone + " has no location to hold"));
            handle = gateway.hold(zone);
        }

        /** The hold, once the switchover began. */
        public Optional<HoldHandle> handle() {
            return Optional.ofNullable(handle);
        }

        /** True when the hold overflowed or expired: the migration should be aborted. */
        public boolean abortRequired() {
            HoldHandle h = handle;
            return h != null && h.abortRequired();
        }

        /** The destination runs (RESUME): flush the held traffic to it and route there. */
        public void resumed(ZoneLocation destination) {
            Objects.requireNonNull(destination, "destination is null");
            if (handle == null) {
                gateway.retarget(zone, destination);
            } else {
                gateway.release(zone, destination);
            }
        }

        /**
         * The migration was aborted and the source runs again: flush the held traffic back to it. A
         * no-op when the switchover never began.
         */
        public void aborted() {
            if (handle != null && !handle.isReleased()) {
                gateway.release(zone, source);
            }
        }
    }
}
