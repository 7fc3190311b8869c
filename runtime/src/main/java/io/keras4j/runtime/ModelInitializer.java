package io.keras4j.runtime;

import io.keras4j.UnsupportedModelException;
import io.keras4j.core.Initializers;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Weights drawn from each layer's initializers, as Keras builds a layer: {@link #cloneModel} is Keras's
 * {@code clone_model} (the same architecture, fresh weights), {@link #initializeMissing} gives weights to the layers
 * that have none (a new head on a trained base, for transfer learning) and keeps the others. Shapes come from the
 * runtime's shape inference; the values from {@link Initializers} (Keras's distributions, keras4j's seeded stream).
 */
public final class ModelInitializer {
    private ModelInitializer() {}

    /** Keras's {@code clone_model}: every layer's weights drawn anew from its initializers. */
    public static Model cloneModel(Model model, long seed) { return initialize(model, new Random(seed), true); }

    /** Weights for the layers that have none; the others keep theirs. */
    public static Model initializeMissing(Model model, long seed) { return initialize(model, new Random(seed), false); }

    private static Model initialize(Model model, Random random, boolean all) {
        Map<String, List<long[]>> shapes = WeightShapes.of(model);
        List<Layer> layers = new ArrayList<>();
        for (Layer l : model.layers()) {
            if (l.nestedModel().isPresent()) {
                layers.add(l.toBuilder().nestedModel(initialize(l.nestedModel().get(), random, all)).build());
                continue;
            }
            List<long[]> wanted = shapes.getOrDefault(l.name(), List.of());
            if (wanted.isEmpty() || !all && !l.weights().isEmpty()) {
                layers.add(l);
                continue;
            }
            List<String> names = weightNames(l, wanted.size());
            List<Weight> weights = new ArrayList<>();
            for (int i = 0; i < wanted.size(); i++) {
                String name = names.get(i);
                Tensor value = Initializers.create(initializer(l, name), wanted.get(i), random);
                if (name.equals("bias") && l.className().equals("LSTM") && l.config().getBoolean("unit_forget_bias", true)) {
                    value = withForgetGateOnes(value, l.config().getLong("units", 0));
                }
                weights.add(new Weight(name, value, !name.startsWith("moving_")));
            }
            layers.add(l.toBuilder().weights(weights).build());
        }
        return model.withLayers(layers);
    }

    /** Keras's weight names per layer class, in its weights order (a flag such as use_bias=False leaves one out). */
    private static List<String> weightNames(Layer l, int count) {
        JsonObject c = l.config();
        List<String> names = switch (l.className()) {
            case "Dense", "EinsumDense", "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose" ->
                    List.of("kernel", "bias");
            case "DepthwiseConv1D", "DepthwiseConv2D" -> List.of("depthwise_kernel", "bias");
            case "SeparableConv1D", "SeparableConv2D" -> List.of("depthwise_kernel", "pointwise_kernel", "bias");
            case "SimpleRNN", "LSTM", "GRU" -> List.of("kernel", "recurrent_kernel", "bias");
            case "Embedding" -> List.of("embeddings");
            case "PReLU" -> List.of("alpha");
            case "BatchNormalization", "LayerNormalization", "GroupNormalization" -> {
                List<String> n = new ArrayList<>();
                if (c.getBoolean("scale", true)) n.add("gamma");
                if (c.getBoolean("center", true)) n.add("beta");
                if (l.className().equals("BatchNormalization")) n.addAll(List.of("moving_mean", "moving_variance"));
                yield n;
            }
            default -> throw new UnsupportedModelException("layer '" + l.name() + "' (" + l.className() + "): keras4j does not "
                    + "know which initializer makes each of its weights");
        };
        if (names.size() < count) {
            throw new UnsupportedModelException("layer '" + l.name() + "' (" + l.className() + ") needs " + count
                    + " weights; keras4j knows the initializers of " + names);
        }
        return names.subList(0, count);
    }

    /** The layer's initializer for a weight, or Keras's default for that weight. */
    private static JsonValue initializer(Layer l, String weight) {
        String key = switch (weight) {
            case "kernel" -> "kernel_initializer";
            case "recurrent_kernel" -> "recurrent_initializer";
            case "depthwise_kernel" -> "depthwise_initializer";
            case "pointwise_kernel" -> "pointwise_initializer";
            default -> weight + "_initializer";
        };
        JsonValue configured = l.config().get(key);
        if (!configured.isNull()) return configured;
        return new io.keras4j.json.JsonString(switch (weight) {
            case "kernel", "depthwise_kernel", "pointwise_kernel" -> "glorot_uniform";
            case "recurrent_kernel" -> "orthogonal";
            case "gamma", "moving_variance" -> "ones";
            case "embeddings" -> "uniform";
            default -> "zeros";
        });
    }

    /** Keras's LSTM with unit_forget_bias starts its forget gate's bias (the second quarter) at one. */
    private static Tensor withForgetGateOnes(Tensor bias, long units) {
        float[] v = bias.toFloatArray();
        for (long i = units; i < 2 * units && i < v.length; i++) v[(int) i] = 1f;
        return Tensor.ofFloats(v, bias.shape());
    }
}
