package io.keras4j.format.h5.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The oracle's model zoo: real Keras 3.15 and tf_keras 2.21 files with reference weights and outputs, at
 * {@code keras4j.zoo} (default: the committed {@code fixtures/zoo}; {@code oracle/generate.py} makes the full one).
 * Shared with format-keras through this module's test jar.
 */
public record Zoo(Path dir, JsonObject manifest) {

    public static Zoo require() throws IOException {
        Path dir = Fixtures.zoo();
        Path manifest = dir.resolve("manifest.json");
        return new Zoo(dir, KerasJson.parse(Files.readString(manifest), manifest).asObject());
    }

    public List<JsonObject> models() {
        List<JsonObject> out = new ArrayList<>();
        for (JsonValue v : manifest.getArray("models")) out.add(v.asObject());
        return out;
    }

    /** {@code mlp-k3}: a model entry's id. */
    public static String id(JsonObject model) { return model.getString("model", "") + "-" + model.getString("gen", ""); }

    /** Files of a model entry in the given format that real Keras loads. */
    public List<Path> files(JsonObject model, String format) {
        List<Path> out = new ArrayList<>();
        for (JsonValue f : model.getArray("files")) {
            JsonObject o = f.asObject();
            if (o.getString("format", "").equals(format) && o.getBoolean("keras_loads", false)) out.add(dir.resolve(o.getString("path", "")));
        }
        return out;
    }

    public Map<String, Tensor> weights(JsonObject model) { return Npy.readNpz(dir.resolve(model.getString("weights", ""))); }

    /** Absolute paths of a model entry's {@code inputs} or {@code outputs}. */
    public List<String> paths(JsonObject model, String key) {
        List<String> out = new ArrayList<>();
        for (JsonValue v : model.getArray(key)) out.add(dir.resolve(v.asText()).toAbsolutePath().toString());
        return out;
    }

    /** A reverse-check case predicting this model's reference inputs and outputs (oracle/README.md, "Reverse check"). */
    public JsonObject.Builder reverseCase(JsonObject model, String id, String loader, Path path) {
        return JsonObject.builder().put("id", id).put("loader", loader).put("path", path.toAbsolutePath().toString())
                .put("inputs", paths(model, "inputs")).put("outputs", paths(model, "outputs"))
                .put("custom", !model.getArray("custom_objects").isEmpty());
    }

    /** Asserts every weight Keras reported ({@code <layer>/<i>}) equals the layer's i-th weight in the model. */
    public static void assertWeightsEqual(Model model, Map<String, Tensor> expected, String what) {
        int checked = 0;
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            int slash = e.getKey().lastIndexOf('/');
            String layerName = e.getKey().substring(0, slash);
            int index = Integer.parseInt(e.getKey().substring(slash + 1));
            Layer layer = find(model, layerName);
            assertThat(layer).as("%s: layer %s", what, layerName).isNotNull();
            List<Weight> weights = layer.weights();
            assertThat(weights.size()).as("%s: weights of %s", what, layerName).isGreaterThan(index);
            Tensor actual = weights.get(index).value();
            assertThat(actual.shape()).as("%s: shape of %s", what, e.getKey()).isEqualTo(e.getValue().shape());
            assertThat(actual.toDoubleArray()).as("%s: values of %s", what, e.getKey()).isEqualTo(e.getValue().toDoubleArray());
            checked++;
        }
        assertThat(checked).as(what).isEqualTo(expected.size());
    }

    private static Layer find(Model model, String name) {
        for (Layer l : model.layers()) {
            if (l.name().equals(name)) return l;
            if (l.nestedModel().isPresent()) {
                Layer inner = find(l.nestedModel().get(), name);
                if (inner != null) return inner;
            }
        }
        return null;
    }
}
