package io.livezone.policy;

import io.livezone.core.InvalidInputException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * EquiPing server selection (vMatrix, ch. 6): for a group of players, pick the server that gives
 * them the most equal latency, so no player gets an edge from a shorter ping. Servers farther than
 * {@code maxRttMs} from any player are discarded; among the rest the smallest closeness factor wins
 * — the mean over unordered player pairs of |RTT(s, p_i) − RTT(s, p_j)| — then the lower mean RTT,
 * then the smaller server id. O(players² × servers).
 *
 * <p>Decisions are cached (bounded LRU), keyed by the sorted player and server sets plus the RTTs
 * between them: vMatrix caches because the same groups come back, and keying on the RTTs too means
 * a changed measurement can never return a stale server. Thread-safe; otherwise a pure function of
 * its arguments.
 */
public final class EquiPingPlacement {
    /** vMatrix ch. 6 discards servers beyond 180 ms: no balancing makes such a ping playable. */
    public static final double DEFAULT_MAX_RTT_MS = 180.0;

    public static final int DEFAULT_CACHE_SIZE = 256;

    private final double maxRttMs;
    private final Map<CacheKey, EquiPingDecision> cache;
    private long cacheHits;

    public EquiPingPlacement() {
        this(DEFAULT_MAX_RTT_MS, DEFAULT_CACHE_SIZE);
    }

    public EquiPingPlacement(double maxRttMs, int cacheSize) {
        if (!(maxRttMs > 0) || Double.isInfinite(maxRttMs)) {
            throw new InvalidInputException(
                    "max RTT must be a finite number > 0 ms, got " + maxRttMs);
        }
        if (cacheSize < 0) {
            throw new InvalidInputException("cache size must be >= 0, got " + cacheSize);
        }
        this.maxRttMs = maxRttMs;
        this.cache =
                new LinkedHashMap<>(16, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(
                            Map.Entry<CacheKey, EquiPingDecision> eldest) {
                        return size() > cacheSize;
                    }
                };
    }

    /**
     * Picks a server for {@code players} among {@code servers}; {@code
     * rttMs.get(server).get(player)} is the RTT in ms (vMatrix's rtt[s][p]) and must exist, finite
     * and >= 0, for every pair.
     */
    public EquiPingDecision choose(
            List<String> players, List<String> servers, Map<String, Map<String, Double>> rttMs) {
        List<String> sortedPlayers = sortedUnique(players, "player");
        List<String> sortedServers = sortedUnique(servers, "server");
        Objects.requireNonNull(rttMs, "rttMs is null");
        // Sorted order makes the key, and the id tie-break, independent of the order callers list
        // things in.
        double[][] rtt = new double[sortedServers.size()][sortedPlayers.size()];
        List<Double> keyRtts = new ArrayList<>(sortedServers.size() * sortedPlayers.size());
        for (int s = 0; s < sortedServers.size(); s++) {
            String server = sortedServers.get(s);
            Map<String, Double> row = rttMs.get(server);
            if (row == null) {
                throw new InvalidInputException("no RTTs for server " + server);
            }
            for (int p = 0; p < sortedPlayers.size(); p++) {
                Double value = row.get(sortedPlayers.get(p));
                if (value == null) {
                    throw new InvalidInputException(
                            "no RTT from server " + server + " to player " + sortedPlayers.get(p));
                }
                if (!Double.isFinite(value) || value < 0) {
                    throw new InvalidInputException(
                            "RTT from server "
                                    + server
                                    + " to player "
                                    + sortedPlayers.get(p)
                                    + " must be a finite number >= 0 ms, got "
                                    + value);
                }
                rtt[s][p] = value;
                keyRtts.add(value);
            }
        }
        CacheKey key = new CacheKey(sortedPlayers, sortedServers, keyRtts);
        synchronized (cache) {
            EquiPingDecision cached = cache.get(key);
            if (cached != null) {
                cacheHits++;
                return cached;
            }
        }
        EquiPingDecision decision = compute(sortedPlayers, sortedServers, rtt);
        synchronized (cache) {
            cache.put(key, decision);
        }
        return decision;
    }

    /** How many {@link #choose} calls were answered from the cache. */
    public long cacheHits() {
        synchronized (cache) {
            return cacheHits;
        }
    }

    private EquiPingDecision compute(List<String> players, List<String> servers, double[][] rtt) {
        int n = players.size();
        EquiPingChoice best = null;
        for (int s = 0; s < servers.size(); s++) {
            double sum = 0;
            boolean tooFar = false;
            for (int p = 0; p < n; p++) {
                tooFar |= rtt[s][p] > maxRttMs;
                sum += rtt[s][p];
            }
            if (tooFar) {
                continue;
            }
            double diffs = 0;
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    diffs += Math.abs(rtt[s][i] - rtt[s][j]);
                }
            }
            // A single player has no pairs: every server is equally fair, so only mean RTT decides.
            long pairs = (long) n * (n - 1) / 2;
            EquiPingChoice candidate =
                    new EquiPingChoice(servers.get(s), pairs == 0 ? 0 : diffs / pairs, sum / n);
            // Servers are visited in id order, so keeping the first of equals is the id tie-break.
            if (best == null
                    || candidate.closenessMs() < best.closenessMs()
                    || (candidate.closenessMs() == best.closenessMs()
                            && candidate.meanRttMs() < best.meanRttMs())) {
                best = candidate;
            }
        }
        if (best == null) {
            return new EquiPingDecision(
                    Optional.empty(),
                    String.format(
                            Locale.ROOT,
                            "no server qualifies: each of %d servers is more than %.0f ms from some"
                                    + " player",
                            servers.size(),
                            maxRttMs));
        }
        return new EquiPingDecision(
                Optional.of(best),
                String.format(
                        Locale.ROOT,
                        "server %s: closeness %.1f ms, mean RTT %.1f ms",
                        best.serverId(),
                        best.closenessMs(),
                        best.meanRttMs()));
    }

    private static List<String> sortedUnique(List<String> ids, String what) {
        Objects.requireNonNull(ids, what + "s is null");
        if (ids.isEmpty()) {
            throw new InvalidInputException("no " + what + "s given");
        }
        Set<String> seen = new HashSet<>();
        for (String id : ids) {
            Objects.requireNonNull(id, what + " id is null");
            if (!seen.add(id)) {
                throw new InvalidInputException("duplicate " + what + " " + id);
            }
        }
        return ids.stream().sorted().toList();
    }

    private record CacheKey(List<String> players, List<String> servers, List<Double> rtts) {}
}
