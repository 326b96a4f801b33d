package io.livezone.dve.bot;

import java.io.IOException;

/** The server's answer to JOIN: {@code WELCOME <clientId> <tokenHex> <udpPort> <tickHz>}. */
record Welcome(int clientId, long token, int udpPort, int tickHz) {

    static Welcome parse(String line) throws IOException {
        String[] w = line.split(" ");
        if (w.length != 5 || !w[0].equals("WELCOME")) {
            throw new IOException("unexpected reply to JOIN: '" + line + "'");
        }
        try {
            Welcome welcome =
                    new Welcome(
                            Integer.parseInt(w[1]),
                            Long.parseUnsignedLong(w[2], 16),
                            Integer.parseInt(w[3]),
                            Integer.parseInt(w[4]));
            if (welcome.udpPort < 1 || welcome.udpPort > 65535 || welcome.tickHz < 1) {
                throw new IOException("implausible WELCOME: '" + line + "'");
            }
            return welcome;
        } catch (NumberFormatException e) {
            throw new IOException("malformed WELCOME: '" + line + "'", e);
        }
    }
}
