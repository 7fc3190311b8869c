package io.keras4j.export.tf;

import static io.keras4j.export.tf.TfFunction.flt;
import io.keras4j.format.savedmodel.spi.SavedModelExporter;
import io.keras4j.core.LayerCatalogue;
import static io.keras4j.export.tf.TfFunction.str;
import static io.keras4j.export.tf.TfFunction.type;

import io.keras4j.UnsupportedModelException;
import io.keras4j.export.tf.TfFunction.Tensor;
import io.keras4j.format.savedmodel.proto.AttrValue;
import io.keras4j.format.savedmodel.proto.DataType;
import io.keras4j.export.tf.spi.GraphLayer;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonNumber;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Layer;
import io.keras4j.model.Weight;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Emits the TensorFlow ops of one Keras layer call, the way Keras's own TensorFlow backend computes it (MatMul +
 * BiasAdd, Conv2D, FusedBatchNorm's inference formula, MaxPool, ...), and the Keras mask of its output. Float32
 * models, channels_last data. Convolutions and pooling, shape layers, normalizations, merges, recurrent layers,
 * attention and graph operation nodes have their own emitters; wrappers (TimeDistributed, Bidirectional) are
 * unwrapped here.
 */
final class LayerEmitter {
    private static final LayerCatalogue CATALOGUE = LayerCatalogue.keras();
    private static final Set<String> WRAPPED_MODELS = Set.of("Sequential", "Functional", "Model");

    private static final AttrValue FLOAT = type(DataType.DT_FLOAT);
    private static final AttrValue INT32 = type(DataType.DT_INT32);

    private final TfFunction f;
    private final TfOps ops;
    /** Reads a weight's variable inside the function. */
    private final Function<Weight, Tensor> read;
    private final Activations activations;
    private final ConvolutionEmitter convolutions;
    private final ShapeEmitter shapes;
    private final NormalizationEmitter normalization;
    private final MergeEmitter merges;
    private final RecurrentEmitter recurrent;
    private final AttentionEmitter attention;
    private final OperationEmitter operations;

    private final CustomGraphLayers custom;

    LayerEmitter(TfFunction f, Function<Weight, Tensor> read, CustomGraphLayers custom) {
        this.f = f;
        this.custom = custom;
        this.ops = new TfOps(f);
        this.read = read;
        this.activations = new Activations(ops);
        this.convolutions = new ConvolutionEmitter(ops, read);
        this.shapes = new ShapeEmitter(ops);
        this.normalization = new NormalizationEmitter(ops, read);
        this.merges = new MergeEmitter(ops, normalization);
        this.recurrent = new RecurrentEmitter(ops, read);
        this.attention = new AttentionEmitter(ops, read);
        this.operations = new OperationEmitter(ops, activations);
    }

    /** The outputs of one layer call, with their masks. */
    List<KerasTensor> emit(LayerCall call) {
        Layer layer = call.layer();
        Optional<GraphLayer> provided = custom.find(layer);
        if (provided.isPresent()) return CustomGraphLayers.emit(provided.get(), call, f, read);
        String cls = layer.className();
        if (layer.isOperation()) return List.of(KerasTensor.of(operations.operation(call)));
        if (MergeEmitter.merges(cls)) return List.of(merges.emit(call));
        switch (cls) {
            case "LSTM": case "GRU": case "SimpleRNN": return recurrent.emit(call);
            case "Bidirectional": return List.of(bidirectional(call));
            case "TimeDistributed": return List.of(timeDistributed(call));
            case "MultiHeadAttention": return List.of(attention.multiHeadAttention(call));
            case "Attention": case "AdditiveAttention": return List.of(attention.dotProductAttention(call));
            case "Embedding": return List.of(embedding(call));
            case "Masking": return List.of(masking(call));
            case "TFOpLambda": return List.of(operations.tfOpLambda(call));
            default:
                break;
        }
        boolean keepsMask = CATALOGUE.is(cls, LayerCatalogue.LayerClass::keepsMask);
        return List.of(new KerasTensor(value(call), keepsMask ? call.input().mask() : null));
    }

