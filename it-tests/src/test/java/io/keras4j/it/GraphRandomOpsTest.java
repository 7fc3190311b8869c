package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.tensor.DType;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.Fixtures;
import io.keras4j.testing.KerasOracle;
import io.keras4j.tfgraph.GraphModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The graph interpreter's random ops must draw TensorFlow's numbers bit for bit. {@code oracle/random_ops.py} has
 * real TensorFlow save graphs of every stateless random op family (uniform, normal, truncated normal, bounded and
 * full-range integers, gamma; V1 seed ops and V2 key/counter ops; float16 to float64, int32 to uint64), of a
 * {@code tf.random.Generator} (RngReadAndSkip on a state variable) and of a Keras 3 export of random augmentation
 * layers (RandomFlip, RandomBrightness, ...: they draw at every call from a seed variable), and record what it drew
 * for several seeds and successive calls. The interpreter runs the same graphs and must give identical bits, except
 * float64 normals and gammas: those go through glibc's double sin, cos, log and pow, which the interpreter does not
 * port (Java's agree with them but for the last bit now and then, and the products after can double that), so they
 * may differ by a few ulps. The augmentation layers' own arithmetic is compared within 1e-5.
 */
class GraphRandomOpsTest {
    private static Path out;

    /** One run of the script writes the graphs and TensorFlow's numbers for all tests. */
    @BeforeAll
    static void generate() throws Exception {
        out = ReverseCheck.freshOutput("graph-random-ops");
        String log = KerasOracle.run(Fixtures.root().resolve("it-tests/src/test/resources/oracle/random_ops.py").toString(), out.toString());
        assertThat(out.resolve("layers/saved_model.pb")).as("TensorFlow wrote the graphs:%n%s", log).exists();
    }

    @Test
    void statelessRandomOpsDrawTensorFlowsNumbersBitForBit() throws Exception {
        GraphModel model = GraphModel.load(out.resolve("stateless"));
        int seeds = 0, outputs = 0;
        List<String> mismatches = new ArrayList<>();
        for (; Files.exists(out.resolve("seed_" + seeds + ".npy")); seeds++) {
            Tensor seed = Npy.read(out.resolve("seed_" + seeds + ".npy"));
            Map<String, Tensor> got = model.run(GraphModel.DEFAULT_SIGNATURE, Map.of("seed", seed));
            outputs = compare(out, "seed_" + seeds + "_", got, mismatches);
        }
        assertThat(seeds).as("seeds TensorFlow drew with").isGreaterThan(3);
        assertThat(outputs).as("outputs per seed").isGreaterThan(20);
        assertThat(mismatches).as("outputs that differ from TensorFlow's").isEmpty();
    }

    @Test
    void aGeneratorStateVariableAdvancesAsTensorFlowsDoes() throws Exception {
        GraphModel model = GraphModel.load(out.resolve("generator"));
        assertThat(model.opsUsed()).contains("RngReadAndSkip");
        List<String> mismatches = new ArrayList<>();
        int calls = 0;
        for (; Files.exists(out.resolve("call_" + calls + "_ints.npy")); calls++) {
            compare(out, "call_" + calls + "_", model.run(GraphModel.DEFAULT_SIGNATURE, Map.of()), mismatches);
        }
        assertThat(calls).as("successive calls TensorFlow made").isEqualTo(3);
        assertThat(mismatches).as("outputs that differ from TensorFlow's").isEmpty();
    }

    @Test
    void kerasRandomAugmentationLayersDrawWhatTensorFlowDrewFromTheirExportedSeedState() throws Exception {
        GraphModel model = GraphModel.load(out.resolve("layers"));
        Tensor images = Npy.read(out.resolve("layers_input.npy"));
        List<String> mismatches = new ArrayList<>();
        int calls = 0, outputs = 0;
        for (; Files.exists(out.resolve("layers_" + calls + "_flip.npy")); calls++) {
            Map<String, Tensor> got = model.run(GraphModel.DEFAULT_SIGNATURE, Map.of("images", images));
            String prefix = "layers_" + calls + "_";
            try (var files = Files.list(out)) {
                for (Path f : files.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                    String file = f.getFileName().toString();
                    String name = file.substring(prefix.length(), file.length() - ".npy".length());
                    outputs++;
                    // The augmentations' own arithmetic (not the random draws) may round differently in the last bit.
                    double[] want = Npy.read(f).toDoubleArray(), have = got.get(name).toDoubleArray();
                    for (int k = 0; k < want.length; k++) {
                        if (!(Math.abs(want[k] - have[k]) <= 1e-5 * Math.max(1, Math.abs(want[k])))) {
                            mismatches.add("call " + calls + " " + name + "[" + k + "]: " + have[k] + " vs TensorFlow's " + want[k]);
                            break;
                        }
                    }
                }
            }
        }
        assertThat(calls).as("successive calls TensorFlow made").isEqualTo(2);
        assertThat(outputs).as("layer outputs compared").isEqualTo(16);
        assertThat(mismatches).as("layer outputs that differ from TensorFlow's").isEmpty();
    }

    /**
     * Compares every recorded output {@code prefix*.npy} with the interpreter's (bits, or a few ulps for float64
     * normals and gammas); returns how many there were.
     */
    private static int compare(Path dir, String prefix, Map<String, Tensor> got, List<String> mismatches) throws Exception {
        int count = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList()) {
                String name = f.getFileName().toString();
                name = name.substring(prefix.length(), name.length() - ".npy".length());
                count++;
                Tensor want = Npy.read(f);
                Tensor have = got.get(name);
                if (have == null) {
                    mismatches.add(prefix + name + ": no such output among " + got.keySet());
                    continue;
                }
                if (have.dtype() != want.dtype() || !Arrays.equals(have.shape(), want.shape())) {
                    mismatches.add(prefix + name + ": " + have + " where TensorFlow gave " + want);
                    continue;
                }
                int differ = 0, first = -1;
                if (want.dtype().isFloating()) {
                    double[] w = want.toDoubleArray(), h = have.toDoubleArray();
                    boolean fewUlps = want.dtype() == DType.FLOAT64 && (name.contains("normal") || name.contains("truncated") || name.contains("gamma"));
                    for (int k = 0; k < w.length; k++) {
                        boolean same = fewUlps ? Math.abs(w[k] - h[k]) <= 4 * Math.ulp(w[k]) : Double.doubleToLongBits(w[k]) == Double.doubleToLongBits(h[k]);
                        if (!same) { differ++; if (first < 0) first = k; }
                    }
                    if (differ > 0) mismatches.add(prefix + name + ": " + differ + " of " + w.length + " differ, first at " + first + ": " + h[first] + " vs TensorFlow's " + w[first]);
                } else {
                    long[] w = want.toLongArray(), h = have.toLongArray();
                    for (int k = 0; k < w.length; k++) if (w[k] != h[k]) { differ++; if (first < 0) first = k; }
                    if (differ > 0) mismatches.add(prefix + name + ": " + differ + " of " + w.length + " differ, first at " + first + ": " + h[first] + " vs TensorFlow's " + w[first]);
                }
            }
        }
        return count;
    }
}
