package io.keras4j.core;

import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.tensor.DType;
import io.keras4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Keeps {@code hard_sigmoid} layers' predictions across the Keras 2 / Keras 3 boundary by rescaling their weights.
 * tf.keras (and Keras 1) define {@code hard_sigmoid(z) = clip(0.2 z + 0.5, 0, 1)}, Keras 3 {@code relu6(z + 3) / 6 =
 * clip(z / 6 + 0.5, 0, 1)}; so the old function of {@code z} is the new one of {@code 1.2 z}. Where {@code z} is a
 * linear function of the layer's own weights (a Dense or convolution's output, an RNN gate's pre-activation), scaling
 * exactly those weights by 1.2 (or 5/6 the other way) makes the target predict what the source predicts, up to
 * float32 rounding of the scaled weights. Where it is not ({@code LSTM}'s {@code activation}, which is also applied to
 * the cell state; an {@code Activation} layer; a generic RNN cell) the layer is reported and left to the caller's refusal.
 */
final class HardSigmoids {
    /** The rewritten model and the layers that could not be rewritten, described for the refusal. */
    record Rewrite(Model model, List<String> unchanged) {}

    private static final Set<String> DENSE_LIKE = Set.of("Dense", "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose",
            "Conv2DTranspose", "Conv3DTranspose", "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D",
            "SeparableConv2D", "EinsumDense");

    private HardSigmoids() {}

    /**
     * {@code converted} (already in {@code target}'s dialect, from a source of the other generation) with every
     * hard_sigmoid that can be carried by a weight rescaling rewritten so; the others are listed in the result.
     */
    static Rewrite rewrite(Model converted, Dialect target, boolean withWeights) {
        // Keras 3 target: old hard_sigmoid(z) = new hard_sigmoid(1.2 z); tf.keras target: the inverse.
        double factor = target == Dialect.KERAS3 ? 1.2 : 5.0 / 6.0;
        List<String> unchanged = new ArrayList<>();
        Model m = withWeights ? rewriteModel(converted, target, factor, unchanged) : converted;
        if (!withWeights) {
            for (String use : Dialects.hardSigmoidUses(converted, target)) {
                unchanged.add(use + "; this form cannot carry the rescaled weights that keep its meaning (a .keras or "
                        + "a full-model .h5 can)");
            }
        }
        return new Rewrite(m, unchanged);
    }

    private static Model rewriteModel(Model model, Dialect target, double factor, List<String> unchanged) {
        List<Layer> layers = new ArrayList<>();
        boolean changed = false;
        for (Layer l : model.layers()) {
            Layer r = l;
            if (l.nestedModel().isPresent()) {
                Model nested = rewriteModel(l.nestedModel().get(), target, factor, unchanged);
                if (nested != l.nestedModel().get()) r = l.toBuilder().nestedModel(nested).build();
            } else {
                List<String> why = new ArrayList<>();
                r = rewriteLayer(l, factor, why);
                if (r == l) {
                    // Each use keeps the conversion's own description, with why rescaling cannot carry it.
                    String reason = why.isEmpty() ? "its input is not a linear function of its own weights" : why.get(0);
                    for (String use : Dialects.hardSigmoidUses(l, target)) {
                        unchanged.add(use + "; rescaling weights cannot carry it: " + reason);
                    }
                }
            }
            changed |= r != l;
            layers.add(r);
        }
        return changed ? model.withLayers(layers) : model;
    }

    private static Layer rewriteLayer(Layer l, double factor, List<String> why) {
        JsonObject config = l.config();
        String className = l.className();
        // Wrappers carry the wrapped layer's config; their weights are the wrapped layer's (both directions').
        if (className.equals("Bidirectional") || className.equals("TimeDistributed")) {
            JsonValue inner = config.get("layer");
            JsonValue backward = config.get("backward_layer");
            if (!inner.isObject() || !inner.asObject().get("config").isObject()) return l;
            JsonObject innerConfig = inner.asObject().getObject("config");
            if (backward.isObject() && backward.asObject().get("config").isObject()) {
                JsonObject b = backward.asObject().getObject("config");
                for (String key : new String[] {"activation", "recurrent_activation"}) {
                    if (!b.get(key).equals(innerConfig.get(key))) {
                        why.add("its forward and backward layers differ in " + key);
                        return l;
                    }
                }
            }
            return rewriteWeights(l, inner.asObject().getString("class_name", "?"), innerConfig, factor, why);
        }
        return rewriteWeights(l, className, config, factor, why);
    }

