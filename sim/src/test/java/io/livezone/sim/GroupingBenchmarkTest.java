package io.livezone.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

class GroupingBenchmarkTest {
    @TempDir Path dir;

    @Test
    void groupingByBuildBeatsRandomAssignments() throws Exception {
        for (long seed = 1; seed <= 2; seed++) {
            GroupingBenchmarkResult result = GroupingBenchmark.run(seed);
            System.out.println(result.toJson());

            assertThat(result.zones()).isEqualTo(12);
            assertThat(result.greedySwapsBytes()).isLessThanOrEqualTo(result.greedyBytes());
            assertThat((double) result.greedySwapsBytes()).isLessThan(result.randomMeanBytes());
            assertThat(result.randomMinBytes()).isLessThanOrEqualTo(result.randomMaxBytes());
            assertThat(result.greedyBytes()).isLessThan(result.bytesWithoutDedup());
        }
        GroupingBenchmarkResult one = GroupingBenchmark.run(1);
        assertThat(GroupingBenchmark.run(1)).isEqualTo(one);
        JsonNode json = new ObjectMapper().readTree(one.toJson());
        List<String> keys = new ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);
        assertThat(keys)
                .startsWith("seed", "base_source", "base_blocks", "zone_images")
                .endsWith("greedy_vs_random_mean", "greedy_swaps_vs_random_mean");
    }

    @Test
    void aRealFileCanBeTheBase() throws IOException {
        byte[] bytes = new byte[4096 * 300];
        new Random(5).nextBytes(bytes);
        Path image = Files.write(dir.resolve("base.img"), bytes);

        GroupingBenchmarkResult result = GroupingBenchmark.run(1, image);

        assertThat(result.baseBlocks()).isEqualTo(300);
        assertThat(result.baseSource()).isEqualTo(image.toString());
        assertThat((double) result.greedySwapsBytes()).isLessThan(result.randomMeanBytes());
    }

    @Test
    void aGzipBaseIsReadDecompressed() throws IOException {
        byte[] bytes = new byte[4096 * 300];
        new Random(5).nextBytes(bytes);
        Path raw = Files.write(dir.resolve("base.img"), bytes);
        Path gz = dir.resolve("base.img.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(bytes);
        }

        GroupingBenchmarkResult result = GroupingBenchmark.run(1, gz);

        assertThat(result.baseBlocks()).isEqualTo(300);
        assertThat(result.baseSource()).isEqualTo(gz + " (decompressed)");
        assertThat(result.greedySwapsBytes())
                .isEqualTo(GroupingBenchmark.run(1, raw).greedySwapsBytes());
        assertThat(result.zoneImages()).startsWith("synthetic").contains("real blocks");
        assertThat(GroupingBenchmark.run(1).zoneImages()).contains("random base");
    }

    @Test
    void theGuestInitrdAsBaseWhenItHasBeenBuilt() throws IOException {
        Path initrd = Path.of("..", "build", "guest", "initrd.img");
        if (!Files.isRegularFile(initrd)) {
            return;
        }
        GroupingBenchmarkResult result = GroupingBenchmark.run(1, initrd);
        System.out.println(result.toJson());
        assertThat(result.baseBlocks()).isPositive();
        assertThat(result.greedySwapsBytes()).isLessThanOrEqualTo(result.greedyBytes());
    }
}
