package io.livezone.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

class ModelValidationTest {

    @Test
    void memorySizesParseTheFormsOperatorsType() {
        assertThat(MemorySize.parse("256M").mib()).isEqualTo(256);
        assertThat(MemorySize.parse("256MiB").mib()).isEqualTo(256);
        assertThat(MemorySize.parse("1G").mib()).isEqualTo(1024);
        assertThat(MemorySize.parse("1.5GiB").mib()).isEqualTo(1536);
        assertThat(MemorySize.parse("4096").bytes()).isEqualTo(4096);
        assertThat(MemorySize.parse(" 64 k ").bytes()).isEqualTo(64 * 1024);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "12Q", "M", "-5M", "1..2G", "100000000000T"})
    void badMemorySizesAreRejectedWithTheirText(String text) {
        assertThatThrownBy(() -> MemorySize.parse(text)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void addressesParseWithoutDnsAndCheckRanges() {
        Ipv4Interface a = Ipv4Interface.parse("10.213.0.10/24");
        assertThat(a.addressText()).isEqualTo("10.213.0.10");
        assertThat(a.prefixLength()).isEqualTo(24);
        assertThatThrownBy(() -> Ipv4Interface.parse("10.213.0.10"))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Ipv4Interface.parse("300.1.1.1/24"))
                .hasMessageContaining("bad IPv4 address");
        assertThatThrownBy(() -> Ipv4Interface.parse("example.com/24"))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Ipv4Interface.parse("10.0.0.1/31"))
                .hasMessageContaining("out of range");
    }

    @Test
    void macAddressesMustBeUnicastAndWellFormed() {
        assertThat(new MacAddress("52:54:00:AB:cd:01").value()).isEqualTo("52:54:00:ab:cd:01");
        assertThatThrownBy(() -> new MacAddress("01:00:5e:00:00:01"))
                .hasMessageContaining("multicast");
        assertThatThrownBy(() -> new MacAddress("52:54:00:12:34"))
                .isInstanceOf(InvalidInputException.class);
        assertThat(MacAddress.forZone("arena")).isEqualTo(MacAddress.forZone("arena"));
        assertThat(MacAddress.forZone("arena")).isNotEqualTo(MacAddress.forZone("arena2"));
    }

    @Test
    void zoneSpecsRejectBadNamesSizesAndCpuCounts() {
        NicSpec nic =
                new NicSpec(
                        MacAddress.forZone("z"),
                        Ipv4Interface.parse("10.213.0.10/24"),
                        Optional.empty());
        BootImage boot = new BootImage.Kernel(Path.of("k"), Path.of("i"));
        assertThat(
                        new ZoneSpec(
                                        "arena-1",
                                        MemorySize.ofMiB(256),
                                        1,
                                        boot,
                                        nic,
                                        ZoneApp.DEFAULT)
                                .name())
                .isEqualTo("arena-1");
        assertThatThrownBy(
                        () ->
                                new ZoneSpec(
                                        "Arena",
                                        MemorySize.ofMiB(256),
                                        1,
                                        boot,
                                        nic,
                                        ZoneApp.DEFAULT))
                .hasMessageContaining("bad zone name");
        assertThatThrownBy(
                        () ->
                                new ZoneSpec(
                                        "a".repeat(25),
                                        MemorySize.ofMiB(256),
                                        1,
                                        boot,
                                        nic,
                                        ZoneApp.DEFAULT))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(
                        () ->
                                new ZoneSpec(
                                        "arena",
                                        MemorySize.ofMiB(64),
                                        1,
                                        boot,
                                        nic,
                                        ZoneApp.DEFAULT))
                .hasMessageContaining("out of range");
        assertThatThrownBy(
                        () ->
                                new ZoneSpec(
                                        "arena",
                                        new MemorySize(MemorySize.MIB * 256 + 1),
                                        1,
                                        boot,
                                        nic,
                                        ZoneApp.DEFAULT))
                .hasMessageContaining("whole number of MiB");
        assertThatThrownBy(
                        () ->
                                new ZoneSpec(
                                        "arena",
                                        MemorySize.ofMiB(256),
                                        0,
                                        boot,
                                        nic,
                                        ZoneApp.DEFAULT))
                .hasMessageContaining("vcpus");
        assertThatThrownBy(() -> new ZoneApp(0, 7001, 20)).hasMessageContaining("tcp port");
        assertThatThrownBy(() -> new ZoneApp(7000, 7001, 0)).hasMessageContaining("tick rate");
        assertThatThrownBy(() -> ZoneApp.DEFAULT.withRedis(70000))
                .hasMessageContaining("redis port");
        assertThatThrownBy(() -> ZoneApp.DEFAULT.withRedis(7000))
                .hasMessageContaining("zone server's tcp port");
        assertThat(ZoneApp.DEFAULT.withRedis(6379).redisPort()).isEqualTo(6379);
        assertThat(ZoneApp.DEFAULT.redisPort()).isZero();
    }

    @Test
    void migrationOptionsRejectContradictionsAndNonsense() {
        MigrationOptions d = MigrationOptions.DEFAULT;
        assertThat(d.downtimeLimit()).isEqualTo(Duration.ofMillis(30));
        assertThat(d.pauseBeforeSwitchover()).isTrue();
        assertThatThrownBy(() -> d.withDowntimeLimit(Duration.ZERO))
                .hasMessageContaining("downtime limit");
        assertThatThrownBy(() -> d.withMaxBandwidth(-1)).hasMessageContaining("bandwidth");
        assertThatThrownBy(() -> d.withMultifd(0, "zstd"))
                .hasMessageContaining("needs multifd channels");
        assertThatThrownBy(() -> d.withMultifd(2, "lz4"))
                .hasMessageContaining("none, zlib or zstd");
        assertThatThrownBy(() -> d.withMultifd(2, "none").withPostcopy(true, Duration.ofSeconds(1)))
                .hasMessageContaining("post-copy");
        assertThatThrownBy(() -> d.withXbzrle(true).withMultifd(2, "none"))
                .hasMessageContaining("xbzrle");
        assertThatThrownBy(() -> d.withTimeouts(Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessageContaining("positive");
    }

    @Test
    void completionTimeoutScalesWithGuestMemoryLikeKubeVirt() {
        assertThat(MigrationOptions.DEFAULT.completionTimeout(MemorySize.ofMiB(1024)))
                .isEqualTo(Duration.ofSeconds(800));
        assertThat(MigrationOptions.DEFAULT.completionTimeout(MemorySize.ofMiB(2048)))
                .isEqualTo(Duration.ofSeconds(1600));
        // Small guests get a floor of a quarter GiB's worth, so a 160 MiB zone is not given 125 s
        // only.
        assertThat(MigrationOptions.DEFAULT.completionTimeout(MemorySize.ofMiB(160)))
                .isEqualTo(Duration.ofSeconds(200));
    }
}
