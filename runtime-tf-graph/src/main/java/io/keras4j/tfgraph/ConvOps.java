package io.keras4j.tfgraph;

import io.keras4j.runtime.math.Depthwise;
import io.keras4j.runtime.math.Gemm;
import io.keras4j.runtime.math.PackedMatrix;
import io.keras4j.tfgraph.Windows.Layout;
import io.keras4j.tfgraph.Windows.Window;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Convolutions: Conv2D/Conv3D (grouped when the filter's input depth divides the input's), DepthwiseConv2dNative and
 * the transposed convolutions Conv2DBackpropInput/Conv3DBackpropInputV2, with TensorFlow's strides, dilations,
 * padding (VALID, SAME, EXPLICIT) and data formats. They are computed channels-last as im2col tiles times the filter
 * through the runtime's GEMM.
 */
final class ConvOps {
    private ConvOps() {}

    /** Floats of one im2col tile: large enough to keep GEMM efficient, small enough to stay in cache. */
    private static final int TILE_FLOATS = 1 << 16;
    private static final float NO_LOWER = Float.NEGATIVE_INFINITY, NO_UPPER = Float.POSITIVE_INFINITY;

    /*
     * Filters packed for GEMM, keyed by the identity of the filter's array: a filter read from a variable or a
     * constant is the same array on every call, so it is packed once; a filter computed per call is packed per call
     * and its entry goes when the array does.
     */
    private static final Map<float[], PackedMatrix[]> PACKED = Collections.synchronizedMap(new WeakHashMap<>());
    private static final Map<float[], PackedMatrix> PACKED_TRANSPOSED = Collections.synchronizedMap(new WeakHashMap<>());

    static void register(Map<String, Op> m) {
        OpTable.put(m, "Conv2D", (Op.Simple) (n, in) -> conv(n, in[0], in[1], 2));
        OpTable.put(m, "Conv3D", (Op.Simple) (n, in) -> conv(n, in[0], in[1], 3));
        OpTable.put(m, "DepthwiseConv2dNative", (Op.Simple) (n, in) -> depthwise(n, in[0], in[1]));
        OpTable.put(m, "Conv2DBackpropInput", (Op.Simple) (n, in) -> convTranspose(n, in[0].toInts(), in[1], in[2], 2));
        OpTable.put(m, "Conv3DBackpropInputV2", (Op.Simple) (n, in) -> convTranspose(n, in[0].toInts(), in[1], in[2], 3));
    }

    private static int[] spatial(int[] channelsLastShape) {
        return Arrays.copyOfRange(channelsLastShape, 1, channelsLastShape.length - 1);
    }

    /** Conv2D / Conv3D: input [N, spatial..., C], filter [kernel..., C / groups, O]. */
    static Val conv(Node n, Val input, Val filter, int r) { return conv(n, input, filter, r, null, NO_LOWER, NO_UPPER); }

