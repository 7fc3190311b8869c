package io.keras4j.tfgraph;

import io.keras4j.tfgraph.Windows.Layout;
import io.keras4j.tfgraph.Windows.Window;
import java.util.Arrays;
import java.util.Map;

/** Convolutions ({@link ConvOps}), pooling, normalization and image ops ({@link ImageOps}). */
final class NnOps {
    private NnOps() {}

    static void register(Map<String, Op> m) {
        ConvOps.register(m);
        ImageOps.register(m);
        OpTable.put(m, "MaxPool", (Op.Simple) (n, in) -> pool(n, in[0], 2, true, n.ints("ksize"), n.ints("strides")));
        OpTable.put(m, "MaxPoolV2", (Op.Simple) (n, in) -> pool(n, in[0], 2, true, in[1].toInts(), in[2].toInts()));
        OpTable.put(m, "AvgPool", (Op.Simple) (n, in) -> pool(n, in[0], 2, false, n.ints("ksize"), n.ints("strides")));
        OpTable.put(m, "MaxPool3D", (Op.Simple) (n, in) -> pool(n, in[0], 3, true, n.ints("ksize"), n.ints("strides")));
        OpTable.put(m, "AvgPool3D", (Op.Simple) (n, in) -> pool(n, in[0], 3, false, n.ints("ksize"), n.ints("strides")));
        String[] five = {"y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2"};
        String[] six = {"y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2", "reserve_space_3"};
        OpTable.put(m, "FusedBatchNorm", Op.named((n, in, e) -> fusedBatchNorm(n, in, false), five));
        OpTable.put(m, "FusedBatchNormV2", Op.named((n, in, e) -> fusedBatchNorm(n, in, false), five));
        OpTable.put(m, "FusedBatchNormV3", Op.named((n, in, e) -> fusedBatchNorm(n, in, true), six));
    }

    /**
     * Max or average pooling over a window of each channel. Only input elements inside the input count: padding
     * never wins a max, and an average divides by the number of elements inside (TensorFlow's AvgPool with SAME).
     */
    static Val pool(Node n, Val input, int r, boolean max, int[] ksize, int[] strides) {
        Windows.requireFloat(input, "input");
        Layout layout = Layout.of(n, r);
        Val x = layout.toChannelsLast(input, "input");
        int[] kernel = layout.spatialOf(ksize, "ksize");
        int[] stride = layout.spatialOf(strides, "strides");
        int[] dilation = new int[r];
        Arrays.fill(dilation, 1);
        int[] in = Arrays.copyOfRange(x.shape, 1, r + 1);
        Window w = Windows.window(n, layout, in, kernel, stride, dilation);
        int batch = x.shape[0], channels = x.shape[r + 1];
        int[] outShape = new int[r + 2];
        outShape[0] = batch;
        System.arraycopy(w.out(), 0, outShape, 1, r);
        outShape[r + 1] = channels;
        float[] out = new float[Shapes.size(outShape)];
        float[] xs = x.f();
        if (r == 2 && inside(w)) {
            pool2d(xs, batch, in[0], in[1], channels, w, max, out);
            return layout.fromChannelsLast(Windows.floats(input.dtype, outShape, out));
        }
        ConvOps.Im2col geometry = new ConvOps.Im2col(w, in, channels);
        int taps = geometry.taps();
        int pixels = w.outPixels();
        int inImage = Shapes.size(in) * channels;
        for (int b = 0; b < batch; b++) {
            for (int p = 0; p < pixels; p++) {
                int o = (b * pixels + p) * channels;
                int[] origin = geometry.origin(p);
                // TensorFlow starts a max at the lowest float and keeps only greater values (NaN never is), so a
                // window entirely in padding gives the lowest float.
                Arrays.fill(out, o, o + channels, max ? -Float.MAX_VALUE : 0f);
                int count = 0;
                for (int t = 0; t < taps; t++) {
                    int src = geometry.tapAt(origin, t);
                    if (src < 0) continue;
                    src += b * inImage;
                    count++;
                    if (max) {
                        // Math.max vectorizes; it lets a NaN through, which the pass below undoes.
                        for (int c = 0; c < channels; c++) out[o + c] = Math.max(out[o + c], xs[src + c]);
                    } else {
                        for (int c = 0; c < channels; c++) out[o + c] += xs[src + c];
                    }
                }
                if (!max && count > 0) for (int c = 0; c < channels; c++) out[o + c] /= count;
                if (max) for (int c = 0; c < channels; c++) if (out[o + c] != out[o + c]) out[o + c] = maxIgnoringNaN(xs, geometry, origin, taps, b * inImage, c);
            }
        }
        return layout.fromChannelsLast(Windows.floats(input.dtype, outShape, out));
    }