    /**
     * The channels_last form of a layer that computes over channels_first data (Theano-era models): the same config
     * with {@code data_format} channels_last, or a BatchNormalization over axis 1 made one over the last axis.
     */
    private static Optional<Layer> channelsLastForm(Layer layer, int rank) {
        if (rank < 3) return Optional.empty();
        if (CATALOGUE.is(layer.className(), LayerCatalogue.LayerClass::channelsFirstCapable) && layer.dataFormat().filter("channels_first"::equals).isPresent()) {
            return Optional.of(layer.toBuilder().config(layer.config().without("dim_ordering").with("data_format", "channels_last")).build());
        }
        if (layer.className().equals("BatchNormalization")) {
            JsonValue axis = layer.config().get("axis");
            long ax = axis instanceof JsonArray a && a.size() == 1 ? a.toLongs()[0] : layer.config().getLong("axis", -1);
            if (ax == 1) return Optional.of(layer.toBuilder().config(layer.config().with("axis", -1)).build());
        }
        return Optional.empty();
    }

    /**
     * Keras's TensorFlow backend runs channels_first layers on CPU the same way: transpose the channels last,
     * compute, transpose them back (a flattened or globally pooled result has no channel axis to move back).
     */
    private Tensor viaChannelsLast(LayerCall call, Layer channelsLast) {
        String n = call.name();
        Tensor x = call.input().value();
        int rank = x.rank();
        int[] toLast = new int[rank];
        int[] toFirst = new int[rank];
        for (int i = 1; i < rank - 1; i++) {
            toLast[i] = i + 1;
            toFirst[i + 1] = i;
        }
        toLast[rank - 1] = 1;
        toFirst[1] = rank - 1;
        long[] out = call.outputShape();
        boolean spatialOut = out.length == rank;
        long[] outLast = spatialOut ? IntStream.of(toLast).mapToLong(i -> out[i]).toArray() : out;
        Tensor moved = ops.transpose(n + "/to_channels_last", x, toLast);
        LayerCall inner = new LayerCall(channelsLast, List.of(call.input().withValue(moved)), call.maskArguments(),
                List.of(outLast), call.node(), call.dialect());
        Tensor y = value(inner);
        return spatialOut ? ops.transpose(n + "/to_channels_first", y, toFirst).withShape(out) : y;
    }

    /** A DT_BOOL mask from a mask tensor a Keras 3 node names (usually already boolean). */
    Tensor asMask(String n, Tensor t) { return ops.cast(n, t, DataType.DT_BOOL); }

