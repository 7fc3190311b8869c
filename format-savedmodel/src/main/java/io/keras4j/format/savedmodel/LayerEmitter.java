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
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Weight;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Emits the TensorFlow ops of one Keras layer call, the way Keras's own TensorFlow backend computes it (MatMul +
 * BiasAdd, Conv2D, FusedBatchNorm's inference formula, MaxPool, ...), and the Keras mask of its output. Float32
 * models, channels_last data. Recurrent layers, attention, normalization and Keras 3 operation nodes have their
 * own emitters.
 */
final class LayerEmitter {
    /** Layers that are the identity at inference time. */
    private static final Set<String> IDENTITY = Set.of("Dropout", "SpatialDropout1D", "SpatialDropout2D",
            "SpatialDropout3D", "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization", "Identity");
    /** Layers whose output keeps their input's mask (Keras's {@code supports_masking} pass-through); others drop it. */
    private static final Set<String> MASK_KEEPING = Set.of("Dense", "Activation", "ReLU", "LeakyReLU", "ELU", "Softmax",
            "BatchNormalization", "LayerNormalization");
    private static final Set<String> MERGES = Set.of("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum");
    private static final Set<String> WRAPPED_MODELS = Set.of("Sequential", "Functional", "Model");

    private static final AttrValue FLOAT = type(DataType.DT_FLOAT);
    private static final AttrValue INT32 = type(DataType.DT_INT32);

    private final TfFunction f;
    private final TfOps ops;
    /** Reads a weight's variable inside the function. */
    private final Function<Weight, Tensor> read;
    private final Activations activations;
    private final NormalizationEmitter normalization;
    private final RecurrentEmitter recurrent;
    private final AttentionEmitter attention;
    private final OperationEmitter operations;

    LayerEmitter(TfFunction f, Function<Weight, Tensor> read) {
        this.f = f;
        this.ops = new TfOps(f);
        this.read = read;
        this.activations = new Activations(ops);
        this.normalization = new NormalizationEmitter(ops, read);
        this.recurrent = new RecurrentEmitter(ops, read, activations);
        this.attention = new AttentionEmitter(ops, read);
        this.operations = new OperationEmitter(ops);
    }

    /** The outputs of one layer call, with their masks. */
    List<KerasTensor> emit(LayerCall call) {
        Layer layer = call.layer();
        if (layer.isOperation()) return List.of(KerasTensor.of(operations.emit(call)));
        switch (layer.className()) {
            case "LSTM": case "GRU": case "SimpleRNN": return recurrent.emit(call);
            case "Bidirectional": return List.of(bidirectional(call));
            case "TimeDistributed": return List.of(timeDistributed(call));
            case "MultiHeadAttention": return List.of(attention.multiHeadAttention(call));
            case "Embedding": return List.of(embedding(call));
            case "Masking": return List.of(masking(call));
            case "GlobalAveragePooling1D": return List.of(KerasTensor.of(globalPool(call)));
            case "Concatenate": return List.of(new KerasTensor(concatenate(call), concatenatedMask(call)));
            default:
                break;
        }
        Tensor value = value(call);
        if (MERGES.contains(layer.className())) return List.of(new KerasTensor(value, mergedMask(call)));
        boolean keepsMask = MASK_KEEPING.contains(layer.className()) || IDENTITY.contains(layer.className());
        return List.of(new KerasTensor(value, keepsMask ? call.input().mask() : null));
    }

    /** A DT_BOOL mask from a mask tensor a Keras 3 node names (usually already boolean). */
    Tensor asMask(String n, Tensor t) { return ops.cast(n, t, DataType.DT_BOOL); }

