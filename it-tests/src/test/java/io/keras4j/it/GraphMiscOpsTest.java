package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.Fixtures;
import io.keras4j.testing.KerasOracle;
import io.keras4j.tfgraph.GraphModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The graph ops of preprocessing layers must compute what TensorFlow computes: {@code oracle/misc_ops.py} has real
 * TensorFlow save a graph of Bucketize, DenseBincount (counts, weights, binary output, rows), TopKV2, Unique,
 * Bitcast, StringToHashBucketFast (FarmHash Fingerprint64 over strings of every length class, and over AsString'd
 * integers as Keras's Hashing layer does) and AsString (%f, %e, %g, widths, fills; halves rounding to even) and
 * record its outputs on fixed inputs, and exports StringLookup and IntegerLookup layers (hash tables the init op fills),
 * TextVectorization layers and a graph of the string ops they use (lower, regex replace, splits, ragged to dense).
 * The interpreter runs the graphs and must give the same values and strings.
 */
class GraphMiscOpsTest {
    private static Path out;

    /** One run of the script writes the graphs and TensorFlow's outputs for both tests. */
    @BeforeAll
    static void generate() throws Exception {
        out = ReverseCheck.freshOutput("graph-misc-ops");
        String log = KerasOracle.run(Fixtures.root().resolve("it-tests/src/test/resources/oracle/misc_ops.py").toString(), out.toString());
        assertThat(out.resolve("lookup/saved_model.pb")).as("TensorFlow wrote the graphs:%n%s", log).exists();
    }

    @Test
    void kerasLookupLayersFindWhatTensorFlowFoundInTheirTables() throws Exception {
        GraphModel model = GraphModel.load(out.resolve("lookup"));
        assertThat(model.opsUsed()).contains("HashTableV2", "LookupTableImportV2", "LookupTableFindV2");
        List<byte[]> words = Files.readAllLines(out.resolve("lookup_words.txt"), StandardCharsets.UTF_8).stream()
                .map(w -> w.getBytes(StandardCharsets.UTF_8)).toList();
        Map<String, Tensor> got = model.run(GraphModel.DEFAULT_SIGNATURE,
                Map.of("words", Tensor.ofStrings(words, 4, 3), "ids", Npy.read(out.resolve("lookup_ids.npy"))));
        int compared = 0;
        try (var files = Files.list(out)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("lookup_out_")).sorted().toList()) {
                String name = f.getFileName().toString().substring("lookup_out_".length()).replace(".npy", "");
                Tensor want = Npy.read(f), have = got.get(name);
                assertThat(have).as(name).isNotNull();
                assertThat(have.shape()).as(name).isEqualTo(want.shape());
                assertThat(have.toLongArray()).as(name).isEqualTo(want.toLongArray());
                compared++;
            }
        }
        assertThat(compared).as("outputs TensorFlow recorded").isEqualTo(4);
    }

    @Test
    void textVectorizationAndItsStringOpsGiveWhatTensorFlowGave() throws Exception {
        List<byte[]> text = Files.readAllLines(out.resolve("text_input.txt"), StandardCharsets.UTF_8).stream()
                .map(w -> w.getBytes(StandardCharsets.UTF_8)).toList();
        Map<String, Tensor> feed = Map.of("text", Tensor.ofStrings(text, text.size()));
        Map<String, Tensor> vectors = GraphModel.load(out.resolve("text")).run(GraphModel.DEFAULT_SIGNATURE, feed);
        Map<String, Tensor> strings = GraphModel.load(out.resolve("strings")).run(GraphModel.DEFAULT_SIGNATURE, feed);
        int compared = 0;
        try (var files = Files.list(out)) {
            for (Path f : files.sorted().toList()) {
                String file = f.getFileName().toString();
                if (file.startsWith("text_out_") || file.startsWith("text_ints_")) {
                    boolean layer = file.startsWith("text_out_");
                    String name = file.substring((layer ? "text_out_" : "text_ints_").length(), file.length() - ".npy".length());
                    Tensor want = Npy.read(f), have = (layer ? vectors : strings).get(name);
                    assertThat(have).as(name).isNotNull();
                    assertThat(have.shape()).as(name).isEqualTo(want.shape());
                    assertThat(have.toDoubleArray()).as(name).isEqualTo(want.toDoubleArray());
                    compared++;
                } else if (file.startsWith("text_strings_")) {
                    // text_strings_<name>_<shape as AxB>.txt, one string per line.
                    String stem = file.substring("text_strings_".length(), file.length() - ".txt".length());
                    String name = stem.substring(0, stem.lastIndexOf('_'));
                    long[] shape = Arrays.stream(stem.substring(stem.lastIndexOf('_') + 1).split("x")).mapToLong(Long::parseLong).toArray();
                    Tensor have = strings.get(name);
                    assertThat(have).as(name).isNotNull();
                    assertThat(have.shape()).as(name).isEqualTo(shape);
                    assertThat(have.strings().stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList()).as(name)
                            .isEqualTo(Files.readAllLines(f, StandardCharsets.UTF_8));
                    compared++;
                }
            }
        }
        assertThat(compared).as("outputs TensorFlow recorded").isEqualTo(18);
    }

    @Test
    void preprocessingOpsComputeWhatTensorFlowComputed() throws Exception {
        GraphModel model = GraphModel.load(out.resolve("misc"));
        Map<String, Tensor> got = model.run(GraphModel.DEFAULT_SIGNATURE,
                Map.of("x", Npy.read(out.resolve("inputs_x.npy")), "ids", Npy.read(out.resolve("inputs_ids.npy"))));
        List<String> mismatches = new ArrayList<>();
        int numeric = 0, strings = 0;
        try (var files = Files.list(out)) {
            for (Path f : files.sorted().toList()) {
                String file = f.getFileName().toString();
                if (file.startsWith("out_")) {
                    numeric++;
                    String name = file.substring(4, file.length() - 4);
                    Tensor want = Npy.read(f), have = got.get(name);
                    if (have == null || have.dtype() != want.dtype() || !Arrays.equals(have.shape(), want.shape())) {
                        mismatches.add(name + ": " + have + " where TensorFlow gave " + want);
                    } else if (want.dtype().isFloating() ? !Arrays.equals(have.toDoubleArray(), want.toDoubleArray())
                            : !Arrays.equals(have.toLongArray(), want.toLongArray())) {
                        mismatches.add(name + ": " + Arrays.toString(have.toDoubleArray()) + " where TensorFlow gave " + Arrays.toString(want.toDoubleArray()));
                    }
                } else if (file.startsWith("strings_")) {
                    strings++;
                    String name = file.substring(8, file.length() - 4);
                    List<String> want = Files.readAllLines(f, StandardCharsets.UTF_8);
                    List<String> have = got.get(name).strings().stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
                    if (!have.equals(want)) mismatches.add(name + ": " + have + " where TensorFlow gave " + want);
                }
            }
        }
        assertThat(numeric).as("numeric outputs TensorFlow recorded").isGreaterThan(15);
        assertThat(strings).as("AsString outputs TensorFlow recorded").isGreaterThan(8);
        assertThat(mismatches).as("outputs that differ from TensorFlow's").isEmpty();
    }
}
