package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.Keras4j;
import io.keras4j.runtime.CompiledModel;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.Fixtures;
import io.keras4j.testing.KerasOracle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The runtime's Hashing and ContrastLimitedAdaptiveHistogramEqualization against real Keras 3 on the configs the
 * conformance set does not reach ({@code oracle/hashing_clahe.py}): salts (SipHash), mask values, int64 and float inputs
 * for Hashing, bin for bin; value ranges, clip limits, padded tile grids and channels_first for CLAHE, within 1e-5.
 */
class HashingAndClaheTest {
    private static final Keras4j KERAS = Keras4j.create();
    private static Path out;

    @BeforeAll
    static void generate() throws Exception {
        out = ReverseCheck.freshOutput("hashing-clahe");
        String log = KerasOracle.run(Fixtures.root().resolve("it-tests/src/test/resources/oracle/hashing_clahe.py").toString(),
                out.toString());
        assertThat(out.resolve("clahe_channels_first/outputs.npy")).as("Keras wrote the cases:%n%s", log).exists();
    }

    @Test
    void hashingPutsEveryValueInKerassBin() throws Exception {
        assertThat(compare("hashing_")).isEqualTo(6);
    }

    @Test
    void claheEqualizesAsKerasDoes() throws Exception {
        assertThat(compare("clahe_")).isEqualTo(4);
    }

    /** Predicts every case whose name starts with {@code prefix}; returns how many were compared. */
    private static int compare(String prefix) throws Exception {
        int compared = 0;
        try (Stream<Path> cases = Files.list(out)) {
            for (Path c : cases.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList()) {
                Tensor input = Npy.read(c.resolve("inputs.npy")), want = Npy.read(c.resolve("outputs.npy"));
                Tensor got = CompiledModel.compile(KERAS.load(c.resolve("model.keras"))).predictTensors(List.of(input)).get(0);
                String name = c.getFileName().toString();
                assertThat(got.shape()).as(name).isEqualTo(want.shape());
                double[] g = got.toDoubleArray(), w = want.toDoubleArray();
                for (int i = 0; i < w.length; i++) {
                    // Bins are integers, compared exactly; equalized values as the conformance table compares them.
                    double tolerance = prefix.startsWith("hashing") ? 0 : 1e-5 * Math.max(1, Math.abs(w[i]));
                    assertThat(Math.abs(g[i] - w[i])).as("%s at %d: %s, Keras %s", name, i, g[i], w[i]).isLessThanOrEqualTo(tolerance);
                }
                compared++;
            }
        }
        return compared;
    }
}