    /** The output value of the layers whose mask follows a simple rule. */
    private Tensor value(LayerCall call) {
        Layer layer = call.layer();
        String cls = layer.className();
        JsonObject c = layer.config();
        String n = layer.name();
        long[] out = call.outputShape();
        List<Tensor> in = call.inputs().stream().map(KerasTensor::value).toList();
        Tensor x = in.get(0);
        if (IDENTITY.contains(cls)) return x;
        switch (cls) {
            case "Dense": return activation(call, dense(layer, x, out));
            case "Activation": return activations.apply(n, n + "/" + layer.activation().orElse("linear"),
                    layer.activation().orElse("linear"), x, call.dialect()).withShape(out);
            case "ReLU": return relu(layer, x, out);
            case "LeakyReLU": {
                double slope = c.getDouble("negative_slope", c.getDouble("alpha", 0.3));
                return f.op("LeakyRelu", n, out, List.of(x.ref()), Map.of("T", FLOAT, "alpha", flt((float) slope)));
            }
            case "ELU": {
                if (c.getDouble("alpha", 1.0) != 1.0) throw unsupported(layer, "alpha other than 1");
                return f.op("Elu", n, out, List.of(x.ref()), Map.of("T", FLOAT));
            }
            case "Softmax": return softmax(n, x, c, out);
            case "Conv1D": case "Conv2D": case "DepthwiseConv2D": return activation(call, conv(layer, x, out));
            case "BatchNormalization": return normalization.batchNormalization(call);
            case "LayerNormalization": return normalization.layerNormalization(call);
            case "MaxPooling1D": case "MaxPooling2D": case "AveragePooling1D": case "AveragePooling2D":
                return pool(layer, x, out);
            case "GlobalAveragePooling2D": case "GlobalMaxPooling1D": case "GlobalMaxPooling2D": return globalPool(call);
            case "Flatten": case "Reshape": return ops.reshape(n + "/Reshape", x, checkedShape(layer, out));
            case "Add": return fold("AddV2", n, in, out);
            case "Subtract": return f.op("Sub", n, out, List.of(in.get(0).ref(), in.get(1).ref()), Map.of("T", FLOAT));
            case "Multiply": return fold("Mul", n, in, out);
            case "Maximum": return fold("Maximum", n, in, out);
            case "Minimum": return fold("Minimum", n, in, out);
            case "Average": {
                Tensor sum = fold("AddV2", n + "/sum", in, out);
                return ops.div(n, sum, ops.scalar(n + "/count", in.size())).withShape(out);
            }
            case "ZeroPadding2D": return zeroPadding2d(layer, x, out);
            default: throw unsupported(layer, "no TensorFlow translation of this layer class");
        }
    }

    private Tensor activation(LayerCall call, Tensor y) {
        String name = call.layer().activation().orElse("linear");
        return activations.apply(call.name(), call.name() + "/" + name, name, y, call.dialect()).withShape(y.shape());
    }

    /**
     * Keras merges combine masks: Keras 3 ORs them (none if any input is unmasked), Keras 2 ANDs the masks present.
     */
    private Tensor mergedMask(LayerCall call) {
        List<Tensor> masks = call.inputs().stream().map(KerasTensor::mask).toList();
        boolean keras3 = call.dialect() == Dialect.KERAS3;
        if (keras3 && masks.contains(null)) return null;
        List<Tensor> present = masks.stream().filter(Objects::nonNull).toList();
        if (present.isEmpty()) return null;
        Tensor acc = present.get(0);
        for (int i = 1; i < present.size(); i++) {
            acc = ops.logical(keras3 ? "LogicalOr" : "LogicalAnd", call.name() + "/mask_" + i, acc, present.get(i));
        }
        return acc;
    }

    private Tensor concatenate(LayerCall call) {
        List<Tensor> in = call.inputs().stream().map(KerasTensor::value).toList();
        return ops.concat(call.name(), in, call.config().getInt("axis", -1)).withShape(call.outputShape());
    }

    /**
     * Concatenating along the last axis, Keras concatenates the inputs' masks (an unmasked input counts as all
     * kept) and reduces them over that axis: Keras 3 with {@code any}, Keras 2 with {@code all}, as merges combine them.
     */
    private Tensor concatenatedMask(LayerCall call) {
        if (call.inputs().stream().allMatch(in -> in.mask() == null)) return null;
        int axis = call.config().getInt("axis", -1);
        if (axis != -1 && axis != call.input().value().rank() - 1) throw unsupported(call.layer(), "concatenating masked inputs along axis " + axis);
        return mergedMask(call);
    }

