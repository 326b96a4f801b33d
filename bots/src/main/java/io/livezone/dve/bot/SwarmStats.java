package io.livezone.dve.bot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.UncheckedIOException;
import java.util.List;

/** Measurements of a whole swarm over a window: the aggregate plus every bot's own figures. */
public record SwarmStats(double windowMs, AggregateStats aggregate, List<BotStats> bots) {

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public SwarmStats {
        bots = List.copyOf(bots);
    }

    /** Shortcut for {@code aggregate().tickContinuityOk()}. */
    public boolean tickContinuityOk() {
        return aggregate.tickContinuityOk();
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static SwarmStats fromJson(String json) {
        try {
            return JSON.readValue(json, SwarmStats.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
