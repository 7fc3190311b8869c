package io.keras4j.format.h5;

import io.keras4j.model.Layer;
import io.keras4j.model.Weight;
import io.keras4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns Keras 1 layer weights into the Keras 2+ layout, after tf-keras {@code preprocess_weights_for_loading}:
 * per-gate LSTM/GRU matrices packed into kernel/recurrent_kernel/bias, Theano-ordered ({@code dim_ordering: th})
 * convolution kernels transposed to (rows, cols, in, out), and Keras 1 names ({@code dense_1_W}) shortened to Keras 2
 * names ({@code kernel}). Layer classes are Keras 1's ({@code Convolution2D}) or Keras 2's ({@code Conv2D}).
 */
final class Keras1Weights {
    private Keras1Weights() {}

    static List<Weight> convert(Layer layer, List<Weight> stored) {
        String cls = layer.className();
        List<Tensor> w = new ArrayList<>();
        for (Weight s : stored) w.add(s.value());
        boolean channelsFirst = layer.dataFormat().map("channels_first"::equals).orElse(false);
        switch (cls) {
            case "LSTM":
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