    private static boolean isHardSigmoid(JsonObject c, String key) { return "hard_sigmoid".equals(c.getString(key, null)); }

    /** {@code l}'s weights rescaled for a {@code className} layer configured by {@code c} (itself or the wrapped one). */
    private static Layer rewriteWeights(Layer l, String className, JsonObject c, double factor, List<String> why) {
        boolean activation = isHardSigmoid(c, "activation");
        boolean recurrent = isHardSigmoid(c, "recurrent_activation");
        if (!activation && !recurrent) return l;
        // Which gate blocks of the last weight axis the rescaling applies to, and which weights carry them.
        int blocks;
        boolean[] scaled;
        Set<String> names;
        switch (className) {
            case "LSTM", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D" -> {
                if (activation) {
                    // tanh's place: applied to the candidate and to the cell state, which no weight scales.
                    why.add("its activation is applied to the cell state as well");
                    return l;
                }
                blocks = 4;
                scaled = new boolean[] {true, true, false, true}; // gates i, f, c, o: c uses activation
                names = Set.of("kernel", "recurrent_kernel", "bias");
            }
            case "GRU" -> {
                blocks = 3;
                scaled = new boolean[] {recurrent, recurrent, activation}; // gates z, r, h
                names = Set.of("kernel", "recurrent_kernel", "bias");
            }
            case "SimpleRNN" -> {
                if (!activation) return l;
                blocks = 1;
                scaled = new boolean[] {true};
                names = Set.of("kernel", "recurrent_kernel", "bias");
            }
            default -> {
                if (!DENSE_LIKE.contains(className) || recurrent) {
                    why.add("its input is not a linear function of its own weights");
                    return l;
                }
                blocks = 1;
                scaled = new boolean[] {true};
                // A separable convolution's depthwise step is linear too: scaling the pointwise one is enough.
                names = className.startsWith("SeparableConv") ? Set.of("pointwise_kernel", "bias")
                        : className.startsWith("DepthwiseConv") ? Set.of("depthwise_kernel", "bias") : Set.of("kernel", "bias");
            }
        }
        List<Weight> weights = l.weights();
        long scaledWeights = weights.stream().filter(w -> names.contains(w.shortName())).count();
        if (scaledWeights == 0) {
            why.add("it holds no weights to rescale");
            return l;
        }
        List<Weight> out = new ArrayList<>(weights.size());
        for (Weight w : weights) {
            if (!names.contains(w.shortName())) {
                out.add(w);
                continue;
            }
            Tensor v = w.value();
            long last = v.rank() == 0 ? 1 : v.dim(-1);
            if (v.dtype() != DType.FLOAT32 || last % blocks != 0) {
                why.add("its weight " + w.name() + " is " + v.dtype() + " "
                        + java.util.Arrays.toString(v.shape()));
                return l;
            }
            out.add(w.withValue(scale(v, blocks, scaled, factor)));
        }
        return l.toBuilder().weights(out).build();
    }

    /** {@code v} with the chosen blocks of its last axis multiplied by {@code factor}, rounded once to float32. */
    private static Tensor scale(Tensor v, int blocks, boolean[] scaled, double factor) {
        float[] a = v.toFloatArray();
        int last = (int) (v.rank() == 0 ? 1 : v.dim(-1));
        int block = last / blocks;
        for (int i = 0; i < a.length; i++) {
            if (scaled[(i % last) / block]) a[i] = (float) (a[i] * factor);
        }
        return Tensor.ofFloats(a, v.shape());
    }
}
