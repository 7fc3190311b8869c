package io.keras4j.export.tf;

import static io.keras4j.export.tf.EmitHelpers.checkChannelsLast;
import static io.keras4j.export.tf.EmitHelpers.staticBeyondBatch;
import static io.keras4j.export.tf.EmitHelpers.unsupported;
import static io.keras4j.export.tf.EmitHelpers.weight;
import static io.keras4j.export.tf.TfFunction.flt;
import static io.keras4j.export.tf.TfFunction.str;
import static io.keras4j.export.tf.TfFunction.type;

import io.keras4j.UnsupportedModelException;
import io.keras4j.core.ApplicationLayers;
import io.keras4j.core.LayerCatalogue;
import io.keras4j.export.tf.TfFunction.Tensor;
import io.keras4j.export.tf.spi.GraphLayer;
import io.keras4j.tf.proto.AttrValue;
import io.keras4j.tf.proto.DataType;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonNumber;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Layer;
import io.keras4j.model.Weight;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Emits the TensorFlow ops of one Keras layer call, the way Keras's own TensorFlow backend computes it (MatMul +
 * BiasAdd, Conv2D, FusedBatchNorm's inference formula, MaxPool, ...), and the Keras mask of its output. Float32
 * models, channels_last data. A table, built once, maps each layer class to its translation, as the runtime's
 * {@code BuiltinOps} maps it to an op: convolutions and pooling, shape layers, normalizations, merges, recurrent
 * layers, attention and graph operation nodes have their own emitters; wrappers (TimeDistributed, Bidirectional)
 * are unwrapped here.
 */
final class LayerEmitter {
    private static final LayerCatalogue CATALOGUE = LayerCatalogue.keras();

    private static final AttrValue FLOAT = type(DataType.DT_FLOAT);
    private static final AttrValue INT32 = type(DataType.DT_INT32);

    /** A layer class whose translation decides its outputs and their masks. */
    @FunctionalInterface
    private interface CallTranslation {
        List<KerasTensor> emit(LayerEmitter e, LayerCall call);
    }

    /** A one-input layer class: its output value; the input's mask passes when the catalogue says the class keeps it. */
    @FunctionalInterface
    private interface ValueTranslation {
        Tensor emit(LayerEmitter e, LayerCall call);
    }

    private static final Map<String, CallTranslation> CALLS = calls();
    private static final Map<String, ValueTranslation> VALUES = values();

    /** The layer classes the table translates (operation nodes and providers' layers aside). */
    static Set<String> classNames() {
        Set<String> all = new TreeSet<>(CALLS.keySet());
        all.addAll(VALUES.keySet());
        return all;
    }

    private static Map<String, CallTranslation> calls() {
        Map<String, CallTranslation> m = new HashMap<>();
        for (String merge : MergeEmitter.CLASSES) m.put(merge, (e, call) -> List.of(e.merges.emit(call)));
        for (String rnn : List.of("LSTM", "GRU", "SimpleRNN")) m.put(rnn, (e, call) -> e.recurrent.emit(call));
        m.put("Bidirectional", (e, call) -> List.of(e.bidirectional(call)));
        m.put("TimeDistributed", (e, call) -> List.of(e.timeDistributed(call)));
        m.put("MultiHeadAttention", (e, call) -> List.of(e.attention.multiHeadAttention(call)));
        m.put("Attention", (e, call) -> List.of(e.attention.dotProductAttention(call)));
        m.put("AdditiveAttention", (e, call) -> List.of(e.attention.dotProductAttention(call)));
        m.put("Embedding", (e, call) -> List.of(e.embedding(call)));
        m.put("Masking", (e, call) -> List.of(e.masking(call)));
        m.put("TFOpLambda", (e, call) -> List.of(e.operations.tfOpLambda(call)));
        return Map.copyOf(m);
    }

