package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.Keras4j;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Dialect;
import io.keras4j.model.Model;
import io.keras4j.runtime.CompiledModel;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.spi.WriteOptions;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.Fixtures;
import io.keras4j.testing.KerasOracle;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * tf.keras applications name layers with '/' (MobileNetV3's {@code Conv/BatchNorm}), which HDF5 stores as nested
 * groups. Real tf_keras writes such a model ({@code oracle/slash_names.py}, run here); keras4j must read its full-model
 * and save_weights files, predict what Keras predicted, and write both back so tf_keras loads them and predicts the
 * same; Keras 3 refuses '/' in names, so a .keras names those layers with '_' and Keras 3 loads it and predicts the same.
 */
class SlashLayerNamesTest {
    private static final Keras4j KERAS = Keras4j.create();

    @Test
    void tfKerasModelsWithSlashesInLayerNamesReadPredictAndWriteBack() throws Exception {
        Path out = ReverseCheck.freshOutput("slash-names");
        String log = KerasOracle.run(Fixtures.root().resolve("it-tests/src/test/resources/oracle/slash_names.py").toString(), out.toString());
        assertThat(out.resolve("model.h5")).as("tf_keras wrote the model:%n%s", log).exists();
        Tensor input = Npy.read(out.resolve("inputs_0.npy"));
        float[] expected = Npy.read(out.resolve("outputs_0.npy")).toFloatArray();

        Model full = KERAS.load(out.resolve("model.h5"));
        assertThat(full.layers()).extracting(l -> l.name()).contains("Conv/BatchNorm", "Logits/Dense");
        Model fromWeights = KERAS.loadWeights(KERAS.load(out.resolve("model.json")), out.resolve("weights.h5"), LoadWeightsOptions.DEFAULT);
        for (Model m : List.of(full, fromWeights)) {
            float[] actual = CompiledModel.compile(m).predictTensors(List.of(input)).get(0).toFloatArray();
            assertThat(actual.length).isEqualTo(expected.length);
            for (int i = 0; i < actual.length; i++) assertThat((double) actual[i]).isCloseTo(expected[i], org.assertj.core.api.Assertions.within(1e-5));
        }

        Path h5 = out.resolve("written/model.h5");
        Path weights = out.resolve("written/weights.h5");
        Path keras3 = out.resolve("written/model.keras");
        java.nio.file.Files.createDirectories(h5.getParent());
        KERAS.save(full, h5, null, WriteOptions.DEFAULT.withDialect(Dialect.KERAS2));
        KERAS.save(full, weights, "h5", WriteOptions.DEFAULT.withDialect(Dialect.KERAS2).withWeightsOnly(true));
        // Keras 3 refuses '/' in a layer name: the .keras names the layers with '_' and predicts the same.
        KERAS.save(full, keras3);
        assertThat(KERAS.load(keras3).layers()).extracting(l -> l.name()).contains("Conv_BatchNorm", "Logits_Dense")
                .noneMatch(n -> n.contains("/"));
        JsonObject base = JsonObject.builder().put("inputs", ReverseCheck.strings(List.of(out.resolve("inputs_0.npy"))))
                .put("outputs", ReverseCheck.strings(List.of(out.resolve("outputs_0.npy")))).build();
        Map<String, JsonObject> results = ReverseCheck.run(List.of(
                base.with("id", "full model .h5").with("loader", "tf_keras.load_model").with("path", h5.toString()),
                base.with("id", "save_weights .h5").with("loader", "tf_keras.load_weights").with("path", weights.toString())
                        .with("architecture", out.resolve("model.json").toString()),
                base.with("id", "migrated .keras").with("loader", "keras3.load_model").with("path", keras3.toString())), out);
        assertThat(results).hasSize(3);
        results.forEach((id, r) -> assertThat(r.getBoolean("ok", false)).as("%s: %s", id, r.get("error")).isTrue());
    }
}
