package io.keras4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.tensor.Tensor;
import java.util.List;

/**
 * How close keras4j's predictions must be to Keras's: every value within {@code 1e-5 * max(1, |keras|)}, i.e.
 * 1e-5 relative for values above 1 and 1e-5 absolute below (float32 sums of a few hundred terms differ by
 * summation order by about that much).
 */
final class Agreement {
    static final double TOLERANCE = 1e-5;

    private Agreement() {}

    /** Asserts agreement output by output; returns the worst error in units of the tolerance's scale. */
    static double assertClose(String what, List<Tensor> actual, List<Tensor> expected) {
        assertThat(actual).as(what + ": output count").hasSize(expected.size());
        double worst = 0;
        for (int o = 0; o < expected.size(); o++) {
            assertThat(actual.get(o).shape()).as(what + ": shape of output " + o).containsExactly(expected.get(o).shape());
            float[] a = actual.get(o).toFloatArray(), e = expected.get(o).toFloatArray();
            for (int i = 0; i < e.length; i++) {
                double err = Math.abs(a[i] - e[i]) / Math.max(1, Math.abs(e[i]));
                worst = Math.max(worst, err);
                if (!(err <= TOLERANCE)) {
                    throw new AssertionError(what + ": output " + o + " value " + i + " is " + a[i] + ", Keras gives " + e[i]
                            + " (relative error " + err + ")");
                }
            }
        }
        System.out.printf("%-40s worst relative error %.2e%n", what, worst);
        return worst;
    }
}
