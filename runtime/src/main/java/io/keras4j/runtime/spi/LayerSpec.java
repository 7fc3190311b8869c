package io.keras4j.runtime.spi;

import io.keras4j.json.JsonObject;
import io.keras4j.model.Dialect;
import io.keras4j.model.Weight;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Everything a {@link LayerProvider} needs to build one layer: its identity, its Keras 3 config (keras4j converts
 * older dialects first), its weights in Keras order, and a way to build the layers it wraps.
 *
 * <p>A spec built for shape inference carries no weights; {@link #floats(int)} then returns {@code null}, and the
 * op is only asked for shapes, never called.
 */
public final class LayerSpec {
    private final String name;
    private final String className;
    private final String registeredName;
    private final String module;
    private final JsonObject config;
    private final JsonObject sourceConfig;
    private final List<Weight> weights;
    private final Dialect sourceDialect;
    private final BiFunction<JsonObject, List<Weight>, LayerOp> innerBuilder;

    public LayerSpec(String name, String className, String registeredName, String module, JsonObject config,
                     JsonObject sourceConfig, List<Weight> weights, Dialect sourceDialect,
                     BiFunction<JsonObject, List<Weight>, LayerOp> innerBuilder) {
        this.name = Objects.requireNonNull(name, "name");
        this.className = Objects.requireNonNull(className, "className");
        this.registeredName = registeredName;
        this.module = module;
        this.config = Objects.requireNonNull(config, "config");
        this.sourceConfig = Objects.requireNonNull(sourceConfig, "sourceConfig");
        this.weights = List.copyOf(weights);
        this.sourceDialect = Objects.requireNonNull(sourceDialect, "sourceDialect");
        this.innerBuilder = Objects.requireNonNull(innerBuilder, "innerBuilder");
    }

    public String name() { return name; }

    public String className() { return className; }

    /** Keras 3 {@code registered_name} ({@code package>Class}) when the file recorded one. */
    public Optional<String> registeredName() { return Optional.ofNullable(registeredName); }

    /** The Python module Keras 3 recorded ({@code keras.layers}, {@code keras.src.ops.numpy} for operation nodes). */
    public Optional<String> module() { return Optional.ofNullable(module); }

    /** Whether this is a Keras 3 operation node ({@code x + y} in a functional graph) rather than a layer. */
    public boolean isOperation() { return module != null && module.startsWith("keras.src.ops"); }

    /** The layer's config in the Keras 3 dialect. */
    public JsonObject config() { return config; }

    /**
     * The config as the file spelled it, in {@link #sourceDialect()}: what an implementation of an old custom layer
     * knows, and the fallback for keys a dialect conversion did not carry over.
     */
    public JsonObject sourceConfig() { return sourceConfig; }

    /** The dialect the model was saved in; some defaults differ (Keras 2 {@code hard_sigmoid}, for one). */
    public Dialect sourceDialect() { return sourceDialect; }

    public List<Weight> weights() { return weights; }

    public boolean hasWeights() { return !weights.isEmpty(); }

    /** Weight {@code i} as float32 values in row-major order, or {@code null} when the spec carries no weights. */
    public float[] floats(int i) {
        if (weights.isEmpty()) return null;
        if (i >= weights.size()) {
            throw new IllegalArgumentException("layer '" + name + "' (" + className + ") has " + weights.size()
                    + " weights, weight #" + i + " was asked for");
        }
        return weights.get(i).value().toFloatArray();
    }

    /**
     * A spec for a part this layer is composed of (the depthwise half of a separable convolution, say): same name
     * and dialect, another class, config and weights.
     */
    public LayerSpec derived(String partClassName, JsonObject partConfig, List<Weight> partWeights) {
        return new LayerSpec(name, partClassName, null, null, partConfig, partConfig, partWeights, sourceDialect, innerBuilder);
    }

    /**
     * Builds a layer this one wraps ({@code TimeDistributed}, {@code Bidirectional}, ...) from its serialized
     * entry ({@code {"class_name": ..., "config": ...}}) and its share of the weights.
     */
    public LayerOp buildInner(JsonObject entry, List<Weight> innerWeights) { return innerBuilder.apply(entry, innerWeights); }
}
