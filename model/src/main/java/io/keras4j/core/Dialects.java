package io.keras4j.core;

import io.keras4j.UnsupportedModelException;
import io.keras4j.json.JsonNull;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonString;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.spi.WriteCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converts a model between Keras dialects, one step at a time: {@link Keras1To2} (renamed classes and config keys),
 * {@link Keras2To3} (module and registered names, {@code batch_shape}, DTypePolicy objects, {@code __keras_tensor__}
 * nodes) and {@link Keras3To2}; and says before writing what a conversion would refuse or change.
 * Weights and provenance are kept; every layer config is rewritten in the target's spelling and stripped of keys
 * the target's constructors refuse (tables dumped from real Keras, see {@link LayerArgs}).
 */
public final class Dialects {
    private static final Logger LOG = LoggerFactory.getLogger(Dialects.class);
    private static final LayerCatalogue CATALOGUE = LayerCatalogue.keras();
    static final String[] MHA_SHAPES = {"query_shape", "key_shape", "value_shape"};

    private Dialects() {}

    /** Whether extra inbound tensors of this layer are its initial states (recurrent layers). */
    static boolean isModelClass(String className) { return CATALOGUE.is(className, LayerCatalogue.LayerClass::isModel); }

    public static boolean takesInitialState(String className) { return CATALOGUE.is(className, LayerCatalogue.LayerClass::takesInitialState); }

    /** Whether a layer of this class is called with a list of tensors (merge layers). */
    public static boolean takesList(String className) { return CATALOGUE.is(className, LayerCatalogue.LayerClass::takesList); }

    /** As {@link #convertForWriting(Model, Dialect, boolean)}, refusing any change of meaning. */
    public static Model convertForWriting(Model model, Dialect target) {
        return convertForWriting(model, target, false);
    }

    /**
     * As {@link #convert}, for writers: a layer whose meaning the target generation changes would make real Keras
     * predict differently from the source, so it is refused with an {@link UnsupportedModelException} naming each such
     * layer, unless {@code allowSemanticChange} (the user's explicit choice), when each is logged as a warning.
     */
    public static Model convertForWriting(Model model, Dialect target, boolean allowSemanticChange) {
        return convertForWriting(model, target, allowSemanticChange, true);
    }

    /**
     * As {@link #convertForWriting(Model, Dialect, boolean)}; {@code withWeights} says whether the writer writes the
     * weights too: a hard_sigmoid is carried across generations by rescaling the layer's weights (see {@link
     * HardSigmoids}), which an architecture-only file cannot hold, so there it is refused as any other change.
     */
    public static Model convertForWriting(Model model, Dialect target, boolean allowSemanticChange, boolean withWeights) {
        LayerClasses.requireKnownIfBuiltInJava(model);
        Model converted = convert(model, target);
        if (model.dialect() != target) {
            List<String> changes = List.of();
            if (!meaningChanges(model, target).isEmpty()) {
                // hard_sigmoid's meaning differs between the generations: rescaled weights carry it where they can.
                HardSigmoids.Rewrite rewrite = HardSigmoids.rewrite(converted, target, withWeights);
                converted = rewrite.model();
                changes = rewrite.unchanged();
            }
            if (!changes.isEmpty() && !allowSemanticChange) {
                throw new UnsupportedModelException("converting model '" + model.name() + "' to " + target + " would change "
                        + "its predictions: " + String.join("; ", changes) + ". No layer of the target has the source's "
                        + "meaning; to write it anyway, allow the change (keras4j convert --allow-semantic-change, "
                        + "WriteOptions.withAllowSemanticChange(true))");
            }
            changes.forEach(LOG::warn);
            lambdaBytecode(model).forEach(LOG::warn);
        }
        // A tf.keras op layer with no Keras 3 operation node stays an op layer for the runtime; Keras 3 has no class for it.
        if (target == Dialect.KERAS3 && model.dialect() != Dialect.KERAS3) {
            Keras2To3.requireKeras3OpNodes(model);
            // Keras 3 refuses '/' in a layer name, which tf.keras applications use (Conv/BatchNorm): the names change,
            // the predictions do not.
            Map<String, String> renames = LayerRenames.slashFreeNames(converted);
            if (!renames.isEmpty()) {
                converted = LayerRenames.apply(converted, renames);
                LOG.info("model '{}': {} layer names hold '/', which Keras 3 refuses; written with '_' instead: {}", model.name(),
                        renames.size(), renames);
            }
            requireKeras3Classes(converted);
        }
        if (model.dialect() != target) requireLoadable(model, target);
        if (target == Dialect.KERAS2 && model.dialect() == Dialect.KERAS3) {
            requireTfKerasClasses(converted);
            requireTfKerasMeaning(model);
        }
        if (target == Dialect.KERAS3 && model.dialect() != Dialect.KERAS3) requireKeras3Meaning(model);
        if (target == Dialect.KERAS2) requireTfKerasDeserializable(converted);
        return converted;
    }

