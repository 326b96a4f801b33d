package io.livezone.coordinator;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.livezone.core.InvalidInputException;
import io.livezone.core.MemorySize;
import io.livezone.core.cluster.LinkSettings;
import io.livezone.link.Bandwidth;
import io.livezone.link.Durations;
import io.livezone.link.PlayerRegions;
import io.livezone.policy.LoadBalancerConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * balancing:                # optional: the hosts' load-balancing conductors
 *   criticalLoadPct: 80
 *   deltaPct: 5
 *   calmDown: 10s
 * migrations:               # optional: concurrency caps every plan honours (0 or absent: none)
 *   perHostOutbound: 2
 *   perHostInbound: 2
 *   perCluster: 8
 * players:                  # optional: the players' gateway's client regions
 *   region: eu              # the region of every player (until assigned another)
 *   latency:                # one-way delay the gateway adds from each region to each site
 *     eu: {eu: 5ms, us: 60ms}
 * </pre>
 *
 * @param balancing null: no conductors run
 * @param migrations null: no concurrency caps beyond what each schedule chooses
 * @param players null: every player in one region, no added delay
 */
public record ClusterConfig(
        List<Site> sites,
        List<Link> links,
        @JsonInclude(JsonInclude.Include.NON_NULL) Balancing balancing,
        @JsonInclude(JsonInclude.Include.NON_NULL) Migrations migrations,
        @JsonInclude(JsonInclude.Include.NON_NULL) PlayerRegions players) {
    public static final String DEFAULT_MEMORY = "2GiB";

    /**
     * Cluster-wide migration concurrency caps, as KubeVirt's parallelOutboundMigrationsPerNode and
     * parallelMigrationsPerCluster: every plan's schedule honours them.
     */
    public record Migrations(Integer perHostOutbound, Integer perHostInbound, Integer perCluster) {
        public Migrations {
            for (Integer v : new Integer[] {perHostOutbound, perHostInbound, perCluster}) {
                if (v != null && (v < 0 || v > 1000)) {
                    throw new InvalidInputException(
                            "cluster config: migrations: caps must be 0..1000 (0 = none), got "
                                    + v);
                }
            }
        }

        public int outbound() {
            return perHostOutbound == null ? 0 : perHostOutbound;
        }

        public int inbound() {
            return perHostInbound == null ? 0 : perHostInbound;
        }

        public int cluster() {
            return perCluster == null ? 0 : perCluster;
        }
    }

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

    /**
     * Decentralised load balancing between hosts (process migration paper §IV): with this section
     * every listed host's agent runs a conductor. Left-out values take {@link LoadBalancerConfig}'s
     * defaults.
     *
     * @param enabled false: the conductors only broadcast their load and never move a zone
     * @param policy the load-balancing policy; only {@value #DECENTRALIZED} exists
     * @param hosts the hosts that balance among themselves; null: all
     * @param criticalLoadPct a host above this CPU load (% of one CPU) sends a zone away whatever
     *     the mean, and never accepts one that would take it above
     * @param deltaPct a host more than this many percentage points above the mean sends a zone
     * @param calmDown no sending by either end for this long after a move
     * @param reportMaxAge load reports older than this are ignored
     * @param reservationTimeout a receiver's accepted, uncommitted slot is freed after this
     * @param reportPeriod how often each conductor broadcasts its load and decides
     */
    public record Balancing(
            Boolean enabled,
            String policy,
            List<String> hosts,
            Double criticalLoadPct,
            Double deltaPct,
            String calmDown,
            String reportMaxAge,
            String reservationTimeout,
            String reportPeriod) {
        public static final String DECENTRALIZED = "decentralized";
        public static final String DEFAULT_REPORT_PERIOD = "1s";

        /** Fills in the defaults and checks every value. */
        public Balancing {
            enabled = enabled == null || enabled;
            policy = policy == null ? DECENTRALIZED : policy;
            if (!policy.equals(DECENTRALIZED)) {
                throw new InvalidInputException(
                        "cluster config: balancing: unknown policy '"
                                + policy
                                + "'; known policies: "
                                + DECENTRALIZED);
            }
            if (hosts != null) {
                if (hosts.isEmpty()) {
                    throw new InvalidInputException(
                            "cluster config: balancing: 'hosts' is empty; list the hosts that"
                                    + " balance, or leave it out for all hosts");
                }
                hosts = List.copyOf(hosts);
                if (new HashSet<>(hosts).size() != hosts.size()) {
                    throw new InvalidInputException(
                            "cluster config: balancing: 'hosts' names a host twice: " + hosts);
                }
            }
            criticalLoadPct =
                    criticalLoadPct == null
                            ? LoadBalancerConfig.DEFAULT_CRITICAL_LOAD_PCT
                            : criticalLoadPct;
            deltaPct = deltaPct == null ? LoadBalancerConfig.DEFAULT_DELTA_PCT : deltaPct;
            calmDown = calmDown == null ? format(LoadBalancerConfig.DEFAULT_CALM_DOWN) : calmDown;
            reportMaxAge =
                    reportMaxAge == null
                            ? format(LoadBalancerConfig.DEFAULT_REPORT_MAX_AGE)
                            : reportMaxAge;
            reservationTimeout =
                    reservationTimeout == null
                            ? format(LoadBalancerConfig.DEFAULT_RESERVATION_TIMEOUT)
                            : reservationTimeout;
            reportPeriod = reportPeriod == null ? DEFAULT_REPORT_PERIOD : reportPeriod;
            LoadBalancerConfig config;
            Duration period;
            try {
                config =
                        new LoadBalancerConfig(
                                criticalLoadPct,
                                deltaPct,
                                duration("calmDown", calmDown),
                                duration("reportMaxAge", reportMaxAge),
                                duration("reservationTimeout", reservationTimeout));
                period = duration("reportPeriod", reportPeriod);
            } catch (RuntimeException e) {
                throw new InvalidInputException("cluster config: balancing: " + e.getMessage());
            }
            if (period.compareTo(Duration.ofMillis(100)) < 0
                    || period.compareTo(config.reportMaxAge()) >= 0) {
                throw new InvalidInputException(
                        "cluster config: balancing: reportPeriod must be at least 100ms and"
                                + " shorter than reportMaxAge ("
                                + reportMaxAge
                                + "), got "
                                + reportPeriod);
            }
        }

        /** The policy's tuning. */
        public LoadBalancerConfig loadBalancerConfig() {
            return new LoadBalancerConfig(
                    criticalLoadPct,
                    deltaPct,
                    Durations.parse(calmDown),
                    Durations.parse(reportMaxAge),
                    Durations.parse(reservationTimeout));
        }

        public Duration reportPeriodDuration() {
            return Durations.parse(reportPeriod);
        }

        private static Duration duration(String field, String text) {
            try {
                return Durations.parse(text);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(field + ": " + e.getMessage());
            }
        }

        private static String format(Duration d) {
            return d.toMillis() + "ms";
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
        if (players != null) {
            for (var r : players.latency().entrySet()) {
                for (String site : r.getValue().keySet()) {
                    if (!siteNames.contains(site)) {
                        throw new InvalidInputException(
                                "cluster config: players: region "
                                        + r.getKey()
                                        + " names unknown site "
                                        + site);
                    }
                }
            }
        }
        if (balancing != null && balancing.hosts() != null) {
            for (String h : balancing.hosts()) {
                if (!hostNames.contains(h)) {
                    throw new InvalidInputException(
                            "cluster config: balancing: unknown host "
                                    + h
                                    + "; hosts are "
                                    + hostNames.stream().sorted().toList());
                }
            }
        }
    }

    /** The hosts whose agents run a conductor: none without a balancing section. */
    public List<String> balancingHosts() {
        if (balancing == null) {
            return List.of();
        }
        return balancing.hosts() != null
                ? balancing.hosts()
                : hosts().stream().map(Host::name).toList();
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
            // An empty document (or one of comments only) has no tree, not an empty one.
            JsonNode tree = YAML.readTree(yaml == null ? "" : yaml);
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                throw new InvalidInputException("cluster config is empty");
            }
            return YAML.treeToValue(tree, ClusterConfig.class);
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
