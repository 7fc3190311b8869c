package io.keras4j.format.savedmodel;

import static io.keras4j.format.savedmodel.TfFunction.bool;
import static io.keras4j.format.savedmodel.TfFunction.flt;
import static io.keras4j.format.savedmodel.TfFunction.ints;
import static io.keras4j.format.savedmodel.TfFunction.str;
import static io.keras4j.format.savedmodel.TfFunction.type;

import io.keras4j.UnsupportedModelException;
import io.keras4j.format.savedmodel.TfFunction.Tensor;
import io.keras4j.format.savedmodel.proto.AttrValue;
import io.keras4j.format.savedmodel.proto.DataType;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Layer;
import io.keras4j.model.Weight;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Emits the TensorFlow ops of one Keras layer call, the way Keras's own TensorFlow backend computes it (MatMul +
 * BiasAdd, Conv2D, FusedBatchNorm's inference formula, MaxPool, ...). Float32 models, channels_last data.
 */
final class LayerEmitter {
    /** Layers that are the identity at inference time. */
    private static final Set<String> IDENTITY = Set.of("Dropout", "SpatialDropout1D", "SpatialDropout2D",
            "SpatialDropout3D", "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization", "Identity");

    private static final AttrValue FLOAT = type(DataType.DT_FLOAT);
    private static final AttrValue INT32 = type(DataType.DT_INT32);

    private final TfFunction f;
    /** Reads a weight's variable inside the function. */
    private final Function<Weight, Tensor> read;

    LayerEmitter(TfFunction f, Function<Weight, Tensor> read) {
        this.f = f;
        this.read = read;
    }

    /** The outputs of {@code layer} applied to {@code in}; {@code outShapes} are Keras's static output shapes. */
    List<Tensor> emit(Layer layer, List<Tensor> in, List<long[]> outShapes) {
        String cls = layer.className();
        JsonObject c = layer.config();
        String n = layer.name();
        long[] out = outShapes.isEmpty() ? in.get(0).shape() : outShapes.get(0);
        if (IDENTITY.contains(cls)) return List.of(in.get(0));
        Tensor x = in.get(0);
        switch (cls) {
            case "Dense": return List.of(activation(layer, dense(layer, x, out), out));
            case "Activation": return List.of(activation(n, layer.activation().orElse("linear"), c, x, out));
            case "ReLU": return List.of(relu(layer, x, out));
            case "LeakyReLU": {
                double slope = c.getDouble("negative_slope", c.getDouble("alpha", 0.3));
                return List.of(f.op("LeakyRelu", n, out, List.of(x.ref()), Map.of("T", FLOAT, "alpha", flt((float) slope))));
            }
            case "ELU": {
                if (c.getDouble("alpha", 1.0) != 1.0) throw unsupported(layer, "alpha other than 1");
                return List.of(f.op("Elu", n, out, List.of(x.ref()), Map.of("T", FLOAT)));
            }
            case "Softmax": return List.of(softmax(n, x, c, out));
            case "Conv1D": case "Conv2D": case "DepthwiseConv2D": return List.of(activation(layer, conv(layer, x, out), out));
            case "BatchNormalization": return List.of(batchNorm(layer, x, out));
            case "MaxPooling1D": case "MaxPooling2D": case "AveragePooling1D": case "AveragePooling2D":
                return List.of(pool(layer, x, out));
            case "GlobalAveragePooling1D": case "GlobalAveragePooling2D": case "GlobalMaxPooling1D": case "GlobalMaxPooling2D":
                return List.of(globalPool(layer, x, out));
            case "Flatten": case "Reshape": return List.of(reshape(n, x, out));
            case "Add": return List.of(fold("AddV2", n, in, out));
            case "Subtract": return List.of(f.op("Sub", n, out, List.of(in.get(0).ref(), in.get(1).ref()), Map.of("T", FLOAT)));
            case "Multiply": return List.of(fold("Mul", n, in, out));
            case "Maximum": return List.of(fold("Maximum", n, in, out));
            case "Minimum": return List.of(fold("Minimum", n, in, out));
            case "Average": {
                Tensor sum = fold("AddV2", n + "/sum", in, out);
                Tensor count = f.scalarFloat(n + "/count", in.size());
                return List.of(f.op("RealDiv", n, out, List.of(sum.ref(), count.ref()), Map.of("T", FLOAT)));
            }
            case "Concatenate": {
                List<String> refs = new ArrayList<>();
                for (Tensor t : in) refs.add(t.ref());
                refs.add(f.scalarInt32(n + "/axis", c.getInt("axis", -1)).ref());
                return List.of(f.op("ConcatV2", n, out, refs, Map.of("T", FLOAT, "N", ints1(in.size()), "Tidx", INT32)));
            }
            case "Embedding": return List.of(embedding(layer, x, out));
            case "ZeroPadding2D": return List.of(zeroPadding2d(layer, x, out));
            default: throw unsupported(layer, "no TensorFlow translation of this layer class");
        }
    }

