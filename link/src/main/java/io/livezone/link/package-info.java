/**
 * Carrying QEMU migration streams and NBD storage traffic between hosts, and emulating the WAN
 * between sites on the way.
 *
 * <p>QEMU talks to unix sockets; the agents bridge them over TCP: a {@link
 * io.livezone.link.UnixToTcpForwarder} on the sending host, a {@link
 * io.livezone.link.TcpToUnixForwarder} on the receiving host, and a {@link
 * io.livezone.link.TcpRelay} where both ends are TCP. Each connection keeps TCP's semantics end to
 * end: bytes in order, half-close passed on, an error on one side closes both.
 *
 * <p>The test machines' kernel has no {@code netem} qdisc, so inter-site latency, jitter and
 * bandwidth are emulated here, in user space: a {@link io.livezone.link.LinkTable} holds one {@link
 * io.livezone.link.EmulatedLink} per direction between two sites, described by a {@link
 * io.livezone.link.LinkProfile}, and every stream crossing that direction shares it — its rate, its
 * buffer and its byte count. A real deployment uses the same classes with {@link
 * io.livezone.link.LinkPair#DIRECT}, where bytes are copied straight through.
 *
 * <p>Apply a link pair at one hop of a path only (normally the sending host's forwarder), or its
 * bytes are delayed twice. Sharing is per JVM: two processes that each hold an {@code EmulatedLink}
 * for the same sites emulate two links.
 *
 * <p>This package depends on {@code java.base} and SLF4J only.
 */
package io.livezone.link;