    /**
     * Classes tf.keras has but cannot rebuild from a saved config: tf_keras 2.x leaves SpectralNormalization out of
     * its deserialization table, so load_model and model_from_json fail on every file holding one (its own too).
     */
    private static final java.util.Set<String> TF_KERAS_UNDESERIALIZABLE = java.util.Set.of("SpectralNormalization");

    private static void requireTfKerasDeserializable(Model model) {
        for (Layer l : model.layers()) {
            if (l.nestedModel().isPresent()) {
                requireTfKerasDeserializable(l.nestedModel().get());
            } else if (TF_KERAS_UNDESERIALIZABLE.contains(l.className())) {
                throw new UnsupportedModelException(l.className() + " layer '" + l.name() + "' cannot be written for "
                        + "tf.keras: tf.keras cannot rebuild that class from a saved config (it is missing from its "
                        + "deserialization table), so no tf.keras file holding it loads; nothing was written");
            }
        }
    }

    /**
     * Keras 3 layers whose tf.keras class would compute something else at inference: a channels_first image layer
     * whose tf.keras class has no data_format (it would read the channels last), and RandomCrop, the identity at
     * inference in Keras 3 but a resize to height x width in tf.keras. A layer that is the identity at inference
     * predicts the same either way.
     */
    private static void requireTfKerasMeaning(Model model) {
        for (Layer l : model.layers()) {
            if (l.nestedModel().isPresent()) {
                requireTfKerasMeaning(l.nestedModel().get());
                continue;
            }
            if ("channels_first".equals(l.config().getString("data_format", null))
                    && !LayerArgs.KERAS2.takesLayerArg(l.className(), "data_format")
                    && !CATALOGUE.is(l.className(), LayerCatalogue.LayerClass::identityAtInference)) {
                throw new UnsupportedModelException(l.className() + " layer '" + l.name() + "' cannot be written for "
                        + "tf.keras: it is channels_first, and tf.keras's " + l.className() + " has no data_format (it "
                        + "reads the channels last), so tf.keras would predict differently");
            }
            if (l.className().equals("RandomCrop")) throw randomCropDiffers(l, "tf.keras");
            if (l.className().equals("Hashing") && !hashesIntegersOrStrings(model, l)) {
                throw new UnsupportedModelException("Hashing layer '" + l.name() + "' cannot be written for tf.keras: "
                        + "its input is not an integer or string model input, and tf.keras's Hashing refuses float "
                        + "values (Keras 3 truncates them to integers before hashing)");
            }
            if (l.className().equals("Softmax") && l.inboundNodes().stream().anyMatch(n -> n.inputs().size() > 1
                    || givesMask(n))) {
                throw maskedSoftmaxDiffers(l, "tf.keras");
            }
        }
    }