    private static Map<String, ValueTranslation> values() {
        Map<String, ValueTranslation> m = new HashMap<>();
        m.put("Dense", (e, call) -> e.activation(call, e.dense(call.layer(), call.input().value(), call.outputShape())));
        m.put("EinsumDense", (e, call) -> e.activation(call, e.einsumDense(call)));
        m.put("Activation", LayerEmitter::activationLayer);
        m.put("ReLU", (e, call) -> e.relu(call.layer(), call.input().value(), call.outputShape()));
        m.put("LeakyReLU", LayerEmitter::leakyRelu);
        m.put("ELU", LayerEmitter::elu);
        m.put("ThresholdedReLU", LayerEmitter::thresholdedRelu);
        m.put("PReLU", LayerEmitter::prelu);
        m.put("Rescaling", LayerEmitter::rescaling);
        m.put("Softmax", LayerEmitter::softmaxLayer);
        for (String conv : List.of("Conv1D", "Conv2D", "Conv3D", "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D")) {
            m.put(conv, (e, call) -> e.activation(call, e.convolutions.convolution(call)));
        }
        for (String conv : List.of("Conv1DTranspose", "Conv2DTranspose")) m.put(conv, (e, call) -> e.activation(call, e.convolutions.transposed(call)));
        for (String d : List.of("1D", "2D", "3D")) {
            m.put("MaxPooling" + d, (e, call) -> e.convolutions.pooling(call));
            m.put("AveragePooling" + d, (e, call) -> e.convolutions.pooling(call));
            m.put("GlobalAveragePooling" + d, LayerEmitter::globalPool);
            m.put("GlobalMaxPooling" + d, LayerEmitter::globalPool);
            m.put("ZeroPadding" + d, (e, call) -> e.shapes.zeroPadding(call));
            m.put("Cropping" + d, (e, call) -> e.shapes.cropping(call));
            m.put("UpSampling" + d, (e, call) -> e.shapes.upSampling(call));
        }
        m.put("BatchNormalization", (e, call) -> e.normalization.batchNormalization(call));
        m.put("LayerNormalization", (e, call) -> e.normalization.layerNormalization(call));
        m.put("UnitNormalization", (e, call) -> e.normalization.unitNormalization(call));
        m.put("GroupNormalization", (e, call) -> e.normalization.groupNormalization(call));
        m.put("Normalization", (e, call) -> e.normalization.preprocessingNormalization(call));
        m.put("Flatten", (e, call) -> e.shapes.reshape(call));
        m.put("Reshape", (e, call) -> e.shapes.reshape(call));
        m.put("Permute", (e, call) -> e.shapes.permute(call));
        m.put("RepeatVector", (e, call) -> e.shapes.repeatVector(call));
        return Map.copyOf(m);
    }

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

    /** The outputs of one layer call, with their masks: a provider's graph first, then operation nodes, then the table. */
    List<KerasTensor> emit(LayerCall call) {
        Layer layer = call.layer();
        Optional<GraphLayer> provided = custom.find(layer);
        if (provided.isPresent()) return CustomGraphLayers.emit(provided.get(), call, f, read);
        String cls = layer.className();
        // Before the table: a Keras 3 operation node may share a layer's class name (Add).
        if (layer.isOperation()) return List.of(KerasTensor.of(operations.operation(call)));
        Optional<ApplicationLayers.Kind> application = ApplicationLayers.identify(cls, layer.module(), layer.config());
        if (application.isPresent()) return List.of(KerasTensor.of(applicationLayer(application.get(), call)));
        CallTranslation translation = CALLS.get(cls);
        if (translation != null) return translation.emit(this, call);
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
        Tensor x = call.input().value();
        if (CATALOGUE.is(layer.className(), LayerCatalogue.LayerClass::identityAtInference)) return x;
        ValueTranslation translation = VALUES.get(layer.className());
        if (translation == null) throw EmitHelpers.noTranslation(layer, CATALOGUE.find(layer.className()).isPresent());
        return translation.emit(this, call);
    }

    private Tensor activationLayer(LayerCall call) {
        Layer layer = call.layer();
        String n = layer.name();
        return activations.apply(n, n + "/" + layer.activation().orElse("linear"),
                layer.activation().orElse("linear"), call.input().value(), call.dialect()).withShape(call.outputShape());
    }

    private Tensor leakyRelu(LayerCall call) {
        JsonObject c = call.config();
        double slope = c.getDouble("negative_slope", c.getDouble("alpha", 0.3));
        return f.op("LeakyRelu", call.name(), call.outputShape(), List.of(call.input().value().ref()), Map.of("T", FLOAT, "alpha", flt((float) slope)));
    }