    private Tensor dense(Layer layer, Tensor x, long[] out) {
        String n = layer.name();
        Tensor kernel = read.apply(weight(layer, 0));
        Tensor flat = x;
        if (x.rank() > 2) flat = reshapeTo(n + "/flatten", x, new long[] {-1, x.dim(-1)});
        Tensor y = f.op("MatMul", n + "/MatMul", new long[] {-1, out[out.length - 1]}, List.of(flat.ref(), kernel.ref()),
                Map.of("T", FLOAT, "transpose_a", bool(false), "transpose_b", bool(false)));
        if (layer.useBias()) y = biasAdd(n, y, read.apply(weight(layer, 1)));
        return x.rank() > 2 ? reshapeTo(n + "/unflatten", y, out) : y.withShape(out);
    }

    private Tensor biasAdd(String n, Tensor y, Tensor bias) {
        return f.op("BiasAdd", n + "/BiasAdd", y.shape(), List.of(y.ref(), bias.ref()),
                Map.of("T", FLOAT, "data_format", str("NHWC")));
    }

    private Tensor conv(Layer layer, Tensor x, long[] out) {
        String n = layer.name();
        JsonObject c = layer.config();
        checkChannelsLast(layer);
        boolean oneD = layer.className().equals("Conv1D");
        boolean depthwise = layer.className().equals("DepthwiseConv2D");
        if (c.getInt("groups", 1) != 1) throw unsupported(layer, "grouped convolution");
        long[] strides = pair(c, "strides", oneD);
        long[] dilation = pair(c, "dilation_rate", oneD);
        String padding = layer.padding().orElse("valid");
        Tensor input = x;
        if (padding.equals("causal")) {
            long left = dilation[1] * (pair(c, "kernel_size", true)[1] - 1);
            Tensor pads = f.constInt32(n + "/causal_pads", new long[] {3, 2}, 0, 0, (int) left, 0, 0, 0);
            input = f.op("Pad", n + "/causal_pad", new long[] {-1, -1, x.dim(-1)}, List.of(x.ref(), pads.ref()),
                    Map.of("T", FLOAT, "Tpaddings", INT32));
            padding = "valid";
        }
        Tensor kernel = read.apply(weight(layer, 0));
        if (oneD) {
            input = f.op("ExpandDims", n + "/ExpandDims", new long[] {-1, 1, -1, x.dim(-1)},
                    List.of(input.ref(), f.scalarInt32(n + "/expand_axis", 1).ref()), Map.of("T", FLOAT, "Tdim", INT32));
            kernel = f.op("ExpandDims", n + "/kernel_ExpandDims", new long[0],
                    List.of(kernel.ref(), f.scalarInt32(n + "/kernel_expand_axis", 0).ref()), Map.of("T", FLOAT, "Tdim", INT32));
        }
        Map<String, AttrValue> attrs = new java.util.HashMap<>(Map.of("T", FLOAT, "strides", ints(1, strides[0], strides[1], 1),
                "padding", str(padding.toUpperCase(java.util.Locale.ROOT)), "data_format", str("NHWC"),
                "dilations", ints(1, dilation[0], dilation[1], 1)));
        Tensor y;
        if (depthwise) {
            y = f.op("DepthwiseConv2dNative", n + "/depthwise", out, List.of(input.ref(), kernel.ref()), attrs);
        } else {
            attrs.put("use_cudnn_on_gpu", bool(true));
            attrs.put("explicit_paddings", ints());
            y = f.op("Conv2D", n + "/Conv2D", oneD ? new long[] {-1, 1, -1, out[out.length - 1]} : out,
                    List.of(input.ref(), kernel.ref()), attrs);
        }
        if (oneD) {
            y = f.op("Squeeze", n + "/Squeeze", out, List.of(y.ref()), Map.of("T", FLOAT, "squeeze_dims", ints(1)));
        }
        if (layer.useBias()) y = biasAdd(n, y, read.apply(weight(layer, 1)));
        return y.withShape(out);
    }