    /**
     * As {@link #conv(Node, Val, Val, int)}, then {@code min(max(out + bias, lower), upper)} per output channel
     * ({@code bias} may be null), in the GEMM's epilogue for an ungrouped convolution. A fused step of the plan uses it.
     */
    static Val conv(Node n, Val input, Val filter, int r, float[] bias, float lower, float upper) {
        Windows.requireFloat(input, "input");
        Windows.requireFloat(filter, "filter");
        Layout layout = Layout.of(n, r);
        Val x = layout.toChannelsLast(input, "input");
        if (filter.rank() != r + 2) throw new GraphException("filter must have rank " + (r + 2) + ", has shape " + Shapes.str(filter.shape));
        int batch = x.shape[0], channels = x.shape[r + 1];
        int[] kernel = Arrays.copyOf(filter.shape, r);
        int groupDepth = filter.shape[r], outChannels = filter.shape[r + 1];
        if (groupDepth <= 0 || channels % groupDepth != 0) {
            throw new GraphException("input depth " + channels + " is not a multiple of the filter's input depth " + groupDepth);
        }
        int groups = channels / groupDepth;
        if (outChannels % groups != 0) {
            throw new GraphException("filter's output depth " + outChannels + " is not a multiple of the " + groups + " groups");
        }
        int groupOut = outChannels / groups;
        int[] stride = layout.spatialOf(n.ints("strides"), "strides");
        int[] dilation = layout.spatialOr1(n.ints("dilations"), "dilations");
        Window w = Windows.window(n, layout, spatial(x.shape), kernel, stride, dilation);
        int[] outShape = new int[r + 2];
        outShape[0] = batch;
        System.arraycopy(w.out(), 0, outShape, 1, r);
        outShape[r + 1] = outChannels;
        float[] out = new float[Shapes.size(outShape)];
        if (out.length == 0) return layout.fromChannelsLast(Windows.floats(input.dtype, outShape, out));
        int taps = Shapes.size(kernel);
        int patch = Math.multiplyExact(taps, groupDepth);
        PackedMatrix[] packed = packedGroups(filter.f(), patch, outChannels, groups);
        float[] xs = x.f();
        int pixels = w.outPixels();
        if (isPointwise(w) && groups == 1) {
            // A 1x1 convolution with unit stride and no padding is a plain matrix product over all pixels.
            Gemm.multiply(batch * pixels, xs, 0, channels, packed[0], bias, lower, upper, out, 0, outChannels);
            return layout.fromChannelsLast(Windows.floats(input.dtype, outShape, out));
        }
        int tile = Math.max(1, Math.min(pixels, TILE_FLOATS / Math.max(1, patch)));
        float[] cols = new float[Shapes.size(new int[] {tile, patch})];
        Im2col im2col = new Im2col(w, spatial(x.shape), channels);
        int inImage = Shapes.size(spatial(x.shape)) * channels;
        for (int b = 0; b < batch; b++) {
            for (int g = 0; g < groups; g++) {
                for (int p0 = 0; p0 < pixels; p0 += tile) {
                    int rows = Math.min(tile, pixels - p0);
                    for (int row = 0; row < rows; row++) {
                        im2col.gather(xs, b * inImage + g * groupDepth, groupDepth, p0 + row, cols, row * patch);
                    }
                    Gemm.multiply(rows, cols, 0, patch, packed[g], groups == 1 ? bias : null, groups == 1 ? lower : NO_LOWER,
                            groups == 1 ? upper : NO_UPPER, out, (b * pixels + p0) * outChannels + g * groupOut, outChannels);
                }
            }
        }
        if (groups > 1) epilogue(out, bias, lower, upper);
        return layout.fromChannelsLast(Windows.floats(input.dtype, outShape, out));
    }

    private static boolean isPointwise(Window w) {
        for (int d = 0; d < w.kernel().length; d++) {
            if (w.kernel()[d] != 1 || w.stride()[d] != 1 || w.padBefore()[d] != 0 || w.out()[d] != w.in()[d]) return false;
        }
        return true;
    }

    /** The filter [rows, outChannels] split into its groups' column blocks, each packed for GEMM. */
    private static PackedMatrix[] packedGroups(float[] filter, int rows, int outChannels, int groups) {
        PackedMatrix[] cached = PACKED.get(filter);
        if (cached != null && cached.length == groups && cached[0].rows() == rows) return cached;
        int groupOut = outChannels / groups;
        PackedMatrix[] packed = new PackedMatrix[groups];
        for (int g = 0; g < groups; g++) {
            float[] block = filter;
            if (groups > 1) {
                block = new float[rows * groupOut];
                for (int k = 0; k < rows; k++) System.arraycopy(filter, k * outChannels + g * groupOut, block, k * groupOut, groupOut);
            }
            packed[g] = PackedMatrix.of(block, rows, groupOut);
        }
        PACKED.put(filter, packed);
        return packed;
    }

    /**
     * Copies the window of one output pixel into a row of the im2col matrix (taps in the filter's row-major order,
     * {@code depth} channels each), zeros where the window leaves the input.
     */
    static final class Im2col {
        private final Window w;
        private final int r;
        /** Per tap, its offset (times dilation) in each spatial dimension. */
        private final int[][] tapOffsets;
        /** Floats between neighbours in each spatial dimension of the channels-last input. */
        private final int[] inStrides;
        private final int[] coord;