    /** The output value of a one-input layer. */
    private Tensor value(LayerCall call) {
        Optional<Layer> channelsLast = channelsLastForm(call.layer(), call.input().value().rank());
        if (channelsLast.isPresent()) return viaChannelsLast(call, channelsLast.get());
        Layer layer = call.layer();
        String cls = layer.className();
        JsonObject c = layer.config();
        String n = layer.name();
        long[] out = call.outputShape();
        Tensor x = call.input().value();
        if (CATALOGUE.is(cls, LayerCatalogue.LayerClass::identityAtInference)) return x;
        switch (cls) {
            case "Dense": return activation(call, dense(layer, x, out));
            case "EinsumDense": return activation(call, einsumDense(call));
            case "Activation": return activations.apply(n, n + "/" + layer.activation().orElse("linear"),
                    layer.activation().orElse("linear"), x, call.dialect()).withShape(out);
            case "ReLU": return relu(layer, x, out);
            case "LeakyReLU": {
                double slope = c.getDouble("negative_slope", c.getDouble("alpha", 0.3));
                return f.op("LeakyRelu", n, out, List.of(x.ref()), Map.of("T", FLOAT, "alpha", flt((float) slope)));
            }
            case "ELU": {
                double alpha = c.getDouble("alpha", 1.0);
                Tensor elu = f.op("Elu", n + "/Elu", out, List.of(x.ref()), Map.of("T", FLOAT));
                if (alpha == 1.0) return elu;
                // Keras: where(x > 0, elu(x), alpha * elu(x)).
                Tensor positive = ops.compare("Greater", n + "/positive", x, ops.scalar(n + "/zero", 0f));
                return ops.selectV2(n, positive, elu, ops.mul(n + "/scaled", ops.scalar(n + "/alpha", (float) alpha), elu)).withShape(out);
            }
            case "ThresholdedReLU": {
                Tensor above = ops.compare("Greater", n + "/above", x, ops.scalar(n + "/theta", (float) c.getDouble("theta", 1.0)));
                return ops.mul(n, x, ops.cast(n + "/Cast", above, DataType.DT_FLOAT));
            }
            case "PReLU": {
                // Keras: relu(x) - alpha * relu(-x).
                Tensor negative = ops.unary("Relu", n + "/negative_part", ops.unary("Neg", n + "/Neg", x));
                Tensor alpha = ops.unary("Neg", n + "/neg_alpha", read.apply(weight(layer, 0)));
                return ops.add(n, ops.unary("Relu", n + "/Relu", x), ops.mul(n + "/scaled_negative", alpha, negative)).withShape(out);
            }
            case "Rescaling": return rescaling(call);
            case "Softmax": {
                if (call.maskArgument(0) != null) throw unsupported(layer, "a masked input (Keras masks the softmax with it)");
                return softmax(n, x, c, out);
            }
            case "Conv1D": case "Conv2D": case "Conv3D": case "DepthwiseConv1D": case "DepthwiseConv2D":
            case "SeparableConv1D": case "SeparableConv2D":
                return activation(call, convolutions.convolution(call));
            case "Conv1DTranspose": case "Conv2DTranspose":
                return activation(call, convolutions.transposed(call));
            case "MaxPooling1D": case "MaxPooling2D": case "MaxPooling3D":
            case "AveragePooling1D": case "AveragePooling2D": case "AveragePooling3D":
                return convolutions.pooling(call);
            case "GlobalAveragePooling1D": case "GlobalAveragePooling2D": case "GlobalAveragePooling3D":
            case "GlobalMaxPooling1D": case "GlobalMaxPooling2D": case "GlobalMaxPooling3D":
                return globalPool(call);
            case "BatchNormalization": return normalization.batchNormalization(call);
            case "LayerNormalization": return normalization.layerNormalization(call);
            case "UnitNormalization": return normalization.unitNormalization(call);
            case "GroupNormalization": return normalization.groupNormalization(call);
            case "Normalization": return normalization.preprocessingNormalization(call);
            case "Flatten": case "Reshape": return shapes.reshape(call);
            case "Permute": return shapes.permute(call);
            case "RepeatVector": return shapes.repeatVector(call);
            case "ZeroPadding1D": case "ZeroPadding2D": case "ZeroPadding3D": return shapes.zeroPadding(call);
            case "Cropping1D": case "Cropping2D": case "Cropping3D": return shapes.cropping(call);
            case "UpSampling1D": case "UpSampling2D": case "UpSampling3D": return shapes.upSampling(call);
            default: throw unsupported(layer, "no TensorFlow translation of this layer class");
        }
    }

    /** {@code x * scale + offset}, each a number or one value per channel; integer inputs are cast to float first. */
    private Tensor rescaling(LayerCall call) {
        String n = call.name();
        Tensor x = ops.cast(n + "/Cast", call.input().value(), DataType.DT_FLOAT);
        Tensor scaled = ops.mul(n + "/scale", x, constant(n + "/scale_value", call.config().get("scale"), 1.0));
        return ops.add(n + "/offset", scaled, constant(n + "/offset_value", call.config().get("offset"), 0.0)).withShape(call.outputShape());
    }

