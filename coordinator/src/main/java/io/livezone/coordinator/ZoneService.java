package io.livezone.coordinator;

import io.livezone.coordinator.image.ZoneImageService;
import io.livezone.coordinator.registry.HostRecord;
import io.livezone.coordinator.registry.Registry;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.coordinator.registry.ZoneRecord.ZoneLifecycle;
import io.livezone.coordinator.storage.StorageService;
import io.livezone.core.InvalidInputException;
import io.livezone.core.Ipv4Interface;
import io.livezone.core.MacAddress;
import io.livezone.core.ZoneAlreadyExistsException;
import io.livezone.core.ZoneApp;
import io.livezone.core.ZoneSpec;
import io.livezone.core.ZoneStatus;
import io.livezone.core.cluster.AgentGateway;
import io.livezone.core.cluster.DiskDefinition;
import io.livezone.core.cluster.RestartPolicy;
import io.livezone.core.cluster.ZoneDefinition;
import io.livezone.core.http.ApiException;
import io.livezone.core.image.ZoneImage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;

/**
 * Creates and removes zones on hosts. The coordinator owns the zone network's address plan: each
 * zone gets an address and MAC that it keeps wherever it runs. A zone may have a disk: an overlay
 * on a base image (sent to the disk's site first if its cache lacks it), kept on the zone's host or
 * served by another host.
 */
