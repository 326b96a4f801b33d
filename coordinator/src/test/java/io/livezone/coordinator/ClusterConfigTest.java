package io.livezone.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.InvalidInputException;
import io.livezone.core.cluster.LinkSettings;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The operator's cluster YAML: a valid file, and a helpful message for each kind of mistake. */
class ClusterConfigTest {
    private static final String VALID =
            """
            sites:
              - name: eu
                hosts:
                  - {name: h1, memory: 2GiB, nic: 1gbit}
                  - {name: h2, memory: 512M, nic: 100mbit}
              - name: us
                hosts: [{name: h3}]
            links:
              - {between: [eu, us], latency: 50ms, jitter: 2ms, bandwidth: 100mbit}
            """;

    @Test
    void aValidConfigParsesWithDefaultsFilledIn() {
        ClusterConfig c = ClusterConfig.parse(VALID);

        assertThat(c.sites()).extracting(ClusterConfig.Site::name).containsExactly("eu", "us");
        assertThat(c.hosts())
                .extracting(ClusterConfig.Host::name)
                .containsExactly("h1", "h2", "h3");
        ClusterConfig.Host h1 = c.hosts().get(0);
        assertThat(h1.memoryBytes()).isEqualTo(2L << 30);
        assertThat(h1.nicBytesPerSec()).isEqualTo(125_000_000L);
        ClusterConfig.Host h2 = c.hosts().get(1);
        assertThat(h2.memoryBytes()).isEqualTo(512L << 20);
        assertThat(h2.nicBytesPerSec()).isEqualTo(12_500_000L);
        ClusterConfig.Host h3 = c.hosts().get(2);
        assertThat(h3.memoryBytes()).isEqualTo(2L << 30); // DEFAULT_MEMORY
        assertThat(h3.nicBytesPerSec()).isEqualTo(125_000_000L); // DEFAULT_NIC
        assertThat(c.siteOf("h3")).isEqualTo("us");
        assertThat(c.links()).hasSize(1);
        assertThat(c.links().getFirst().settings()).isEqualTo(new LinkSettings(50, 2, 12_500_000));
    }