    /** A float constant from a config number or list of numbers. */
    private Tensor constant(String n, JsonValue v, double fallback) {
        if (v instanceof JsonArray a) {
            float[] floats = new float[a.size()];
            for (int i = 0; i < floats.length; i++) floats[i] = (float) ((JsonNumber) a.get(i)).doubleValue();
            return f.constFloat(n, new long[] {floats.length}, floats);
        }
        return ops.scalar(n, (float) (v instanceof JsonNumber number ? number.doubleValue() : fallback));
    }

    /** {@code einsum(equation, x, kernel)} (TensorFlow's Einsum op, as Keras's {@code ops.einsum}) plus the bias. */
    private Tensor einsumDense(LayerCall call) {
        Layer layer = call.layer();
        String n = layer.name();
        Tensor x = call.input().value();
        Tensor kernel = read.apply(weight(layer, 0));
        Tensor y = f.op("Einsum", n + "/Einsum", call.outputShape(), List.of(x.ref(), kernel.ref()),
                Map.of("T", FLOAT, "N", AttrValue.newBuilder().setI(2).build(), "equation", str(layer.config().getString("equation", ""))));
        boolean biased = !layer.config().get("bias_axes").isNull();
        return biased ? ops.add(n + "/bias", y, read.apply(weight(layer, 1))).withShape(call.outputShape()) : y;
    }

    private Tensor activation(LayerCall call, Tensor y) {
        String name = call.layer().activation().orElse("linear");
        return activations.apply(call.name(), call.name() + "/" + name, name, y, call.dialect()).withShape(y.shape());
    }

    /** The wrapped layer on {@code [batch * steps, ...]}, by folding the steps into the batch axis and back. */
    private KerasTensor timeDistributed(LayerCall call) {
        Layer layer = call.layer();
        String n = layer.name();
        KerasTensor in = call.input();
        Tensor x = in.value();
        long[] out = call.outputShape();
        Layer inner = wrapped(layer, call.config().getObject("layer"), layer.weights());
        if (call.maskArgument(0) != null && CATALOGUE.is(inner.className(), LayerCatalogue.LayerClass::usesMask)) {
            throw unsupported(layer, "a masked input for a wrapped " + inner.className() + ", which would use the mask");
        }
        Tensor folded = ops.reshape(n + "/fold", x, ShapeEmitter.staticBeyondBatch(layer, foldSteps(x.shape())));
        List<KerasTensor> y = emit(call.inner(inner, List.of(KerasTensor.of(folded)), List.of(foldSteps(out))));
        Tensor unfolded = ops.reshapeLeading(n + "/unfold", y.get(0).value(), x, 2, Arrays.copyOfRange(out, 2, out.length));
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
        String name = config.getString("name", entry.getString("class_name", "rnn").toLowerCase(Locale.ROOT));
        return name.startsWith(prefix) ? entry : entry.with("config", config.with("name", prefix + name));
    }

    /** A wrapper's inner layer from its serialized entry; the wrapper owns its weights. */
    private static Layer wrapped(Layer wrapper, JsonObject entry, List<Weight> weights) {
        String className = entry.getString("class_name", "?");
        if (WRAPPED_MODELS.contains(className)) throw unsupported(wrapper, "a wrapped " + className + " model");
        JsonObject config = entry.getObject("config");
        String name = wrapper.name() + "/" + config.getString("name", className.toLowerCase(Locale.ROOT));
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
        Tensor flat = x.rank() > 2 ? ops.reshape(n + "/flatten", x, ShapeEmitter.staticBeyondBatch(layer, new long[] {-1, x.dim(-1)})) : x;
        Tensor y = ops.matMul(n + "/MatMul", flat, kernel);
        if (layer.useBias()) y = ops.biasAdd(n + "/BiasAdd", y, read.apply(weight(layer, 1)));
        return x.rank() > 2 ? ops.reshapeLeading(n + "/unflatten", y, x, x.rank() - 1, new long[] {out[out.length - 1]}) : y.withShape(out);
    }