    /** Whether every tensor {@code hashing} is called on is a model input of an integer or string dtype. */
    private static boolean hashesIntegersOrStrings(Model model, Layer hashing) {
        return hashing.inboundNodes().stream().flatMap(n -> n.inputs().stream()).allMatch(ref -> model.layer(ref.layer())
                .filter(in -> in.className().equals("InputLayer"))
                .map(in -> in.config().get("dtype").isObject()
                        ? in.config().getObject("dtype").getObject("config").getString("name", "float32")
                        : in.config().getString("dtype", "float32"))
                .filter(dtype -> dtype.startsWith("int") || dtype.startsWith("uint") || dtype.equals("string"))
                .isPresent());
    }

    /** The tf.keras side of {@link #requireTfKerasMeaning}: RandomCrop, which the generations run otherwise at inference. */
    private static void requireKeras3Meaning(Model model) {
        for (Layer l : model.layers()) {
            if (l.nestedModel().isPresent()) requireKeras3Meaning(l.nestedModel().get());
            else if (l.className().equals("RandomCrop")) throw randomCropDiffers(l, "Keras 3");
            else if (l.className().equals("Softmax") && l.inboundNodes().stream().anyMatch(Dialects::givesMask)) {
                throw maskedSoftmaxDiffers(l, "Keras 3");
            }
        }
    }

    /** Whether a call passes a mask tensor by keyword (Keras 3 records {@code mask: null} for none). */
    private static boolean givesMask(io.keras4j.model.InboundNode n) {
        return n.kwargs().has("mask") && !n.kwargs().get("mask").isNull();
    }

    private static UnsupportedModelException maskedSoftmaxDiffers(Layer l, String target) {
        return new UnsupportedModelException("Softmax layer '" + l.name() + "' cannot be written for " + target + ": it "
                + "is given a mask tensor, which Keras 3 applies as mask > 0.5 (zeroing the masked outputs) and tf.keras "
                + "adds to the input as (1 - mask) * -1e9, so " + target + " would predict differently");
    }

    private static UnsupportedModelException randomCropDiffers(Layer l, String target) {
        return new UnsupportedModelException("RandomCrop layer '" + l.name() + "' cannot be written for " + target
                + ": at inference Keras 3's RandomCrop returns its input unchanged while tf.keras's resizes it to "
                + "height x width, so " + target + " would predict differently");
    }

    /**
     * What the installed {@link WriteCheck}s (keras4j's runtime, when present, infers shapes) say the target's Keras
     * would refuse to build: such a file could be written but never loaded, so the conversion is refused, whatever
     * {@code allowSemanticChange} says.
     */
    private static void requireLoadable(Model model, Dialect target) {
        List<String> problems = new ArrayList<>();
        for (WriteCheck check : ServiceLoader.load(WriteCheck.class, Dialects.class.getClassLoader())) {
            problems.addAll(check.problems(model, target));
        }
        if (!problems.isEmpty()) {
            throw new UnsupportedModelException("model '" + model.name() + "' cannot be written for " + target + ": "
                    + String.join("; ", problems));
        }
    }

    /**
     * A Keras 3 layer class tf.keras does not have (per the class table dumped from tf_keras: RandomHue, Pipeline,
     * GroupedQueryAttention, ...) would be written as a class tf.keras cannot find, so the conversion is refused.
     */
    private static void requireTfKerasClasses(Model model) {
        for (Layer l : model.layers()) {
            if (l.nestedModel().isPresent()) {
                requireTfKerasClasses(l.nestedModel().get());
                continue;
            }
            requireTfKerasClass(l.className(), l.name());
            for (String wrapped : new String[] {"layer", "backward_layer"}) {
                JsonValue inner = l.config().get(wrapped);
                if (inner.isObject() && inner.asObject().has("class_name")) {
                    JsonValue innerConfig = inner.asObject().get("config");
                    requireTfKerasClass(inner.asObject().getString("class_name", ""),
                            innerConfig.isObject() ? innerConfig.asObject().getString("name", "?") : "?");
                }
            }
        }
    }

