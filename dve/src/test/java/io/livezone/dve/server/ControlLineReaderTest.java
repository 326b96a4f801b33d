package io.livezone.dve.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

class ControlLineReaderTest {

    @Test
    void splitsLinesToleratingCrLfAndBoundsLength() throws Exception {
        String input = "JOIN a\r\nPING 1\n" + "x".repeat(1000) + "\nLEAVE";
        ControlLineReader r =
                new ControlLineReader(
                        new ByteArrayInputStream(input.getBytes(StandardCharsets.ISO_8859_1)), 16);
        assertThat(r.readLine()).isEqualTo("JOIN a");
        assertThat(r.readLine()).isEqualTo("PING 1");
        assertThat(r.readLine()).hasSize(16);
        assertThat(r.overflowed()).isTrue();
        assertThat(r.readLine()).isEqualTo("LEAVE"); // unterminated last line still delivered
        assertThat(r.overflowed()).isFalse();
        assertThat(r.readLine()).isNull();
    }
}
