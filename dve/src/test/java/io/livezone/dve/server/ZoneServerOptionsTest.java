package io.livezone.dve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;

class ZoneServerOptionsTest {

    @Test
    void parsesTheGuestCommandLine() throws Exception {
        ZoneServerOptions o =
                ZoneServerOptions.parse(
                        "--tcp-port",
                        "7000",
                        "--udp-port",
                        "7001",
                        "--tick-hz",
                        "20",
                        "--zone",
                        "zone-a");
        assertThat(o)
                .isEqualTo(
                        new ZoneServerOptions(
                                "zone-a", InetAddress.getByName("0.0.0.0"), 7000, 7001, 20));
    }

    @Test
    void appliesDefaultsAndAcceptsEqualsForm() throws Exception {
        ZoneServerOptions o =
                ZoneServerOptions.parse("--zone=z1", "--bind=127.0.0.1", "--tick-hz=30");
        assertThat(o.tcpPort()).isEqualTo(7000);
        assertThat(o.udpPort()).isEqualTo(7001);
        assertThat(o.tickHz()).isEqualTo(30);
        assertThat(o.bind()).isEqualTo(InetAddress.getByName("127.0.0.1"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "--tcp-port 7000                         | missing required option --zone",
                "--zone                                  | --zone requires a value",
                "--zone a --tcp-port                     | --tcp-port requires a value",
                "--zone a --tcp-port --udp-port 1        | --tcp-port requires a value",
                "--zone a --tcp-port seven               | --tcp-port expects an integer, got"
                        + " 'seven'",
                "--zone a --udp-port 70000               | --udp-port must be within 0..65535",
                "--zone a --tick-hz 0                    | --tick-hz must be within 1..1000",
                "--zone a --verbose 1                    | unknown option '--verbose'",
                "--zone has/slash                        | --zone must be 1-64 chars",
                "--zone a --tcp-port 5 --udp-port 5      | must differ",
            })
    void rejectsBadArgumentsWithClearMessages(String args, String message) {
        assertThatThrownBy(() -> ZoneServerOptions.parse(args.split(" ")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
