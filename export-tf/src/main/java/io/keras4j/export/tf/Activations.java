package io.keras4j.export.tf;

import io.keras4j.format.savedmodel.spi.SavedModelExporter;
import io.keras4j.UnsupportedModelException;
import io.keras4j.export.tf.TfFunction.Tensor;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;

/** Keras activation functions by name as TensorFlow ops, computed the way Keras's TensorFlow backend does. */
final class Activations {
    private final TfOps ops;

    Activations(TfOps ops) { this.ops = ops; }

    /** The activation named in {@code config[key]}: a name, or a serialized function object as Keras 3 may write it. */
    static String name(JsonObject config, String key, String fallback) {
        JsonValue v = config.get(key);
        if (v.isString()) return v.asText();
        if (v.isObject()) {
            return v.asObject().getObject("config").optString("name").orElseGet(() -> v.asObject().getString("class_name", fallback));
        }
        return fallback;
    }

    /**
     * {@code name} applied to {@code x} under node names {@code at/...}; {@code layer} names the layer in errors.
     * {@code hard_sigmoid} follows the model's dialect: Keras 3 {@code relu6(x + 3) / 6}, Keras 1 and 2
     * {@code clip(0.2 x + 0.5, 0, 1)}.
     */
    Tensor apply(String layer, String at, String name, Tensor x, Dialect dialect) {
        switch (name) {
            case "linear": return x;
            case "relu": return ops.unary("Relu", at, x);
            case "relu6": return ops.unary("Relu6", at, x);
            case "sigmoid": return ops.unary("Sigmoid", at, x);
            case "tanh": return ops.unary("Tanh", at, x);
            case "elu": return ops.unary("Elu", at, x);
            case "selu": return ops.unary("Selu", at, x);
            case "softplus": return ops.unary("Softplus", at, x);
            case "softsign": return ops.unary("Softsign", at, x);
            case "exponential": return ops.unary("Exp", at, x);
            case "softmax": return ops.unary("Softmax", at, x);
            case "log_softmax": return ops.unary("LogSoftmax", at, x);
            case "swish": case "silu": return ops.mul(at, x, ops.unary("Sigmoid", at + "/Sigmoid", x));
            case "hard_sigmoid": return hardSigmoid(at, x, dialect);
            case "gelu": {
                // Keras's default gelu is the exact one: x * (1 + erf(x / sqrt(2))) / 2.
                Tensor scaled = ops.mul(at + "/scaled", x, ops.scalar(at + "/inv_sqrt2", (float) (1 / Math.sqrt(2))));
                Tensor onePlus = ops.add(at + "/one_plus", ops.unary("Erf", at + "/Erf", scaled), ops.scalar(at + "/one", 1f));
                return ops.mul(at, ops.mul(at + "/half_x", x, ops.scalar(at + "/half", 0.5f)), onePlus);
            }
            default:
                throw new UnsupportedModelException("layer '" + layer + "': activation '" + name
                        + "' has no TensorFlow translation yet; nothing was written", SavedModelExporter.CODEC, null, layer, null);
        }
    }

    private Tensor hardSigmoid(String at, Tensor x, Dialect dialect) {
        if (dialect == Dialect.KERAS3) {
            Tensor shifted = ops.add(at + "/plus3", x, ops.scalar(at + "/three", 3f));
            return ops.div(at, ops.unary("Relu6", at + "/Relu6", shifted), ops.scalar(at + "/six", 6f));
        }
        Tensor linear = ops.add(at + "/plus_half", ops.mul(at + "/times_0.2", x, ops.scalar(at + "/point_two", 0.2f)),
                ops.scalar(at + "/point_five", 0.5f));
        Tensor upper = ops.binary("Minimum", at + "/min1", linear, ops.scalar(at + "/one", 1f));
        return ops.binary("Maximum", at, upper, ops.scalar(at + "/zero", 0f));
    }
}
