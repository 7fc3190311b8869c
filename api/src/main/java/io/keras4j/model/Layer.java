package io.keras4j.model;

import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One layer of a model: its class, name and complete config exactly as read (unknown keys, custom layers and
 * Lambda configs survive), how it is called in the graph, and its weights in Keras order.
 *
 * <p>{@code config} is the layer's {@code "config"} object in the model's {@link Dialect}. {@code entry} holds the
 * other members of the layer's JSON entry ({@code module}, {@code registered_name}, {@code build_config}, …).
 * A layer that is itself a model (a nested Sequential or Functional) also exposes it through {@link #nestedModel()}.
 */
public final class Layer {
    private final String name;
    private final String className;
    private final JsonObject config;
    private final JsonObject entry;
    private final List<InboundNode> inboundNodes;
    private final List<Weight> weights;
    private final Model nestedModel;

    private Layer(Builder b) {
        this.name = Objects.requireNonNull(b.name, "name");
        this.className = Objects.requireNonNull(b.className, "className");
        this.config = Objects.requireNonNullElse(b.config, JsonObject.EMPTY);
        this.entry = Objects.requireNonNullElse(b.entry, JsonObject.EMPTY);
        this.inboundNodes = List.copyOf(b.inboundNodes);
        this.weights = List.copyOf(b.weights);
        this.nestedModel = b.nestedModel;
    }

    public static Builder builder(String name, String className) { return new Builder().name(name).className(className); }

    public Builder toBuilder() {
        Builder b = new Builder().name(name).className(className).config(config).entry(entry).nestedModel(nestedModel);
        b.inboundNodes.addAll(inboundNodes);
        b.weights.addAll(weights);
        return b;
    }

    public String name() { return name; }

    /**
     * Keras class name as the file spelled it, e.g. {@code Dense}; a registered custom class is {@code Scale} in Keras 3
     * files and {@code keras4j_zoo>Scale} in tf.keras's legacy ones: {@link #customIdentity()} is the same for both.
     */
    public String className() { return className; }

    public JsonObject config() { return config; }

    public JsonObject entry() { return entry; }

    public List<InboundNode> inboundNodes() { return inboundNodes; }

    /** Weights in the order Keras's {@code layer.weights} lists them; for a nested model, all of its weights. */
    /** The weights this layer holds itself (a nested model's layer holds none; its layers do). */
    List<Weight> weightsOwn() { return weights; }

    public List<Weight> weights() {
        if (nestedModel != null && weights.isEmpty()) {
            List<Weight> all = new ArrayList<>();
            for (Layer l : nestedModel.layers()) all.addAll(l.weights());
            return List.copyOf(all);
        }
        return weights;
    }

    public Optional<Weight> weight(String shortName) {
        return weights().stream().filter(w -> w.shortName().equals(shortName)).findFirst();
    }

    public Optional<Model> nestedModel() { return Optional.ofNullable(nestedModel); }

    /** {@code registered_name} of a Keras 3 custom object ({@code package>Name}), if any. */
    public Optional<String> registeredName() { return entry.optString("registered_name"); }

    public Optional<String> module() { return entry.optString("module"); }

    /**
     * The package and name a custom class was registered under ({@code register_keras_serializable(package=)}), the
     * same whichever format the layer was read from: tf.keras's legacy files spell it as the class name
     * ({@code keras4j_zoo>Scale}), Keras 3 and {@code .keras} archives as the class {@code Scale} with a
     * {@code registered_name} beside it. Empty for Keras's own classes and for custom classes saved unregistered (their
     * files record no package).
     */
    public Optional<CustomIdentity> customIdentity() {
        return CustomIdentity.parse(className).or(() -> registeredName().flatMap(CustomIdentity::parse));
    }

    /**
     * Whether the file (or the builder) marks this layer as a custom class: a registered identity, a
     * {@code registered_name} of any kind, or a module outside Keras ({@code __main__}, the user's package).
     */
    public boolean isMarkedCustom() {
        return customIdentity().isPresent() || registeredName().isPresent()
                || module().filter(m -> !m.startsWith("keras") && !m.startsWith("tf_keras")).isPresent();
    }

    /** A registered custom class: {@code package>name} as Keras's serialization registry keys it. */
    public record CustomIdentity(String packageName, String name) {
        public CustomIdentity {
            Objects.requireNonNull(packageName, "packageName");
            Objects.requireNonNull(name, "name");
            if (packageName.isEmpty() || name.isEmpty() || packageName.contains(">") || name.contains(">")) {
                throw new IllegalArgumentException("a registered name is package>name, both non-empty: '" + packageName + "', '" + name + "'");
            }
        }

        /** {@code package>name}, or empty when the text is not of that form. */
        public static Optional<CustomIdentity> parse(String registeredName) {
            int gt = registeredName.indexOf('>');
            if (gt <= 0 || gt == registeredName.length() - 1 || registeredName.indexOf('>', gt + 1) >= 0) return Optional.empty();
            return Optional.of(new CustomIdentity(registeredName.substring(0, gt), registeredName.substring(gt + 1)));
        }

        /** As Keras registers it: {@code package>name}. */
        public String registeredName() { return packageName + ">" + name; }

        @Override public String toString() { return registeredName(); }
    }

    /**
     * Whether this graph node is a Keras 3 operation ({@code x != 0}, {@code x + y} recorded as
     * {@code keras.src.ops.*} nodes) rather than a layer: Keras lists such nodes in the config, not in {@code model.layers}.
     */
    public boolean isOperation() {
        if (module().isPresent()) return module().get().startsWith("keras.src.ops") || module().get().startsWith("keras.ops");
        // Keras 3's legacy .h5 writer drops modules; then only the class tells, for ops no layer class shares a name with.
        if (KERAS3_OPERATIONS.contains(className)) return true;
        // x + 3 and x * y are Add and Multiply operations, as the merge layers are named; an operation's config is its
        // name alone where a layer's always has trainable and dtype (MobileNetV3's hard_sigmoid in a Keras 3 .h5).
        return KERAS3_OPERATIONS_NAMED_AS_LAYERS.contains(className) && config.has("name") && !config.has("trainable")
                && !config.has("dtype");
    }

    private static final java.util.Set<String> KERAS3_OPERATIONS_NAMED_AS_LAYERS = java.util.Set.of("Add", "Subtract",
            "Multiply", "Maximum", "Minimum");

    private static final java.util.Set<String> KERAS3_OPERATIONS = java.util.Set.of("NotEqual", "Equal", "Greater",
            "GreaterEqual", "Less", "LessEqual", "LogicalAnd", "LogicalOr", "LogicalNot", "LogicalXor", "Any", "All",
            "Divide", "TrueDivide", "FloorDivide", "Power", "Negative", "Absolute", "Abs", "Sqrt", "Square", "Exp", "Log",
            "Tanh", "Sum", "Mean", "Max", "Min", "Matmul", "Transpose", "Cast", "GetItem", "ExpandDims", "Squeeze",
            "Where", "Clip", "Sign", "Round", "Floor", "Ceil", "Reciprocal", "Erf");

    // ---- typed access to common config fields, tolerant of Keras 1 / 2 / 3 spellings ----

    public boolean trainable() { return config.getBoolean("trainable", true); }

    public Optional<String> activation() {
        JsonValue v = config.get("activation");
        if (v.isString()) return Optional.of(v.asText());
        if (v.isObject()) return v.asObject().getObject("config").optString("name")
                .or(() -> v.asObject().optString("class_name"));
        return Optional.empty();
    }

    public Optional<Long> units() {
        return firstLong("units", "output_dim");
    }

    public Optional<Long> filters() { return firstLong("filters", "nb_filter"); }

    public Optional<String> padding() { return config.optString("padding").or(() -> config.optString("border_mode")); }

    public boolean useBias() { return config.getBoolean("use_bias", config.getBoolean("bias", true)); }

    /** {@code channels_last} or {@code channels_first}; Keras 1's {@code dim_ordering} {@code th}/{@code tf} map to them. */
    public Optional<String> dataFormat() {
        return config.optString("data_format").or(() -> config.optString("dim_ordering")
                .map(o -> o.equals("th") ? "channels_first" : "channels_last"));
    }

    /** The compute dtype, whether the config has a string, a Keras 2 {@code Policy} or a Keras 3 {@code DTypePolicy}. */
    public Optional<String> dtype() {
        JsonValue v = config.get("dtype");
        if (v.isString()) return Optional.of(v.asText());
        if (v.isObject()) return v.asObject().getObject("config").optString("name");
        return Optional.empty();
    }

    /** Declared input shape with the batch axis ({@code -1} for unknown dims), from any dialect's spelling. */
    public Optional<long[]> batchInputShape() {
        for (String key : new String[] {"batch_shape", "batch_input_shape"}) {
            JsonValue v = config.get(key);
            if (v.isArray()) return Optional.of(v.asArray().toLongs());
        }
        JsonValue shape = config.get("input_shape");
        if (shape.isArray()) {
            long[] inner = shape.asArray().toLongs();
            long[] out = new long[inner.length + 1];
            out[0] = -1;
            System.arraycopy(inner, 0, out, 1, inner.length);
            return Optional.of(out);
        }
        return Optional.empty();
    }

    public long paramCount() {
        long n = 0;
        for (Weight w : weights()) n += w.value().elementCount();
        return n;
    }

    public long trainableParamCount() {
        if (!trainable()) return 0;
        long n = 0;
        for (Weight w : weights()) if (w.trainable()) n += w.value().elementCount();
        return n;
    }

    private Optional<Long> firstLong(String... keys) {
        for (String k : keys) {
            JsonValue v = config.get(k);
            if (v.isNumber()) return Optional.of(((io.keras4j.json.JsonNumber) v).longValue());
            if (v instanceof JsonArray a && a.size() == 1 && a.get(0).isNumber()) {
                return Optional.of(((io.keras4j.json.JsonNumber) a.get(0)).longValue());
            }
        }
        return Optional.empty();
    }

    @Override public String toString() { return className + "(" + name + ")"; }

    public static final class Builder {
        private String name;
        private String className;
        private JsonObject config;
        private JsonObject entry;
        private final List<InboundNode> inboundNodes = new ArrayList<>();
        private final List<Weight> weights = new ArrayList<>();
        private Model nestedModel;
        private String registeredPackage;

        public Builder name(String name) { this.name = name; return this; }

        public Builder className(String className) { this.className = className; return this; }

        public Builder config(JsonObject config) { this.config = config; return this; }

        public Builder entry(JsonObject entry) { this.entry = entry; return this; }

        public Builder inboundNodes(List<InboundNode> nodes) { inboundNodes.clear(); inboundNodes.addAll(nodes); return this; }

        public Builder addInboundNode(InboundNode node) { inboundNodes.add(node); return this; }

        public Builder weights(List<Weight> w) { weights.clear(); weights.addAll(w); return this; }

        public Builder addWeight(Weight w) { weights.add(w); return this; }

        public Builder nestedModel(Model model) { this.nestedModel = model; return this; }

        /**
         * Marks the layer as a custom class registered in Keras under {@code packageName}, as
         * {@code @keras.saving.register_keras_serializable(package=packageName)} does: its entry gets the
         * {@code registered_name} {@code packageName>className} Keras looks the class up by when loading.
         */
        public Builder registeredAs(String packageName) { this.registeredPackage = packageName; return this; }

        public Layer build() {
            if (registeredPackage != null) {
                String bare = className == null ? null : CustomIdentity.parse(className).map(CustomIdentity::name).orElse(className);
                entry = Objects.requireNonNullElse(entry, JsonObject.EMPTY)
                        .with("registered_name", new CustomIdentity(registeredPackage, Objects.requireNonNull(bare, "className")).registeredName());
                className = bare;
                registeredPackage = null;
            }
            return new Layer(this);
        }
    }
}
