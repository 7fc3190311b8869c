package io.keras4j.runtime;

import io.keras4j.Keras4jException;
import io.keras4j.model.Dialect;
import io.keras4j.model.Model;
import io.keras4j.runtime.layers.EmptyOutputException;
import io.keras4j.spi.WriteCheck;
import java.util.List;

/**
 * Infers the shapes of a model about to be converted to Keras 3 and reports the layers Keras 3 would refuse to build
 * from them (tf.keras built a Cropping3D that left a 0×0×0 output, or an UpSampling3D on a rank-4 input: Keras 3's
 * cropping layers raise on the one, its input specs on the other). A model the runtime cannot infer for another
 * reason (a layer class it does not implement, say) is not judged here.
 */
public final class Keras3BuildCheck implements WriteCheck {
    /** The input rank Keras 3's layer classes that keep it require (their {@code InputSpec(ndim=...)}). */
    private static final java.util.Map<String, Integer> KERAS3_RANK = java.util.Map.of(
            "UpSampling1D", 3, "UpSampling2D", 4, "UpSampling3D", 5, "ZeroPadding1D", 3, "ZeroPadding2D", 4,
            "ZeroPadding3D", 5, "Cropping1D", 3, "Cropping2D", 4, "Cropping3D", 5);

    @Override
    public List<String> problems(Model model, Dialect target) {
        if (target != Dialect.KERAS3) return List.of();
        try {
            var graph = CompiledModel.inspect(model, RuntimeOptions.defaults());
            List<String> problems = new java.util.ArrayList<>();
            for (io.keras4j.model.Layer l : model.layers()) {
                Integer rank = KERAS3_RANK.get(l.className());
                if (rank == null || !graph.layerOutputShapes().containsKey(l.name())) continue;
                for (List<long[]> call : graph.layerOutputShapes().get(l.name())) {
                    // These layers keep their input's rank.
                    if (!call.isEmpty() && call.get(0).length != rank) {
                        problems.add("layer '" + l.name() + "' (" + l.className() + ") is called on a rank-"
                                + call.get(0).length + " input, and Keras 3's " + l.className() + " takes rank " + rank + " only");
                        break;
                    }
                }
            }
            return problems;
        } catch (EmptyOutputException e) {
            return List.of(e.getMessage() + ", and Keras 3 refuses to build such a layer");
        } catch (Keras4jException e) {
            return List.of(); // cannot tell: shapes unknown past a layer the runtime does not run
        }
    }
}