    /** Inference: {@code (x - mean) * gamma / sqrt(var + eps) + beta}, folded into one multiply and one add. */
    private Tensor batchNorm(Layer layer, Tensor x, long[] out) {
        String n = layer.name();
        JsonObject c = layer.config();
        JsonValue axis = c.get("axis");
        long ax = axis instanceof JsonArray a ? (a.size() == 1 ? a.toLongs()[0] : Long.MIN_VALUE) : c.getLong("axis", -1);
        if (ax != -1 && ax != x.rank() - 1) throw unsupported(layer, "normalization over an axis other than the last");
        boolean scale = c.getBoolean("scale", true);
        boolean center = c.getBoolean("center", true);
        int i = 0;
        Tensor gamma = scale ? read.apply(weight(layer, i++)) : null;
        Tensor beta = center ? read.apply(weight(layer, i++)) : null;
        Tensor mean = read.apply(weight(layer, i++));
        Tensor variance = read.apply(weight(layer, i));
        long[] p = mean.shape();
        Tensor eps = f.scalarFloat(n + "/epsilon", (float) c.getDouble("epsilon", 1e-3));
        Tensor inv = f.op("Rsqrt", n + "/Rsqrt", p, List.of(f.op("AddV2", n + "/add_eps", p,
                List.of(variance.ref(), eps.ref()), Map.of("T", FLOAT)).ref()), Map.of("T", FLOAT));
        if (gamma != null) inv = f.op("Mul", n + "/scale", p, List.of(inv.ref(), gamma.ref()), Map.of("T", FLOAT));
        Tensor shift = f.op("Mul", n + "/mean_scaled", p, List.of(mean.ref(), inv.ref()), Map.of("T", FLOAT));
        shift = beta != null ? f.op("Sub", n + "/shift", p, List.of(beta.ref(), shift.ref()), Map.of("T", FLOAT))
                : f.op("Sub", n + "/shift", p, List.of(f.scalarFloat(n + "/zero", 0f).ref(), shift.ref()), Map.of("T", FLOAT));
        Tensor y = f.op("Mul", n + "/mul", out, List.of(x.ref(), inv.ref()), Map.of("T", FLOAT));
        return f.op("AddV2", n + "/add", out, List.of(y.ref(), shift.ref()), Map.of("T", FLOAT));
    }

    private Tensor pool(Layer layer, Tensor x, long[] out) {
        String n = layer.name();
        JsonObject c = layer.config();
        checkChannelsLast(layer);
        boolean oneD = layer.className().endsWith("1D");
        long[] size = pair(c, c.has("pool_size") ? "pool_size" : "pool_length", oneD);
        long[] strides = c.get("strides") instanceof io.keras4j.json.JsonNull ? size : pair(c, "strides", oneD);
        String op = layer.className().startsWith("Max") ? "MaxPool" : "AvgPool";
        Tensor input = x;
        if (oneD) {
            input = f.op("ExpandDims", n + "/ExpandDims", new long[] {-1, 1, -1, x.dim(-1)},
                    List.of(x.ref(), f.scalarInt32(n + "/expand_axis", 1).ref()), Map.of("T", FLOAT, "Tdim", INT32));
        }
        Tensor y = f.op(op, n + "/" + op, oneD ? new long[] {-1, 1, -1, out[out.length - 1]} : out, List.of(input.ref()),
                Map.of("T", FLOAT, "ksize", ints(1, size[0], size[1], 1), "strides", ints(1, strides[0], strides[1], 1),
                        "padding", str(layer.padding().orElse("valid").toUpperCase(java.util.Locale.ROOT)),
                        "data_format", str("NHWC")));
        if (oneD) y = f.op("Squeeze", n + "/Squeeze", out, List.of(y.ref()), Map.of("T", FLOAT, "squeeze_dims", ints(1)));
        return y;
    }

    private Tensor globalPool(Layer layer, Tensor x, long[] out) {
        checkChannelsLast(layer);
        String n = layer.name();
        int[] axes = layer.className().endsWith("1D") ? new int[] {1} : new int[] {1, 2};
        Tensor reduce = f.constInt32(n + "/axes", axes);
        String op = layer.className().startsWith("GlobalMax") ? "Max" : "Mean";
        return f.op(op, n + "/" + op, out, List.of(x.ref(), reduce.ref()),
                Map.of("T", FLOAT, "Tidx", INT32, "keep_dims", bool(layer.config().getBoolean("keepdims", false))));
    }

