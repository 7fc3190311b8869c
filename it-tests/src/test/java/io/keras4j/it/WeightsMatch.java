package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.json.JsonObject;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.tensor.Tensor;
import java.util.List;
import java.util.Map;

/** Asserts that a model's weights are the ones real Keras reported (the zoo's weights.npz), by layer name and order. */
final class WeightsMatch {
    private WeightsMatch() {}

    /** Returns how many weight tensors were compared. */
    static int assertMatches(Model model, Zoo.Entry entry, String what) {
        Map<String, Tensor> reference = entry.weights();
        int compared = 0;
        for (JsonObject layer : entry.layers()) {
            String name = layer.getString("name", "");
            int count = layer.getArray("weight_names").size();
            if (count == 0) continue;
            Layer ours = model.layer(name).orElseThrow(() -> new AssertionError(what + ": no layer '" + name + "'"));
            List<Weight> weights = ours.weights();
            assertThat(weights).as("%s: weight count of layer %s", what, name).hasSize(count);
            for (int i = 0; i < count; i++) {
                Tensor expected = reference.get(name + "/" + i);
                Tensor actual = weights.get(i).value();
                assertThat(actual.shape()).as("%s: shape of %s/%d (%s)", what, name, i, weights.get(i).name()).isEqualTo(expected.shape());
                assertThat(actual.toDoubleArray()).as("%s: values of %s/%d (%s)", what, name, i, weights.get(i).name())
                        .containsExactly(expected.toDoubleArray());
                compared++;
            }
        }
        return compared;
    }
}