    private static void requireTfKerasClass(String className, String layerName) {
        // Op layers are tf.keras's own (TFOpLambda), absent from its layer table as they are not in keras.layers.
        if (TfOpLambdas.OP_LAYERS.contains(className)) return;
        // By any spelling: Keras 3 writes GroupedQueryAttention as its alias GroupQueryAttention. tf.keras knows a
        // class by its aliases (MaxPool2D) when it has the class.
        boolean builtin = CATALOGUE.is(className, c -> c.kind() != LayerCatalogue.Kind.LEGACY);
        boolean tfKerasHas = LayerArgs.KERAS2.knowsLayer(className)
                || CATALOGUE.is(className, c -> LayerArgs.KERAS2.knowsLayer(c.className()));
        if (!builtin || isModelClass(className) || tfKerasHas) return;
        throw new UnsupportedModelException(className + " layer '" + layerName + "' cannot be written for tf.keras: tf.keras "
                + "has no layer class of that name (Keras 3 added it)");
    }

    private static void requireKeras3Classes(Model model) {
        for (Layer l : model.layers()) {
            if (l.nestedModel().isPresent()) {
                requireKeras3Classes(l.nestedModel().get());
                continue;
            }
            Keras2To3.requireKeras3Class(l.className(), l.name());
            if (l.name().contains("/")) {
                // tf.keras applications name layers Conv/BatchNorm; Keras 3's Layer refuses '/' in a name.
                throw new UnsupportedModelException(l.className() + " layer '" + l.name() + "' cannot be written for Keras 3: "
                        + "Keras 3 layer names cannot contain '/'; rename it first (keras4j edit IN OUT --rename '"
                        + l.name() + "=" + l.name().replace('/', '_') + "')");
            }
            for (String wrapped : new String[] {"layer", "backward_layer"}) {
                JsonValue inner = l.config().get(wrapped);
                if (inner.isObject() && inner.asObject().has("class_name")) {
                    JsonValue innerConfig = inner.asObject().get("config");
                    Keras2To3.requireKeras3Class(inner.asObject().getString("class_name", ""),
                            innerConfig.isObject() ? innerConfig.asObject().getString("name", "?") : "?");
                }
            }
        }
    }

    /**
     * The Lambda layers whose function is Python bytecode (marshalled by the Python that saved the file): keras4j copies
     * it unchanged and never runs it, but Keras can rebuild the layer only under a Python whose bytecode format is the
     * same ("bad marshal data" or "EOF read where object expected" elsewhere), so converting says so for each.
     */
    public static List<String> lambdaBytecode(Model model) {
        List<String> out = new ArrayList<>();
        for (Layer l : model.layers()) {
            if (l.nestedModel().isPresent()) out.addAll(lambdaBytecode(l.nestedModel().get()));
            else if (l.className().equals("Lambda") && holdsBytecode(l.config())) {
                out.add("Lambda layer '" + l.name() + "' holds Python bytecode, copied unchanged: Keras can load the "
                        + "converted file only under a Python version whose bytecode matches the one that saved the source");
            }
        }
        return out;
    }

    private static boolean holdsBytecode(JsonObject config) {
        JsonValue f = config.get("function");
        if (f.isObject()) return "__lambda__".equals(f.asObject().getString("class_name", null));
        return f.isArray() && config.getString("function_type", "lambda").equals("lambda");
    }

    /**
     * The layers a conversion keeps by name but not by function: {@code hard_sigmoid} is {@code clip(0.2x + 0.5)}
     * in Keras 1 and 2, {@code relu6(x + 3) / 6} in Keras 3, and neither generation has a builtin for the other's.
     */
    public static List<String> meaningChanges(Model model, Dialect target) {
        boolean fromKeras3 = model.dialect() == Dialect.KERAS3;
        if (fromKeras3 == (target == Dialect.KERAS3)) return List.of();
        String meaning = meaningIn(target);
        List<String> out = new ArrayList<>();
        collectHardSigmoids(model, meaning, target, out);
        return out;
    }

