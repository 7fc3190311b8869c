package io.keras4j.export.tf;

import static io.keras4j.export.tf.EmitHelpers.checkChannelsLast;
import static io.keras4j.export.tf.EmitHelpers.tuple;
import static io.keras4j.export.tf.EmitHelpers.unsupported;
import static io.keras4j.export.tf.TfFunction.bool;
import static io.keras4j.export.tf.TfFunction.ints;
import static io.keras4j.export.tf.TfFunction.str;
import static io.keras4j.export.tf.TfFunction.type;

import io.keras4j.export.tf.TfFunction.Tensor;
import io.keras4j.tf.proto.AttrValue;
import io.keras4j.tf.proto.DataType;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonNull;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Layer;
import io.keras4j.model.Weight;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Convolutions (regular, depthwise, separable, transposed) and pooling over 1, 2 or 3 spatial axes, channels
 * last, as Keras's TensorFlow backend runs them: TensorFlow has no 1D convolution op, so 1D layers run the 2D op
 * on {@code [batch, 1, steps, channels]} like {@code tf.nn.conv1d} does. Activations are the caller's.
 */
final class ConvolutionEmitter extends WeightedEmitter {
    private static final AttrValue FLOAT = type(DataType.DT_FLOAT);

    private final TfFunction f;

    ConvolutionEmitter(TfOps ops, Function<Weight, Tensor> read) {
        super(ops, read);
        this.f = ops.function();
    }

    /** Conv1D/2D/3D, DepthwiseConv1D/2D and SeparableConv1D/2D, bias included. */
    Tensor convolution(LayerCall call) {
        Layer layer = call.layer();
        String n = layer.name();
        JsonObject c = layer.config();
        int rank = channelsLastRank(layer);
        // TensorFlow's Conv2D infers the groups from the input and kernel channels (Keras runs it through XLA).
        boolean grouped = c.getInt("groups", 1) != 1;
        if (rank == 3 && grouped) throw unsupported(layer, "grouped 3D convolution");
        boolean depthwise = layer.className().startsWith("Depthwise");
        boolean separable = layer.className().startsWith("Separable");
        long[] strides = tuple(c, "strides", rank);
        long[] dilation = tuple(c, "dilation_rate", rank);
        if (rank == 3 && Arrays.stream(dilation).anyMatch(d -> d != 1)) throw unsupported(layer, "dilated 3D convolution");
        String padding = layer.padding().orElse("valid");
        Tensor x = call.input().value();
        long[] out = call.outputShape();
        if (padding.equals("causal")) {
            long left = dilation[0] * (tuple(c, "kernel_size", 1)[0] - 1);
            Tensor pads = f.constInt32(n + "/causal_pads", new long[] {3, 2}, 0, 0, (int) left, 0, 0, 0);
            x = f.op("Pad", n + "/causal_pad", new long[] {x.dim(0), x.dim(1) < 0 ? -1 : x.dim(1) + left, x.dim(2)},
                    List.of(x.ref(), pads.ref()), Map.of("T", FLOAT, "Tpaddings", type(DataType.DT_INT32)));
            padding = "valid";
        }
        Spatial s = new Spatial(rank, strides, dilation, padding);
        Tensor input = s.lift(n + "/ExpandDims", x);
        long[] liftedOut = s.liftShape(out);
        Tensor kernel = s.liftKernel(n + "/kernel_ExpandDims", read(layer, 0));
        Tensor y;
        if (depthwise || separable) {
            long[] depthwiseOut = liftedOut.clone();
            depthwiseOut[depthwiseOut.length - 1] = kernel.dim(2) * kernel.dim(3);
            y = s.dilated() ? dilatedDepthwise(layer, input, kernel, s, depthwiseOut)
                    : f.op("DepthwiseConv2dNative", n + "/depthwise", depthwiseOut, List.of(input.ref(), kernel.ref()), s.attrs(false));
            if (separable) {
                Tensor pointwise = s.liftKernel(n + "/pointwise_kernel_ExpandDims", read(layer, 1));
                y = f.op("Conv2D", n + "/pointwise", liftedOut, List.of(y.ref(), pointwise.ref()),
                        new Spatial(2, new long[] {1, 1}, new long[] {1, 1}, "valid").attrs(true));
            }
        } else {
            String op = rank == 3 ? "Conv3D" : "Conv2D";
            y = f.op(op, n + "/" + op, liftedOut, List.of(input.ref(), kernel.ref()), s.attrs(rank < 3));
        }
        y = s.lower(n + "/Squeeze", y, out);
        if (layer.useBias()) {
            Tensor bias = read(layer, separable ? 2 : 1);
            // Grappler fuses Conv2D + BiasAdd into a kernel without grouped convolutions; an AddV2 is left alone.
            y = grouped ? ops.add(n + "/bias_add", y, bias) : ops.biasAdd(n + "/BiasAdd", y, bias);
        }
        return y.withShape(out);
    }

