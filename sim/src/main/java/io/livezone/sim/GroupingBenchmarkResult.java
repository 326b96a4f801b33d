package io.livezone.sim;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.UncheckedIOException;

/**
 * What {@link GroupingBenchmark} reports, under these JSON keys ({@link #toJson()}).
 *
 * @param seed the seed the zones and random assignments came from
 * @param baseSource {@code synthetic} or the path of the image whose blocks formed the base
 * @param baseBlocks distinct non-zero 4 KiB blocks in the common base
 * @param bytesWithoutDedup every zone's distinct blocks sent on their own
 * @param greedyBytes bytes on the wire with {@code GroupingPolicy.greedy}
 * @param greedySwapsBytes with {@code GroupingPolicy.greedyWithSwaps}
 * @param randomMeanBytes mean over {@code randomRuns} seeded random assignments
 * @param greedyGroupsBuilds whether greedy put each build's zones on a target of their own
 * @param greedySwapsGroupsBuilds the same for greedy with swaps
 */
@JsonPropertyOrder({
    "seed",
    "base_source",
    "base_blocks",
    "zone_images",
    "zones",
    "targets",
    "block_size",
    "bytes_without_dedup",
    "greedy_bytes",
    "greedy_swaps_bytes",
    "random_mean_bytes",
    "random_min_bytes",
    "random_max_bytes",
    "random_runs",
    "greedy_groups_builds",
    "greedy_swaps_groups_builds",
    "greedy_vs_random_mean",
    "greedy_swaps_vs_random_mean"
})
public record GroupingBenchmarkResult(
        @JsonProperty("seed") long seed,
        @JsonProperty("base_source") String baseSource,
        @JsonProperty("base_blocks") int baseBlocks,
        @JsonProperty("zones") int zones,
        @JsonProperty("targets") int targets,
        @JsonProperty("block_size") int blockSize,
        @JsonProperty("bytes_without_dedup") long bytesWithoutDedup,
        @JsonProperty("greedy_bytes") long greedyBytes,
        @JsonProperty("greedy_swaps_bytes") long greedySwapsBytes,
        @JsonProperty("random_mean_bytes") double randomMeanBytes,
        @JsonProperty("random_min_bytes") long randomMinBytes,
        @JsonProperty("random_max_bytes") long randomMaxBytes,
        @JsonProperty("random_runs") int randomRuns,
        @JsonProperty("greedy_groups_builds") boolean greedyGroupsBuilds,
        @JsonProperty("greedy_swaps_groups_builds") boolean greedySwapsGroupsBuilds) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What is real in the zones' images: never the zones themselves, at most their common base. */
    @JsonProperty("zone_images")
    public String zoneImages() {
        return "synthetic: random build and per-zone blocks over "
                + (baseSource.equals("synthetic")
                        ? "a random base"
                        : "the real blocks of base_source");
    }

    /** Greedy's bytes as a fraction of the random mean (below 1: greedy sends less). */
    @JsonProperty("greedy_vs_random_mean")
    public double greedyVsRandomMean() {
        return greedyBytes / randomMeanBytes;
    }

    @JsonProperty("greedy_swaps_vs_random_mean")
    public double greedySwapsVsRandomMean() {
        return greedySwapsBytes / randomMeanBytes;
    }

    /** One-line JSON object with the keys above. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
