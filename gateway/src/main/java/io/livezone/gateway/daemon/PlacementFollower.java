package io.livezone.gateway.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.livezone.core.EnvironmentException;
import io.livezone.core.http.JsonHttpClient;
import io.livezone.core.image.ServicePort;
import io.livezone.gateway.EndpointProtocol;
import io.livezone.gateway.Gateway;
import io.livezone.gateway.GatewayControl;
import io.livezone.gateway.ZoneLocation;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Keeps a gateway in step with the coordinator's registry: every zone that runs somewhere gets a
 * stable endpoint (its port is kept in a file, so it survives a gateway restart), routed to the
 * zone's address and tagged with the site of its host; a zone booting a zone image gets one per
 * declared service port, named {@code zone.tcpN} / {@code zone.udpN}. A zone that is held for a
 * switchover is left alone: its release names the new site; only a hold past its limit whose move
 * has settled (its driver died) is released here, to where the registry says the zone runs. Zones
 * the registry no longer has lose their endpoint.
 */
final class PlacementFollower {
    private static final Logger log = LoggerFactory.getLogger(PlacementFollower.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Gateway gateway;
    private final GatewayControl control;
    private final JsonHttpClient coordinator;

    /** Endpoint name of a zone's Redis: the zone's name and this (no zone name has a dot). */
    public static final String REDIS_SUFFIX = ".redis";

    private final Path portsFile;
    private final int firstPort;
    private final Map<String, Integer> ports;

    PlacementFollower(
            Gateway gateway,
            GatewayControl control,
            JsonHttpClient coordinator,
            Path portsFile,
            int firstPort) {
        this.gateway = gateway;
        this.control = control;
        this.coordinator = coordinator;
        this.portsFile = portsFile;
        this.firstPort = firstPort;
        this.ports = readPorts(portsFile);
    }

    /** One round: reads hosts and zones from the coordinator and adjusts the gateway. */
    void sync() throws IOException {
        Map<String, String> siteOf = new HashMap<>();
        for (JsonNode h : coordinator.get("/v1/hosts", JsonNode.class)) {
            siteOf.put(h.path("name").asText(), h.path("site").asText());
        }
        Set<String> present = new HashSet<>();
        for (JsonNode z : coordinator.get("/v1/zones", JsonNode.class)) {
            JsonNode def = z.path("definition");
            String name = def.path("name").asText();
            String site = siteOf.get(z.path("host").asText());
            present.add(name);
            if (site == null) {
                continue;
            }
            InetAddress address = InetAddress.getByName(def.path("address").asText().split("/")[0]);
            boolean settled = z.path("state").asText().equals("RUNNING");
            JsonNode image = def.path("image");
            if (image.isObject()) {
                // A zone image's service: an endpoint per declared port, whatever its protocol.
                for (JsonNode p : image.path("ports")) {
                    ServicePort port = ServicePort.parse(p.asText());
                    InetSocketAddress target = new InetSocketAddress(address, port.port());
                    String endpoint = port.endpointOf(name);
                    present.add(endpoint);
                    follow(
                            endpoint,
                            new ZoneLocation(target, target, site),
                            settled,
                            EndpointProtocol.OPAQUE);
                }
                continue;
            }
            follow(
                    name,
                    new ZoneLocation(
                            new InetSocketAddress(address, def.path("udpPort").asInt()),
                            new InetSocketAddress(address, def.path("tcpPort").asInt()),
                            site),
                    settled,
                    EndpointProtocol.LIVEZONE);
            int redis = def.path("redisPort").asInt();
            if (redis > 0) {
                // A second stable endpoint for the zone's Redis (TCP only; its UDP side is the
                // zone server's and unused).
                String endpoint = name + REDIS_SUFFIX;
                present.add(endpoint);
                follow(
                        endpoint,
                        new ZoneLocation(
                                new InetSocketAddress(address, def.path("udpPort").asInt()),
                                new InetSocketAddress(address, redis),
                                site),
                        settled,
                        EndpointProtocol.OPAQUE);
            }
        }
        for (String served : gateway.zones()) {
            if (!present.contains(served) && !control.isHeld(served)) {
                gateway.removeZone(served);
                log.info("zone {}: gone from the registry; endpoint closed", served);
            }
        }
    }

    /** Serves {@code endpoint} at its stable port, pointed at {@code location} once settled. */
    private void follow(
            String endpoint, ZoneLocation location, boolean settled, EndpointProtocol protocol)
            throws IOException {
        var current = gateway.location(endpoint);
        if (current.isEmpty()) {
            int port = ports.computeIfAbsent(endpoint, n -> nextPort());
            gateway.addZone(endpoint, location, port, protocol);
            writePorts();
            log.info(
                    "zone {}: endpoint port {} -> {} at site {}",
                    endpoint,
                    port,
                    location.tcp(),
                    location.site());
        } else if (control.isHeld(endpoint)) {
            if (settled && control.releaseAbandoned(endpoint, location)) {
                log.info("zone {}: now at site {}", endpoint, location.site());
            }
        } else if (settled && !current.get().equals(location)) {
            // Only a settled placement: while a move is in flight the registry still names
            // the source, and the switchover's release has already named the destination.
            gateway.retarget(endpoint, location);
            log.info("zone {}: now at site {}", endpoint, location.site());
        }
    }

    private int nextPort() {
        int port = firstPort;
        while (ports.containsValue(port)) {
            port++;
        }
        return port;
    }

    private static Map<String, Integer> readPorts(Path file) {
        if (!Files.exists(file)) {
            return new TreeMap<>();
        }
        try {
            Map<String, Integer> m = new TreeMap<>();
            JSON.readTree(file.toFile())
                    .fields()
                    .forEachRemaining(e -> m.put(e.getKey(), e.getValue().asInt()));
            return m;
        } catch (IOException e) {
            throw new EnvironmentException("corrupt gateway ports file " + file, e);
        }
    }

    private void writePorts() throws IOException {
        Path tmp = portsFile.resolveSibling(portsFile.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), ports);
        Files.move(
                tmp,
                portsFile,
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }
}