    /**
     * TensorFlow's depthwise op has no dilation on CPU, so {@code tf.nn.depthwise_conv2d} (which Keras calls) runs a
     * dilated one on a space-to-batch view of the input with VALID padding: the same here, with the paddings and
     * crops of {@code required_space_to_batch_paddings} (the spatial sizes must be static).
     */
    private Tensor dilatedDepthwise(Layer layer, Tensor input, Tensor kernel, Spatial s, long[] out) {
        String n = layer.name();
        long[] block = s.lifted(s.dilation);
        int[] paddings = new int[4];
        int[] crops = new int[4];
        long[] spaced = {-1, 0, 0, input.dim(3)};
        long[] convolved = {-1, 0, 0, out[3]};
        for (int i = 0; i < 2; i++) {
            long size = input.dim(i + 1);
            if (size < 0) throw unsupported(layer, "a dilated depthwise convolution over an unknown spatial size");
            long extent = (kernel.dim(i) - 1) * block[i];
            long start = s.padding.equals("same") ? extent / 2 : 0;
            long end = s.padding.equals("same") ? extent - start : 0;
            long extra = (block[i] - (size + start + end) % block[i]) % block[i];
            paddings[2 * i] = (int) start;
            paddings[2 * i + 1] = (int) (end + extra);
            crops[2 * i + 1] = (int) extra;
            spaced[i + 1] = (size + start + end + extra) / block[i];
            convolved[i + 1] = spaced[i + 1] - kernel.dim(i) + 1;
        }
        Tensor blockShape = f.constInt32(n + "/block_shape", (int) block[0], (int) block[1]);
        Map<String, AttrValue> int32 = Map.of("T", FLOAT, "Tblock_shape", type(DataType.DT_INT32));
        Map<String, AttrValue> toBatch = new HashMap<>(int32);
        toBatch.put("Tpaddings", type(DataType.DT_INT32));
        Tensor batched = f.op("SpaceToBatchND", n + "/space_to_batch", spaced, List.of(input.ref(), blockShape.ref(),
                f.constInt32(n + "/paddings", new long[] {2, 2}, paddings).ref()), toBatch);
        Tensor y = f.op("DepthwiseConv2dNative", n + "/depthwise", convolved, List.of(batched.ref(), kernel.ref()),
                new Spatial(2, new long[] {1, 1}, new long[] {1, 1}, "valid").attrs(false));
        Map<String, AttrValue> toSpace = new HashMap<>(int32);
        toSpace.put("Tcrops", type(DataType.DT_INT32));
        return f.op("BatchToSpaceND", n + "/batch_to_space", out, List.of(y.ref(), blockShape.ref(),
                f.constInt32(n + "/crops", new long[] {2, 2}, crops).ref()), toSpace);
    }

    /**
     * Conv1D/2DTranspose: TensorFlow's backprop-input op given the output shape Keras computes (which needs the
     * spatial sizes static), bias included.
     */
    Tensor transposed(LayerCall call) {
        Layer layer = call.layer();
        String n = layer.name();
        JsonObject c = layer.config();
        int rank = channelsLastRank(layer);
        long[] dilation = tuple(c, "dilation_rate", rank);
        if (Arrays.stream(dilation).anyMatch(d -> d != 1)) throw unsupported(layer, "dilated transposed convolution");
        long[] out = call.outputShape();
        if (Arrays.stream(out, 1, out.length).anyMatch(d -> d < 0)) throw unsupported(layer, "unknown spatial sizes " + Arrays.toString(out));
        Spatial s = new Spatial(rank, tuple(c, "strides", rank), dilation, layer.padding().orElse("valid"));
        Tensor x = call.input().value();
        Tensor input = s.lift(n + "/ExpandDims", x);
        long[] liftedOut = s.liftShape(out);
        Tensor kernel = s.liftKernel(n + "/kernel_ExpandDims", read(layer, 0));
        Tensor outputSizes = ops.batchShape(n + "/output_shape", x, Arrays.copyOfRange(liftedOut, 1, liftedOut.length));
        Tensor y = f.op("Conv2DBackpropInput", n + "/conv_transpose", liftedOut,
                List.of(outputSizes.ref(), kernel.ref(), input.ref()), s.attrs(true));
        y = s.lower(n + "/Squeeze", y, out);
        if (layer.useBias()) y = ops.biasAdd(n + "/BiasAdd", y, read(layer, 1));
        return y.withShape(out);
    }

