package io.livezone.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

/** The strings a cluster file holds: durations, bandwidths and link profiles. */
class ParsingTest {
    @ParameterizedTest
    @CsvSource({
        "50ms, 50000000",
        "1.5s, 1500000000",
        "200us, 200000",
        "200µs, 200000",
        "250ns, 250",
        "2m, 120000000000",
        "1min, 60000000000",
        "1h, 3600000000000",
        "0, 0",
        "' 10 ms ', 10000000",
        "0.25ms, 250000",
        "PT0.05S, 50000000",
    })
    void parsesDurations(String text, long nanos) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    @Test
    void rejectsBadDurationsSayingWhy() {
        assertThatThrownBy(() -> Durations.parse("50")).hasMessageContaining("no unit");
        assertThatThrownBy(() -> Durations.parse("-5ms")).hasMessageContaining("negative");
        assertThatThrownBy(() -> Durations.parse("PT-1S")).hasMessageContaining("negative");
        assertThatThrownBy(() -> Durations.parse("5 parsecs")).hasMessageContaining("ms, s");
        assertThatThrownBy(() -> Durations.parse("0.5ns")).hasMessageContaining("nanosecond");
        assertThatThrownBy(() -> Durations.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> Durations.parse(null)).hasMessageContaining("empty");
        assertThatThrownBy(() -> Durations.parse("Pfoo")).hasMessageContaining("'Pfoo'");
    }

    @Test
    void formatsDurationsSoTheyParseBack() {
        for (String s : new String[] {"50ms", "1500us", "2s", "3m", "1h", "7ns", "0"}) {
            assertThat(Durations.format(Durations.parse(s))).isEqualTo(s);
        }
    }

    @ParameterizedTest
    @CsvSource({
        "100mbit, 12500000",
        "100Mbit/s, 12500000",
        "100 mbits, 12500000",
        "1gbit, 125000000",
        "64kbit, 8000",
        "12.5MB/s, 12500000",
        "12.5 MB/s, 12500000",
        "500kB/s, 500000",
        "500KB/s, 500000",
        "64MiB/s, 67108864",
        "1GiB/s, 1073741824",
        "100B/s, 100",
        "0, 0",
        "unlimited, 0",
        "None, 0",
    })
    void parsesBandwidthsAsBytesPerSecond(String text, long bytesPerSec) {
        assertThat(Bandwidth.parse(text)).isEqualTo(bytesPerSec);
    }

    @ParameterizedTest
    @ValueSource(strings = {"100mbps", "100Mbps", "100mb/s", "100Mb/s", "10MBps"})
    void refusesToGuessBitsOrBytes(String text) {
        assertThatThrownBy(() -> Bandwidth.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ambiguous")
                .hasMessageContaining("bit for bits")
                .hasMessageContaining("B/s for bytes");
    }

    @Test
    void rejectsBadBandwidthsSayingWhy() {
        assertThatThrownBy(() -> Bandwidth.parse("100")).hasMessageContaining("no unit");
        assertThatThrownBy(() -> Bandwidth.parse("-1mbit")).hasMessageContaining("negative");
        assertThatThrownBy(() -> Bandwidth.parse("10 furlongs"))
                .hasMessageContaining("unknown bandwidth unit 'furlongs'");
        assertThatThrownBy(() -> Bandwidth.parse("fast")).hasMessageContaining("'fast'");
        assertThatThrownBy(() -> Bandwidth.parse("1bit")).hasMessageContaining("below 1 byte/s");
        assertThatThrownBy(() -> Bandwidth.parse("99999999999TB/s"))
                .hasMessageContaining("too large");
        assertThatThrownBy(() -> Bandwidth.parse(" ")).hasMessageContaining("empty");
    }

    @Test
    void formatsBandwidthsInBits() {
        assertThat(Bandwidth.format(12_500_000)).isEqualTo("100 Mbit/s");
        assertThat(Bandwidth.format(1_562_500)).isEqualTo("12.5 Mbit/s");
        assertThat(Bandwidth.format(125_000_000)).isEqualTo("1 Gbit/s");
        assertThat(Bandwidth.format(0)).isEqualTo("unlimited");
        assertThat(Bandwidth.format(100)).isEqualTo("800 bit/s");
    }

    @Test
    void buildsAProfileFromTheClusterFilesStrings() {
        LinkProfile p = LinkProfile.parse("50ms", "5ms", "100mbit");
        assertThat(p)
                .isEqualTo(
                        new LinkProfile(Duration.ofMillis(50), Duration.ofMillis(5), 12_500_000));
        assertThat(p.isNone()).isFalse();
        assertThat(p.isRateLimited()).isTrue();
        assertThat(p.maxDelay()).isEqualTo(Duration.ofMillis(55));
        assertThat(p.toString()).contains("50ms").contains("5ms").contains("100 Mbit/s");
        assertThat(LinkProfile.parse("0", "0", "unlimited")).isEqualTo(LinkProfile.NONE);
        assertThat(LinkProfile.NONE.isNone()).isTrue();
    }

    @Test
    void saysWhichProfileFieldIsWrong() {
        assertThatThrownBy(() -> LinkProfile.parse("50", "0", "1gbit"))
                .hasMessageStartingWith("link latency:");
        assertThatThrownBy(() -> LinkProfile.parse("50ms", "x", "1gbit"))
                .hasMessageStartingWith("link jitter:");
        assertThatThrownBy(() -> LinkProfile.parse("50ms", "0", "1gbps"))
                .hasMessageStartingWith("link bandwidth:");
    }

    @Test
    void validatesProfiles() {
        assertThatThrownBy(() -> new LinkProfile(Duration.ofMillis(-1), Duration.ZERO, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("latency must not be negative");
        assertThatThrownBy(() -> new LinkProfile(Duration.ZERO, Duration.ofMillis(-1), 0))
                .hasMessageContaining("jitter must not be negative");
        assertThatThrownBy(() -> new LinkProfile(Duration.ZERO, Duration.ZERO, -5))
                .hasMessageContaining("bandwidth must be >= 0");
        assertThatThrownBy(() -> LinkProfile.parse("50m", "0", "1gbit"))
                .hasMessageContaining("check the unit");
        assertThatThrownBy(() -> new LinkProfile(null, Duration.ZERO, 0))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("latencyOneWay");
    }
}
