package io.livezone.coordinator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.livezone.core.InvalidInputException;
import io.livezone.core.MemorySize;
import io.livezone.core.cluster.LinkSettings;
import io.livezone.link.Bandwidth;
import io.livezone.link.Durations;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A cluster as an operator writes it in YAML: sites with their hosts, and the links between sites.
 * Sizes and rates are human strings ("2GiB", "100mbit", "50ms").
 *
 * <pre>
 * sites:
 *   - name: eu
 *     hosts:
 *       - {name: h1, memory: 2GiB, nic: 1gbit}
 *   - name: us
 *     hosts: [{name: h2}]
 * links:
 *   - {between: [eu, us], latency: 50ms, jitter: 2ms, bandwidth: 100mbit}
 * </pre>
 */
public record ClusterConfig(List<Site> sites, List<Link> links) {
    public static final String DEFAULT_MEMORY = "2GiB";
    public static final String DEFAULT_NIC = "1gbit";

    public record Site(String name, List<Host> hosts) {}

    public record Host(String name, String memory, String nic) {
        public long memoryBytes() {
            return MemorySize.parse(memory == null ? DEFAULT_MEMORY : memory).bytes();
        }

        public long nicBytesPerSec() {
            return Bandwidth.parse(nic == null ? DEFAULT_NIC : nic);
        }
    }

    /** One-way latency and jitter; bandwidth shared by the link's traffic in each direction. */
    public record Link(List<String> between, String latency, String jitter, String bandwidth) {
        public LinkSettings settings() {
            return new LinkSettings(
                    latency == null ? 0 : Durations.parse(latency).toMillis(),
                    jitter == null ? 0 : Durations.parse(jitter).toMillis(),
                    bandwidth == null ? 0 : Bandwidth.parse(bandwidth));
        }
    }

    public ClusterConfig {
        if (sites == null || sites.isEmpty()) {
            throw new InvalidInputException("cluster config: at least one site is needed");
        }
        links = links == null ? List.of() : List.copyOf(links);
        sites = List.copyOf(sites);
        Set<String> siteNames = new HashSet<>();
        Set<String> hostNames = new HashSet<>();
        for (Site s : sites) {
            name("site", s.name());
            if (!siteNames.add(s.name())) {
                throw new InvalidInputException(
                        "cluster config: site " + s.name() + " appears twice");
            }
            if (s.hosts() == null || s.hosts().isEmpty()) {
                throw new InvalidInputException(
                        "cluster config: site " + s.name() + " has no hosts");
            }
            for (Host h : s.hosts()) {
                name("host", h.name());
                if (!hostNames.add(h.name())) {
                    throw new InvalidInputException(
                            "cluster config: host " + h.name() + " appears twice");
                }
                try {
                    if (h.memoryBytes() <= 0 || h.nicBytesPerSec() <= 0) {
                        throw new InvalidInputException("must be positive");
                    }
                } catch (RuntimeException e) {
                    throw new InvalidInputException(
                            "cluster config: host " + h.name() + ": " + e.getMessage());
                }
            }
        }
        for (Link l : links) {
            if (l.between() == null
                    || l.between().size() != 2
                    || l.between().get(0).equals(l.between().get(1))) {
                throw new InvalidInputException(
                        "cluster config: a link needs 'between: [siteA, siteB]' with two different"
                                + " sites");
            }
            for (String s : l.between()) {
                if (!siteNames.contains(s)) {
                    throw new InvalidInputException("cluster config: link names unknown site " + s);
                }
            }
            try {
                l.settings();
            } catch (RuntimeException e) {
                throw new InvalidInputException(
                        "cluster config: link " + l.between() + ": " + e.getMessage());
            }
        }
    }

    public List<Host> hosts() {
        return sites.stream().flatMap(s -> s.hosts().stream()).toList();
    }

    public String siteOf(String host) {
        return sites.stream()
                .filter(s -> s.hosts().stream().anyMatch(h -> h.name().equals(host)))
                .map(Site::name)
                .findFirst()
                .orElseThrow(() -> new InvalidInputException("unknown host " + host));
    }

    private static void name(String what, String name) {
        if (name == null || !name.matches("[a-z][a-z0-9]{0,7}")) {
            throw new InvalidInputException(
                    "cluster config: "
                            + what
                            + " name '"
                            + name
                            + "' must be 1-8 lower-case letters or digits, starting with a letter");
        }
    }

    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory())
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public static ClusterConfig parse(String yaml) {
        try {
            ClusterConfig c = YAML.readValue(yaml, ClusterConfig.class);
            if (c == null) {
                throw new InvalidInputException("cluster config is empty");
            }
            return c;
        } catch (IOException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            if (root instanceof InvalidInputException i) {
                throw i;
            }
            throw new InvalidInputException(
                    "malformed cluster config: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    public static ClusterConfig read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new InvalidInputException(
                    "cannot read cluster config " + file + ": " + e.getMessage());
        }
    }

    public String toYaml() {
        try {
            return YAML.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