        Im2col(Window w, int[] in, int channels) {
            this.w = w;
            this.r = in.length;
            int taps = Shapes.size(w.kernel());
            tapOffsets = new int[taps][r];
            for (int t = 0; t < taps; t++) {
                int rest = t;
                for (int d = r - 1; d >= 0; d--) {
                    tapOffsets[t][d] = (rest % w.kernel()[d]) * w.dilation()[d];
                    rest /= w.kernel()[d];
                }
            }
            inStrides = new int[r];
            int acc = channels;
            for (int d = r - 1; d >= 0; d--) {
                inStrides[d] = acc;
                acc *= in[d];
            }
            coord = new int[r];
        }

        int taps() { return tapOffsets.length; }

        /** The input coordinates where the window of output pixel {@code pixel} starts (may be negative). */
        int[] origin(int pixel) {
            int rest = pixel;
            for (int d = r - 1; d >= 0; d--) {
                coord[d] = (rest % w.out()[d]) * w.stride()[d] - w.padBefore()[d];
                rest /= w.out()[d];
            }
            return coord;
        }

        /** The offset of tap {@code t} from the image start for a window at {@code origin}, or -1 outside the input. */
        int tapAt(int[] origin, int t) {
            int at = 0;
            int[] off = tapOffsets[t];
            for (int d = 0; d < r; d++) {
                int i = origin[d] + off[d];
                if (i < 0 || i >= w.in()[d]) return -1;
                at += i * inStrides[d];
            }
            return at;
        }

        void gather(float[] x, int base, int depth, int pixel, float[] cols, int at) {
            if (r == 2) {
                gather2d(x, base, depth, pixel, cols, at);
                return;
            }
            int[] origin = origin(pixel);
            for (int t = 0; t < tapOffsets.length; t++, at += depth) {
                int src = tapAt(origin, t);
                if (src < 0) Arrays.fill(cols, at, at + depth, 0f);
                else System.arraycopy(x, base + src, cols, at, depth);
            }
        }

        /** {@link #gather} for two spatial dimensions, rows and columns walked directly. */
        private void gather2d(float[] x, int base, int depth, int pixel, float[] cols, int at) {
            int ow = w.out()[1];
            int y0 = (pixel / ow) * w.stride()[0] - w.padBefore()[0];
            int x0 = (pixel % ow) * w.stride()[1] - w.padBefore()[1];
            int kh = w.kernel()[0], kw = w.kernel()[1], dh = w.dilation()[0], dw = w.dilation()[1];
            int h = w.in()[0], wi = w.in()[1];
            for (int ky = 0; ky < kh; ky++) {
                int iy = y0 + ky * dh;
                if (iy < 0 || iy >= h) {
                    Arrays.fill(cols, at, at + kw * depth, 0f);
                    at += kw * depth;
                    continue;
                }
                int row = base + iy * inStrides[0];
                for (int kx = 0; kx < kw; kx++, at += depth) {
                    int ix = x0 + kx * dw;
                    if (ix < 0 || ix >= wi) Arrays.fill(cols, at, at + depth, 0f);
                    else System.arraycopy(x, row + ix * inStrides[1], cols, at, depth);
                }
            }
        }
    }

    /** {@code out = min(max(out + bias, lower), upper)}, bias per channel (the last dimension); null bias adds nothing. */
    static void epilogue(float[] out, float[] bias, float lower, float upper) {
        if (bias == null && lower == NO_LOWER && upper == NO_UPPER) return;
        int c = bias == null ? 1 : bias.length;
        for (int base = 0; base < out.length; base += c) {
            for (int k = 0; k < c; k++) {
                float v = bias == null ? out[base + k] : out[base + k] + bias[k];
                out[base + k] = Math.min(Math.max(v, lower), upper);
            }
        }
    }