    private Tensor elu(LayerCall call) {
        String n = call.name();
        Tensor x = call.input().value();
        double alpha = call.config().getDouble("alpha", 1.0);
        Tensor elu = f.op("Elu", n + "/Elu", call.outputShape(), List.of(x.ref()), Map.of("T", FLOAT));
        if (alpha == 1.0) return elu;
        // Keras: where(x > 0, elu(x), alpha * elu(x)).
        Tensor positive = ops.compare("Greater", n + "/positive", x, ops.scalar(n + "/zero", 0f));
        return ops.selectV2(n, positive, elu, ops.mul(n + "/scaled", ops.scalar(n + "/alpha", (float) alpha), elu)).withShape(call.outputShape());
    }

    private Tensor thresholdedRelu(LayerCall call) {
        String n = call.name();
        Tensor x = call.input().value();
        Tensor above = ops.compare("Greater", n + "/above", x, ops.scalar(n + "/theta", (float) call.config().getDouble("theta", 1.0)));
        return ops.mul(n, x, ops.cast(n + "/Cast", above, DataType.DT_FLOAT));
    }

    /** Keras: relu(x) - alpha * relu(-x). */
    private Tensor prelu(LayerCall call) {
        Layer layer = call.layer();
        String n = layer.name();
        Tensor x = call.input().value();
        Tensor negative = ops.unary("Relu", n + "/negative_part", ops.unary("Neg", n + "/Neg", x));
        Tensor alpha = ops.unary("Neg", n + "/neg_alpha", read.apply(weight(layer, 0)));
        return ops.add(n, ops.unary("Relu", n + "/Relu", x), ops.mul(n + "/scaled_negative", alpha, negative)).withShape(call.outputShape());
    }

    /** The classes keras.applications defines for itself, as their call methods compute (no mask passes them). */
    private Tensor applicationLayer(ApplicationLayers.Kind kind, LayerCall call) {
        String n = call.name();
        Tensor x = call.input().value();
        return switch (kind) {
            case LAYER_SCALE -> ops.mul(n + "/mul", x, read.apply(weight(call.layer(), 0))).withShape(call.outputShape());
            case STOCHASTIC_DEPTH -> x;
            case CUSTOM_SCALE -> {
                if (call.inputs().size() != 2) throw unsupported(call.layer(), "a scaled sum of " + call.inputs().size() + " inputs");
                Tensor scale = ops.scalar(n + "/scale", (float) call.config().getDouble("scale", Double.NaN));
                Tensor scaled = ops.mul(n + "/mul", call.inputs().get(1).value(), scale);
                yield ops.add(n + "/add", x, scaled).withShape(call.outputShape());
            }
        };
    }

    private Tensor softmaxLayer(LayerCall call) {
        if (call.maskArgument(0) != null) throw unsupported(call.layer(), "a masked input (Keras masks the softmax with it)");
        // Keras 3's Softmax()(x, mask): the second tensor masks the softmax, which this translation does not do.
        if (call.inputs().size() > 1) throw unsupported(call.layer(), "a mask given as a second input");
        return softmax(call.name(), call.input().value(), call.config(), call.outputShape());
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
        Tensor folded = ops.reshape(n + "/fold", x, staticBeyondBatch(layer, foldSteps(x.shape())));
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
        if (CATALOGUE.is(className, LayerCatalogue.LayerClass::isModel)) throw unsupported(wrapper, "a wrapped " + className + " model");
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
        Tensor flat = x.rank() > 2 ? ops.reshape(n + "/flatten", x, staticBeyondBatch(layer, new long[] {-1, x.dim(-1)})) : x;
        Tensor y = ops.matMul(n + "/MatMul", flat, kernel);
        if (layer.useBias()) y = ops.biasAdd(n + "/BiasAdd", y, read.apply(weight(layer, 1)));
        return x.rank() > 2 ? ops.reshapeLeading(n + "/unflatten", y, x, x.rank() - 1, new long[] {out[out.length - 1]}) : y.withShape(out);
    }

    /** GlobalAveragePooling1D of a masked sequence averages the kept steps: {@code sum(x * m) / sum(m)}, as Keras. */
    private Tensor globalPool(LayerCall call) {
        Layer layer = call.layer();
        checkChannelsLast(layer);
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
}
