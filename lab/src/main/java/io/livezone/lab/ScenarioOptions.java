package io.livezone.lab;

import io.livezone.core.MemorySize;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;

/**
 * Options of the single-zone scenario, shared by demo and bench (each sets its own default
 * migration count).
 */
public final class ScenarioOptions {
    @Option(
            names = "--bots",
            defaultValue = "10",
            description = "Simulated players (default: ${DEFAULT-VALUE}).")
    int bots;

    @Option(
            names = "--memory",
            defaultValue = "256M",
            description = "Guest RAM (default: ${DEFAULT-VALUE}).")
    String memory;

    @Mixin MigrationOptionsMixin tuning = new MigrationOptionsMixin();

    public SingleZoneScenario.Settings settings(int migrations) {
        return new SingleZoneScenario.Settings(
                MemorySize.parse(memory),
                bots,
                migrations,
                Duration.ofSeconds(3),
                20,
                tuning.toOptions());
    }
}
