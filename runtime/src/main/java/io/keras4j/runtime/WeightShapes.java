package io.keras4j.runtime;

import io.keras4j.model.Model;
import java.util.List;
import java.util.Map;

/**
 * The weight shapes each layer needs, in Keras order, from its config and the shapes flowing into it: what a
 * weights-only file must supply. Works on an architecture without weights.
 */
public final class WeightShapes {
    private WeightShapes() {}

    public static Map<String, List<long[]>> of(Model model) { return ModelShapes.of(model).layerWeightShapes(); }

    public static Map<String, List<long[]>> of(Model model, RuntimeOptions options) {
        return ModelShapes.of(model, options).layerWeightShapes();
    }
}
