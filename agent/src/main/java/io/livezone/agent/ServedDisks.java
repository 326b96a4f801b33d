package io.livezone.agent;

import io.livezone.core.cluster.DiskDefinition;
import io.livezone.core.cluster.LinkSettings;
import io.livezone.core.cluster.RemoteDisk;
import io.livezone.core.http.ApiException;
import io.livezone.link.TcpToUnixForwarder;
import io.livezone.storage.ImageFormat;
import io.livezone.storage.StandaloneNbdServer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Disks this host serves to zones running elsewhere (storage mode b): each is a qcow2 image here,
 * served by its own qemu-storage-daemon on a unix socket, relayed from a TCP port for the zone's
 * host (which applies the emulated link on its side). Any number of clients may connect: during a
 * migration the source and destination VMs both do, and QEMU's hand-over keeps one writer.
 */
final class ServedDisks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServedDisks.class);

    private record Served(StandaloneNbdServer server, TcpToUnixForwarder listener) {}

    private final HostDisks disks;
    private final StreamTunnels tunnels;
    private final String host;
    private final String site;
    private final InetAddress address;
    private final Map<String, Served> served = new ConcurrentHashMap<>();

    ServedDisks(
            HostDisks disks, StreamTunnels tunnels, String host, String site, InetAddress address) {
        this.disks = disks;
        this.tunnels = tunnels;
        this.host = host;
        this.site = site;
        this.address = address;
    }

    /** The image file of a disk served here. */
    Path image(String zone) {
        return disks.servedDir(zone).resolve("disk.qcow2");
    }

    synchronized RemoteDisk serve(String zone, DiskDefinition disk) {
        if (served.containsKey(zone)) {
            throw ApiException.conflict("host " + host + " already serves the disk of " + zone);
        }
        Path image = image(zone);
        StandaloneNbdServer server = null;
        TcpToUnixForwarder listener = null;
        try {
            disks.create(image, disk, false);
            server =
                    StandaloneNbdServer.start(
                            image, ImageFormat.QCOW2, disks.servedDir(zone).resolve("nbd"), zone);
            listener = tunnels.acceptInto(address, server.endpoint().socket());
            served.put(zone, new Served(server, listener));
            log.info("serving the disk of zone {} on port {}", zone, listener.port());
            return new RemoteDisk(
                    host,
                    site,
                    address.getHostAddress(),
                    listener.port(),
                    server.endpoint().exportName(),
                    LinkSettings.NONE);
        } catch (RuntimeException e) {
            if (listener != null) {
                listener.close();
            }
            if (server != null) {
                server.close();
            }
            disks.deleteServed(zone);
            throw e;
        }
    }

    boolean serves(String zone) {
        return served.containsKey(zone);
    }

    /** Stops serving and deletes the disk; idempotent. */
    synchronized void stop(String zone) {
        Served s = served.remove(zone);
        if (s != null) {
            s.listener().close();
            s.server().close();
        }
        disks.deleteServed(zone);
    }

    /** Stops every server (the images stay). */
    @Override
    public synchronized void close() {
        for (String zone : List.copyOf(served.keySet())) {
            Served s = served.remove(zone);
            s.listener().close();
            s.server().close();
        }
    }
}
