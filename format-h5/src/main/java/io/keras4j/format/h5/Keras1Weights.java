package io.keras4j.format.h5;

import io.keras4j.json.JsonObject;
import io.keras4j.model.Layer;
import io.keras4j.model.Weight;
import io.keras4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Converts weights saved by old Keras writers into the Keras 2+ layout, mirroring Keras 2's legacy loader
 * ({@code preprocess_weights_for_loading} of standalone Keras 2.x / tf-keras {@code hdf5_format.py}): for Keras 1
 * files, per-gate LSTM/GRU matrices packed into kernel/recurrent_kernel/bias (gate order i, f, c, o and z, r, h),
 * Theano-ordered ({@code dim_ordering: th}) convolution kernels transposed to (rows, cols, in, out), Keras 1 names
 * ({@code dense_1_W}) shortened to Keras 2 names ({@code kernel}); for files written with the Theano backend, conv
 * kernels flipped along their spatial axes ({@code conv_utils.convert_kernel}, Theano convolves where TensorFlow
 * correlates); Bidirectional halves and TimeDistributed contents converted as their inner layer.
 */
final class Keras1Weights {
    private static final Set<String> CONV = Set.of("Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "ConvLSTM2D",
            "Convolution1D", "Convolution2D", "Convolution3D", "AtrousConvolution1D", "AtrousConvolution2D", "Deconvolution2D");

    private Keras1Weights() {}

    /** Who wrote the weights: Keras 1 (no {@code keras_version} 2+) and/or the Theano backend. */
    record Origin(boolean keras1, boolean theano) {
        static final Origin CURRENT = new Origin(false, false);

        boolean needsConversion() { return keras1 || theano; }
    }

    static List<Weight> convert(Layer layer, List<Weight> stored, Origin origin) {
        switch (layer.className()) {
            case "Bidirectional": {
                Layer inner = inner(layer);
                int half = stored.size() / 2;
                List<Weight> out = new ArrayList<>(convert(inner, stored.subList(0, half), origin));
                out.addAll(convert(inner, stored.subList(half, stored.size()), origin));
                return out;
            }
            case "TimeDistributed":
                return convert(inner(layer), stored, origin);
            default:
                break;
        }
        List<Weight> out = origin.keras1() ? keras1(layer, stored) : LegacyLayout.shortNames(stored);
        if (origin.theano() && CONV.contains(layer.className()) && !out.isEmpty()) {
            out = new ArrayList<>(out);
            out.set(0, out.get(0).withValue(flipSpatial(out.get(0).value())));
            if (layer.className().equals("ConvLSTM2D") && out.size() > 1) out.set(1, out.get(1).withValue(flipSpatial(out.get(1).value())));
        }
        return out;
    }

    /** The layer a wrapper holds, as a layer of its own (its config carries the class and the inner config). */
    private static Layer inner(Layer wrapper) {
        JsonObject spec = wrapper.config().getObject("layer");
        if (spec == null) return Layer.builder(wrapper.name(), "").build();
        JsonObject config = spec.getObject("config");
        Layer.Builder b = Layer.builder(wrapper.name(), spec.getString("class_name", ""));
        if (config != null) b.config(config);
        return b.build();
    }

    private static List<Weight> keras1(Layer layer, List<Weight> stored) {
        String cls = layer.className();
        List<Tensor> w = new ArrayList<>();
        for (Weight s : stored) w.add(s.value());
        boolean channelsFirst = layer.dataFormat().map("channels_first"::equals).orElse(false);
        switch (cls) {
            case "LSTM":
                // Keras 1 stores the gates i, c, f, o; Keras 2 packs them i, f, c, o.
                if (w.size() == 12) return named(stored, List.of(concat(w, 0, 6, 3, 9), concat(w, 1, 7, 4, 10), concat(w, 2, 8, 5, 11)),
                        "kernel", "recurrent_kernel", "bias");
                break;
            case "GRU":
                if (w.size() == 9) return named(stored, List.of(concat(w, 0, 3, 6), concat(w, 1, 4, 7), concat(w, 2, 5, 8)),
                        "kernel", "recurrent_kernel", "bias");
                break;
            case "Convolution2D": case "Conv2D": case "AtrousConvolution2D":
                if (channelsFirst && w.get(0).rank() == 4) w.set(0, transpose(w.get(0), 2, 3, 1, 0));
                break;
            case "Convolution3D": case "Conv3D":
                if (channelsFirst && w.get(0).rank() == 5) w.set(0, transpose(w.get(0), 2, 3, 4, 1, 0));
                break;
            case "Deconvolution2D": case "Conv2DTranspose":
                if (w.get(0).rank() == 4) w.set(0, channelsFirst ? transpose(w.get(0), 2, 3, 0, 1) : transpose(w.get(0), 0, 1, 3, 2));
                break;
            case "Convolution1D": case "Conv1D": {
                Tensor k = w.get(0);
                long filters = layer.filters().orElse(k.dim(-1));
                if (k.rank() == 4) {
                    if (k.dim(1) != 1 || k.dim(3) != filters) k = transpose(k, 2, 3, 1, 0);
                    w.set(0, k.reshape(k.dim(0), k.dim(2), k.dim(3)));
                }
                break;
            }
            default:
                break;
        }
        List<Weight> out = new ArrayList<>();
        for (int i = 0; i < w.size(); i++) out.add(new Weight(keras2Name(stored.get(i).name()), w.get(i), stored.get(i).trainable()));
        return out;
    }

