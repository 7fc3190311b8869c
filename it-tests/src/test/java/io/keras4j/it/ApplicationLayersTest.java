package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.keras4j.Keras4j;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.runtime.CompiledModel;
import io.keras4j.spi.WriteOptions;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.Fixtures;
import io.keras4j.testing.KerasOracle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #12: the layer classes {@code keras.applications} defines for itself (ConvNeXt's {@code LayerScale} and
 * {@code StochasticDepth}, InceptionResNetV2's {@code CustomScaleLayer}) are built in, since users load these models
 * without writing code. Real Keras of each generation writes a small model of them ({@code oracle/application_layers.py});
 * keras4j reads every file and predicts Keras's outputs, and what it writes for the other generation, or as a
 * SavedModel, real Keras loads (TensorFlow serves) and predicts the same.
 */
class ApplicationLayersTest {
    private static final Keras4j KERAS = Keras4j.create();
    private static Path generated;

    @BeforeAll
    static void generate() throws Exception {
        generated = ReverseCheck.freshOutput("application-layers");
        String script = Fixtures.root().resolve("it-tests/src/test/resources/oracle/application_layers.py").toString();
        for (String gen : List.of("k3", "k2")) {
            String log = KerasOracle.run(script, generated.resolve(gen).toString(), gen);
            assertThat(generated.resolve(gen + "/all/model.h5")).as("Keras (%s) wrote the models:%n%s", gen, log).exists();
        }
    }

    @Test
    void everyFileKerasWroteReadsAndPredictsAsKerasDid() throws Exception {
        List<String> files = List.of("k3/all/model.keras", "k3/all/model.h5", "k3/scale/model.keras", "k3/scale/model.h5",
                "k2/all/model.h5", "k2/scale/model.h5", "k2/scale/savedmodel");
        for (String file : files) {
            Model model = KERAS.load(generated.resolve(file));
            List<String> classes = model.layers().stream().map(Layer::className).toList();
            assertThat(classes).as(file).anyMatch(c -> c.endsWith("CustomScaleLayer"));
            if (file.contains("/all/")) assertThat(classes).as(file).contains("LayerScale", "StochasticDepth");
            Path dir = generated.resolve(file).getParent();
            Tensor x = Npy.read(dir.resolve("inputs_0.npy"));
            float[] expected = Npy.read(dir.resolve("outputs_0.npy")).toFloatArray();
            float[] actual = CompiledModel.compile(model).predictTensors(List.of(x)).get(0).toFloatArray();
            assertThat(actual).as(file).hasSameSizeAs(expected);
            for (int i = 0; i < expected.length; i++) assertThat((double) actual[i]).as("%s element %d", file, i).isCloseTo(expected[i], within(1e-5));
        }
    }

    /** One conversion: a file Keras wrote, what keras4j writes from it, and how real Keras loads that. */
    private record Conversion(String source, String target, String format, Dialect dialect, String loader) {}

    @Test
    void writtenFilesLoadInRealKerasAndPredictTheSame() throws Exception {
        List<Conversion> conversions = List.of(
                new Conversion("k2/all/model.h5", "k2-all-to-k3.keras", "keras", Dialect.KERAS3, "keras3.load_model"),
                new Conversion("k2/all/model.h5", "k2-all-to-k3.h5", "h5", Dialect.KERAS3, "keras3.load_model"),
                new Conversion("k3/all/model.h5", "k3-all-h5-to.keras", "keras", Dialect.KERAS3, "keras3.load_model"),
                new Conversion("k3/all/model.keras", "k3-all.keras", "keras", Dialect.KERAS3, "keras3.load_model"),
                new Conversion("k3/scale/model.keras", "k3-scale-to-k2.h5", "h5", Dialect.KERAS2, "tf_keras.load_model"),
                new Conversion("k2/scale/model.h5", "k2-scale.h5", "h5", Dialect.KERAS2, "tf_keras.load_model"),
                new Conversion("k2/all/model.h5", "k2-all-savedmodel", "savedmodel", Dialect.KERAS2, "tf.saved_model.load"),
                new Conversion("k3/all/model.keras", "k3-all-savedmodel", "savedmodel", Dialect.KERAS3, "tf.saved_model.load"),
                new Conversion("k2/scale/model.h5", "k2-scale-savedmodel", "savedmodel", Dialect.KERAS2, "tf_keras.load_model"));
        Path out = ReverseCheck.freshOutput("application-layers-written");
        List<JsonObject> cases = new ArrayList<>();
        for (Conversion c : conversions) {
            Path target = out.resolve(c.target());
            KERAS.save(KERAS.load(generated.resolve(c.source())), target, c.format(), WriteOptions.DEFAULT.withDialect(c.dialect()));
            Path dir = generated.resolve(c.source()).getParent();
            cases.add(JsonObject.builder().put("id", c.target()).put("loader", c.loader()).put("path", target.toString())
                    .put("inputs", ReverseCheck.strings(List.of(dir.resolve("inputs_0.npy"))))
                    .put("outputs", ReverseCheck.strings(List.of(dir.resolve("outputs_0.npy")))).build());
        }
        Map<String, JsonObject> results = ReverseCheck.run(cases, out);
        assertThat(results).hasSize(conversions.size());
        for (Conversion c : conversions) {
            JsonObject r = results.get(c.target());
            assertThat(r.getBoolean("ok", false)).as("%s (%s): %s", c.target(), c.loader(), r.get("error")).isTrue();
        }
    }
}
