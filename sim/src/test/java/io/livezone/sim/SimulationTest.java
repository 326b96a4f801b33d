package io.livezone.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.livezone.core.InvalidInputException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

class SimulationTest {
    @TempDir Path out;

    @Test
    void runScenarioWritesCsvJsonAndPngFiles() throws IOException {
        ScenarioRun run = Simulation.runScenario("zone-mapping", 1, out);

        assertThat(run.files().stream().map(p -> p.getFileName().toString()))
                .containsExactly(
                        "zone-mapping-series.csv",
                        "zone-mapping-moves.csv",
                        "zone-mapping.json",
                        "zone-mapping-qos.png",
                        "zone-mapping-zones.png");
        assertThat(Files.readAllLines(out.resolve("zone-mapping-series.csv")).get(0))
                .isEqualTo("time_s,qos,zones_s1,zones_s2,zones_s3,migrations");
        assertThat(Files.readAllLines(out.resolve("zone-mapping-series.csv")).get(1))
                .isEqualTo("0.000,0.333,1,1,1,0");
        JsonNode json = new ObjectMapper().readTree(out.resolve("zone-mapping.json").toFile());
        assertThat(json.get("scenario").asText()).isEqualTo("zone-mapping");
        assertThat(json.get("summary").get("qos_before").asDouble()).isEqualTo(0.333);
        assertThat(json.get("summary").get("qos_measured_end").asDouble()).isEqualTo(1.0);
        assertThat(json.get("tables").get("series").get("columns").size()).isEqualTo(6);
        for (String png : List.of("zone-mapping-qos.png", "zone-mapping-zones.png")) {
            byte[] bytes = Files.readAllBytes(out.resolve(png));
            assertThat(bytes).startsWith(0x89, 'P', 'N', 'G');
            assertThat(bytes.length).isGreaterThan(5_000);
        }
    }

    @Test
    void theSameSeedWritesIdenticalCsvFiles(@TempDir Path again) throws IOException {
        ScenarioRun first = Simulation.runScenario("load-balancing", 11, out);
        Simulation.runScenario("load-balancing", 11, again);
        List<String> csvs = new ArrayList<>();
        for (Path file : first.files()) {
            String name = file.getFileName().toString();
            if (name.endsWith(".csv") || name.endsWith(".json")) {
                csvs.add(name);
                assertThat(Files.readString(again.resolve(name)))
                        .as(name)
                        .isEqualTo(Files.readString(file));
            }
        }
        assertThat(csvs)
                .containsExactly(
                        "load-balancing-without-lb.csv",
                        "load-balancing-with-lb.csv",
                        "load-balancing-migrations.csv",
                        "load-balancing.json");
    }

    @Test
    void anUnknownScenarioIsRejectedWithTheKnownOnes() {
        assertThat(Simulation.scenarioNames())
                .containsExactly(
                        "load-balancing", "zone-mapping", "flash-crowd", "matchmaking", "fleet");
        assertThatThrownBy(() -> Simulation.runScenario("nope", 1, out))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(
                        "unknown scenario 'nope'; known: load-balancing, zone-mapping,"
                                + " flash-crowd, matchmaking, fleet");
    }
}