    /** DepthwiseConv2dNative: input [N, H, W, C], filter [kh, kw, C, M], output channel c * M + m. */
    static Val depthwise(Node n, Val input, Val filter) { return depthwise(n, input, filter, null, NO_LOWER, NO_UPPER); }

    /** As {@link #depthwise(Node, Val, Val)} with the epilogue of {@link #conv(Node, Val, Val, int, float[], float, float)}. */
    static Val depthwise(Node n, Val input, Val filter, float[] bias, float lower, float upper) {
        Windows.requireFloat(input, "input");
        Windows.requireFloat(filter, "filter");
        Layout layout = Layout.of(n, 2);
        Val x = layout.toChannelsLast(input, "input");
        if (filter.rank() != 4) throw new GraphException("filter must have rank 4, has shape " + Shapes.str(filter.shape));
        int batch = x.shape[0], channels = x.shape[3];
        if (filter.shape[2] != channels) {
            throw new GraphException("filter's input depth " + filter.shape[2] + " differs from the input's " + channels);
        }
        int multiplier = filter.shape[3];
        int[] kernel = {filter.shape[0], filter.shape[1]};
        int[] stride = layout.spatialOf(n.ints("strides"), "strides");
        int[] dilation = layout.spatialOr1(n.ints("dilations"), "dilations");
        Window w = Windows.window(n, layout, spatial(x.shape), kernel, stride, dilation);
        int outChannels = Math.multiplyExact(channels, multiplier);
        int[] outShape = {batch, w.out()[0], w.out()[1], outChannels};
        float[] out = new float[Shapes.size(outShape)];
        float[] xs = x.f(), fs = filter.f();
        Im2col geometry = new Im2col(w, spatial(x.shape), channels);
        int taps = geometry.taps();
        int[] xAt = new int[taps], kAt = new int[taps];
        int pixels = w.outPixels();
        int inImage = x.shape[1] * x.shape[2] * channels;
        for (int b = 0; b < batch; b++) {
            for (int p = 0; p < pixels; p++) {
                int[] origin = geometry.origin(p);
                int inside = 0;
                for (int t = 0; t < taps; t++) {
                    int src = geometry.tapAt(origin, t);
                    if (src < 0) continue;
                    xAt[inside] = b * inImage + src;
                    kAt[inside++] = t * outChannels;
                }
                int o = (b * pixels + p) * outChannels;
                if (multiplier == 1) {
                    Depthwise.pixel(xs, xAt, fs, kAt, inside, bias, lower, upper, out, o, channels);
                    continue;
                }
                for (int t = 0; t < inside; t++) {
                    for (int c = 0; c < channels; c++) {
                        float v = xs[xAt[t] + c];
                        int k = kAt[t] + c * multiplier;
                        for (int mm = 0; mm < multiplier; mm++) out[o + c * multiplier + mm] += v * fs[k + mm];
                    }
                }
            }
        }
        if (multiplier != 1) epilogue(out, bias, lower, upper);
        return layout.fromChannelsLast(Windows.floats(input.dtype, outShape, out));
    }

