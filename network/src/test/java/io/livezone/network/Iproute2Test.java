package io.livezone.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import java.util.List;

/** Running iproute2: what a caller gets back, and what a failure says. Read-only commands only. */
class Iproute2Test {

    @Test
    void returnsWhatTheCommandPrinted() {
        assertThat(Iproute2.ip("-o", "link", "show", "dev", "lo")).contains(": lo:");
    }

    @Test
    void aFailedCommandNamesItselfAndWhatIpSaid() {
        assertThatThrownBy(() -> Iproute2.ip("link", "show", "dev", "lzt-none0"))
                .isInstanceOf(NetworkException.class)
                .hasMessageContaining("'ip link show dev lzt-none0' failed: ")
                .hasMessageContaining("lzt-none0\" does not exist");
    }

    @Test
    void quietlyReportsSuccessAndFailureAsABoolean() {
        assertThat(Iproute2.ipQuietly("link", "show", "dev", "lo")).isTrue();
        assertThat(Iproute2.ipQuietly("link", "show", "dev", "lzt-none0")).isFalse();
    }

    @Test
    void aMissingToolIsReportedWithAHint() {
        assertThatThrownBy(() -> Iproute2.run(List.of("/nonexistent/ip", "link")))
                .isInstanceOf(NetworkException.class)
                .hasMessageContaining("cannot run '/nonexistent/ip link'")
                .hasMessageContaining("is iproute2 installed?");
    }
}
