package io.livezone.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.InvalidInputException;
import io.livezone.policy.LoadBalancerConfig;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

/** The cluster YAML's {@code balancing:} section: defaults, values, and each kind of mistake. */
class BalancingConfigTest {
    private static final String HOSTS =
            """
            sites:
              - name: eu
                hosts: [{name: h1}, {name: h2}]
              - name: us
                hosts: [{name: h3}]
            """;

    @Test
    void withoutTheSectionNoConductorRuns() {
        ClusterConfig c = ClusterConfig.parse(HOSTS);
        assertThat(c.balancing()).isNull();
        assertThat(c.balancingHosts()).isEmpty();
        assertThat(c.toYaml()).doesNotContain("balancing");
    }

    @Test
    void anEmptySectionBalancesAllHostsWithTheDefaults() {
        ClusterConfig c = ClusterConfig.parse(HOSTS + "balancing: {}");
        assertThat(c.balancing().enabled()).isTrue();
        assertThat(c.balancing().policy()).isEqualTo("decentralized");
        assertThat(c.balancing().loadBalancerConfig()).isEqualTo(LoadBalancerConfig.defaults());
        assertThat(c.balancing().reportPeriodDuration()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.balancingHosts()).containsExactly("h1", "h2", "h3");
        assertThat(ClusterConfig.parse(c.toYaml())).isEqualTo(c);
    }

    @Test
    void valuesAreReadAndKeptThroughTheClusterFolder() {
        ClusterConfig c =
                ClusterConfig.parse(
                        HOSTS
                                + """
                                balancing:
                                  enabled: false
                                  hosts: [h1, h2]
                                  criticalLoadPct: 60
                                  deltaPct: 0.5
                                  calmDown: 3s
                                  reportMaxAge: 8s
                                  reservationTimeout: 4s
                                  reportPeriod: 500ms
                                """);
        assertThat(c.balancing().enabled()).isFalse();
        assertThat(c.balancingHosts()).containsExactly("h1", "h2");
        assertThat(c.balancing().loadBalancerConfig())
                .isEqualTo(
                        new LoadBalancerConfig(
                                60,
                                0.5,
                                Duration.ofSeconds(3),
                                Duration.ofSeconds(8),
                                Duration.ofSeconds(4)));
        assertThat(c.balancing().reportPeriodDuration()).isEqualTo(Duration.ofMillis(500));
        assertThat(ClusterConfig.parse(c.toYaml())).isEqualTo(c);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{deltaPct: -1}|δ",
                "{deltaPct: 0}|δ",
                "{criticalLoadPct: -20}|critical load threshold",
                "{criticalLoadPct: 150}|critical load threshold",
                "{calmDown: -5s}|calmDown: duration '-5s' must not be negative",
                "{reportMaxAge: 0s}|load report max age must be > 0",
                "{reservationTimeout: soon}|reservationTimeout: bad duration 'soon'",
                "{reportPeriod: 10ms}|reportPeriod must be at least 100ms",
                "{reportPeriod: 20s}|shorter than reportMaxAge",
                "{policy: roundrobin}|unknown policy 'roundrobin'; known policies: decentralized",
                "{hosts: []}|'hosts' is empty",
                "{hosts: [h1, h1]}|names a host twice",
                "{hosts: [h1, h9]}|unknown host h9; hosts are [h1, h2, h3]",
                "{spread: wide}|spread",
            })
    void mistakesAreRefusedWithTheirReason(String section, String message) {
        assertThatThrownBy(() -> ClusterConfig.parse(HOSTS + "balancing: " + section))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(message);
    }

    @Test
    void aClusterWithoutHostsIsRefusedBeforeItsBalancing() {
        assertThatThrownBy(() -> ClusterConfig.parse("sites: []\nbalancing: {}"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("at least one site");
        assertThatThrownBy(
                        () -> ClusterConfig.parse("sites: [{name: eu, hosts: []}]\nbalancing: {}"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("site eu has no hosts");
    }
}