    @Test
    void migrationCapsAreReadAndChecked() {
        ClusterConfig c =
                ClusterConfig.parse(
                        "sites: [{name: eu, hosts: [{name: h1}]}]\n"
                                + "migrations: {perHostOutbound: 2, perCluster: 4}");
        assertThat(c.migrations().outbound()).isEqualTo(2);
        assertThat(c.migrations().inbound()).isZero();
        assertThat(c.migrations().cluster()).isEqualTo(4);
        assertThat(ClusterConfig.parse("sites: [{name: eu, hosts: [{name: h1}]}]").migrations())
                .isNull();
        assertThatThrownBy(
                        () ->
                                ClusterConfig.parse(
                                        "sites: [{name: eu, hosts: [{name: h1}]}]\n"
                                                + "migrations: {perCluster: -1}"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("caps must be 0..1000");
    }

    @Test
    void playersRegionsAreReadAndChecked() {
        String sites =
                "sites: [{name: eu, hosts: [{name: h1}]}, {name: us, hosts: [{name: h2}]}]\n";
        ClusterConfig c =
                ClusterConfig.parse(
                        sites + "players: {region: eu, latency: {eu: {eu: 5ms, us: 60ms}}}");
        assertThat(c.players().region()).isEqualTo("eu");
        assertThat(c.players().latency().get("eu")).containsEntry("us", "60ms");
        assertThat(ClusterConfig.parse(c.toYaml())).isEqualTo(c);
        assertThat(ClusterConfig.parse(sites).players()).isNull();
        for (String[] bad :
                new String[][] {
                    {"players: {latency: {eu: {eu: 5ms}}}", "'region' is missing"},
                    {
                        "players: {region: asia, latency: {eu: {eu: 5ms}}}",
                        "region asia has no latency"
                    },
                    {"players: {region: eu, latency: {eu: {mars: 5ms}}}", "unknown site mars"},
                    {"players: {region: eu, latency: {eu: {us: soon}}}", "eu → us"},
                    {"players: {region: eu, latency: {eu: {us: 9s}}}", "must be 0..5s"},
                }) {
            assertThatThrownBy(() -> ClusterConfig.parse(sites + bad[0]))
                    .as(bad[0])
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining(bad[1]);
        }
    }

    @Test
    void aConfigWithoutLinksHasNone() {
        ClusterConfig c = ClusterConfig.parse("sites: [{name: eu, hosts: [{name: h1}]}]");
        assertThat(c.links()).isEmpty();
        assertThatThrownBy(() -> c.siteOf("h9"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("unknown host h9");
    }

    @Test
    void aLinkWithoutSettingsEmulatesNothing() {
        ClusterConfig c =
                ClusterConfig.parse(
                        """
                        sites: [{name: eu, hosts: [{name: h1}]}, {name: us, hosts: [{name: h2}]}]
                        links: [{between: [us, eu]}]
                        """);
        assertThat(c.links().getFirst().settings()).isEqualTo(LinkSettings.NONE);
    }

    @Test
    void theConfigSurvivesItsOwnYaml() {
        ClusterConfig c = ClusterConfig.parse(VALID);
        assertThat(ClusterConfig.parse(c.toYaml())).isEqualTo(c);
    }

    @Test
    void aConfigIsReadFromAFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("cluster.yaml"), VALID);
        assertThat(ClusterConfig.read(file)).isEqualTo(ClusterConfig.parse(VALID));
        assertThatThrownBy(() -> ClusterConfig.read(dir.resolve("missing.yaml")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith(
                        "cannot read cluster config " + dir.resolve("missing.yaml"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   \n", "# only a comment\n", "---\n"})
    void anEmptyDocumentSaysSo(String yaml) {
        assertThatThrownBy(() -> ClusterConfig.parse(yaml))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("cluster config is empty");
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
                // no sites at all
                Arguments.of("sites: []", "cluster config: at least one site is needed"),
                Arguments.of("links: []", "cluster config: at least one site is needed"),
                Arguments.of(
                        "sites: [{name: eu, hosts: []}]", "cluster config: site eu has no hosts"),
                Arguments.of("sites: [{name: eu}]", "cluster config: site eu has no hosts"),
                // duplicates
                Arguments.of(
                        "sites: [{name: eu, hosts: [{name: h1}]}, {name: eu, hosts: [{name: h2}]}]",
                        "cluster config: site eu appears twice"),
                Arguments.of(
                        "sites: [{name: eu, hosts: [{name: h1}, {name: h1}]}]",
                        "cluster config: host h1 appears twice"),
                Arguments.of(
                        "sites: [{name: eu, hosts: [{name: h1}]}, {name: us, hosts: [{name: h1}]}]",
                        "cluster config: host h1 appears twice"),
                // names
                Arguments.of(
                        "sites: [{name: Europe, hosts: [{name: h1}]}]",
                        "cluster config: site name 'Europe' must be 1-8 lower-case letters or"
                                + " digits, starting with a letter"),
                Arguments.of(
                        "sites: [{name: eu, hosts: [{name: host-one}]}]",
                        "cluster config: host name 'host-one' must be 1-8"),
                Arguments.of(
                        "sites: [{name: eu, hosts: [{name: 1h}]}]",
                        "cluster config: host name '1h' must be"),
                Arguments.of(
                        "sites: [{name: eu, hosts: [{name: h123456789}]}]",
                        "cluster config: host name 'h123456789' must be"),
                Arguments.of(
                        "sites: [{hosts: [{name: h1}]}]",
                        "cluster config: site name 'null' must be"),
                // sizes and rates
                Arguments.of(
                        "sites: [{name: eu, hosts: [{name: h1, memory: 2 gigs}]}]",
                        "cluster config: host h1: bad memory size '2 gigs'; use e.g. 256M, 512MiB"
                                + " or 1G"),
                Arguments.of(
                        "sites: [{name: eu, hosts: [{name: h1, memory: 0}]}]",
                        "cluster config: host h1: must be positive"),
                Arguments.of(
                        "sites: [{name: eu, hosts: [{name: h1, nic: 1Mbps}]}]",
                        "cluster config: host h1: ambiguous bandwidth unit in '1Mbps'"),
                Arguments.of(
                        "sites: [{name: eu, hosts: [{name: h1, nic: unlimited}]}]",
                        "cluster config: host h1: must be positive"),
                // links
                Arguments.of(
                        "sites: [{name: eu, hosts: [{name: h1}]}]\nlinks: [{between: [eu, mars]}]",
                        "cluster config: link names unknown site mars"),
                Arguments.of(
                        "sites: [{name: eu, hosts: [{name: h1}]}]\nlinks: [{between: [eu, eu]}]",
                        "cluster config: a link needs 'between: [siteA, siteB]' with two different"
                                + " sites"),
                Arguments.of(
                        "sites: [{name: eu, hosts: [{name: h1}]}]\nlinks: [{between: [eu]}]",
                        "cluster config: a link needs 'between: [siteA, siteB]'"),
                Arguments.of(
                        "sites: [{name: eu, hosts: [{name: h1}]}]\nlinks: [{latency: 5ms}]",
                        "cluster config: a link needs 'between: [siteA, siteB]'"),
                Arguments.of(
                        "sites: [{name: a, hosts: [{name: h1}]}, {name: b, hosts: [{name: h2}]}]\n"
                                + "links: [{between: [a, b], latency: 5ms, jitter: 9ms}]",
                        "cluster config: link [a, b]: link jitter 9 ms exceeds its latency 5 ms"),
                Arguments.of(
                        "sites: [{name: a, hosts: [{name: h1}]}, {name: b, hosts: [{name: h2}]}]\n"
                                + "links: [{between: [a, b], latency: soon}]",
                        "cluster config: link [a, b]:"),
                // shape
                Arguments.of("sites: [{name: eu, hosts: [{name: h1, cpus: 4}]}]", "cpus"),
                Arguments.of("site: [{name: eu, hosts: [{name: h1}]}]", "site"),
                Arguments.of("sites: {name: eu}", "malformed cluster config:"),
                Arguments.of(
                        "sites: [{name: eu, hosts: [{name: h1}]", "malformed cluster config:"));
    }

    @ParameterizedTest
    @MethodSource("mistakes")
    void eachMistakeIsAnInvalidInputSayingWhatIsWrong(String yaml, String message) {
        assertThatThrownBy(() -> ClusterConfig.parse(yaml))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(message);
    }

    @Test
    void anUnknownFieldIsNamedWithTheFieldsThatExist() {
        assertThatThrownBy(
                        () ->
                                ClusterConfig.parse(
                                        "sites: [{name: eu, hosts: [{name: h1, cpus: 4}]}]"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("malformed cluster config: Unrecognized field \"cpus\"")
                .hasMessageContaining("\"memory\"");
    }
}
