package io.livezone.gateway;

import io.livezone.gateway.latency.RegionLatency;

/**
 * The gateway's handler chains, wired once per gateway:
 *
 * <pre>
 * client datagram: DatagramFilter → ZoneRouter → UdpSessionMapper
 *                  → HoldStage → DelayStage → LateHoldGuard → [ReplayRecorder →] Forwarder
 * client stream:   HoldStage → DelayStage → LateHoldGuard → [ReplayRecorder →] Forwarder
 * released hold:   DelayStage → LateHoldGuard → [ReplayRecorder →] Forwarder
 * zone datagram:   DelayStage → Forwarder
 * zone stream:     [WelcomeRewriter →] DelayStage → Forwarder
 * </pre>
 *
 * Receiving is done by the socket handlers ({@link UdpEndpoint}, {@link UdpSession}, {@link
 * TcpConnection}), which put each packet at the head of its chain; TCP connections are mapped to
 * their zone when accepted.
 */
final class Pipelines {
    final Stage clientDatagrams;
    final Stage clientStream;
    final Stage released;
    final Stage toClient;
    final Stage streamToClient;

    Pipelines(EventLoop loop, GatewayConfig config, UdpSessionMapper.SessionOpener sessions) {
        Forwarder forwarder = new Forwarder();
        RegionLatency latency = config.regionLatency();
        toClient = new DelayStage(loop, latency, forwarder);
        streamToClient = config.rewriteWelcomeUdpPort() ? new WelcomeRewriter(toClient) : toClient;
        Stage toZone =
                config.switchoverReplay().isZero() ? forwarder : new ReplayRecorder(forwarder);
        released = new DelayStage(loop, latency, new LateHoldGuard(toZone));
        clientStream = new HoldStage(released);
        clientDatagrams =
                new DatagramFilter(
                        config.maxDatagramBytes(),
                        config.datagramCheck(),
                        new ZoneRouter(new UdpSessionMapper(sessions, clientStream)));
    }
}