public final class ZoneService {
    /**
     * What a client asks for; the coordinator fills in the network identity.
     *
     * @param restart {@code never} (default) or {@code restart}: what happens when the zone's VM
     *     dies outside a migration
     * @param image a zone image the cluster knows to boot instead of LiveZone's zone server; its
     *     root disk becomes the zone's disk ({@code disk} may then only say its size and host)
     */
    public record CreateZone(
            String name,
            String host,
            Long memoryMiB,
            Integer vcpus,
            StorageService.DiskRequest disk,
            String restart,
            Integer redisPort,
            String image) {
        /** A zone of LiveZone's zone server. */
        public CreateZone(
                String name,
                String host,
                Long memoryMiB,
                Integer vcpus,
                StorageService.DiskRequest disk,
                String restart,
                Integer redisPort) {
            this(name, host, memoryMiB, vcpus, disk, restart, redisPort, null);
        }

        /** A zone without Redis. */
        public CreateZone(
                String name,
                String host,
                Long memoryMiB,
                Integer vcpus,
                StorageService.DiskRequest disk,
                String restart) {
            this(name, host, memoryMiB, vcpus, disk, restart, null, null);
        }

        /** A zone that is never restarted. */
        public CreateZone(
                String name,
                String host,
                Long memoryMiB,
                Integer vcpus,
                StorageService.DiskRequest disk) {
            this(name, host, memoryMiB, vcpus, disk, null, null, null);
        }

        /** A zone without a disk. */
        public CreateZone(String name, String host, Long memoryMiB, Integer vcpus) {
            this(name, host, memoryMiB, vcpus, null, null, null, null);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(ZoneService.class);

    private final Registry registry;
    private final Function<String, AgentGateway> agents;
    private final Ipv4Interface zoneGateway;
    private final StorageService storage;
    private final ZoneImageService images;

    public ZoneService(
            Registry registry, Function<String, AgentGateway> agents, Ipv4Interface zoneGateway) {
        this.registry = registry;
        this.agents = agents;
        this.zoneGateway = zoneGateway;
        this.storage = new StorageService(registry, agents);
        this.images = new ZoneImageService(registry, storage);
    }

    /** The agent of {@code host}. */
    public AgentGateway agent(String host) {
        return agents.apply(host);
    }

    /** Base images, zone disks and storage transfers. */
    public StorageService storage() {
        return storage;
    }

    /** The zone images zones may boot. */
    public ZoneImageService images() {
        return images;
    }

    public ZoneRecord create(CreateZone request) {
        if (request == null || request.name() == null || request.host() == null) {
            throw new InvalidInputException("a zone needs a name and a host");
        }
        ZoneSpec.validateName(request.name());
        int vcpus = request.vcpus() == null ? 1 : request.vcpus();
        RestartPolicy restart = RestartPolicy.of(request.restart());
        ZoneDefinition def;
        StorageService.PlannedDisk disk = null;
        // The image first (never under this monitor: a registration holds it while its root disk
        // is copied), until the zone is registered: no image is deleted under a zone that uses it.
        String imageName =
                request.image() != null
                        ? request.image()
                        : request.disk() == null ? null : request.disk().image();
        Object imageLock = imageName == null ? new Object() : registry.imageLock(imageName);
        synchronized (imageLock) {
            synchronized (this) {
                if (registry.findZone(request.name()).isPresent()) {
                    throw new ZoneAlreadyExistsException(request.name());
                }
                ZoneImage image = request.image() == null ? null : images.require(request.image());
                long memory =
                        request.memoryMiB() != null
                                ? request.memoryMiB()
                                : image != null ? image.recipe().memoryMiB() : 192;
                HostRecord host = registry.host(request.host());
                if (host.state() != HostRecord.HostState.UP) {
                    throw ApiException.conflict("host " + host.name() + " is " + host.state());
                }
                requireCapacity(host, memory);
                StorageService.DiskRequest diskRequest =
                        image == null ? request.disk() : rootDisk(image, request);
                if (diskRequest != null) {
                    disk = storage.plan(diskRequest, request.host());
                }
                def =
                        new ZoneDefinition(
                                request.name(),
                                memory,
                                vcpus,
                                freeAddress(),
                                MacAddress.forZone(request.name()).value(),
                                ZoneApp.DEFAULT.tcpPort(),
                                ZoneApp.DEFAULT.udpPort(),
                                ZoneApp.DEFAULT.tickHz(),
                                disk == null ? null : disk.definition(),
                                restart,
                                request.redisPort() == null ? 0 : request.redisPort(),
                                image == null ? null : image.ref());
                registry.putZone(new ZoneRecord(def, request.host(), ZoneLifecycle.STAGING));
            }
        }
        DiskDefinition served = null;
        try {
            if (disk != null) {
                String diskHost = disk.storageHost() == null ? request.host() : disk.storageHost();
                if (def.disk().image() != null) {
                    storage.ensureBase(def.disk().image(), diskHost, def.name());
                }
                if (disk.storageHost() != null) {
                    served =
                            storage.serve(
                                    def.name(), def.disk(), disk.storageHost(), request.host());
                    def = def.withDisk(served);
                    registry.putZone(new ZoneRecord(def, request.host(), ZoneLifecycle.STAGING));
                }
            }
            agents.apply(request.host()).start(def);
        } catch (RuntimeException e) {
            storage.stopServing(def.name(), served);
            registry.removeZone(def.name());
            throw e;
        }
        ZoneRecord running = new ZoneRecord(def, request.host(), ZoneLifecycle.RUNNING);
        registry.putZone(running);
        return running;
    }

    /**
     * The disk of a zone booting {@code image}: an overlay on the image's root disk, of the
     * requested size and on the requested host if the request says so.
     */
    private static StorageService.DiskRequest rootDisk(ZoneImage image, CreateZone request) {
        StorageService.DiskRequest asked = request.disk();
        if (request.redisPort() != null && request.redisPort() != 0) {
            throw new InvalidInputException(
                    "--redis-port is for LiveZone's zone server; image "
                            + image.name()
                            + " runs its own service");
        }
        if (asked != null && asked.image() != null && !asked.image().equals(image.name())) {
            throw new InvalidInputException(
                    "a zone of image "
                            + image.name()
                            + " has the image's root disk; it cannot also be an overlay on base"
                            + " image "
                            + asked.image());
        }
        if (asked != null && Boolean.TRUE.equals(asked.writer())) {
            throw new InvalidInputException(
                    "the disk writer is LiveZone's zone server's; image "
                            + image.name()
                            + " runs its own service");
        }
        return new StorageService.DiskRequest(
                image.name(),
                asked == null ? null : asked.sizeMiB(),
                asked == null ? null : asked.host(),
                false);
    }

    private void requireCapacity(HostRecord host, long memory) {
        long used =
                registry.zones().stream()
                        .filter(z -> host.name().equals(z.host()))
                        .filter(z -> z.state() != ZoneLifecycle.HIBERNATING)
                        .mapToLong(z -> z.definition().memoryMiB() << 20)
                        .sum();
        if (used + (memory << 20) > host.memoryBytes()) {
            throw new InvalidInputException(
                    "no capacity: host "
                            + host.name()
                            + " has "
                            + ((host.memoryBytes() - used) >> 20)
                            + " MiB free for zones, the zone needs "
                            + memory
                            + " MiB");
        }
    }

    public void delete(String name) {
        ZoneRecord z = registry.zone(name);
        if (z.state() == ZoneLifecycle.MIGRATING) {
            throw ApiException.conflict("zone '" + name + "' is migrating; cancel its plan first");
        }
        agents.apply(z.host()).stop(name);
        endCopiesElsewhere(name, z.host());
        storage.stopServing(name, z.definition().disk());
        registry.removeZone(name);
    }

    /**
     * A zone that was at risk may have a copy on a host the registry does not name (a destination
     * that never got the whole zone, a stopped source): deleting the zone ends those too, so its
     * name and address are free again everywhere.
     */
    private void endCopiesElsewhere(String name, String home) {
        for (HostRecord h : registry.hosts()) {
            if (h.name().equals(home) || h.state() != HostRecord.HostState.UP) {
                continue;
            }
            try {
                AgentGateway agent = agents.apply(h.name());
                for (ZoneStatus copy : agent.zones()) {
                    if (!copy.zone().equals(name)) {
                        continue;
                    }
                    agent.endCopy(name, copy.neverRan());
                    log.info("zone {}: its copy on {} ({}) ended with it", name, h.name(), copy);
                }
            } catch (RuntimeException e) {
                log.warn("zone {}: could not end a copy on {}: {}", name, h.name(), e.getMessage());
            }
        }
    }

    private String freeAddress() {
        Set<String> used = new HashSet<>();
        registry.zones().forEach(z -> used.add(z.definition().address().split("/")[0]));
        byte[] base = zoneGateway.address().getAddress();
        for (int last = 10; last < 250; last++) {
            String a =
                    (base[0] & 0xff) + "." + (base[1] & 0xff) + "." + (base[2] & 0xff) + "." + last;
            if (!used.contains(a)) {
                return a + "/" + zoneGateway.prefixLength();
            }
        }
        throw ApiException.conflict("the zone network " + zoneGateway + " has no free address");
    }
}
