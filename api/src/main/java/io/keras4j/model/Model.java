package io.keras4j.model;

import io.keras4j.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable Keras model: architecture (layers and their graph), weights (on the layers), optional training
 * config and optimizer state, and provenance.
 *
 * <p>{@code className} is {@code Sequential}, {@code Functional} (Keras 2 spells it {@code Model}) or a custom
 * model class. {@code config} is the model's own {@code "config"} object as read, with its {@code layers} member
 * kept too, so writers of the same dialect reproduce it losslessly; {@code entry} holds the other members of the
 * top-level JSON ({@code module}, {@code build_config}, {@code keras_version}, …).
 */
public final class Model {
    private final String name;
    private final String className;
    private final Dialect dialect;
    private final JsonObject config;
    private final JsonObject entry;
    private final List<Layer> layers;
    private final List<TensorRef> inputs;
    private final List<TensorRef> outputs;
    private final JsonObject trainingConfig;
    private final OptimizerState optimizer;
    private final List<Weight> modelWeights;
    private final Provenance provenance;
    private final Map<String, Integer> indexByName;

    private Model(Builder b) {
        this.name = Objects.requireNonNull(b.name, "name");
        this.className = Objects.requireNonNull(b.className, "className");
        this.dialect = Objects.requireNonNull(b.dialect, "dialect");
        this.config = Objects.requireNonNullElse(b.config, JsonObject.EMPTY);
        this.entry = Objects.requireNonNullElse(b.entry, JsonObject.EMPTY);
        this.layers = List.copyOf(b.layers);
        this.inputs = List.copyOf(b.inputs);
        this.outputs = List.copyOf(b.outputs);
        this.trainingConfig = b.trainingConfig;
        this.optimizer = b.optimizer;
        this.modelWeights = List.copyOf(b.modelWeights);
        this.provenance = Objects.requireNonNullElse(b.provenance, Provenance.UNKNOWN);
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            if (index.putIfAbsent(layers.get(i).name(), i) != null) {
                throw new IllegalArgumentException("model '" + name + "' has two layers named '" + layers.get(i).name() + "'");
            }
        }
        this.indexByName = Map.copyOf(index);
    }

    public static Builder builder() { return new Builder(); }

    public Builder toBuilder() {
        Builder b = new Builder().name(name).className(className).dialect(dialect).config(config).entry(entry)
                .trainingConfig(trainingConfig).optimizer(optimizer).provenance(provenance);
        b.layers.addAll(layers);
        b.inputs.addAll(inputs);
        b.outputs.addAll(outputs);
        b.modelWeights.addAll(modelWeights);
        return b;
    }

    public String name() { return name; }

    public String className() { return className; }

    public boolean isSequential() { return className.equals("Sequential"); }

    public Dialect dialect() { return dialect; }

    public JsonObject config() { return config; }

    public JsonObject entry() { return entry; }

    /** Layers in Keras's {@code model.layers} order (Sequential models include their InputLayer when declared). */
    public List<Layer> layers() { return layers; }

    public Optional<Layer> layer(String layerName) {
        Integer i = indexByName.get(layerName);
        return i == null ? Optional.empty() : Optional.of(layers.get(i));
    }

    public List<TensorRef> inputs() { return inputs; }

    public List<TensorRef> outputs() { return outputs; }

    /** Keras 2 {@code training_config} or Keras 3 {@code compile_config}, as the source spelled it. */
    public Optional<JsonObject> trainingConfig() { return Optional.ofNullable(trainingConfig); }

    /**
     * What the model was compiled with, typed and the same whichever format or generation saved it; computed from
     * {@link #trainingConfig()} each time, so the two never disagree. Empty when the model was not compiled.
     */
    public Optional<CompileConfig> compileConfig() { return CompileConfig.of(trainingConfig); }

    public Optional<OptimizerState> optimizer() { return Optional.ofNullable(optimizer); }

    /** Variables owned by the model object itself rather than a layer (Keras 3 {@code vars} at the top). */
    public List<Weight> modelWeights() { return modelWeights; }

    public Provenance provenance() { return provenance; }

    /** Every layer weight in model order (nested models flattened), then the model's own variables. */
    public List<Weight> weights() {
        List<Weight> all = new ArrayList<>();
        for (Layer l : layers) all.addAll(l.weights());
        all.addAll(modelWeights);
        return all;
    }

    public boolean hasWeights() { return !weights().isEmpty(); }

    /** Keras's {@code model.get_weights()}: every weight's value in {@link #weights()} order (stateless layers have none). */
    public List<io.keras4j.tensor.Tensor> getWeights() {
        return weights().stream().map(Weight::value).toList();
    }

    /**
     * Keras's {@code model.set_weights(values)}, as a new model (models are immutable): the values in
     * {@link #weights()} order, each checked against the weight it replaces (count, shape and dtype, naming the layer)
     * before anything is replaced.
     *
     * @throws io.keras4j.Keras4jException when the count, a shape or a dtype does not match
     */
    public Model withWeights(List<io.keras4j.tensor.Tensor> values) {
        List<Weight> current = weights();
        if (values.size() != current.size()) {
            throw new io.keras4j.Keras4jException("model '" + name + "' has " + current.size() + " weights, but "
                    + values.size() + " values were given");
        }
        int[] next = {0};
        Model out = replaceWeights(this, values, next);
        return out;
    }

    private static Model replaceWeights(Model m, List<io.keras4j.tensor.Tensor> values, int[] next) {
        List<Layer> layers = new ArrayList<>();
        for (Layer l : m.layers()) {
            if (l.nestedModel().isPresent() && l.weightsOwn().isEmpty()) {
                layers.add(l.toBuilder().nestedModel(replaceWeights(l.nestedModel().get(), values, next)).build());
                continue;
            }
            List<Weight> replaced = new ArrayList<>();
            for (Weight w : l.weightsOwn()) replaced.add(checked(m, l.name(), w, values.get(next[0]++)));
            layers.add(l.toBuilder().weights(replaced).build());
        }
        List<Weight> own = new ArrayList<>();
        for (Weight w : m.modelWeights()) own.add(checked(m, m.name(), w, values.get(next[0]++)));
        return m.toBuilder().layers(layers).modelWeights(own).build();
    }

    private static Weight checked(Model m, String layer, Weight w, io.keras4j.tensor.Tensor v) {
        if (!java.util.Arrays.equals(v.shape(), w.value().shape()) || v.dtype() != w.value().dtype()) {
            throw new io.keras4j.Keras4jException("model '" + m.name() + "', layer '" + layer + "': weight '" + w.name()
                    + "' is " + w.value().dtype() + java.util.Arrays.toString(w.value().shape()) + ", but the value given is "
                    + v.dtype() + java.util.Arrays.toString(v.shape()));
        }
        return w.withValue(v);
    }

    public long paramCount() {
        long n = 0;
        for (Weight w : weights()) n += w.value().elementCount();
        return n;
    }

    public long trainableParamCount() {
        long n = 0;
        for (Layer l : layers) n += l.trainableParamCount();
        return n;
    }

    public long weightBytes() {
        long n = 0;
        for (Weight w : weights()) n += w.value().byteSize();
        return n;
    }

    /** A copy whose layers are replaced one by one; handy for binding weights. */
    public Model withLayers(List<Layer> newLayers) { return toBuilder().layers(newLayers).build(); }

    @Override public String toString() { return className + "(" + name + ", " + layers.size() + " layers, " + dialect + ")"; }

    public static final class Builder {
        private String name;
        private String className = "Functional";
        private Dialect dialect = Dialect.KERAS3;
        private JsonObject config;
        private JsonObject entry;
        private final List<Layer> layers = new ArrayList<>();
        private final List<TensorRef> inputs = new ArrayList<>();
        private final List<TensorRef> outputs = new ArrayList<>();
        private JsonObject trainingConfig;
        private OptimizerState optimizer;
        private final List<Weight> modelWeights = new ArrayList<>();
        private Provenance provenance;

        public Builder name(String name) { this.name = name; return this; }

        public Builder className(String className) { this.className = className; return this; }

        public Builder dialect(Dialect dialect) { this.dialect = dialect; return this; }

        public Builder config(JsonObject config) { this.config = config; return this; }

        public Builder entry(JsonObject entry) { this.entry = entry; return this; }

        public Builder layers(List<Layer> l) { layers.clear(); layers.addAll(l); return this; }

        public Builder addLayer(Layer l) { layers.add(l); return this; }

        public Builder inputs(List<TensorRef> refs) { inputs.clear(); inputs.addAll(refs); return this; }

        public Builder outputs(List<TensorRef> refs) { outputs.clear(); outputs.addAll(refs); return this; }

        public Builder trainingConfig(JsonObject c) { this.trainingConfig = c; return this; }

        public Builder optimizer(OptimizerState o) { this.optimizer = o; return this; }

        public Builder modelWeights(List<Weight> w) { modelWeights.clear(); modelWeights.addAll(w); return this; }

        public Builder provenance(Provenance p) { this.provenance = p; return this; }

        public Model build() { return new Model(this); }
    }
}