    /**
     * {@code source} with the weight values {@link #convertForWriting} changed in {@code converted} (hard_sigmoid layers'
     * rescaled weights), for writers that lay weights out from the source model: the names and structure stay the
     * source's. Conversions otherwise share weight values, so a value that is not the same instance was rewritten; with
     * none rewritten the source itself is returned.
     */
    public static Model withCarriedWeights(Model source, Model converted) {
        if (source == converted) return source;
        java.util.Map<String, Layer> byName = new java.util.HashMap<>();
        for (Layer c : converted.layers()) byName.put(c.name(), c);
        List<Layer> layers = new ArrayList<>();
        boolean changed = false;
        for (Layer l : source.layers()) {
            Layer c = byName.get(l.name());
            Layer r = l;
            if (c != null && l.nestedModel().isPresent() && c.nestedModel().isPresent()) {
                Model nested = withCarriedWeights(l.nestedModel().get(), c.nestedModel().get());
                if (nested != l.nestedModel().get()) r = l.toBuilder().nestedModel(nested).build();
            } else if (c != null && c.weights().size() == l.weights().size()) {
                List<io.keras4j.model.Weight> weights = new ArrayList<>();
                boolean rewritten = false;
                for (int i = 0; i < l.weights().size(); i++) {
                    io.keras4j.model.Weight w = l.weights().get(i);
                    io.keras4j.tensor.Tensor v = c.weights().get(i).value();
                    rewritten |= v != w.value();
                    weights.add(v == w.value() ? w : w.withValue(v));
                }
                if (rewritten) r = l.toBuilder().weights(weights).build();
            }
            changed |= r != l;
            layers.add(r);
        }
        return changed ? source.withLayers(layers) : source;
    }

    /** Every use of hard_sigmoid in {@code model}, described as changing meaning in {@code target}, whatever its dialect. */
    static List<String> hardSigmoidUses(Model model, Dialect target) {
        List<String> out = new ArrayList<>();
        collectHardSigmoids(model, meaningIn(target), target, out);
        return out;
    }

    /** The uses of hard_sigmoid in one layer (and the layers it wraps) whose meaning {@code target} changes. */
    static List<String> hardSigmoidUses(Layer l, Dialect target) {
        List<String> out = new ArrayList<>();
        collectHardSigmoids(l.className(), l.name(), l.config(), meaningIn(target), target, out);
        return out;
    }

    private static String meaningIn(Dialect target) {
        return target == Dialect.KERAS3 ? "clip(0.2 * x + 0.5, 0, 1) in Keras 1 and 2 but relu6(x + 3) / 6 in Keras 3"
                : "relu6(x + 3) / 6 in Keras 3 but clip(0.2 * x + 0.5, 0, 1) in Keras 1 and 2";
    }

    private static void collectHardSigmoids(Model model, String meaning, Dialect target, List<String> out) {
        for (Layer l : model.layers()) {
            if (l.nestedModel().isPresent()) collectHardSigmoids(l.nestedModel().get(), meaning, target, out);
            collectHardSigmoids(l.className(), l.name(), l.config(), meaning, target, out);
        }
    }

    /** Wrappers (Bidirectional, TimeDistributed, RNN) carry the wrapped layer's config, which may use it too. */
    private static void collectHardSigmoids(String className, String name, JsonObject c, String meaning, Dialect target,
                                            List<String> out) {
        // Keras 1 named a recurrent layer's gate activation inner_activation (its default was hard_sigmoid too).
        for (String key : new String[] {"activation", "recurrent_activation", "inner_activation"}) {
            if ("hard_sigmoid".equals(c.getString(key, null))) {
                out.add(className + " layer '" + name + "': " + key + " hard_sigmoid means " + meaning + ", so "
                        + (target == Dialect.KERAS3 ? "Keras 3" : "tf.keras") + " predicts differently from the source "
                        + "(keras4j's runtime keeps the source's meaning)");
            }
        }
        for (String wrapped : new String[] {"layer", "backward_layer", "cell"}) {
            JsonValue inner = c.get(wrapped);
            if (inner.isObject() && inner.asObject().get("config").isObject()) {
                JsonObject innerConfig = inner.asObject().getObject("config");
                collectHardSigmoids(inner.asObject().getString("class_name", "?"), innerConfig.getString("name", name + "/" + wrapped),
                        innerConfig, meaning, target, out);
            }
        }
    }

