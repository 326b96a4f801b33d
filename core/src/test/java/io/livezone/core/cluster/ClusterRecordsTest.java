package io.livezone.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.livezone.core.BootImage;
import io.livezone.core.InvalidInputException;
import io.livezone.core.MigrationOptions;
import io.livezone.core.MigrationReport;
import io.livezone.core.ZoneState;
import io.livezone.core.ZoneStatus;
import io.livezone.core.http.JsonHttpServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** The records coordinator and agents exchange: their validation and their JSON form. */
class ClusterRecordsTest {
    private static final ZoneDefinition ARENA =
            new ZoneDefinition(
                    "arena", 192, 1, "10.213.5.10/24", "52:54:00:12:34:56", 7000, 7001, 20);

    private static ZoneDefinition arenaWith(
            String name, long memoryMiB, int vcpus, String address, String mac, int tcp, int hz) {
        return new ZoneDefinition(name, memoryMiB, vcpus, address, mac, tcp, 7001, hz);
    }

    private static <T> T roundTrip(T value, Class<T> type) throws JsonProcessingException {
        String json = JsonHttpServer.JSON.writeValueAsString(value);
        return JsonHttpServer.JSON.readValue(json, type);
    }

    @Test
    void aValidZoneDefinitionConvertsToASpecAndBack() {
        var boot = new BootImage.Kernel(Path.of("/k"), Path.of("/i"));
        assertThat(ZoneDefinition.of(ARENA.toSpec(boot, Optional.empty()))).isEqualTo(ARENA);
    }

