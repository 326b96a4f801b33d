package io.livezone.agent.balance;

import org.jgroups.JChannel;
import org.jgroups.protocols.BARRIER;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.DiagnosticsHandler;
import org.jgroups.stack.Protocol;

/**
 * The conductors' JGroups stack: JGroups' own tcp.xml, less flow control and state transfer (a
 * conductor sends a few small messages a second) and with every address set explicitly. TCP bound
 * to the host's own address and TCPPING with the configured hosts as the only discovery, so no
 * multicast is sent and no other interface is used: the group's traffic stays on the cluster's own
 * network. The diagnostics handler, which would listen for multicast probes, is off.
 */
final class ConductorStack {
    private ConductorStack() {}

    static JChannel channel(ConductorSettings settings) throws Exception {
        TCP tcp = new TCP();
        tcp.setBindAddress(settings.bindAddress());
        tcp.setBindPort(settings.bind().getPort());
        tcp.setPortRange(0);
        tcp.setClientBindAddr(settings.bindAddress());
        tcp.setDiagnosticsHandler(new DiagnosticsHandler().setEnabled(false));

        TCPPING ping = new TCPPING();
        ping.setInitialHosts(settings.peers());
        ping.setPortRange(0);

        // A member whose process dies loses its sockets: FD_SOCK2 notices at once. FD_ALL3 catches
        // a member that hangs or is cut off; its heartbeats are JGroups', the load broadcast is
        // the policy's own liveness (stale reports are ignored).
        FD_SOCK2 fdSock = new FD_SOCK2();
        fdSock.setBindAddress(settings.bindAddress());
        FD_ALL3 fdAll = new FD_ALL3();
        fdAll.setTimeout(10_000);
        fdAll.setInterval(2_000);
        MERGE3 merge = new MERGE3();
        merge.setMinInterval(2_000);
        merge.setMaxInterval(5_000);
        GMS gms = new GMS();
        gms.setJoinTimeout(2_000);
        gms.printLocalAddress(false);

        Protocol[] stack = {
            tcp,
            ping,
            merge,
            fdSock,
            fdAll,
            new VERIFY_SUSPECT2(),
            new BARRIER(),
            new NAKACK2().useMcastXmit(false),
            new UNICAST3(),
            new STABLE(),
            gms,
            new FRAG4()
        };
        return new JChannel(stack).name(settings.host());
    }
}