    /** Max/AveragePooling1D/2D/3D. */
    Tensor pooling(LayerCall call) {
        Layer layer = call.layer();
        String n = layer.name();
        JsonObject c = layer.config();
        int rank = channelsLastRank(layer);
        long[] size = tuple(c, c.has("pool_size") ? "pool_size" : "pool_length", rank);
        long[] strides = c.get("strides") instanceof JsonNull ? size : tuple(c, "strides", rank);
        Spatial s = new Spatial(rank, strides, null, layer.padding().orElse("valid"));
        String op = (layer.className().startsWith("Max") ? "MaxPool" : "AvgPool") + (rank == 3 ? "3D" : "");
        long[] out = call.outputShape();
        Tensor input = s.lift(n + "/ExpandDims", call.input().value());
        Map<String, AttrValue> attrs = s.attrs(false);
        attrs.put("ksize", ints(s.full(size)));
        Tensor y = f.op(op, n + "/" + op, s.liftShape(out), List.of(input.ref()), attrs);
        return s.lower(n + "/Squeeze", y, out).withShape(out);
    }

    /**
     * The geometry of one layer call ({@code dilation} null for pooling); a 1D call is lifted to 2D with a leading
     * spatial axis of size 1.
     */
    private final class Spatial {
        private final int rank;
        private final long[] strides;
        private final long[] dilation;
        private final String padding;

        Spatial(int rank, long[] strides, long[] dilation, String padding) {
            this.rank = rank;
            this.strides = strides;
            this.dilation = dilation;
            this.padding = padding;
        }

        /** {@code [1, values..., 1]}, with a leading 1 for a lifted 1D call. */
        long[] full(long[] values) {
            long[] lifted = lifted(values);
            long[] out = new long[lifted.length + 2];
            Arrays.fill(out, 1);
            System.arraycopy(lifted, 0, out, 1, lifted.length);
            return out;
        }

        Map<String, AttrValue> attrs(boolean conv2d) {
            Map<String, AttrValue> attrs = new HashMap<>(Map.of("T", FLOAT, "strides", ints(full(strides)),
                    "padding", str(padding.toUpperCase(Locale.ROOT)), "data_format", str(rank == 3 ? "NDHWC" : "NHWC")));
            if (dilation != null) attrs.put("dilations", ints(full(dilation)));
            if (conv2d) {
                attrs.put("use_cudnn_on_gpu", bool(true));
                attrs.put("explicit_paddings", ints());
            }
            return attrs;
        }

        boolean dilated() { return dilation != null && Arrays.stream(dilation).anyMatch(d -> d != 1); }

        /** Per-axis values of the (lifted) 2D op: {@code {1, value}} for a 1D call. */
        long[] lifted(long[] values) { return rank == 1 ? new long[] {1, values[0]} : values; }

        Tensor lift(String n, Tensor x) { return rank == 1 ? ops.expandDims(n, x, 1) : x; }

        Tensor liftKernel(String n, Tensor kernel) { return rank == 1 ? ops.expandDims(n, kernel, 0) : kernel; }

        long[] liftShape(long[] shape) {
            if (rank != 1) return shape;
            return new long[] {shape[0], 1, shape[1], shape[2]};
        }

        Tensor lower(String n, Tensor y, long[] out) {
            if (rank != 1) return y;
            return f.op("Squeeze", n, out, List.of(y.ref()), Map.of("T", FLOAT, "squeeze_dims", ints(1)));
        }
    }

    /**
     * 1, 2 or 3, from the class name ({@code Conv2DTranspose}, {@code MaxPooling3D}, ...), of a layer that must be
     * channels-last: every kernel here is written for that layout.
     */
    private static int channelsLastRank(Layer layer) {
        String cls = layer.className();
        for (int r = 1; r <= 3; r++) {
            if (cls.contains(r + "D")) {
                checkChannelsLast(layer);
                return r;
            }
        }
        throw unsupported(layer, "no spatial rank in the class name");
    }
}
