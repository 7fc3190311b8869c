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
            // Keras 3 names only, defined with its relu6(x + 3) / 6 hard sigmoid (MobileNetV3's activation).
            case "hard_silu": case "hard_swish": return ops.mul(at, x, hardSigmoid(at + "/hard_sigmoid", x, Dialect.KERAS3));
            case "leaky_relu": // Keras's default negative slope, 0.2: max(x, 0.2 x) is x above 0 and 0.2 x below
                return ops.binary("Maximum", at, x, ops.mul(at + "/scaled", x, ops.scalar(at + "/slope", 0.2f)));
            case "mish": return ops.mul(at, x, ops.unary("Tanh", at + "/Tanh", ops.unary("Softplus", at + "/Softplus", x)));
            case "hard_tanh": return ops.binary("Maximum", at, ops.binary("Minimum", at + "/min1", x, ops.scalar(at + "/one", 1f)),
                    ops.scalar(at + "/minus_one", -1f));
            case "log_sigmoid": return ops.unary("Neg", at, ops.unary("Softplus", at + "/Softplus", ops.unary("Neg", at + "/Neg", x)));
            case "tanh_shrink": return ops.sub(at, x, ops.unary("Tanh", at + "/Tanh", x));
            case "celu": // alpha 1: max(0, x) + min(0, expm1(x))
                return ops.add(at, ops.unary("Relu", at + "/Relu", x),
                        ops.binary("Minimum", at + "/min0", ops.unary("Expm1", at + "/Expm1", x), ops.scalar(at + "/zero", 0f)));
            case "hard_shrink": { // threshold 0.5: x where |x| > 0.5, else 0
                Tensor keep = ops.compare("Greater", at + "/outside", ops.unary("Abs", at + "/Abs", x), ops.scalar(at + "/half", 0.5f));
                return ops.selectV2(at, keep, x, ops.scalar(at + "/zero", 0f));
            }
            case "soft_shrink": { // threshold 0.5: x - 0.5 above it, x + 0.5 below -0.5, else 0
                Tensor half = ops.scalar(at + "/half", 0.5f);
                Tensor below = ops.selectV2(at + "/below", ops.compare("Less", at + "/is_below", x, ops.scalar(at + "/minus_half", -0.5f)),
                        ops.add(at + "/plus_half", x, half), ops.scalar(at + "/zero", 0f));
                return ops.selectV2(at, ops.compare("Greater", at + "/is_above", x, half), ops.sub(at + "/minus_half_x", x, half), below);
            }
            case "sparse_sigmoid": // clip((x + 1) / 2, 0, 1)
                return ops.binary("Maximum", at, ops.binary("Minimum", at + "/min1",
                        ops.mul(at + "/halved", ops.add(at + "/plus1", x, ops.scalar(at + "/one", 1f)), ops.scalar(at + "/half", 0.5f)),
                        ops.scalar(at + "/one_max", 1f)), ops.scalar(at + "/zero", 0f));
            case "sparse_plus": { // 0 up to -1, (x + 1)^2 / 4 up to 1, x above
                Tensor quarter = ops.mul(at + "/quarter", ops.unary("Square", at + "/Square", ops.add(at + "/plus1", x, ops.scalar(at + "/one", 1f))),
                        ops.scalar(at + "/a_quarter", 0.25f));
                Tensor upper = ops.selectV2(at + "/upper", ops.compare("GreaterEqual", at + "/is_above", x, ops.scalar(at + "/one_b", 1f)), x, quarter);
                return ops.selectV2(at, ops.compare("LessEqual", at + "/is_below", x, ops.scalar(at + "/minus_one", -1f)),
                        ops.scalar(at + "/zero", 0f), upper);
            }
            case "squareplus": { // b 4: (x + sqrt(x^2 + 4)) / 2
                Tensor root = ops.unary("Sqrt", at + "/Sqrt", ops.add(at + "/plus4", ops.unary("Square", at + "/Square", x),
                        ops.scalar(at + "/four", 4f)));
                return ops.mul(at, ops.add(at + "/sum", x, root), ops.scalar(at + "/half", 0.5f));
            }
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