    @Test
    void zoneDefinitionsRejectEachBadField() {
        String mac = "52:54:00:12:34:56";
        String ip = "10.213.5.10/24";
        assertThatThrownBy(() -> arenaWith("Arena", 192, 1, ip, mac, 7000, 20))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("bad zone name 'Arena'");
        assertThatThrownBy(() -> arenaWith(null, 192, 1, ip, mac, 7000, 20))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> arenaWith("arena", 159, 1, ip, mac, 7000, 20))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("zone memory 159 MiB out of range 160..65536 MiB");
        assertThatThrownBy(() -> arenaWith("arena", 65537, 1, ip, mac, 7000, 20))
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> arenaWith("arena", 192, 0, ip, mac, 7000, 20))
                .hasMessage("vcpus must be 1..16, got 0");
        assertThatThrownBy(() -> arenaWith("arena", 192, 17, ip, mac, 7000, 20))
                .hasMessage("vcpus must be 1..16, got 17");
        assertThatThrownBy(() -> arenaWith("arena", 192, 1, null, mac, 7000, 20))
                .hasMessage("zone address is missing");
        assertThatThrownBy(() -> arenaWith("arena", 192, 1, "10.213.5.10", mac, 7000, 20))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("ADDRESS/PREFIX");
        assertThatThrownBy(() -> arenaWith("arena", 192, 1, ip, "01:00:5e:00:00:01", 7000, 20))
                .hasMessageContaining("multicast");
        assertThatThrownBy(() -> arenaWith("arena", 192, 1, ip, null, 7000, 20))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> arenaWith("arena", 192, 1, ip, mac, 0, 20))
                .hasMessage("tcp port must be 1..65535, got 0");
        assertThatThrownBy(() -> arenaWith("arena", 192, 1, ip, mac, 7000, 0))
                .hasMessage("tick rate must be 1..1000 Hz, got 0");
    }

    @Test
    void zoneDefinitionJsonIsValidatedOnTheWayIn() throws Exception {
        assertThat(roundTrip(ARENA, ZoneDefinition.class)).isEqualTo(ARENA);
        String tooSmall =
                JsonHttpServer.JSON
                        .writeValueAsString(ARENA)
                        .replace("\"memoryMiB\":192", "\"memoryMiB\":64");
        assertThatThrownBy(() -> JsonHttpServer.JSON.readValue(tooSmall, ZoneDefinition.class))
                .hasRootCauseInstanceOf(InvalidInputException.class)
                .rootCause()
                .hasMessageContaining("zone memory 64 MiB out of range");
    }

    @Test
    void defaultMigrationSettingsAreTheDefaultMigrationOptions() {
        MigrationSettings d = MigrationSettings.DEFAULT;
        MigrationOptions o = MigrationOptions.DEFAULT;

        assertThat(d.downtimeLimitMs()).isEqualTo(o.downtimeLimit().toMillis());
        assertThat(d.maxBandwidthBytesPerSec()).isEqualTo(o.maxBandwidthBytesPerSec());
        assertThat(d.autoConverge()).isEqualTo(o.autoConverge());
        assertThat(d.postcopy()).isEqualTo(o.postcopy());
        assertThat(d.toOptions()).isEqualTo(o);
    }

    @Test
    void migrationSettingsCarryTheirFieldsIntoOptions() throws Exception {
        var s = new MigrationSettings(120, 50_000_000, false, true);
        MigrationOptions o = s.toOptions();

        assertThat(o.downtimeLimit()).isEqualTo(Duration.ofMillis(120));
        assertThat(o.maxBandwidthBytesPerSec()).isEqualTo(50_000_000);
        assertThat(o.autoConverge()).isFalse();
        assertThat(o.postcopy()).isTrue();
        // The rest keep their defaults.
        assertThat(o.progressTimeout()).isEqualTo(MigrationOptions.DEFAULT.progressTimeout());
        assertThat(MigrationSettings.of(o)).isEqualTo(s);
        assertThat(roundTrip(s, MigrationSettings.class)).isEqualTo(s);
    }

    @Test
    void migrationSettingsAreValidatedLikeOptions() {
        assertThatThrownBy(() -> new MigrationSettings(0, 0, true, false))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("downtime limit must be 1 ms..60 s, got 0 ms");
        assertThatThrownBy(() -> new MigrationSettings(60_001, 0, true, false))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new MigrationSettings(30, -1, true, false))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("bandwidth cap must be >= 0");
    }

    @Test
    void linkSettings() {
        assertThat(LinkSettings.NONE.emulated()).isFalse();
        assertThat(new LinkSettings(0, 0, 0).emulated()).isFalse();
        assertThat(new LinkSettings(20, 2, 0).emulated()).isTrue();
        assertThat(new LinkSettings(0, 0, 1_000_000).emulated()).isTrue();
        assertThatCode(() -> new LinkSettings(5, 5, 0)).doesNotThrowAnyException();

        assertThatThrownBy(() -> new LinkSettings(-1, 0, 0))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> new LinkSettings(10, 0, -5))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new LinkSettings(10, 11, 0))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("link jitter 11 ms exceeds its latency 10 ms");
    }

    private static final HostLoad LOAD = new HostLoad(12.5, 1 << 30, 4L << 30, 10, 20, List.of());

    @Test
    void aValidHeartbeatRoundTrips() throws Exception {
        var hb =
                new Heartbeat(
                        "h1",
                        "eu",
                        "http://10.0.0.1:7700",
                        1234,
                        new HostLoad(
                                50,
                                1,
                                2,
                                3,
                                4,
                                List.of(new ZoneLoad("arena", ZoneState.RUNNING, 7.5, 100, 200))));
        assertThat(roundTrip(hb, Heartbeat.class)).isEqualTo(hb);
        assertThat(new Heartbeat("a-23-characters-long-xx", "eu", "http://x:1", 0, LOAD).host())
                .hasSize(23);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "H1", "1h", "-h", "h_1", "h.1", "a-name-of-25-characters-x"})
    void heartbeatsRejectBadHostNames(String host) {
        assertThatThrownBy(() -> new Heartbeat(host, "eu", "http://10.0.0.1:7700", 0, LOAD))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("invalid host name " + host);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "10.0.0.1:7700", "https://10.0.0.1:7700", "ftp://x"})
    void heartbeatsRejectUrlsThatAreNotPlainHttp(String url) {
        assertThatThrownBy(() -> new Heartbeat("h1", "eu", url, 0, LOAD))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("agent url must be http://host:port, got " + url);
    }

    @Test
    void heartbeatsNeedASiteAndALoadReport() {
        assertThatThrownBy(() -> new Heartbeat("h1", null, "http://x:1", 0, LOAD))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("the heartbeat of host h1 needs its site and a load report");
        assertThatThrownBy(() -> new Heartbeat("h1", "eu", "http://x:1", 0, null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("the heartbeat of host h1 needs its site and a load report");
    }

    @Test
    void hostLoadsCopyTheirZones() {
        var zones = new java.util.ArrayList<ZoneLoad>();
        var load = new HostLoad(0, 0, 0, 0, 0, zones);
        zones.add(new ZoneLoad("arena", ZoneState.RUNNING, 0, 0, 0));
        assertThat(load.zones()).isEmpty();
    }

    @Test
    void migrationRequestsNeedTheirParts() {
        var ticket = new IncomingTicket("arena", "us", "10.0.0.3", 40000);
        assertThatThrownBy(() -> new IncomingRequest(null, MigrationSettings.DEFAULT))
                .hasMessage("zone is missing");
        assertThatThrownBy(() -> new IncomingRequest(ARENA, null))
                .hasMessage("settings are missing");
        assertThatThrownBy(
                        () ->
                                new MigrateOutRequest(
                                        null, MigrationSettings.DEFAULT, LinkSettings.NONE))
                .hasMessage("ticket is missing");
        assertThatThrownBy(() -> new MigrateOutRequest(ticket, MigrationSettings.DEFAULT, null))
                .hasMessage("link is missing");
        assertThatThrownBy(
                        () ->
                                new MigrateOutRequest(
                                        new IncomingTicket("arena", "us", "10.0.0.3", 0),
                                        MigrationSettings.DEFAULT,
                                        LinkSettings.NONE))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("invalid destination port 0");
        assertThatThrownBy(
                        () ->
                                new MigrateOutRequest(
                                        new IncomingTicket("arena", "us", "10.0.0.3", 65536),
                                        MigrationSettings.DEFAULT,
                                        LinkSettings.NONE))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void wireRecordsRoundTripThroughTheSharedMapper() throws Exception {
        var ticket = new IncomingTicket("arena", "us", "10.0.0.3", 40000);
        var out =
                new MigrateOutRequest(
                        ticket, MigrationSettings.DEFAULT, new LinkSettings(20, 1, 0));
        assertThat(roundTrip(out, MigrateOutRequest.class)).isEqualTo(out);
        var in = new IncomingRequest(ARENA, new MigrationSettings(50, 0, true, true));
        assertThat(roundTrip(in, IncomingRequest.class)).isEqualTo(in);

        var running =
                new ZoneStatus(
                        "arena", ZoneState.RUNNING, "arena-1", OptionalLong.of(42), "running");
        assertThat(roundTrip(running, ZoneStatus.class)).isEqualTo(running);
        var dead = new ZoneStatus("arena", ZoneState.DEAD, "arena-1", OptionalLong.empty(), "gone");
        assertThat(roundTrip(dead, ZoneStatus.class)).isEqualTo(dead);

        var report =
                new MigrationReport("arena", "a-1", "a-2", 1, 2, 3, 4, 5, 6, 7, 8, 9.5, true, 11);
        assertThat(roundTrip(report, MigrationReport.class)).isEqualTo(report);
    }

    @Test
    void zoneHealthTravelsWithTheHeartbeat() throws Exception {
        var failure =
                new io.livezone.core.ZoneFailure(
                        "arena",
                        "i2",
                        1234,
                        "its QEMU process ended: killed by signal 9 (SIGKILL)",
                        137,
                        "",
                        "LIVEZONE-ZONE-READY");
        var dead =
                new ZoneStatus("arena", ZoneState.DEAD, "i2", OptionalLong.of(42), "dead")
                        .withFailure(failure);
        var paused =
                new ZoneStatus("lobby", ZoneState.PAUSED, "i1", OptionalLong.of(43), "postmigrate")
                        .withNote("outgoing migration completed before the agent restarted");
        var hb = new Heartbeat("h1", "eu", "http://10.0.0.1:7700", 1, LOAD, List.of(dead, paused));
        assertThat(roundTrip(hb, Heartbeat.class)).isEqualTo(hb);
        // An agent without a zone watch sends no zones.
        String bare =
                JsonHttpServer.JSON
                        .writeValueAsString(new Heartbeat("h1", "eu", "http://x:1", 1, LOAD))
                        .replaceFirst(
                                ",\"zones\":\\[\\]}$", "}"); // the heartbeat's, not its load's
        assertThat(JsonHttpServer.JSON.readValue(bare, Heartbeat.class).zones()).isEmpty();
    }

    @Test
    void aZonesRestartPolicyIsNeverUnlessAskedAndUnknownPoliciesAreRefused() throws Exception {
        assertThat(ARENA.restart()).isEqualTo(RestartPolicy.NEVER);
        var restarting = ARENA.withRestart(RestartPolicy.RESTART);
        assertThat(JsonHttpServer.JSON.writeValueAsString(restarting))
                .contains("\"restart\":\"restart\"");
        assertThat(roundTrip(restarting, ZoneDefinition.class)).isEqualTo(restarting);
        assertThat(restarting.withDisk(null).restart()).isEqualTo(RestartPolicy.RESTART);
        assertThat(RestartPolicy.of(" Restart ")).isEqualTo(RestartPolicy.RESTART);
        assertThat(RestartPolicy.of(null)).isEqualTo(RestartPolicy.NEVER);
        assertThatThrownBy(() -> RestartPolicy.of("always"))
                .isInstanceOf(io.livezone.core.InvalidInputException.class)
                .hasMessage("unknown restart policy 'always'; known: [never, restart]");
    }
}
