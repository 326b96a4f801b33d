package io.livezone.bench;

import io.livezone.core.LiveZoneException;

import java.util.Arrays;
import java.util.List;

/**
 * The median of repeated measurements and their range, which says how far the median can be
 * trusted.
 */
record Spread(double median, double min, double max) {

    static Spread of(List<Double> values) {
        if (values.isEmpty()) {
            throw new LiveZoneException("no measurements");
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        return new Spread(median, v[0], v[n - 1]);
    }

    static Spread of(double... values) {
        return of(Arrays.stream(values).boxed().toList());
    }
}