    private Tensor embedding(Layer layer, Tensor x, long[] out) {
        String n = layer.name();
        Tensor table = read.apply(weight(layer, 0));
        Tensor ids = x.dtype() == DataType.DT_INT32 ? x : f.op("Cast", n + "/Cast", x.shape(), List.of(x.ref()),
                Map.of("SrcT", type(x.dtype()), "DstT", INT32, "Truncate", bool(false)), DataType.DT_INT32);
        return f.op("GatherV2", n + "/GatherV2", out, List.of(table.ref(), ids.ref(), f.scalarInt32(n + "/axis", 0).ref()),
                Map.of("Tparams", FLOAT, "Tindices", INT32, "Taxis", INT32, "batch_dims", AttrValue.newBuilder().setI(0).build()));
    }

    private Tensor zeroPadding2d(Layer layer, Tensor x, long[] out) {
        checkChannelsLast(layer);
        JsonValue p = layer.config().get("padding");
        long top, bottom, left, right;
        if (p instanceof JsonArray a && a.size() == 2 && a.get(0) instanceof JsonArray) {
            long[] h = a.get(0).asArray().toLongs();
            long[] w = a.get(1).asArray().toLongs();
            top = h[0]; bottom = h[1]; left = w[0]; right = w[1];
        } else {
            long[] hw = p instanceof JsonArray a ? a.toLongs() : new long[] {layer.config().getLong("padding", 1), layer.config().getLong("padding", 1)};
            top = bottom = hw[0];
            left = right = hw[1];
        }
        Tensor pads = f.constInt32(layer.name() + "/paddings", new long[] {4, 2}, 0, 0, (int) top, (int) bottom, (int) left, (int) right, 0, 0);
        return f.op("Pad", layer.name() + "/Pad", out, List.of(x.ref(), pads.ref()), Map.of("T", FLOAT, "Tpaddings", INT32));
    }

    private Tensor relu(Layer layer, Tensor x, long[] out) {
        JsonObject c = layer.config();
        double slope = c.getDouble("negative_slope", 0);
        double threshold = c.getDouble("threshold", 0);
        JsonValue max = c.get("max_value");
        if (slope != 0 || threshold != 0) throw unsupported(layer, "ReLU with a negative slope or threshold");
        String n = layer.name();
        if (max instanceof io.keras4j.json.JsonNumber m) {
            if (m.value().doubleValue() == 6.0) return f.op("Relu6", n, out, List.of(x.ref()), Map.of("T", FLOAT));
            Tensor r = f.op("Relu", n + "/Relu", out, List.of(x.ref()), Map.of("T", FLOAT));
            return f.op("Minimum", n, out, List.of(r.ref(), f.scalarFloat(n + "/max", (float) m.value().doubleValue()).ref()), Map.of("T", FLOAT));
        }
        return f.op("Relu", n, out, List.of(x.ref()), Map.of("T", FLOAT));
    }

    private Tensor softmax(String n, Tensor x, JsonObject c, long[] out) {
        JsonValue axis = c.get("axis");
        long ax = axis instanceof JsonArray a ? (a.size() == 1 ? a.toLongs()[0] : Long.MIN_VALUE) : c.getLong("axis", -1);
        if (ax != -1 && ax != x.rank() - 1) throw new UnsupportedModelException("softmax '" + n + "' over axis " + axis + " is not supported");
        return f.op("Softmax", n, out, List.of(x.ref()), Map.of("T", FLOAT));
    }

    private Tensor activation(Layer layer, Tensor x, long[] out) {
        return activation(layer.name(), layer.activation().orElse("linear"), layer.config(), x, out);
    }