    /** The wrapped layer on {@code [batch * steps, ...]}, by folding the steps into the batch axis and back. */
    private KerasTensor timeDistributed(LayerCall call) {
        Layer layer = call.layer();
        String n = layer.name();
        KerasTensor in = call.input();
        Tensor x = in.value();
        long[] out = call.outputShape();
        Layer inner = wrapped(layer, call.config().getObject("layer"), layer.weights());
        Tensor folded = ops.reshape(n + "/fold", x, checkedShape(layer, foldSteps(x.shape())));
        List<KerasTensor> y = emit(call.inner(inner, List.of(KerasTensor.of(folded)), List.of(foldSteps(out))));
        Tensor unfolded = ops.reshapeLeading(n + "/unfold", y.get(0).value(), x, 2, java.util.Arrays.copyOfRange(out, 2, out.length));
        return new KerasTensor(unfolded, in.mask());
    }

    private KerasTensor bidirectional(LayerCall call) {
        Layer layer = call.layer();
        JsonObject forwardEntry = call.config().getObject("layer");
        JsonValue backwardValue = call.config().get("backward_layer");
        JsonObject backwardEntry = backwardValue.isObject() ? backwardValue.asObject() : flipped(forwardEntry);
        List<Weight> all = layer.weights();
        int half = all.size() / 2;
        Layer forward = wrapped(layer, directed("forward_", forwardEntry), all.subList(0, half));
        Layer backward = wrapped(layer, directed("backward_", backwardEntry), all.subList(half, all.size()));
        return recurrent.bidirectional(call, forward, backward);
    }

    /** Keras's Bidirectional builds its backward layer from the forward one's config with go_backwards flipped. */
    private static JsonObject flipped(JsonObject entry) {
        JsonObject config = entry.getObject("config");
        return entry.with("config", config.with("go_backwards", !config.getBoolean("go_backwards", false)));
    }

    /** Keras names Bidirectional's inner layers {@code forward_<name>} and {@code backward_<name>}; tf.keras saves the bare name. */
    private static JsonObject directed(String prefix, JsonObject entry) {
        JsonObject config = entry.getObject("config");
        String name = config.getString("name", entry.getString("class_name", "rnn").toLowerCase(java.util.Locale.ROOT));
        return name.startsWith(prefix) ? entry : entry.with("config", config.with("name", prefix + name));
    }

    /** A wrapper's inner layer from its serialized entry; the wrapper owns its weights. */
    private static Layer wrapped(Layer wrapper, JsonObject entry, List<Weight> weights) {
        String className = entry.getString("class_name", "?");
        if (WRAPPED_MODELS.contains(className)) throw unsupported(wrapper, "a wrapped " + className + " model");
        JsonObject config = entry.getObject("config");
        String name = wrapper.name() + "/" + config.getString("name", className.toLowerCase(java.util.Locale.ROOT));
        return Layer.builder(name, className).config(config).entry(entry.without("config", "class_name")).weights(weights).build();
    }

    /** {@code [batch, steps, rest...]} to {@code [batch * steps, rest...]} (-1 when either is unknown). */
    private static long[] foldSteps(long[] shape) {
        long[] out = new long[shape.length - 1];
        out[0] = shape[0] < 0 || shape[1] < 0 ? -1 : shape[0] * shape[1];
        System.arraycopy(shape, 2, out, 1, shape.length - 2);
        return out;
    }

