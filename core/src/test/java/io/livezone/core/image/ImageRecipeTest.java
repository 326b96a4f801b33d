package io.livezone.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.InvalidInputException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

class ImageRecipeTest {
    private static ImageRecipe recipe(List<String> packages, String exec, String... ports) {
        return new ImageRecipe(
                "redis",
                packages,
                exec,
                java.util.Arrays.stream(ports).map(ServicePort::parse).toList(),
                Probe.parse("tcp/6379"),
                256);
    }

    @Test
    void portsAndProbesParse() {
        assertThat(ServicePort.parse("udp/30000"))
                .isEqualTo(new ServicePort(ServicePort.Protocol.UDP, 30000));
        assertThat(ServicePort.parse(" TCP/80 ").toString()).isEqualTo("tcp/80");
        assertThat(ServicePort.parse("udp/30000").endpointOf("tw1")).isEqualTo("tw1.udp30000");
        assertThat(Probe.parse("tcp/6379")).isEqualTo(new Probe.Tcp(6379));
        assertThat(Probe.parse("udp/8303:FFFF0001")).isEqualTo(new Probe.Udp(8303, "ffff0001"));
        assertThat(Probe.parse("none")).isEqualTo(new Probe.None());
        assertThat(Probe.parse("udp/8303:ff").toString()).isEqualTo("udp/8303:ff");
    }

    @ParameterizedTest
    @ValueSource(strings = {"80", "sctp/80", "tcp/0", "tcp/65536", "udp/x", "tcp/"})
    void badPortsAreClearErrors(String text) {
        assertThatThrownBy(() -> ServicePort.parse(text)).isInstanceOf(InvalidInputException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "udp/8303", "udp/8303:f", "udp/8303:zz", "http/80", "tcp/70000"})
    void badProbesAreClearErrors(String text) {
        assertThatThrownBy(() -> Probe.parse(text)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void packagesAreSortedAndUniqueSoTheSameInputsGiveTheSameDigest() {
        ImageRecipe a = recipe(List.of("redis-server", "procps"), "redis-server", "tcp/6379");
        ImageRecipe b =
                recipe(List.of("procps", "redis-server", "procps"), "  redis-server ", "tcp/6379");
        assertThat(a.packages()).containsExactly("procps", "redis-server");
        assertThat(a).isEqualTo(b);
        assertThat(a.digest("k1")).isEqualTo(b.digest("k1")).hasSize(64);
        assertThat(a.digest("k2")).isNotEqualTo(a.digest("k1"));
        ImageRecipe other = recipe(List.of("redis-server"), "redis-server", "tcp/6379");
        assertThat(other.digest("k1")).isNotEqualTo(a.digest("k1"));
    }

    @Test
    void badRecipesNameTheProblem() {
        assertThatThrownBy(() -> recipe(List.of(), "x", "tcp/6379"))
                .hasMessageContaining("at least one package");
        assertThatThrownBy(() -> recipe(List.of("Redis_Server"), "x", "tcp/6379"))
                .hasMessageContaining("not a Debian package name");
        assertThatThrownBy(() -> recipe(List.of("redis-server"), " ", "tcp/6379"))
                .hasMessageContaining("command");
        assertThatThrownBy(() -> recipe(List.of("redis-server"), "a\nb", "tcp/6379"))
                .hasMessageContaining("one line");
        assertThatThrownBy(() -> recipe(List.of("redis-server"), "x"))
                .hasMessageContaining("at least one port");
        assertThatThrownBy(() -> recipe(List.of("redis-server"), "x", "tcp/6379", "tcp/6379"))
                .hasMessageContaining("declared twice");
        assertThatThrownBy(() -> recipe(List.of("redis-server"), "x", "udp/6379"))
                .hasMessageContaining("does not declare");
        assertThatThrownBy(
                        () ->
                                new ImageRecipe(
                                        "redis",
                                        List.of("redis-server"),
                                        "x",
                                        List.of(ServicePort.parse("tcp/6379")),
                                        new Probe.None(),
                                        32))
                .hasMessageContaining("memory 32 MiB");
        assertThatThrownBy(
                        () ->
                                new ImageRecipe(
                                        "Bad Name",
                                        List.of("redis-server"),
                                        "x",
                                        List.of(ServicePort.parse("tcp/6379")),
                                        new Probe.None(),
                                        256))
                .isInstanceOf(InvalidInputException.class);
    }
}
