package io.keras4j.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Compares a model's weights with what real Keras reported (a zoo {@code weights.npz}: {@code "<layer>/<i>"}). */
public final class KerasWeights {
    private KerasWeights() {}

    /**
     * Asserts every reference tensor equals, in shape and value bit for bit, the i-th weight of the top-level layer of
     * that name (a nested model layer lists all its weights). Returns how many tensors were compared.
     */
    public static int assertSameAsKeras(Model model, Map<String, Tensor> reference, String what) {
        int compared = 0;
        for (Layer layer : model.layers()) {
            List<Weight> weights = layer.weights();
            List<Weight> wanted = of(reference, layer.name());
            for (int i = 0; i < wanted.size(); i++) {
                String key = wanted.get(i).name();
                Tensor want = wanted.get(i).value();
                assertThat(weights.size()).as("%s: weight count of %s", what, layer.name()).isGreaterThan(i);
                Tensor got = weights.get(i).value();
                assertThat(got.shape()).as("%s: shape of %s (%s)", what, key, weights.get(i).name()).containsExactly(want.shape());
                assertThat(got.toDoubleArray()).as("%s: values of %s (%s)", what, key, weights.get(i).name())
                        .containsExactly(want.toDoubleArray());
                compared++;
            }
        }
        assertThat(compared).as("%s: reference weights compared", what).isEqualTo(reference.size());
        return compared;
    }

    /** The reference weights of one layer, {@code "<layer>/0"}, {@code "<layer>/1"}, ... up to the first missing, named by their keys. */
    public static List<Weight> of(Map<String, Tensor> reference, String layer) {
        List<Weight> out = new ArrayList<>();
        for (int i = 0; reference.containsKey(layer + "/" + i); i++) out.add(Weight.of(layer + "/" + i, reference.get(layer + "/" + i)));
        return out;
    }
}
