package io.livezone.coordinator.registry;

import io.livezone.core.InvalidInputException;
import io.livezone.core.ZoneNotFoundException;
import io.livezone.core.cluster.Heartbeat;
import io.livezone.core.cluster.LinkSettings;
import io.livezone.core.http.ApiException;
import io.livezone.core.image.ZoneImage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the coordinator knows about sites, hosts and zones: an in-memory view over the {@link
 * Store}, written through on every change. Host liveness is learnt from heartbeats and never
 * persisted: after a restart every host is UNKNOWN until its agent reports again.
 */
public final class Registry {
    private static final Logger log = LoggerFactory.getLogger(Registry.class);

    private final Store store;
    private final List<String> sites = new ArrayList<>();
    private final List<SiteLink> links = new ArrayList<>();
    private final Map<String, HostRecord> hosts = new LinkedHashMap<>();
    private final Map<String, ZoneRecord> zones = new LinkedHashMap<>();
    private volatile MigrationLimits limits = MigrationLimits.NONE;

    /** Concurrency caps every plan honours (0 = none); set from the cluster config. */
    public record MigrationLimits(int perHostOutbound, int perHostInbound, int perCluster) {
        public static final MigrationLimits NONE = new MigrationLimits(0, 0, 0);
    }

    public void setMigrationLimits(MigrationLimits l) {
        limits = l;
    }

    public MigrationLimits migrationLimits() {
        return limits;
    }

    private final List<FailureRecord> failures = new ArrayList<>();
    private final Map<String, BaseImageRecord> images = new LinkedHashMap<>();
    private final Map<String, java.util.Set<String>> imageSites = new LinkedHashMap<>();
    private final Map<String, ZoneImage> zoneImages = new LinkedHashMap<>();
    private final Map<String, Object> storageLocks = new java.util.concurrent.ConcurrentHashMap<>();

    public Registry(Store store) {
        this.store = store;
        sites.addAll(store.sites());
        links.addAll(store.links());
        store.hosts().forEach(h -> hosts.put(h.name(), h));
        store.zones().forEach(z -> zones.put(z.name(), z));
        store.images().forEach(i -> images.put(i.name(), i));
        store.zoneImages().forEach(i -> zoneImages.put(i.name(), i));
        failures.addAll(store.failures());
        for (String[] pair : store.imageSites()) {
            imageSites.computeIfAbsent(pair[0], k -> new java.util.TreeSet<>()).add(pair[1]);
        }
    }

    public Store store() {
        return store;
    }

    public synchronized void addSite(String name) {
        if (!name.matches("[a-z][a-z0-9-]{0,23}")) {
            throw new InvalidInputException("invalid site name '" + name + "'");
        }
        if (!sites.contains(name)) {
            sites.add(name);
            store.putSite(name);
        }
    }

    public synchronized void putLink(SiteLink link) {
        requireSite(link.siteA());
        requireSite(link.siteB());
        if (link.siteA().equals(link.siteB())) {
            throw new InvalidInputException(
                    "a link joins two different sites, got " + link.siteA() + " twice");
        }
        links.removeIf(l -> l.joins(link.siteA(), link.siteB()));
        links.add(link);
        store.putLink(link);
    }

    /** Registers a host (or updates its capacities); its site must exist. */
    public synchronized void addHost(
            String name, String site, long memoryBytes, long nicBytesPerSec) {
        if (!name.matches("[a-z][a-z0-9-]{0,23}")) {
            throw new InvalidInputException("invalid host name '" + name + "'");
        }
        requireSite(site);
        if (memoryBytes <= 0 || nicBytesPerSec <= 0) {
            throw new InvalidInputException(
                    "host " + name + ": memory and NIC bandwidth must be positive");
        }
        HostRecord old = hosts.get(name);
        HostRecord h =
                old == null
                        ? new HostRecord(
                                name,
                                site,
                                memoryBytes,
                                nicBytesPerSec,
                                null,
                                HostRecord.HostState.UNKNOWN,
                                0,
                                null)
                        : new HostRecord(
                                name,
                                site,
                                memoryBytes,
                                nicBytesPerSec,
                                old.url(),
                                old.state(),
                                old.lastSeenMillis(),
                                old.load());
        hosts.put(name, h);
        store.putHost(h);
    }

    public synchronized List<String> sites() {
        return List.copyOf(sites);
    }

    public synchronized List<SiteLink> links() {
        return List.copyOf(links);
    }