    /** {@code conv_utils.convert_kernel}: reverses every axis but the last two (in and out channels). */
    static Tensor flipSpatial(Tensor kernel) {
        long[] shape = kernel.shape();
        int spatial = shape.length - 2;
        if (spatial < 1) return kernel;
        long[] strides = strides(shape);
        float[] src = kernel.toFloatArray();
        float[] dst = new float[src.length];
        int[] idx = new int[shape.length];
        for (int flat = 0; flat < dst.length; flat++) {
            long from = 0;
            for (int a = 0; a < shape.length; a++) from += (a < spatial ? shape[a] - 1 - idx[a] : idx[a]) * strides[a];
            dst[flat] = src[(int) from];
            for (int a = shape.length - 1; a >= 0; a--) {
                if (++idx[a] < shape[a]) break;
                idx[a] = 0;
            }
        }
        return Tensor.ofFloats(dst, shape);
    }

    /** {@code dense_1_W:0} gives {@code kernel}; names that are not Keras 1 style keep their short form. */
    static String keras2Name(String keras1) {
        String s = Weight.shortName(keras1);
        int u = s.lastIndexOf('_');
        String suffix = u >= 0 ? s.substring(u + 1) : s;
        switch (suffix) {
            case "W": return "kernel";
            case "b": return "bias";
            case "U": return "recurrent_kernel";
            case "gamma": case "beta": return suffix;
            default: break;
        }
        if (s.endsWith("_running_mean")) return "moving_mean";
        if (s.endsWith("_running_std")) return "moving_variance";
        return s;
    }

    private static List<Weight> named(List<Weight> stored, List<Tensor> values, String... names) {
        List<Weight> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) out.add(new Weight(names[i], values.get(i), stored.get(0).trainable()));
        return out;
    }

    /** Concatenates float tensors of equal leading shape along their last axis. */
    static Tensor concat(List<Tensor> all, int... pick) {
        Tensor first = all.get(pick[0]);
        long[] shape = first.shape();
        int rank = shape.length;
        long rows = rank == 0 ? 1 : Tensor.elementCount(shape) / shape[rank - 1];
        long total = 0;
        for (int i : pick) total += all.get(i).dim(-1);
        float[] out = new float[Math.toIntExact(rows * total)];
        long offset = 0;
        for (int i : pick) {
            Tensor t = all.get(i);
            long cols = t.dim(-1);
            float[] v = t.toFloatArray();
            for (long r = 0; r < rows; r++) System.arraycopy(v, (int) (r * cols), out, (int) (r * total + offset), (int) cols);
            offset += cols;
        }
        shape[rank - 1] = total;
        return Tensor.ofFloats(out, shape);
    }

    /** NumPy's {@code np.transpose(t, perm)} for float tensors. */
    static Tensor transpose(Tensor t, int... perm) {
        long[] in = t.shape();
        long[] out = new long[in.length];
        for (int i = 0; i < perm.length; i++) out[i] = in[perm[i]];
        long[] inStrides = strides(in);
        float[] src = t.toFloatArray();
        float[] dst = new float[src.length];
        int[] idx = new int[out.length];
        for (int flat = 0; flat < dst.length; flat++) {
            long from = 0;
            for (int a = 0; a < out.length; a++) from += idx[a] * inStrides[perm[a]];
            dst[flat] = src[(int) from];
            for (int a = out.length - 1; a >= 0; a--) {
                if (++idx[a] < out[a]) break;
                idx[a] = 0;
            }
        }
        return Tensor.ofFloats(dst, out);
    }

    private static long[] strides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
        return s;
    }
}
