package io.livezone.lab;

import io.livezone.core.MigrationFailedException;
import io.livezone.core.MigrationListener;
import io.livezone.core.MigrationOptions;
import io.livezone.core.MigrationReport;
import io.livezone.core.SwitchoverHook;
import io.livezone.core.ZoneSpec;
import io.livezone.gateway.Gateway;
import io.livezone.gateway.GatewayConfig;
import io.livezone.gateway.GatewayedMigration;
import io.livezone.gateway.HoldHandle;
import io.livezone.gateway.ZoneEndpoint;
import io.livezone.gateway.ZoneLocation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * A gateway in the host's root namespace in front of one zone of a {@link LocalZoneLab}: players
 * use the gateway's endpoint on 127.0.0.1, the gateway reaches the zone's guest address over the
 * zone network's host link, and every migration of the zone goes through a {@link
 * GatewayedMigration} (hold at the switchover, release at the hand-over, back to the source on an
 * abort).
 *
 * <p>On one host both QEMU instances of a zone share its address, so a move changes only the zone's
 * site: the gateway's notion of where the host stands, which selects the emulated region delays
 * ({@link GatewayConfig#regionLatency()}).
 */
public final class LabGateway implements AutoCloseable {
    /** One migration through the gateway. */
    public record Move(
            MigrationReport report,
            String fromSite,
            String toSite,
            Optional<HoldHandle> hold,
            boolean releasedAtHandover) {}

    private final LocalZoneLab lab;
    private final ZoneSpec spec;
    private final Gateway gateway;
    private final ZoneEndpoint endpoint;
    private volatile String site;

    private LabGateway(
            LocalZoneLab lab, ZoneSpec spec, Gateway gateway, ZoneEndpoint endpoint, String site) {
        this.lab = lab;
        this.spec = spec;
        this.gateway = gateway;
        this.endpoint = endpoint;
        this.site = site;
    }

    /**
     * Starts a gateway with {@code config}, listening on 127.0.0.1 and reaching the zone from the
     * lab's host link address, and opens the zone's endpoint at {@code site}.
     */
    public static LabGateway start(
            LocalZoneLab lab, ZoneSpec spec, String site, GatewayConfig config) {
        Objects.requireNonNull(lab, "lab is null");
        Objects.requireNonNull(spec, "spec is null");
        GatewayConfig inLab =
                config.toBuilder()
                        .bindAddress(InetAddress.getLoopbackAddress())
                        .upstreamBindAddress(lab.network().gateway().address())
                        .build();
        Gateway gateway;
        try {
            gateway = Gateway.start(inLab);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the gateway", e);
        }
        try {
            ZoneEndpoint endpoint = gateway.addZone(spec.name(), location(spec, site));
            return new LabGateway(lab, spec, gateway, endpoint, site);
        } catch (RuntimeException e) {
            gateway.close();
            throw e;
        }
    }

    public Gateway gateway() {
        return gateway;
    }

    /** Where players reach the zone (UDP and TCP on one port of 127.0.0.1). */
    public ZoneEndpoint endpoint() {
        return endpoint;
    }

    /** The zone server's control address in the guest, bypassing the gateway (for probes). */
    public InetSocketAddress zoneControl() {
        return lab.controlEndpoint(spec);
    }

    /** The site the zone runs at now. */
    public String site() {
        return site;
    }

    /** The zone at {@code site}: its guest address and ports. */
    public ZoneLocation location(String atSite) {
        return location(spec, atSite);
    }

    /** Migrates the zone to another QEMU instance on this host, now standing at {@code toSite}. */
    public Move migrate(String toSite, MigrationOptions options, MigrationListener listener) {
        return migrate(toSite, options, listener, SwitchoverHook.NONE);
    }

    /**
     * Like {@link #migrate(String, MigrationOptions, MigrationListener)} with further switchover
     * work that runs while the gateway holds (see {@link GatewayedMigration#alsoAtSwitchover}).
     *
     * @throws MigrationFailedException when the migration was aborted; the zone then still runs at
     *     its source and site, and the gateway has released everything it held back to it
     */
    public Move migrate(
            String toSite,
            MigrationOptions options,
            MigrationListener listener,
            SwitchoverHook alsoAtSwitchover) {
        String from = site;
        GatewayedMigration migration =
                new GatewayedMigration(gateway, spec.name(), location(toSite))
                        .listener(listener)
                        .alsoAtSwitchover(alsoAtSwitchover);
        try {
            MigrationReport report =
                    migration.run(
                            (hook, progress) ->
                                    lab.driver()
                                            .migrateLocal(spec.name(), options, hook, progress));
            site = toSite;
            return new Move(report, from, toSite, migration.hold(), migration.releasedAtHandover());
        } catch (RuntimeException e) {
            // Usually back at the source; but a driver that fails after the hand-over (tearing the
            // source down) leaves the zone at the destination, where the gateway already sends.
            site = gateway.location(spec.name()).map(ZoneLocation::site).orElse(from);
            if (e instanceof MigrationFailedException failure) {
                throw new LabMigrationFailedException(failure, migration.hold());
            }
            throw e;
        }
    }

    @Override
    public void close() {
        gateway.close();
    }

    private static ZoneLocation location(ZoneSpec spec, String site) {
        InetAddress guest = spec.nic().address().address();
        return new ZoneLocation(
                new InetSocketAddress(guest, spec.app().udpPort()),
                new InetSocketAddress(guest, spec.app().tcpPort()),
                site);
    }

    /** A migration through the gateway that failed; carries the switchover's hold, if any. */
    public static final class LabMigrationFailedException extends MigrationFailedException {
        private final transient Optional<HoldHandle> hold;

        LabMigrationFailedException(MigrationFailedException failure, Optional<HoldHandle> hold) {
            super(failure.getMessage(), failure.sourceStillRunning(), failure);
            this.hold = hold;
        }

        /** The gateway's hold of the aborted switchover (released back to the source). */
        public Optional<HoldHandle> hold() {
            return hold;
        }
    }
}