    /**
     * Conv2DBackpropInput / Conv3DBackpropInputV2 (a transposed convolution): the gradient of the convolution of an
     * input of {@code inputSizes} with {@code filter} [kernel..., Cin, Cout] with respect to that input, given the
     * gradient {@code outBackprop} of its output. Each output-gradient pixel times the transposed filter is one
     * im2col row, added back onto the input window it came from.
     */
    static Val convTranspose(Node n, int[] inputSizes, Val filter, Val outBackprop, int r) {
        Windows.requireFloat(filter, "filter");
        Windows.requireFloat(outBackprop, "out_backprop");
        Layout layout = Layout.of(n, r);
        Val dy = layout.toChannelsLast(outBackprop, "out_backprop");
        if (filter.rank() != r + 2) throw new GraphException("filter must have rank " + (r + 2) + ", has shape " + Shapes.str(filter.shape));
        int inChannels = filter.shape[r], outChannels = filter.shape[r + 1];
        int[] inShape;
        if (inputSizes.length == r && r == 2) {
            // Conv2DBackpropInput may be given the spatial sizes only: batch and depth come from out_backprop and
            // the filter, as in TensorFlow.
            inShape = new int[r + 2];
            inShape[0] = dy.shape[0];
            System.arraycopy(inputSizes, 0, inShape, 1, r);
            inShape[r + 1] = inChannels;
        } else if (inputSizes.length == r + 2) {
            inShape = layout.channelsLast(inputSizes);
        } else {
            throw new GraphException("input_sizes " + Arrays.toString(inputSizes) + " must have " + (r == 2 ? "2 or " : "") + (r + 2) + " entries");
        }
        if (inShape[r + 1] != inChannels) {
            throw new GraphException("input_sizes depth " + inShape[r + 1] + " differs from the filter's input depth " + inChannels);
        }
        if (dy.shape[0] != inShape[0] || dy.shape[r + 1] != outChannels) {
            throw new GraphException("out_backprop " + Shapes.str(outBackprop.shape) + " does not match input_sizes "
                    + Arrays.toString(inputSizes) + " and filter " + Shapes.str(filter.shape));
        }
        int[] kernel = Arrays.copyOf(filter.shape, r);
        int[] stride = layout.spatialOf(n.ints("strides"), "strides");
        int[] dilation = layout.spatialOr1(n.ints("dilations"), "dilations");
        Window w = Windows.window(n, layout, spatial(inShape), kernel, stride, dilation);
        if (!Arrays.equals(w.out(), spatial(dy.shape))) {
            throw new GraphException("out_backprop " + Shapes.str(outBackprop.shape) + " is not the output size "
                    + Arrays.toString(w.out()) + " of a convolution of input_sizes " + Arrays.toString(inputSizes));
        }
        int batch = inShape[0];
        float[] out = new float[Shapes.size(inShape)];
        if (out.length == 0 || outChannels == 0) return layout.fromChannelsLast(Windows.floats(outBackprop.dtype, inShape, out));
        int taps = Shapes.size(kernel);
        int patch = Math.multiplyExact(taps, inChannels);
        PackedMatrix transposed = packedTransposed(filter.f(), patch, outChannels);
        int pixels = w.outPixels();
        int tile = Math.max(1, Math.min(pixels, TILE_FLOATS / Math.max(1, patch)));
        float[] cols = new float[Shapes.size(new int[] {tile, patch})];
        Im2col geometry = new Im2col(w, spatial(inShape), inChannels);
        int inImage = Shapes.size(spatial(inShape)) * inChannels;
        float[] dys = dy.f();
        for (int b = 0; b < batch; b++) {
            for (int p0 = 0; p0 < pixels; p0 += tile) {
                int rows = Math.min(tile, pixels - p0);
                Gemm.multiply(rows, dys, (b * pixels + p0) * outChannels, outChannels, transposed, null, NO_LOWER, NO_UPPER,
                        cols, 0, patch);
                for (int row = 0; row < rows; row++) {
                    int[] origin = geometry.origin(p0 + row);
                    for (int t = 0; t < taps; t++) {
                        int dst = geometry.tapAt(origin, t);
                        if (dst < 0) continue;
                        dst += b * inImage;
                        int src = row * patch + t * inChannels;
                        for (int c = 0; c < inChannels; c++) out[dst + c] += cols[src + c];
                    }
                }
            }
        }
        return layout.fromChannelsLast(Windows.floats(outBackprop.dtype, inShape, out));
    }

    /** The filter [rows, cols] transposed to [cols, rows] and packed. */
    private static PackedMatrix packedTransposed(float[] filter, int rows, int cols) {
        PackedMatrix cached = PACKED_TRANSPOSED.get(filter);
        if (cached != null && cached.rows() == cols && cached.columns() == rows) return cached;
        float[] t = new float[filter.length];
        for (int k = 0; k < rows; k++) for (int c = 0; c < cols; c++) t[c * rows + k] = filter[k * cols + c];
        PackedMatrix packed = PackedMatrix.of(t, cols, rows);
        PACKED_TRANSPOSED.put(filter, packed);
        return packed;
    }
}
