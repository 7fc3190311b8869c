package io.keras4j.runtime;

import io.keras4j.model.Model;
import io.keras4j.runtime.graph.Graph;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shape inference over a model's architecture alone (no weights needed): the input and output shapes, each
 * layer's output shapes per call (a {@code model.summary()} table) and the weight shapes each layer needs.
 * Shapes have the batch axis first and {@code -1} for dimensions unknown until run time.
 */
public final class ModelShapes {
    private final List<long[]> inputShapes;
    private final List<long[]> outputShapes;
    private final Map<String, List<List<long[]>>> layerOutputShapes;
    private final Map<String, List<long[]>> layerWeightShapes;

    ModelShapes(Graph graph) {
        this.inputShapes = graph.inputShapes();
        this.outputShapes = graph.outputShapes();
        this.layerOutputShapes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(graph.layerOutputShapes()));
        this.layerWeightShapes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(graph.layerWeightShapes()));
    }

    public static ModelShapes of(Model model) { return of(model, RuntimeOptions.defaults()); }

    /** Custom layers need their providers here too (in {@code options} or discovered). */
    public static ModelShapes of(Model model, RuntimeOptions options) { return new ModelShapes(CompiledModel.inspect(model, options)); }

    public List<long[]> inputShapes() { return inputShapes.stream().map(long[]::clone).toList(); }

    public List<long[]> outputShapes() { return outputShapes.stream().map(long[]::clone).toList(); }

    /** Per layer in execution order: the output shapes of each of its calls (a shared layer has several). */
    public Map<String, List<List<long[]>>> layerOutputShapes() { return layerOutputShapes; }

    /** Per called layer: the shapes of the weights it needs, in Keras order (a nested model: all of its weights). */
    public Map<String, List<long[]>> layerWeightShapes() { return layerWeightShapes; }
}