    public synchronized List<HostRecord> hosts() {
        return List.copyOf(hosts.values());
    }

    public synchronized HostRecord host(String name) {
        HostRecord h = hosts.get(name);
        if (h == null) {
            throw ApiException.notFound("unknown host '" + name + "'");
        }
        return h;
    }

    public synchronized Optional<HostRecord> findHost(String name) {
        return Optional.ofNullable(hosts.get(name));
    }

    public synchronized List<ZoneRecord> zones() {
        List<ZoneRecord> out = new ArrayList<>(zones.values());
        out.sort(Comparator.comparing(ZoneRecord::name));
        return out;
    }

    public synchronized ZoneRecord zone(String name) {
        ZoneRecord z = zones.get(name);
        if (z == null) {
            throw new ZoneNotFoundException(name);
        }
        return z;
    }

    public synchronized Optional<ZoneRecord> findZone(String name) {
        return Optional.ofNullable(zones.get(name));
    }

    public synchronized void putZone(ZoneRecord z) {
        store.putZone(z);
        zones.put(z.name(), z);
    }

    /**
     * Replaces {@code expected} by {@code updated} only if the registry still holds exactly {@code
     * expected}: an update decided on what was read, that must not overwrite what changed since (a
     * delete, a plan, another report). Returns whether it did.
     */
    public synchronized boolean replaceZone(ZoneRecord expected, ZoneRecord updated) {
        if (!expected.name().equals(updated.name())
                || !expected.equals(zones.get(expected.name()))) {
            return false;
        }
        putZone(updated);
        return true;
    }

    /** Forgets a zone, and with it the history of its failures. */
    public synchronized void removeZone(String name) {
        store.deleteZone(name);
        zones.remove(name);
        if (failures.removeIf(f -> f.zone().equals(name))) {
            store.deleteFailures(name);
        }
    }

    // ---- zone failures: deaths of zones' VMs outside migrations ----

    /** Stores a zone's failure; returns it with its id. */
    public synchronized FailureRecord addFailure(FailureRecord f) {
        FailureRecord stored = store.insertFailure(f);
        failures.add(stored);
        return stored;
    }

    /** Updates a stored failure's outcome. */
    public synchronized void putFailure(FailureRecord f) {
        store.putFailure(f);
        failures.replaceAll(old -> old.id() == f.id() ? f : old);
    }

    /** A zone's failures, oldest first. */
    public synchronized List<FailureRecord> failures(String zone) {
        return failures.stream().filter(f -> f.zone().equals(zone)).toList();
    }

    /** Every zone's failures, oldest first. */
    public synchronized List<FailureRecord> failures() {
        return List.copyOf(failures);
    }

    // ---- storage: base images, which sites cache them, transfers ----

    public synchronized void putImage(BaseImageRecord image) {
        store.putImage(image);
        images.put(image.name(), image);
    }

    public synchronized Optional<BaseImageRecord> findImage(String name) {
        return Optional.ofNullable(images.get(name));
    }

    public synchronized List<BaseImageRecord> images() {
        return List.copyOf(images.values());
    }

    /** Forgets a base image and which sites cache it (the caches keep their files). */
    public synchronized void removeImage(String name) {
        store.removeImage(name);
        images.remove(name);
        imageSites.remove(name);
    }

    // ---- zone images: what zones boot besides LiveZone's own zone server ----

    public synchronized void putZoneImage(ZoneImage image) {
        store.putZoneImage(image);
        zoneImages.put(image.name(), image);
    }

    public synchronized Optional<ZoneImage> findZoneImage(String name) {
        return Optional.ofNullable(zoneImages.get(name));
    }

    public synchronized List<ZoneImage> zoneImages() {
        return List.copyOf(zoneImages.values());
    }

    public synchronized void removeZoneImage(String name) {
        store.removeZoneImage(name);
        zoneImages.remove(name);
    }

    /** Records that {@code site}'s cache holds base image {@code image}. */
    public synchronized void addImageSite(String image, String site) {
        requireSite(site);
        if (imageSites.computeIfAbsent(image, k -> new java.util.TreeSet<>()).add(site)) {
            store.putImageSite(image, site);
        }
    }

    /** The sites whose caches hold base image {@code image}. */
    public synchronized List<String> imageSites(String image) {
        return List.copyOf(imageSites.getOrDefault(image, java.util.Set.of()));
    }

