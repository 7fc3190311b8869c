package io.keras4j.export.tf;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.format.checkpoint.bundle.BundleReader;
import io.keras4j.format.checkpoint.bundle.TensorBundle;
import io.keras4j.core.KerasJson;
import io.keras4j.format.savedmodel.SavedModelCodec;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonString;
import io.keras4j.json.JsonValue;
import io.keras4j.tf.proto.DataType;
import io.keras4j.tf.proto.SavedObject;
import io.keras4j.tf.proto.SavedObjectGraph;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.spi.WriteOptions;
import io.keras4j.tensor.DType;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.KerasOracle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An adapted Normalization layer (Keras 3 config, as {@code layer.adapt} leaves it) keeps its statistics in
 * variables tracked as {@code adapt_mean} / {@code adapt_variance} (keras and tf_keras normalization.py) and an int64
 * {@code count}: the SavedModel must declare each variable with its own dtype and track it by that attribute, or
 * TensorFlow's restore fails; real TensorFlow and tf_keras must then predict what Keras 3 predicts from them.
 */
class AdaptedNormalizationTest {
    private static final String CONFIG = """
            {"module": "keras", "class_name": "Sequential", "config": {"name": "adapted", "trainable": true, "layers": [
              {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 4], "dtype": "float32", "sparse": false, "name": "input_layer"}, "registered_name": null},
              {"module": "keras.layers", "class_name": "Normalization", "config": {"name": "normalization", "trainable": true, "dtype": "float32", "axis": [-1], "invert": false, "mean": null, "variance": null}, "registered_name": null, "build_config": {"input_shape": [null, 4]}},
              {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "trainable": true, "dtype": "float32", "units": 2, "activation": "linear", "use_bias": true}, "registered_name": null, "build_config": {"input_shape": [null, 4]}}
            ]}, "registered_name": null}
            """;

    @Test
    void integerVariablesKeepTheirDtypeAndStatisticsTheirTrackedNames(@TempDir Path temp) throws Exception {
        Model model = withWeights(KerasJson.readModel(CONFIG, null));
        Path target = temp.resolve("adapted");
        new SavedModelCodec().write(model, target, WriteOptions.DEFAULT);

        SavedObjectGraph graph = WrittenFiles.metaGraph(target).getObjectGraphDef();
        Map<String, SavedObject> byPath = new HashMap<>();
        SavedObject layer = graph.getNodes(child(graph, 0, "layer_with_weights-0"));
        for (var c : layer.getChildrenList()) byPath.put(c.getLocalName(), graph.getNodes(c.getNodeId()));
        assertThat(byPath.get("adapt_mean").getVariable().getDtype()).isEqualTo(DataType.DT_FLOAT);
        assertThat(byPath.get("adapt_variance").getVariable().getDtype()).isEqualTo(DataType.DT_FLOAT);
        assertThat(byPath.get("count").getVariable().getDtype()).isEqualTo(DataType.DT_INT64);

        try (BundleReader bundle = TensorBundle.open(target.resolve("variables/variables"))) {
            Tensor count = bundle.read("layer_with_weights-0/count/.ATTRIBUTES/VARIABLE_VALUE");
            assertThat(count.dtype()).isEqualTo(DType.INT64);
            assertThat(count.contentEquals(Tensor.ofLongs(new long[] {50}))).isTrue();
        }
    }

    /**
     * Real Keras is the judge of the values: Keras 3 builds the same layers from the same statistics and weights and
     * predicts (the expected outputs); TensorFlow serves the SavedModel keras4j wrote, and tf_keras restores it as a
     * Keras model, and both must predict what Keras did.
     */
    @Test
    void tensorFlowAndTfKerasPredictWhatKerasPredictsFromTheseStatistics(@TempDir Path temp) throws Exception {
        Path target = temp.resolve("adapted");
        new SavedModelCodec().write(withWeights(KerasJson.readModel(CONFIG, null)), target,
                WriteOptions.DEFAULT.withProperty("savedmodel.kerasObjects", "true"));
        Path x = temp.resolve("x.npy");
        Npy.write(Tensor.ofFloats(new float[] {2, 1, 0, -1, 5, 3, 1, -0.5f, -1, -1, -1, -1}, 3, 4), x);
        Path y = temp.resolve("y.npy");
        String log = KerasOracle.run("-c", String.join("\n",
                "import sys, numpy as np, keras",
                "m = keras.Sequential([keras.Input((4,)),",
                "    keras.layers.Normalization(mean=[2., 1., 0., -1.], variance=[9., 4., 1., 0.25]), keras.layers.Dense(2)])",
                "m.layers[-1].set_weights([np.array([[1, 2], [3, 4], [5, 6], [7, 8]], 'float32'), np.array([0.5, -0.5], 'float32')])",
                "np.save(sys.argv[2], m.predict(np.load(sys.argv[1]), verbose=0))"), x.toString(), y.toString());
        assertThat(y).as("Keras's predictions; the oracle said:%n%s", log).isRegularFile();

        JsonObject base = JsonObject.builder().put("path", target.toString())
                .put("inputs", JsonArray.of(new JsonString(x.toString()))).put("outputs", JsonArray.of(new JsonString(y.toString()))).build();
        List<JsonValue> cases = List.of(base.with("id", "serving").with("loader", "tf.saved_model.load"),
                base.with("id", "tf_keras").with("loader", "tf_keras.load_model"));
        Path casesFile = Files.writeString(temp.resolve("cases.json"), KerasJson.toText(new JsonArray(cases), true));
        Path report = KerasOracle.reverseCheck(casesFile, temp.resolve("report.json"));
        List<JsonValue> results = KerasJson.parse(Files.readString(report), report).asObject().getArray("results").values();
        assertThat(results).hasSize(2).allSatisfy(r -> assertThat(r.asObject().getBoolean("ok", false))
                .as("%s: %s", r.asObject().getString("id", ""), r.asObject().getString("error", "")).isTrue());
    }

    private static int child(SavedObjectGraph graph, int node, String name) {
        return graph.getNodes(node).getChildrenList().stream().filter(c -> c.getLocalName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("node " + node + " has no child " + name)).getNodeId();
    }

    /** Statistics as adapt() leaves them (mean, variance, an int64 sample count), then a Dense kernel and bias. */
    private static Model withWeights(Model m) {
        List<Layer> layers = new ArrayList<>();
        for (Layer l : m.layers()) {
            List<Weight> w = switch (l.className()) {
                case "Normalization" -> List.of(
                        new Weight("normalization/mean", Tensor.ofFloats(new float[] {2f, 1f, 0f, -1f}, 4), false),
                        new Weight("normalization/variance", Tensor.ofFloats(new float[] {9f, 4f, 1f, 0.25f}, 4), false),
                        new Weight("normalization/count", Tensor.ofLongs(new long[] {50}), false));
                case "Dense" -> List.of(Weight.of("dense/kernel", Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2)),
                        Weight.of("dense/bias", Tensor.ofFloats(new float[] {0.5f, -0.5f}, 2)));
                default -> List.of();
            };
            layers.add(l.toBuilder().weights(w).build());
        }
        return m.toBuilder().layers(layers).build();
    }
}
