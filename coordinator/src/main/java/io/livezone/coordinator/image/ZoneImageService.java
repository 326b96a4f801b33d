package io.livezone.coordinator.image;

import io.livezone.coordinator.registry.HostRecord;
import io.livezone.coordinator.registry.Registry;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.coordinator.storage.StorageService;
import io.livezone.core.InvalidInputException;
import io.livezone.core.cluster.ZoneDefinition;
import io.livezone.core.http.ApiException;
import io.livezone.core.image.ZoneImage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;

/**
 * The zone images a cluster knows. An image's root disk is registered as the base image of the same
 * name, so it reaches sites through their base image caches like any base, and a zone of the image
 * has a disk that is an overlay on it.
 */
public final class ZoneImageService {
    /**
     * Asks the cluster to know an image built (or imported) on this machine.
     *
     * @param rootDisk absolute path of the image's root disk on this machine
     * @param site the site whose cache takes it first; null: the first site with a host up
     */
    public record RegisterImage(ZoneImage image, String rootDisk, String site) {}

    /** An image, the sites that cache its root disk, and the zones that boot it. */
    public record ZoneImageView(ZoneImage image, List<String> sites, List<String> zones) {}

    private static final Logger log = LoggerFactory.getLogger(ZoneImageService.class);

    private final Registry registry;
    private final StorageService storage;

    public ZoneImageService(Registry registry, StorageService storage) {
        this.registry = registry;
        this.storage = storage;
    }

    /**
     * Registers an image (its root disk copied into a site's cache first). Registering the same
     * image again changes nothing; another image under a registered name is refused, so a name
     * never silently means two things.
     */
    public ZoneImageView register(RegisterImage request) {
        if (request == null || request.image() == null || request.rootDisk() == null) {
            throw new InvalidInputException(
                    "registering an image needs the image and its root disk");
        }
        ZoneImage image = request.image();
        Path rootDisk = Path.of(request.rootDisk());
        if (!rootDisk.isAbsolute()) {
            throw new InvalidInputException(
                    "the root disk of image " + image.name() + " needs an absolute path");
        }
        synchronized (registry.imageLock(image.name())) {
            var known = registry.findZoneImage(image.name());
            if (known.isPresent()) {
                if (known.get().digest().equals(image.digest())
                        && known.get().rootDiskSha256().equals(image.rootDiskSha256())) {
                    return view(known.get());
                }
                throw ApiException.conflict(
                        "image '"
                                + image.name()
                                + "' is registered with other inputs (digest "
                                + known.get().digest().substring(0, 12)
                                + "); delete it first (livezone image delete "
                                + image.name()
                                + ")");
            }
            if (registry.findImage(image.name()).isPresent()) {
                throw ApiException.conflict(
                        "the name '"
                                + image.name()
                                + "' is taken by a base image; give the image another name");
            }
            String site = request.site() != null ? request.site() : firstSiteUp();
            storage.importImage(image.name(), rootDisk, image.rootDiskSha256(), site);
            registry.putZoneImage(image);
            log.info(
                    "image {} ({}) registered; its root disk is cached at site {}",
                    image.name(),
                    image.digest().substring(0, 12),
                    site);
            return view(image);
        }
    }

    public List<ZoneImageView> list() {
        return registry.zoneImages().stream().map(this::view).toList();
    }

    public ZoneImageView get(String name) {
        return view(require(name));
    }

    /** The image named {@code name}; a clear error if the cluster does not know it. */
    public ZoneImage require(String name) {
        return registry.findZoneImage(name)
                .orElseThrow(
                        () ->
                                new InvalidInputException(
                                        "unknown image '"
                                                + name
                                                + "'; build it (livezone image build) and create"
                                                + " the zone with the livezone command, which"
                                                + " registers it"));
    }

    /** Forgets an image and its base; refused while any zone (hibernated ones too) boots it. */
    public void delete(String name) {
        synchronized (registry.imageLock(name)) {
            ZoneImage image =
                    registry.findZoneImage(name)
                            .orElseThrow(
                                    () ->
                                            ApiException.notFound(
                                                    "the cluster knows no image '" + name + "'"));
            List<String> users = zonesOf(name);
            if (!users.isEmpty()) {
                throw ApiException.conflict(
                        "image '" + name + "' is in use by zones " + users + "; delete them first");
            }
            registry.removeZoneImage(name);
            registry.removeImage(name);
            log.info("image {} ({}) deleted", name, image.digest().substring(0, 12));
        }
    }

    private List<String> zonesOf(String image) {
        return registry.zones().stream()
                .filter(z -> usesImage(z.definition(), image))
                .map(ZoneRecord::name)
                .sorted()
                .toList();
    }

    /** A zone uses an image if it boots it or its disk is an overlay on the image's root disk. */
    private static boolean usesImage(ZoneDefinition zone, String image) {
        return (zone.image() != null && zone.image().name().equals(image))
                || (zone.disk() != null && image.equals(zone.disk().image()));
    }

    private ZoneImageView view(ZoneImage image) {
        return new ZoneImageView(image, registry.imageSites(image.name()), zonesOf(image.name()));
    }

    private String firstSiteUp() {
        return registry.hosts().stream()
                .filter(h -> h.state() == HostRecord.HostState.UP)
                .map(HostRecord::site)
                .sorted()
                .findFirst()
                .orElseThrow(() -> ApiException.conflict("no host of the cluster is up"));
    }
}
