package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.Keras4j;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.runtime.CompiledModel;
import io.keras4j.runtime.ModelInitializer;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue #13's transfer-learning example, as a user writes it: load a trained base, keep its layers, put a new head on
 * it initialized in Java (its initializers, seeded), save a .keras; real Keras 3 loads it and predicts what keras4j
 * predicts, with the base's weights untouched.
 */
class TransferLearningTest {
    private static final Keras4j KERAS = Keras4j.create();

    @Test
    void aNewHeadOnATrainedBaseSavesAsAKerasFileKeras3PredictsLikeKeras4j() throws Exception {
        Zoo.Entry cnn = Zoo.current().entries().stream().filter(e -> e.id().equals("cnn-k2")).findFirst().orElseThrow();
        Model base = KERAS.load(cnn.file("h5").orElseThrow());

        // Keep every layer but the classifier, and add a two-class head the file never had.
        List<Layer> layers = new ArrayList<>(base.layers().subList(0, base.layers().size() - 1));
        layers.add(Layer.builder("new_head", "Dense").config(JsonObject.builder().put("name", "new_head")
                .put("units", 2).put("activation", "softmax").put("use_bias", true).put("trainable", true).build()).build());
        Model transferred = ModelInitializer.initializeMissing(base.withLayers(layers), 42);

        for (Layer kept : base.layers().subList(0, base.layers().size() - 1)) {
            assertThat(transferred.layer(kept.name()).orElseThrow().weights()).as("base layer %s keeps its weights", kept.name())
                    .isEqualTo(kept.weights());
        }
        Layer head = transferred.layer("new_head").orElseThrow();
        assertThat(head.weights()).extracting(w -> w.value().shape()).containsExactly(new long[] {54, 2}, new long[] {2});

        Path out = ReverseCheck.freshOutput("transfer-learning");
        Path file = out.resolve("transferred.keras");
        KERAS.save(transferred, file);
        List<Tensor> inputs = cnn.inputs().stream().map(Npy::read).toList();
        List<Tensor> ours = CompiledModel.compile(transferred).predictTensors(inputs);
        Path expected = out.resolve("keras4j_outputs_0.npy");
        Npy.write(ours.get(0), expected);

        JsonObject c = JsonObject.builder().put("id", "transfer").put("loader", "keras3.load_model").put("path", file.toString())
                .put("inputs", ReverseCheck.strings(cnn.inputs())).put("outputs", ReverseCheck.strings(List.of(expected))).build();
        Map<String, JsonObject> results = ReverseCheck.run(List.of(c), out);
        ReverseCheck.assertPassedOrTensorFlowCannotRunIt("transfer", results.get("transfer"));
    }

    @Test
    void cloneModelDrawsFreshWeightsOfTheSameShapesAndTheSameSeedDrawsTheSame() {
        Zoo.Entry cnn = Zoo.current().entries().stream().filter(e -> e.id().equals("cnn-k3")).findFirst().orElseThrow();
        Model trained = KERAS.load(cnn.file("keras").orElseThrow());
        Model clone = ModelInitializer.cloneModel(trained, 7);
        assertThat(clone.weights()).hasSameSizeAs(trained.weights());
        for (int i = 0; i < trained.weights().size(); i++) {
            assertThat(clone.weights().get(i).value().shape()).isEqualTo(trained.weights().get(i).value().shape());
        }
        Layer conv = clone.layers().stream().filter(l -> l.className().equals("Conv2D")).findFirst().orElseThrow();
        assertThat(conv.weights().get(0).value().toFloatArray()).as("a fresh kernel")
                .isNotEqualTo(trained.layer(conv.name()).orElseThrow().weights().get(0).value().toFloatArray());
        assertThat(conv.weights().get(1).value().toFloatArray()).as("bias_initializer zeros").containsOnly(0f);
        assertThat(ModelInitializer.cloneModel(trained, 7).weights().get(0).value().toFloatArray())
                .containsExactly(clone.weights().get(0).value().toFloatArray());
    }
}
