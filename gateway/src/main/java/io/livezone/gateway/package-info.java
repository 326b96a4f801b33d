/**
 * The player-facing gateway: a stable address per zone in front of zone servers that move between
 * hosts by live migration.
 *
 * <h2>What it does</h2>
 *
 * <ul>
 *   <li>{@link io.livezone.gateway.Gateway#addZone} opens the zone's endpoint: UDP and TCP on one
 *       gateway port. The control plane tells the gateway where the zone runs ({@link
 *       io.livezone.gateway.ZoneLocation}: zone server UDP and TCP addresses, and the site of its
 *       host) and changes it with {@code retarget}, {@code withdraw} or {@code release}.
 *   <li>UDP: one session per (zone, client address), each with its own upstream socket, so the zone
 *       server sees one source per player and its replies come back to the right session. Each send
 *       goes to the zone's current address, so a move re-targets every session at once; the zone
 *       server identifies players by its own protocol (client id and token), so the new instance
 *       (same VM state) keeps serving them. Replies are accepted from the current and the previous
 *       zone address and relayed to the client from the zone's stable address.
 *   <li>TCP: accept at the endpoint, connect upstream to the zone's current TCP address, pump both
 *       ways with backpressure. The upstream connection is never moved: a zone VM keeps its IP, MAC
 *       and TCP state through a live migration, so the connection simply continues (the gateway
 *       must just not reset it). A re-target therefore affects only new connections; if the zone's
 *       address really changes, existing connections stay with the old address until it closes
 *       them.
 * </ul>
 *
 * <h2>Pipeline</h2>
 *
 * Netty-style: the socket handlers receive, and each packet runs down a chain of small stages, each
 * with one job (wired in {@code Pipelines}):
 *
 * <pre>
 * client datagram: DatagramFilter → ZoneRouter → UdpSessionMapper
 *                  → HoldStage → DelayStage → LateHoldGuard → [ReplayRecorder →] Forwarder
 * client stream:   HoldStage → DelayStage → LateHoldGuard → [ReplayRecorder →] Forwarder
 *                  (mapped to the zone at accept)
 * zone to client:  [WelcomeRewriter →] DelayStage → Forwarder
 * </pre>
 *
 * {@code DatagramFilter} drops malformed datagrams, {@code ZoneRouter} drops traffic of a zone
 * without a location, {@code UdpSessionMapper} finds or opens the client's session, {@code
 * HoldStage} keeps inbound traffic during a switchover, {@code DelayStage} applies the emulated
 * region delay, {@code LateHoldGuard} holds what left the delay line during a hold, and {@code
 * ReplayRecorder} (only with {@code switchoverReplay}) remembers the last moments of client
 * datagrams, and {@code Forwarder} writes to the socket and counts.
 *
 * <p>One event-loop thread runs every socket, stage and timer (the delay line, hold expiry, idle
 * session sweeps), so stages need no locks; public methods hand their work to the loop and wait.
 *
 * <h2>Switchover: hold and release</h2>
 *
 * At QEMU's pause-before-switchover the migration's {@link io.livezone.core.SwitchoverHook} (see
 * {@link io.livezone.gateway.GatewaySwitchover}) calls {@code hold(zone)}: from then on the zone's
 * inbound traffic (client datagrams, client stream bytes, upstream connects of new TCP clients) is
 * kept in order in a bounded per-zone buffer instead of reaching the stopped source. After the
 * destination's RESUME, {@code release(zone, destination)} re-targets and forwards everything held,
 * in order, before any newer traffic. Outbound traffic is never held (a paused zone sends nothing).
 *
 * <p>Limits never cause silent loss. When a hold lasts longer than {@code maxHold} it reports
 * {@link io.livezone.gateway.HoldProblem#EXPIRED} and keeps holding; when its buffer fills it
 * reports {@link io.livezone.gateway.HoldProblem#OVERFLOWED}: TCP clients are then simply not read
 * (TCP flow control pushes back, no byte is lost), UDP datagrams that do not fit are dropped and
 * counted. Either report asks the migration driver to abort ({@link
 * io.livezone.gateway.HoldHandle#abortRequired()}, {@link
 * io.livezone.gateway.HoldHandle#abortRequested()}); it then calls {@code release(zone,
 * sourceLocation)} and nothing held is lost. The gateway never releases by itself: only the driver
 * knows which instance runs.
 *
 * <p>{@link io.livezone.gateway.GatewayedMigration} puts this together for one migration: its hook
 * holds, runs any further switchover work, and aborts the migration (throws {@link
 * io.livezone.gateway.HoldLimitException}) if the hold ran into a limit meanwhile, the last moment
 * an abort is safe; it releases to the destination on the migration's {@code completed} report,
 * right after the destination's RESUME, and back to the source when the migration fails.
 *
 * <p>The source stops a moment before the hold begins (QEMU reports the stop, the driver calls the
 * hook): client datagrams that reach the stopped source then would die with it. With {@code
 * switchoverReplay} the gateway sends the datagrams of that last moment again on release, ahead of
 * the held ones, so every datagram reaches a running zone in order; the zone sees a few duplicates,
 * which a sequence-numbered protocol discards (LiveZone's zone server does). TCP needs no replay:
 * the kernel retransmits what the stopped source missed.
 *
 * <h2>Continuity across switchovers</h2>
 *
 * For every hold the gateway keeps what the endpoint's clients lived through ({@link
 * io.livezone.gateway.SwitchoverContinuity}, the latest 16, {@code GET /v1/zones/{zone}} under
 * {@code switchovers}): how long traffic was held, what was held, replayed and dropped, and for
 * each direction the longest silence of any client flow that spoke before the hold, from its last
 * packet before to its first after the release. It needs no knowledge of the protocol, so a zone
 * image's service is measured like LiveZone's zone server.
 *
 * <h2>Endpoints of other protocols</h2>
 *
 * An endpoint is of {@link io.livezone.gateway.EndpointProtocol#LIVEZONE} (the zone server:
 * datagram check, WELCOME rewrite, replay as configured) or {@link
 * io.livezone.gateway.EndpointProtocol#OPAQUE} (a zone image's port: every datagram of an allowed
 * size passes; nothing rewritten; the switchover's last moment replayed like any endpoint's).
 *
 * <h2>Emulated client regions</h2>
 *
 * Each client belongs to a region: an explicit assignment ({@code assignRegion}, e.g. made when the
 * player joins) or the configured function of its address and port. The configured one-way delay of
 * (region, site of the zone's current host) is applied in each direction by a delay line, in order
 * per client even when the delay shrinks, so moving a zone to another site changes what its players
 * measure. The delay is a lower bound; timers fire up to about 1 ms late.
 *
 * <h2>Latency monitoring and metrics</h2>
 *
 * Application-level RTT samples per client ({@code recordRtt}, e.g. from bots, which measure RTT
 * with their own clock through the zone server's PONG) give a QoS figure: the share of clients
 * whose median recent RTT is under a threshold (80 ms by default). Everything is exported through
 * Micrometer's Prometheus registry ({@link io.livezone.gateway.Gateway#meterRegistry()}), served at
 * {@code GET /metrics} by {@link io.livezone.gateway.metrics.MetricsEndpoint}: per zone {@code
 * livezone_gateway_forwarded_total}, {@code _held_total}, {@code _dropped_malformed_total}, {@code
 * _unknown_zone_total}, {@code _dropped_total{reason}}, {@code _held_packets_max}, {@code
 * _holds_total{outcome}}, {@code _replayed_total}, {@code _qos_ratio}, and {@code
 * _client_rtt_seconds}.
 *
 * <h2>Bad traffic</h2>
 *
 * Empty, over-long ({@code maxDatagramBytes}) and check-failing ({@link
 * io.livezone.gateway.DatagramCheck}) client datagrams are counted as malformed and dropped before
 * they get a session. Traffic for a zone without a location (withdrawn) is counted as unknown-zone
 * traffic and dropped; TCP clients are refused. Neither affects other clients or zones.
 *
 * <h2>Gateway restart</h2>
 *
 * Sessions and connections live only in the gateway process. After a restart on the same endpoints,
 * UDP players carry on: their next datagram opens a fresh session (a new upstream source port,
 * which the zone server accepts because it identifies players by protocol, not by address). TCP
 * connections through the old gateway are lost (reset on a clean shutdown); clients must reconnect
 * and re-join.
 *
 * <h2>WELCOME rewrite</h2>
 *
 * LiveZone's zone server tells a joining client its UDP port in the {@code WELCOME} reply and the
 * client sends to that port on the host it joined. With {@code rewriteWelcomeUdpPort} the gateway
 * replaces that port with its own endpoint port, so clients (and LiveZone's bots) reach the zone
 * through the gateway unchanged.
 */
package io.livezone.gateway;
