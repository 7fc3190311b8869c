package io.keras4j.export.tf;

import io.keras4j.model.Model;
import io.keras4j.runtime.ModelShapes;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The static shapes of the model being written and of each model nested in it, inferred once per write: the
 * signature, the emitters and the tf.keras metadata all need them, and {@link ModelShapes#of} converts the model to
 * Keras 3 and compiles its graph each time. The runtime infers a nested model as one op, so each nested model has
 * its own entry.
 */
final class WriteShapes {
    private final Map<Model, ModelShapes> byModel = new IdentityHashMap<>();

    ModelShapes of(Model model) { return byModel.computeIfAbsent(model, ModelShapes::of); }
}
