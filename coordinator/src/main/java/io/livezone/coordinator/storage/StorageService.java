package io.livezone.coordinator.storage;

import io.livezone.coordinator.registry.BaseImageRecord;
import io.livezone.coordinator.registry.HostRecord;
import io.livezone.coordinator.registry.Registry;
import io.livezone.coordinator.registry.StorageTransferRecord;
import io.livezone.core.InvalidInputException;
import io.livezone.core.cluster.AgentGateway;
import io.livezone.core.cluster.BaseImageImport;
import io.livezone.core.cluster.BaseImageInfo;
import io.livezone.core.cluster.BaseImageSend;
import io.livezone.core.cluster.BaseImageSpec;
import io.livezone.core.cluster.DiskDefinition;
import io.livezone.core.cluster.RemoteDisk;
import io.livezone.core.cluster.ServeDiskRequest;
import io.livezone.core.cluster.StorageTransfer;
import io.livezone.core.cluster.TransferTicket;
import io.livezone.core.cluster.ZoneDefinition;
import io.livezone.core.http.ApiException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The coordinator's side of zone storage: base images and which sites cache them, zone disks'
 * placement, and the record of every storage transfer. A base image reaches a site once (by {@link
 * #ensureBase}, however many zones there need it); zone disks then only carry their overlays.
 */
public final class StorageService {
    private static final Logger log = LoggerFactory.getLogger(StorageService.class);

    /** Default disk size for a zone disk without base image. */
    private static final long DEFAULT_DISK_MIB = 64;

    /** A client's request for a base image built by the cluster at {@code site}. */
    public record CreateImage(String name, String site, Long sizeMiB) {}

    /**
     * A client's request for a zone disk.
     *
     * @param image base image name, or null for a blank standalone disk
     * @param sizeMiB virtual size; default: the base image's size (at least 16 MiB), else 64 MiB
     * @param host the host that keeps the disk and serves it over NBD (storage mode b); null or the
     *     zone's own host for a local disk
     * @param writer whether the guest writes self-checking records to it
     */
    public record DiskRequest(String image, Long sizeMiB, String host, Boolean writer) {}

    /** A disk as defined for a new zone, and the host that will serve it if it is remote. */
    public record PlannedDisk(DiskDefinition definition, String storageHost) {}

    public record ImageView(BaseImageRecord image, List<String> sites) {}

    /**
     * Everything storage: images and their sites, every transfer, and wire bytes summed per kind
     * and over transfers between sites.
     */
    public record StorageView(
            List<ImageView> images,
            List<StorageTransferRecord> transfers,
            Map<String, Long> wireBytesByKind,
            long interSiteWireBytes) {}

    private final Registry registry;
    private final Function<String, AgentGateway> agents;

    public StorageService(Registry registry, Function<String, AgentGateway> agents) {
        this.registry = registry;
        this.agents = agents;
    }

    /** Builds a base image with known content at a host of {@code site} and registers it. */
    public ImageView createImage(CreateImage request) {
        if (request == null || request.name() == null || request.site() == null) {
            throw new InvalidInputException("a base image needs a name and a site");
        }
        BaseImageSpec spec =
                new BaseImageSpec(
                        request.name(), request.sizeMiB() == null ? 32 : request.sizeMiB());
        if (!registry.sites().contains(request.site())) {
            throw new InvalidInputException(
                    "unknown site '" + request.site() + "'; known sites: " + registry.sites());
        }
        synchronized (registry.imageLock(spec.name())) {
            if (registry.findImage(spec.name()).isPresent()) {
                throw ApiException.conflict("base image '" + spec.name() + "' already exists");
            }
            HostRecord host = upHostOf(request.site());
            BaseImageInfo info = agents.apply(host.name()).createBaseImage(spec);
            BaseImageRecord image =
                    new BaseImageRecord(
                            spec.name(),
                            info.sha256(),
                            info.format(),
                            info.virtualSize(),
                            info.fileBytes(),
                            request.site(),
                            System.currentTimeMillis());
            registry.putImage(image);
            registry.addImageSite(image.name(), request.site());
            log.info(
                    "base image {} ({} bytes, {}) created at site {}",
                    image.name(),
                    image.fileBytes(),
                    image.sha256().substring(0, 12),
                    request.site());
            return new ImageView(image, registry.imageSites(image.name()));
        }
    }

    /**
     * Copies a base image from a file on this machine into the cache of {@code site} (through a
     * host of it that is up) and registers it; the caller holds {@link Registry#imageLock(String)}.
     * Other sites fetch it from there when a zone needs it.
     */
    public ImageView importImage(String name, Path file, String sha256, String site) {
        if (!registry.sites().contains(site)) {
            throw new InvalidInputException(
                    "unknown site '" + site + "'; known sites: " + registry.sites());
        }
        if (registry.findImage(name).isPresent()) {
            throw ApiException.conflict("base image '" + name + "' already exists");
        }
        HostRecord host = upHostOf(site);
        BaseImageInfo info =
                agents.apply(host.name())
                        .importBaseImage(new BaseImageImport(name, file.toString(), sha256));
        BaseImageRecord image =
                new BaseImageRecord(
                        name,
                        info.sha256(),
                        info.format(),
                        info.virtualSize(),
                        info.fileBytes(),
                        site,
                        System.currentTimeMillis());
        registry.putImage(image);
        registry.addImageSite(name, site);
        log.info(
                "base image {} ({} bytes, {}) imported at site {} from {}",
                name,
                image.fileBytes(),
                image.sha256().substring(0, 12),
                site,
                file);
        return new ImageView(image, registry.imageSites(name));
    }

    public List<ImageView> images() {
        return registry.images().stream()
                .map(i -> new ImageView(i, registry.imageSites(i.name())))
                .toList();
    }

    public StorageView view() {
        List<StorageTransferRecord> transfers = registry.transfers();
        Map<String, Long> byKind = new TreeMap<>();
        long interSite = 0;
        for (StorageTransferRecord t : transfers) {
            byKind.merge(t.kind(), t.wireBytes(), Long::sum);
            if (t.crossesSites()) {
                interSite += t.wireBytes();
            }
        }
        return new StorageView(images(), transfers, byKind, interSite);
    }

    /**
     * Validates a disk request for a zone on {@code zoneHost}; changes nothing.
     *
     * @throws InvalidInputException unknown image, bad size, storage host not usable
     */
    public PlannedDisk plan(DiskRequest request, String zoneHost) {
        BaseImageRecord image = null;
        if (request.image() != null) {
            DiskDefinition.validateImageName(request.image());
            image =
                    registry.findImage(request.image())
                            .orElseThrow(
                                    () ->
                                            new InvalidInputException(
                                                    "unknown base image '"
                                                            + request.image()
                                                            + "'; create it first (POST"
                                                            + " /v1/images)"));
        }
        long baseMiB = image == null ? 0 : (image.virtualSize() + (1 << 20) - 1) >> 20;
        long size =
                request.sizeMiB() != null
                        ? request.sizeMiB()
                        : image == null
                                ? DEFAULT_DISK_MIB
                                : Math.max(baseMiB, DiskDefinition.MIN_SIZE_MIB);
        if (image != null && (size << 20) < image.virtualSize()) {
            throw new InvalidInputException(
                    "disk of "
                            + size
                            + " MiB is smaller than its base image "
                            + image.name()
                            + " ("
                            + baseMiB
                            + " MiB)");
        }
        DiskDefinition definition =
                new DiskDefinition(
                        request.image(),
                        image == null ? null : image.sha256(),
                        size,
                        Boolean.TRUE.equals(request.writer()),
                        null);
        String storageHost = request.host();
        if (storageHost != null && !storageHost.equals(zoneHost)) {
            HostRecord h = registry.host(storageHost);
            if (h.state() != HostRecord.HostState.UP) {
                throw ApiException.conflict(
                        "storage host " + h.name() + " is " + h.state() + "; its agent must be up");
            }
        } else {
            storageHost = null;
        }
        return new PlannedDisk(definition, storageHost);
    }

    /**
     * Makes sure the site of {@code host} caches base image {@code image}, sending it there from a
     * site that has it if needed (once, whatever the number of zones asking at the same time).
     */
    public void ensureBase(String image, String host, String zone) {
        BaseImageRecord record =
                registry.findImage(image)
                        .orElseThrow(
                                () ->
                                        new InvalidInputException(
                                                "unknown base image '" + image + "'"));
        String site = registry.host(host).site();
        if (registry.siteCaches(image, site)) {
            return;
        }
        synchronized (registry.storageLock("base:" + image + "@" + site)) {
            if (registry.siteCaches(image, site)) {
                return;
            }
            HostRecord from =
                    registry.hosts().stream()
                            .filter(h -> h.state() == HostRecord.HostState.UP)
                            .filter(h -> registry.siteCaches(image, h.site()))
                            .findFirst()
                            .orElseThrow(
                                    () ->
                                            ApiException.conflict(
                                                    "no host is up in a site that caches base"
                                                            + " image "
                                                            + image
                                                            + " "
                                                            + registry.imageSites(image)));
            TransferTicket ticket =
                    agents.apply(host)
                            .receiveBaseImage(
                                    new BaseImageInfo(
                                            record.name(),
                                            record.sha256(),
                                            record.format(),
                                            record.virtualSize(),
                                            record.fileBytes()));
            if (!ticket.alreadyCached()) {
                StorageTransfer sent =
                        agents.apply(from.name())
                                .sendBaseImage(
                                        new BaseImageSend(
                                                record.sha256(),
                                                ticket,
                                                registry.linkBetween(from.name(), host)));
                record(sent, zone, image, from.name(), host);
                log.info(
                        "base image {} sent from {} to site {} ({} bytes on the wire)",
                        image,
                        from.name(),
                        site,
                        sent.wireBytes());
            }
            registry.addImageSite(image, site);
        }
    }

    /** Has {@code storageHost} create and serve a zone's disk; returns it as seen from its host. */
    public DiskDefinition serve(
            String zone, DiskDefinition disk, String storageHost, String zoneHost) {
        RemoteDisk served = agents.apply(storageHost).serveDisk(new ServeDiskRequest(zone, disk));
        return disk.withRemote(served.via(registry.linkBetween(zoneHost, storageHost)));
    }

    /** Stops serving a zone's remote disk; a failure is logged (the disk outlives nothing). */
    public void stopServing(String zone, DiskDefinition disk) {
        if (disk == null || disk.remote() == null) {
            return;
        }
        try {
            agents.apply(disk.remote().host()).stopServingDisk(zone);
        } catch (RuntimeException e) {
            log.warn(
                    "the disk of zone {} is still served by {}: {}",
                    zone,
                    disk.remote().host(),
                    e.getMessage());
        }
    }

    /** The zone's definition for running on {@code host}: a remote disk is reached from there. */
    public ZoneDefinition forHost(ZoneDefinition zone, String host) {
        DiskDefinition disk = zone.disk();
        if (disk == null || disk.remote() == null) {
            return zone;
        }
        return zone.withDisk(
                disk.withRemote(
                        disk.remote().via(registry.linkBetween(host, disk.remote().host()))));
    }

    /** Records a transfer from host {@code from} to host {@code to}. */
    public StorageTransferRecord record(
            StorageTransfer t, String zone, String image, String from, String to) {
        return registry.addTransfer(
                new StorageTransferRecord(
                        0,
                        t.kind(),
                        zone,
                        image,
                        from,
                        to,
                        registry.host(from).site(),
                        registry.host(to).site(),
                        t.wireBytes(),
                        t.dataBytes(),
                        t.millis(),
                        System.currentTimeMillis()));
    }

    private HostRecord upHostOf(String site) {
        List<HostRecord> candidates = new ArrayList<>();
        for (HostRecord h : registry.hosts()) {
            if (h.site().equals(site) && h.state() == HostRecord.HostState.UP) {
                candidates.add(h);
            }
        }
        if (candidates.isEmpty()) {
            throw ApiException.conflict("no host of site " + site + " is up");
        }
        return candidates.get(0);
    }
}
