package io.keras4j.format.keras;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.CorruptModelException;
import io.keras4j.UnsupportedModelException;
import io.keras4j.format.h5.H5Codec;
import io.keras4j.model.KerasFile;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.runtime.WeightShapes;
import io.keras4j.spi.Codec;
import io.keras4j.spi.ReadOptions;
import io.keras4j.testing.Fixtures;
import io.keras4j.testing.PinnedOutcomes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every {@code .h5}, {@code .hdf5} and {@code .keras} file of the public fixtures (Keras 1.1 to 3.15, Theano and
 * TensorFlow, tf.keras) reads; files that hold no Keras model (DL4J's {@code *_inputs_and_outputs.h5} reference data)
 * are refused with a clear CorruptModelException; where a file stores both an architecture and weights, every
 * weight has the shape the architecture implies (computed by the runtime's shape inference from the config alone).
 */
class PublicFixturesTest {
    private final H5Codec h5 = new H5Codec();
    private final KerasArchiveCodec keras = new KerasArchiveCodec();

    @Test
    void everyPublicHdf5AndKerasFileReads() {
        Path root = Fixtures.publicFixtures();
        List<Path> files = Fixtures.find(root, p -> p.toString().matches(".*\\.(h5|hdf5|keras)$"));
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        Map<String, String> notInferable = new TreeMap<>();
        for (Path file : files) {
            String name = root.relativize(file).toString();
            Codec codec = name.endsWith(".keras") ? keras : h5;
            KerasFile read;
            try {
                read = codec.read(file, ReadOptions.DEFAULT);
            } catch (CorruptModelException | UnsupportedModelException e) {
                if (name.endsWith("_inputs_and_outputs.h5") && e.getMessage().contains("without Keras content")) {
                    outcomes.merge("reference data, not a model (refused clearly)", 1, Integer::sum);
                } else {
                    failures.add(name + ": " + e.getMessage());
                }
                continue;
            }
            if (read.model().isEmpty()) {
                assertThat(read.storedWeights()).as(name).isNotEmpty();
                outcomes.merge("weights only", 1, Integer::sum);
                continue;
            }
            Model model = read.model().get();
            Map<String, List<long[]>> expected;
            try {
                expected = WeightShapes.of(model);
            } catch (UnsupportedModelException e) {
                // The runtime cannot build these layers (Lambda, LocallyConnected2D, ...): each one pinned with why.
                notInferable.put(name.replace('\\', '/'), PinnedOutcomes.reason(e.getMessage(), root));
                outcomes.merge("full model, shapes not inferable by the runtime", 1, Integer::sum);
                continue;
            }
            String mismatch = firstMismatch(model, expected);
            if (mismatch != null) failures.add(name + ": " + mismatch);
            else outcomes.merge("full model, weight shapes agree with the architecture", 1, Integer::sum);
        }
        System.out.println("public fixtures: " + files.size() + " files: " + outcomes);
        assertThat(failures).as("files that do not read, or whose weights disagree with their architecture").isEmpty();
        PinnedOutcomes.assertMatches("public-shapes-not-inferable",
                "public full models whose weight shapes the runtime cannot infer", notInferable);
        assertThat(files).hasSizeGreaterThan(300);
    }

    private static String firstMismatch(Model model, Map<String, List<long[]>> expected) {
        for (Layer layer : model.layers()) {
            if (layer.nestedModel().isPresent()) {
                String inner = firstMismatch(layer.nestedModel().get(), expected);
                if (inner != null) return inner;
                continue;
            }
            List<long[]> want = expected.getOrDefault(layer.name(), List.of());
            List<long[]> got = layer.weights().stream().map(w -> w.value().shape()).toList();
            if (want.size() != got.size()) return layer.name() + " (" + layer.className() + "): " + got.size() + " weights stored, the architecture implies " + want.size();
            for (int i = 0; i < want.size(); i++) {
                if (!Arrays.equals(want.get(i), got.get(i))) {
                    return layer.name() + " (" + layer.className() + ") weight " + i + ": stored " + Arrays.toString(got.get(i))
                            + ", the architecture implies " + Arrays.toString(want.get(i));
                }
            }
        }
        return null;
    }
}