    public synchronized boolean siteCaches(String image, String site) {
        return imageSites.getOrDefault(image, java.util.Set.of()).contains(site);
    }

    public synchronized StorageTransferRecord addTransfer(StorageTransferRecord t) {
        return store.insertTransfer(t);
    }

    public synchronized List<StorageTransferRecord> transfers() {
        return store.transfers();
    }

    /**
     * A lock for a storage operation that must run once at a time (e.g. sending a base image to a
     * site), shared by everything that uses this registry. Held while agents work: never the
     * registry's own lock.
     */
    /**
     * The lock of image {@code name} (a base image, or a zone image and its base of that name):
     * held while it is created, registered or deleted, and while a zone that uses it is created.
     */
    public Object imageLock(String name) {
        return storageLock("image:" + name);
    }

    public Object storageLock(String key) {
        return storageLocks.computeIfAbsent(key, k -> new Object());
    }

    /**
     * The emulated link between the sites of two hosts; none within a site. A link without a
     * bandwidth of its own runs at the slower host NIC: the emulator needs a rate to bound the
     * bytes it holds in flight to what a real path of that latency would hold.
     */
    public synchronized LinkSettings linkBetween(String hostA, String hostB) {
        HostRecord ha = host(hostA);
        HostRecord hb = host(hostB);
        if (ha.site().equals(hb.site())) {
            return LinkSettings.NONE;
        }
        LinkSettings l =
                links.stream()
                        .filter(x -> x.joins(ha.site(), hb.site()))
                        .map(SiteLink::settings)
                        .findFirst()
                        .orElse(LinkSettings.NONE);
        if (!l.emulated() || l.bytesPerSec() > 0) {
            return l;
        }
        return new LinkSettings(
                l.latencyMs(), l.jitterMs(), Math.min(ha.nicBytesPerSec(), hb.nicBytesPerSec()));
    }

    /**
     * Records a heartbeat. A host not configured yet registers itself if its site is known. Returns
     * true if the host was not UP before (first report, or back from DOWN).
     */
    public synchronized boolean heartbeat(Heartbeat hb, long now) {
        HostRecord h = hosts.get(hb.host());
        if (h == null) {
            requireSite(hb.site());
            addHost(hb.host(), hb.site(), Math.max(hb.load().memoryTotalBytes(), 1), 125_000_000L);
            h = hosts.get(hb.host());
        } else if (!h.site().equals(hb.site())) {
            throw new InvalidInputException(
                    "host "
                            + hb.host()
                            + " is registered in site "
                            + h.site()
                            + ", not "
                            + hb.site());
        }
        boolean wasUp = h.state() == HostRecord.HostState.UP;
        HostRecord updated = h.seen(hb.url(), now, hb.load());
        hosts.put(h.name(), updated);
        if (!hb.url().equals(h.url())) {
            store.putHost(updated);
        }
        return !wasUp;
    }

    /** Marks hosts DOWN whose last heartbeat is older than {@code timeoutMillis}; returns them. */
    public synchronized List<String> expire(long now, long timeoutMillis) {
        List<String> down = new ArrayList<>();
        for (HostRecord h : List.copyOf(hosts.values())) {
            if (h.state() == HostRecord.HostState.UP && now - h.lastSeenMillis() > timeoutMillis) {
                hosts.put(h.name(), h.down());
                down.add(h.name());
                for (ZoneRecord z : List.copyOf(zones.values())) {
                    // A zone that is migrating is the plan's to settle: its move fails or
                    // completes and says where the zone is. A hibernating zone runs nowhere; its
                    // image waits on the host's disk. A failed zone's VM is dead: it is not
                    // running there either.
                    if (h.name().equals(z.host())
                            && z.state() != ZoneRecord.ZoneLifecycle.MIGRATING
                            && z.state() != ZoneRecord.ZoneLifecycle.HIBERNATING
                            && z.state() != ZoneRecord.ZoneLifecycle.FAILED) {
                        putZone(
                                z.because(
                                        ZoneRecord.ZoneLifecycle.LOST,
                                        "host " + h.name() + " stopped heartbeating"));
                    }
                }
                log.warn("host {} stopped heartbeating; its zones are reported lost", h.name());
            }
        }
        return down;
    }

    private void requireSite(String site) {
        if (!sites.contains(site)) {
            throw new InvalidInputException("unknown site '" + site + "'; known sites: " + sites);
        }
    }
}
