package io.keras4j.runtime;

import io.keras4j.Keras4jException;
import io.keras4j.model.Dialect;
import io.keras4j.model.Model;
import io.keras4j.runtime.layers.EmptyOutputException;
import io.keras4j.spi.WriteCheck;
import java.util.List;

/**
 * Infers the shapes of a model about to be converted to Keras 3 and reports the layers Keras 3 would refuse to build
 * from them (tf.keras built a Cropping3D that left a 0×0×0 output; Keras 3's cropping layers raise on load). A model the
 * runtime cannot infer for another reason (a layer class it does not implement, say) is not judged here.
 */
public final class Keras3BuildCheck implements WriteCheck {
    @Override
    public List<String> problems(Model model, Dialect target) {
        if (target != Dialect.KERAS3) return List.of();
        try {
            CompiledModel.inspect(model, RuntimeOptions.defaults());
            return List.of();
        } catch (EmptyOutputException e) {
            return List.of(e.getMessage() + ", and Keras 3 refuses to build such a layer");
        } catch (Keras4jException e) {
            return List.of(); // cannot tell: shapes unknown past a layer the runtime does not run
        }
    }
}