    /** Whether every window lies inside the input (no padding reaches it): VALID pooling, or SAME that needs none. */
    private static boolean inside(Window w) {
        for (int d = 0; d < w.in().length; d++) {
            if (w.padBefore()[d] != 0 || (w.out()[d] - 1) * w.stride()[d] + w.kernel()[d] > w.in()[d]) return false;
        }
        return true;
    }

    /**
     * 2-D pooling whose windows all lie inside the input, channels-last: the window's rows are walked directly
     * (no per-tap geometry), channels innermost so that the JIT vectorizes max and sum.
     */
    private static void pool2d(float[] xs, int batch, int h, int wIn, int c, Window w, boolean max, float[] out) {
        int kh = w.kernel()[0], kw = w.kernel()[1], sh = w.stride()[0], sw = w.stride()[1];
        int oh = w.out()[0], ow = w.out()[1];
        float count = kh * kw;
        int o = 0;
        for (int b = 0; b < batch; b++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++, o += c) {
                    Arrays.fill(out, o, o + c, max ? -Float.MAX_VALUE : 0f);
                    for (int ky = 0; ky < kh; ky++) {
                        int row = ((b * h + oy * sh + ky) * wIn + ox * sw) * c;
                        for (int kx = 0; kx < kw; kx++) {
                            int src = row + kx * c;
                            if (max) for (int ch = 0; ch < c; ch++) out[o + ch] = Math.max(out[o + ch], xs[src + ch]);
                            else for (int ch = 0; ch < c; ch++) out[o + ch] += xs[src + ch];
                        }
                    }
                    if (!max) for (int ch = 0; ch < c; ch++) out[o + ch] /= count;
                    else for (int ch = 0; ch < c; ch++) if (out[o + ch] != out[o + ch]) out[o + ch] = maxIgnoringNaN2d(xs, b, h, wIn, c, oy * sh, ox * sw, kh, kw, ch);
                }
            }
        }
    }

    private static float maxIgnoringNaN2d(float[] xs, int b, int h, int wIn, int c, int y0, int x0, int kh, int kw, int ch) {
        float m = -Float.MAX_VALUE;
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                float v = xs[((b * h + y0 + ky) * wIn + x0 + kx) * c + ch];
                if (v > m) m = v;
            }
        }
        return m;
    }

    /** One channel of a max pool window as TensorFlow's reducer computes it: only values greater than the lowest float, NaN never. */
    private static float maxIgnoringNaN(float[] xs, ConvOps.Im2col geometry, int[] origin, int taps, int base, int c) {
        float m = -Float.MAX_VALUE;
        for (int t = 0; t < taps; t++) {
            int src = geometry.tapAt(origin, t);
            if (src >= 0 && xs[base + src + c] > m) m = xs[base + src + c];
        }
        return m;
    }

    /**
     * FusedBatchNorm (V1, V2, V3) on inputs x, scale, offset, mean, variance. Inference ({@code is_training} false)
     * normalizes with the given mean and variance and passes them through as batch_mean/batch_variance; training
     * normalizes with the batch's own statistics per channel (biased variance) and outputs the unbiased variance,
     * mixed into the given running values by {@code exponential_avg_factor} as TensorFlow does.
     */
    static Val[] fusedBatchNorm(Node n, Val[] in, boolean v3) {
        if (in.length != 5) throw new GraphException("FusedBatchNorm needs 5 inputs, has " + in.length);
        Val x = in[0];
        Windows.requireFloat(x, "x");
        String format = n.s("data_format", "NHWC");
        boolean channelsFirst = switch (format) {
            case "NHWC", "NDHWC" -> false;
            case "NCHW", "NCDHW" -> true;
            default -> throw new GraphException("data_format '" + format + "' is not supported");
        };
        if (x.rank() != format.length()) {
            throw new GraphException("x of shape " + Shapes.str(x.shape) + " does not have the rank of data_format " + format);
        }
        float epsilon = n.f("epsilon", 1e-4f);
        boolean training = n.b("is_training", true);
        double factor = n.f("exponential_avg_factor", 1f);
        int axis = channelsFirst ? 1 : x.rank() - 1;
        int channels = x.shape[axis];
        int inner = 1;
        for (int d = axis + 1; d < x.rank(); d++) inner *= x.shape[d];
        float[] xs = x.f();
        int size = xs.length;
        float[] scale = channelVector(in[1], channels, "scale");
        float[] offset = channelVector(in[2], channels, "offset");
        float[] mean, variance;
        float[] batchMean, batchVariance, savedMean, savedVariance;
        if (!training) {
            mean = channelVector(in[3], channels, "mean");
            variance = channelVector(in[4], channels, "variance");
            batchMean = mean;
            batchVariance = variance;
            savedMean = mean;
            savedVariance = variance;
        } else {
            int count = channels == 0 ? 0 : size / channels;
            double[] sum = new double[channels], sumSq = new double[channels];
            for (int k = 0; k < size; k++) sum[(k / inner) % channels] += xs[k];
            mean = new float[channels];
            for (int c = 0; c < channels; c++) mean[c] = (float) (sum[c] / Math.max(count, 1));
            for (int k = 0; k < size; k++) {
                double dev = xs[k] - mean[(k / inner) % channels];
                sumSq[(k / inner) % channels] += dev * dev;
            }
            variance = new float[channels];
            batchVariance = new float[channels];
            for (int c = 0; c < channels; c++) {
                variance[c] = (float) (sumSq[c] / Math.max(count, 1));
                batchVariance[c] = (float) (sumSq[c] / Math.max(count - 1, 1));
            }
            batchMean = mean;
            savedMean = mean;
            savedVariance = variance;
            if (factor != 1) {
                float[] oldMean = channelVector(in[3], channels, "mean"), oldVariance = channelVector(in[4], channels, "variance");
                batchMean = new float[channels];
                float[] mixedVariance = new float[channels];
                for (int c = 0; c < channels; c++) {
                    batchMean[c] = (float) ((1 - factor) * oldMean[c] + factor * mean[c]);
                    mixedVariance[c] = (float) ((1 - factor) * oldVariance[c] + factor * batchVariance[c]);
                }
                batchVariance = mixedVariance;
            }
        }
        float[] multiplier = new float[channels];
        for (int c = 0; c < channels; c++) multiplier[c] = (float) (scale[c] / Math.sqrt((double) variance[c] + epsilon));
        float[] y = new float[size];
        for (int k = 0; k < size; k++) {
            int c = (k / inner) % channels;
            y[k] = (xs[k] - mean[c]) * multiplier[c] + offset[c];
        }
        Val[] out = new Val[v3 ? 6 : 5];
        out[0] = Windows.floats(x.dtype, x.shape, y);
        out[1] = Val.floats(batchMean.clone(), channels);
        out[2] = Val.floats(batchVariance.clone(), channels);
        out[3] = Val.floats(savedMean.clone(), channels);
        out[4] = Val.floats(savedVariance.clone(), channels);
        if (v3) out[5] = Val.floats(new float[0], 0);
        return out;
    }

    private static float[] channelVector(Val v, int channels, String what) {
        Windows.requireFloat(v, what);
        if (v.size() != channels) {
            throw new GraphException(what + " of shape " + Shapes.str(v.shape) + " must have one value for each of " + channels + " channels");
        }
        return v.f();
    }
}