    /** GlobalAveragePooling1D of a masked sequence averages the kept steps: {@code sum(x * m) / sum(m)}, as Keras. */
    private Tensor globalPool(LayerCall call) {
        Layer layer = call.layer();
        ConvolutionEmitter.checkChannelsLast(layer);
        String n = layer.name();
        Tensor x = call.input().value();
        Tensor mask = call.maskArgument(0);
        boolean keepDims = layer.config().getBoolean("keepdims", false);
        int[] axes = IntStream.range(1, x.rank() - 1).toArray();
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

    /**
     * Keras's {@code relu(x, negative_slope, max_value, threshold)} (tf_keras backend.relu, Keras 3 ReLU.static_call):
     * {@code x * (x > threshold)} or relu, clipped to max_value, minus {@code negative_slope * relu(threshold - x)}.
     */
    private Tensor relu(Layer layer, Tensor x, long[] out) {
        JsonObject c = layer.config();
        double slope = c.getDouble("negative_slope", 0);
        double threshold = c.getDouble("threshold", 0);
        JsonValue max = c.get("max_value");
        String n = layer.name();
        Double maxValue = max instanceof JsonNumber m ? m.value().doubleValue() : null;
        if (slope != 0 && maxValue == null && threshold == 0) {
            return f.op("LeakyRelu", n, out, List.of(x.ref()), Map.of("T", FLOAT, "alpha", flt((float) slope)));
        }
        Tensor y;
        boolean clip = maxValue != null;
        if (threshold != 0) {
            Tensor above = ops.compare("Greater", n + "/above", x, ops.scalar(n + "/threshold", (float) threshold));
            y = ops.mul(n + "/thresholded", x, ops.cast(n + "/Cast", above, DataType.DT_FLOAT));
        } else if (maxValue != null && maxValue == 6.0) {
            y = f.op("Relu6", n + "/Relu6", out, List.of(x.ref()), Map.of("T", FLOAT));
            clip = false;
        } else {
            y = f.op("Relu", n + "/Relu", out, List.of(x.ref()), Map.of("T", FLOAT));
        }
        if (clip) {
            y = ops.binary("Minimum", n + "/clip_max", ops.binary("Maximum", n + "/clip_min", y, ops.scalar(n + "/zero", 0f)),
                    ops.scalar(n + "/max", maxValue.floatValue()));
        }
        if (slope != 0) {
            Tensor flipped = ops.unary("Neg", n + "/Neg", x);
            if (threshold != 0) flipped = ops.add(n + "/shifted", flipped, ops.scalar(n + "/threshold_", (float) threshold));
            Tensor negative = ops.unary("Relu", n + "/negative_part", flipped);
            y = ops.sub(n + "/leak", y, ops.mul(n + "/scaled_negative", ops.scalar(n + "/slope", (float) slope), negative));
        }
        return y.withShape(out);
    }

    private Tensor softmax(String n, Tensor x, JsonObject c, long[] out) {
        JsonValue axis = c.get("axis");
        long ax = axis instanceof JsonArray a ? (a.size() == 1 ? a.toLongs()[0] : Long.MIN_VALUE) : c.getLong("axis", -1);
        if (ax != -1 && ax != x.rank() - 1) throw new UnsupportedModelException("softmax '" + n + "' over axis " + axis + " is not supported");
        return f.op("Softmax", n, out, List.of(x.ref()), Map.of("T", FLOAT));
    }

    static Weight weight(Layer layer, int i) {
        if (layer.weights().size() <= i) {
            throw new UnsupportedModelException("layer '" + layer.name() + "' (" + layer.className() + ") has "
                    + layer.weights().size() + " weights; its TensorFlow translation needs weight " + i);
        }
        return layer.weights().get(i);
    }

    static UnsupportedModelException unsupported(Layer layer, String what) {
        return new UnsupportedModelException("layer '" + layer.name() + "' (" + layer.className() + "): " + what
                + "; the model cannot be written as a TensorFlow graph yet, nothing was written", SavedModelExporter.CODEC, null, layer.name(), null);
    }
}
