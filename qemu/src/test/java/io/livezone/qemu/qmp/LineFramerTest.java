package io.livezone.qemu.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

class LineFramerTest {
    private final LineFramer framer = new LineFramer(1 << 20);

    private List<String> feed(byte[] bytes) {
        framer.append(ByteBuffer.wrap(bytes));
        List<String> lines = new ArrayList<>();
        for (byte[] line = framer.nextLine(); line != null; line = framer.nextLine()) {
            lines.add(new String(line, StandardCharsets.UTF_8));
        }
        return lines;
    }

    private List<String> feed(String s) {
        return feed(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void splitsSeveralLinesInOneChunkAndStripsCrlf() {
        assertThat(feed("{\"a\":1}\r\n{\"b\":2}\n{\"c\""))
                .containsExactly("{\"a\":1}", "{\"b\":2}");
        assertThat(feed(":3}\r\n")).containsExactly("{\"c\":3}");
        assertThat(framer.nextLine()).isNull();
    }

    @Test
    void reassemblesALineFedOneByteAtATimeIncludingMultiByteCharacters() {
        byte[] bytes = "{\"name\":\"zoné-Ω\"}\r\n".getBytes(StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>();
        for (byte b : bytes) {
            lines.addAll(feed(new byte[] {b}));
        }
        assertThat(lines).containsExactly("{\"name\":\"zoné-Ω\"}");
    }

    @Test
    void growsForLongLinesAndKeepsWorkingAfterwards() {
        String big = "x".repeat(100_000);
        assertThat(feed(big.substring(0, 50_000))).isEmpty();
        assertThat(feed(big.substring(50_000) + "\r\nshort\r\n")).containsExactly(big, "short");
        assertThat(feed("next\n")).containsExactly("next");
    }

    @Test
    void rejectsAnUnterminatedLineBeyondTheLimit() {
        LineFramer small = new LineFramer(16);
        small.append(ByteBuffer.wrap("0123456789abcdefXYZ".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(small::nextLine)
                .isInstanceOf(QmpProtocolException.class)
                .hasMessageContaining("16 bytes");
    }
}