    private Tensor dense(Layer layer, Tensor x, long[] out) {
        String n = layer.name();
        Tensor kernel = read.apply(weight(layer, 0));
        Tensor flat = x.rank() > 2 ? ops.reshape(n + "/flatten", x, checkedShape(layer, new long[] {-1, x.dim(-1)})) : x;
        Tensor y = ops.matMul(n + "/MatMul", flat, kernel);
        if (layer.useBias()) y = ops.biasAdd(n + "/BiasAdd", y, read.apply(weight(layer, 1)));
        return x.rank() > 2 ? ops.reshapeLeading(n + "/unflatten", y, x, x.rank() - 1, new long[] {out[out.length - 1]}) : y.withShape(out);
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
        if (layer.useBias()) y = ops.biasAdd(n + "/BiasAdd", y, read.apply(weight(layer, 1)));
        return y.withShape(out);
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

    /** GlobalAveragePooling1D of a masked sequence averages the kept steps: {@code sum(x * m) / sum(m)}, as Keras. */
    private Tensor globalPool(LayerCall call) {
        Layer layer = call.layer();
        checkChannelsLast(layer);
        String n = layer.name();
        Tensor x = call.input().value();
        Tensor mask = call.maskArgument(0);
        boolean keepDims = layer.config().getBoolean("keepdims", false);
        int[] axes = layer.className().endsWith("1D") ? new int[] {1} : new int[] {1, 2};
        if (mask != null && layer.className().equals("GlobalAveragePooling1D")) {
            Tensor weights = ops.expandDims(n + "/mask_weights", ops.cast(n + "/mask_float", mask, DataType.DT_FLOAT), -1);
            Tensor sum = ops.reduce("Sum", n + "/masked_sum", ops.mul(n + "/masked", x, weights), keepDims, axes);
            return ops.div(n + "/masked_mean", sum, ops.reduce("Sum", n + "/kept_steps", weights, keepDims, axes)).withShape(call.outputShape());
        }
        String op = layer.className().startsWith("GlobalMax") ? "Max" : "Mean";
        return ops.reduce(op, n + "/" + op, x, keepDims, axes).withShape(call.outputShape());
    }

    /** Row lookup; with {@code mask_zero} id 0 masks its step. */
    private KerasTensor embedding(LayerCall call) {
        Layer layer = call.layer();
        String n = layer.name();
        Tensor x = call.input().value();
        Tensor table = read.apply(weight(layer, 0));
        Tensor ids = ops.cast(n + "/Cast", x, DataType.DT_INT32);
        Tensor y = f.op("GatherV2", n + "/GatherV2", call.outputShape(), List.of(table.ref(), ids.ref(), f.scalarInt32(n + "/axis", 0).ref()),
                Map.of("Tparams", FLOAT, "Tindices", INT32, "Taxis", INT32, "batch_dims", AttrValue.newBuilder().setI(0).build()));
        Tensor mask = layer.config().getBoolean("mask_zero", false)
                ? ops.compare("NotEqual", n + "/mask", x, ops.scalarLike(n + "/zero", x, 0)) : null;
        return new KerasTensor(y, mask);
    }

    /**
     * {@code Masking}: a step whose features all equal {@code mask_value} is masked and zeroed, as Keras computes it:
     * {@code keep = any(x != mask_value, axis=-1)}, {@code x * keep}.
     */
    private KerasTensor masking(LayerCall call) {
        String n = call.name();
        Tensor x = call.input().value();
        Tensor differs = ops.compare("NotEqual", n + "/NotEqual", x,
                ops.scalar(n + "/mask_value", (float) call.config().getDouble("mask_value", 0.0)));
        Tensor keep = ops.reduce("Any", n + "/keep", differs, true, -1);
        Tensor y = ops.mul(n + "/masked", x, ops.cast(n + "/keep_float", keep, DataType.DT_FLOAT));
        return new KerasTensor(y.withShape(call.outputShape()), ops.reduce("Any", n + "/mask", differs, false, -1));
    }

    /** {@code shape} when at most one of its dimensions is unknown, as a static Reshape needs. */
    private static long[] checkedShape(Layer layer, long[] shape) {
        if (java.util.Arrays.stream(shape).filter(d -> d < 0).count() > 1) {
            throw unsupported(layer, "a reshape to " + java.util.Arrays.toString(shape) + " with more than one dimension unknown before run time");
        }
        return shape;
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

    private Tensor fold(String op, String n, List<Tensor> in, long[] out) {
        Tensor acc = in.get(0);
        for (int i = 1; i < in.size(); i++) {
            acc = f.op(op, in.size() == 2 ? n : n + "/" + op + "_" + i, out, List.of(acc.ref(), in.get(i).ref()), Map.of("T", FLOAT));
        }
        return acc;
    }

    static Weight weight(Layer layer, int i) {
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

    private static void checkChannelsLast(Layer layer) {
        if (layer.dataFormat().map(d -> d.equals("channels_first")).orElse(false)) {
            throw unsupported(layer, "channels_first data");
        }
    }

    static UnsupportedModelException unsupported(Layer layer, String what) {
        return new UnsupportedModelException("layer '" + layer.name() + "' (" + layer.className() + "): " + what
                + "; the model cannot be written as a TensorFlow graph yet, nothing was written", SavedModelCodec.NAME, null, layer.name(), null);
    }
}