    public static Model convert(Model model, Dialect target) {
        Model m = model;
        while (m.dialect() != target) {
            switch (m.dialect()) {
                case KERAS1 -> m = Keras1To2.convert(m);
                case KERAS2 -> {
                    if (target != Dialect.KERAS3) {
                        throw new UnsupportedModelException("writing the " + target + " dialect is not supported (model '"
                                + m.name() + "' is " + m.dialect() + "); write KERAS2 or KERAS3");
                    }
                    m = Keras2To3.convert(m);
                }
                case KERAS3 -> m = Keras3To2.convert(m);
            }
        }
        return m;
    }

    /** The module Keras 3 itself writes for its model classes. */
    /**
     * A Keras 3 model whose config names classes without their {@code module} and {@code registered_name} (a Keras 3
     * legacy {@code .h5}'s model_config leaves them out, and a model built in Java may too) with both filled in as
     * Keras 3 writes them in a {@code .keras}: {@code keras} for Sequential, {@code keras.src.models.functional} for
     * Functional, {@code keras.layers} for built-in layers, its ops module for an operation node ({@code NotEqual}: {@code
     * keras.src.ops.numpy}, from the table dumped from Keras 3), and the class name registered for anything else. Keras 3's
     * {@code .keras} loader cannot locate even its own Sequential without them.
     */
    public static Model withKeras3Modules(Model m) {
        // Before unknown classes get a registered_name below, which would mark a misspelt class as custom.
        LayerClasses.requireKnownIfBuiltInJava(m);
        if (m.dialect() != Dialect.KERAS3) return m;
        List<Layer> layers = new ArrayList<>();
        for (Layer l : m.layers()) {
            Layer.Builder b = l.toBuilder();
            if (l.nestedModel().isPresent()) b.nestedModel(withKeras3Modules(l.nestedModel().get()));
            if (!l.entry().has("module")) {
                boolean nested = l.nestedModel().isPresent();
                boolean builtin = nested ? isModelClass(l.className()) : CATALOGUE.isBuiltin(l.className());
                // Keras 3 operation nodes (x != 0 as NotEqual) are named by their ops module and registered by class.
                java.util.Optional<String> operation = builtin || nested ? java.util.Optional.empty()
                        : LayerArgs.KERAS3.operationModule(l.className());
                JsonValue module = nested ? moduleOfModel(l.className()) : builtin ? new JsonString("keras.layers")
                        : operation.<JsonValue>map(JsonString::new).orElse(JsonNull.INSTANCE);
                b.entry(l.entry().with("module", module).with("registered_name",
                        builtin ? JsonNull.INSTANCE : (Object) l.registeredName().orElse(l.className())));
                // keras.applications' own classes (ConvNeXt's LayerScale, ...) are found through their module.
                ApplicationLayers.identify(l.className(), l.module(), l.config()).ifPresent(kind -> b.className(kind.className())
                        .entry(l.entry().with("module", kind.keras3Module()).with("registered_name", kind.registeredName(true))));
            }
            layers.add(b.build());
        }
        JsonObject entry = m.entry();
        if (!entry.has("module")) {
            boolean builtin = isModelClass(m.className());
            entry = entry.with("module", builtin ? moduleOfModel(m.className()) : JsonNull.INSTANCE)
                    .with("registered_name", builtin ? JsonNull.INSTANCE : (Object) m.className());
        }
        return m.toBuilder().entry(entry).layers(layers).build();
    }

    static JsonValue moduleOfModel(String className) {
        return switch (className) {
            case "Sequential" -> new JsonString("keras");
            case "Functional" -> new JsonString("keras.src.models.functional");
            default -> JsonNull.INSTANCE;
        };
    }

}