    private Tensor activation(String n, String name, JsonObject c, Tensor x, long[] out) {
        String at = n + "/" + name;
        switch (name) {
            case "linear": return x;
            case "relu": return f.op("Relu", at, out, List.of(x.ref()), Map.of("T", FLOAT));
            case "relu6": return f.op("Relu6", at, out, List.of(x.ref()), Map.of("T", FLOAT));
            case "sigmoid": return f.op("Sigmoid", at, out, List.of(x.ref()), Map.of("T", FLOAT));
            case "tanh": return f.op("Tanh", at, out, List.of(x.ref()), Map.of("T", FLOAT));
            case "elu": return f.op("Elu", at, out, List.of(x.ref()), Map.of("T", FLOAT));
            case "selu": return f.op("Selu", at, out, List.of(x.ref()), Map.of("T", FLOAT));
            case "softplus": return f.op("Softplus", at, out, List.of(x.ref()), Map.of("T", FLOAT));
            case "softsign": return f.op("Softsign", at, out, List.of(x.ref()), Map.of("T", FLOAT));
            case "exponential": return f.op("Exp", at, out, List.of(x.ref()), Map.of("T", FLOAT));
            case "softmax": return softmax(at, x, JsonObject.EMPTY, out);
            case "swish": case "silu": {
                Tensor s = f.op("Sigmoid", at + "/Sigmoid", out, List.of(x.ref()), Map.of("T", FLOAT));
                return f.op("Mul", at, out, List.of(x.ref(), s.ref()), Map.of("T", FLOAT));
            }
            case "gelu": {
                // Keras's default gelu is the exact one: x * (1 + erf(x / sqrt(2))) / 2.
                Tensor scaled = f.op("Mul", at + "/scaled", out, List.of(x.ref(), f.scalarFloat(at + "/inv_sqrt2", (float) (1 / Math.sqrt(2))).ref()), Map.of("T", FLOAT));
                Tensor erf = f.op("Erf", at + "/Erf", out, List.of(scaled.ref()), Map.of("T", FLOAT));
                Tensor onePlus = f.op("AddV2", at + "/one_plus", out, List.of(erf.ref(), f.scalarFloat(at + "/one", 1f).ref()), Map.of("T", FLOAT));
                Tensor half = f.op("Mul", at + "/half_x", out, List.of(x.ref(), f.scalarFloat(at + "/half", 0.5f).ref()), Map.of("T", FLOAT));
                return f.op("Mul", at, out, List.of(half.ref(), onePlus.ref()), Map.of("T", FLOAT));
            }
            default: throw new UnsupportedModelException("layer '" + n + "': activation '" + name + "' has no TensorFlow translation yet");
        }
    }

    private Tensor fold(String op, String n, List<Tensor> in, long[] out) {
        Tensor acc = in.get(0);
        for (int i = 1; i < in.size(); i++) {
            acc = f.op(op, in.size() == 2 ? n : n + "/" + op + "_" + i, out, List.of(acc.ref(), in.get(i).ref()), Map.of("T", FLOAT));
        }
        return acc;
    }

    private Tensor reshape(String n, Tensor x, long[] out) { return reshapeTo(n, x, out); }

    /** Reshape to a static shape whose only unknown dimension is the batch (written as -1). */
    private Tensor reshapeTo(String n, Tensor x, long[] shape) {
        int[] dims = new int[shape.length];
        int unknown = 0;
        for (int i = 0; i < shape.length; i++) {
            dims[i] = (int) shape[i];
            if (shape[i] < 0) unknown++;
        }
        if (unknown > 1) throw new UnsupportedModelException("layer '" + n + "': reshape to " + java.util.Arrays.toString(shape)
                + " has more than one dimension unknown before run time");
        Tensor target = f.constInt32(n + "/shape", dims);
        return f.op("Reshape", n + "/Reshape", shape, List.of(x.ref(), target.ref()), Map.of("T", FLOAT, "Tshape", INT32));
    }

    private static Weight weight(Layer layer, int i) {
        if (layer.weights().size() <= i) {
            throw new UnsupportedModelException("layer '" + layer.name() + "' (" + layer.className() + ") has "
                    + layer.weights().size() + " weights; its TensorFlow translation needs weight " + i);
        }
        return layer.weights().get(i);
    }

    private static long[] pair(JsonObject c, String key, boolean oneD) {
        JsonValue v = c.get(key);
        long[] values = v instanceof JsonArray a ? a.toLongs() : new long[] {c.getLong(key, 1)};
        if (oneD) return new long[] {1, values[0]};
        return values.length == 1 ? new long[] {values[0], values[0]} : values;
    }

    private static AttrValue ints1(int v) { return AttrValue.newBuilder().setI(v).build(); }

    private static void checkChannelsLast(Layer layer) {
        if (layer.dataFormat().map(d -> d.equals("channels_first")).orElse(false)) {
            throw unsupported(layer, "channels_first data");
        }
    }

    private static UnsupportedModelException unsupported(Layer layer, String what) {
        return new UnsupportedModelException("layer '" + layer.name() + "' (" + layer.className() + "): " + what
                + "; the model cannot be written as a TensorFlow graph yet, nothing was written", SavedModelCodec.NAME, null, layer.name(), null);
    }
}
