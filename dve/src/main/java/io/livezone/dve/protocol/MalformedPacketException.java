package io.livezone.dve.protocol;

/** A datagram that does not follow the wire format; receivers count and drop it. */
public final class MalformedPacketException extends Exception {
    public MalformedPacketException(String message) {
        super(message, null, false, false); // no stack trace: thrown per bad datagram, only counted
    }
}
