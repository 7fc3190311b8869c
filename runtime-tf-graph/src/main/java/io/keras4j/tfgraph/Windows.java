package io.keras4j.tfgraph;

import java.util.Arrays;

/**
 * What convolutions and pooling share: where a data_format puts the channels (kernels compute channels-last and
 * transpose channels-first values around it), the spatial entries of the per-dimension attributes, and TensorFlow's
 * window arithmetic ({@code GetWindowedOutputSizeVerbose}) for padding VALID, SAME and EXPLICIT.
 */
final class Windows {
    private Windows() {}

    /** The layout of a value with {@code spatial} spatial dimensions: channels-first or channels-last. */
    record Layout(boolean channelsFirst, int spatial) {
        static Layout of(Node n, int spatial) {
            String last = spatial == 1 ? "NWC" : spatial == 2 ? "NHWC" : "NDHWC";
            String first = spatial == 1 ? "NCW" : spatial == 2 ? "NCHW" : "NCDHW";
            String format = n.s("data_format", last);
            if (format.equals(last)) return new Layout(false, spatial);
            if (format.equals(first)) return new Layout(true, spatial);
            throw new GraphException("data_format '" + format + "' is not supported (" + last + " or " + first + ")");
        }

        Val toChannelsLast(Val x, String what) {
            if (x.rank() != spatial + 2) {
                throw new GraphException(what + " must have rank " + (spatial + 2) + ", has shape " + Shapes.str(x.shape));
            }
            if (!channelsFirst) return x;
            int[] perm = new int[spatial + 2];
            perm[spatial + 1] = 1;
            for (int d = 1; d <= spatial; d++) perm[d] = d + 1;
            return ArrayOps.transpose(x, perm);
        }

        Val fromChannelsLast(Val y) {
            if (!channelsFirst) return y;
            int[] perm = new int[spatial + 2];
            perm[1] = spatial + 1;
            for (int d = 2; d < spatial + 2; d++) perm[d] = d - 1;
            return ArrayOps.transpose(y, perm);
        }

        /** A shape or per-dimension list given in data_format order, reordered to channels-last. */
        int[] channelsLast(int[] dims) {
            if (!channelsFirst) return dims.clone();
            int[] out = new int[dims.length];
            out[0] = dims[0];
            out[spatial + 1] = dims[1];
            for (int d = 1; d <= spatial; d++) out[d] = dims[d + 1];
            return out;
        }

        /**
         * The spatial entries of a per-dimension attribute (strides, dilations, ksize) of length rank, refusing values
         * other than 1 on the batch and channel dimensions and values below 1.
         */
        int[] spatialOf(int[] attr, String name) {
            if (attr == null) throw new GraphException("attribute '" + name + "' is missing");
            if (attr.length != spatial + 2) {
                throw new GraphException(name + " " + Arrays.toString(attr) + " must have " + (spatial + 2) + " entries");
            }
            int[] cl = channelsLast(attr);
            if (cl[0] != 1 || cl[spatial + 1] != 1) {
                throw new GraphException(name + " " + Arrays.toString(attr) + " on the batch or channel dimension is not supported");
            }
            int[] out = Arrays.copyOfRange(cl, 1, spatial + 1);
            for (int v : out) if (v < 1) throw new GraphException(name + " " + Arrays.toString(attr) + " must be positive");
            return out;
        }

        int[] spatialOr1(int[] attr, String name) {
            if (attr == null) {
                int[] ones = new int[spatial];
                Arrays.fill(ones, 1);
                return ones;
            }
            return spatialOf(attr, name);
        }
    }

    /** The output size and the padding before the first element, per spatial dimension. */
    record Window(int[] in, int[] kernel, int[] stride, int[] dilation, int[] out, int[] padBefore) {
        int outPixels() { return Shapes.size(out); }
    }

    /** The window geometry from the node's {@code padding} (and {@code explicit_paddings}) attributes. */
    static Window window(Node n, Layout layout, int[] in, int[] kernel, int[] stride, int[] dilation) {
        String padding = n.s("padding", null);
        if (padding == null) throw new GraphException("attribute 'padding' is missing");
        int r = in.length;
        int[] explicit = null;
        if (padding.equals("EXPLICIT")) {
            int[] pads = n.ints("explicit_paddings");
            if (pads == null || pads.length != 2 * (r + 2)) {
                throw new GraphException("padding EXPLICIT needs explicit_paddings of " + 2 * (r + 2) + " entries, has "
                        + (pads == null ? "none" : Arrays.toString(pads)));
            }
            int[] before = new int[r + 2], after = new int[r + 2];
            for (int d = 0; d < r + 2; d++) {
                before[d] = pads[2 * d];
                after[d] = pads[2 * d + 1];
                if (before[d] < 0 || after[d] < 0) throw new GraphException("negative explicit_paddings " + Arrays.toString(pads));
            }
            before = layout.channelsLast(before);
            after = layout.channelsLast(after);
            if (before[0] != 0 || after[0] != 0 || before[r + 1] != 0 || after[r + 1] != 0) {
                throw new GraphException("explicit_paddings " + Arrays.toString(pads) + " pad the batch or channel dimension");
            }
            explicit = new int[2 * r];
            for (int d = 0; d < r; d++) {
                explicit[2 * d] = before[d + 1];
                explicit[2 * d + 1] = after[d + 1];
            }
        } else if (!padding.equals("SAME") && !padding.equals("VALID")) {
            throw new GraphException("padding '" + padding + "' is not supported (VALID, SAME or EXPLICIT)");
        }
        int[] out = new int[r], padBefore = new int[r];
        for (int d = 0; d < r; d++) {
            long effective = (long) (kernel[d] - 1) * dilation[d] + 1;
            long size;
            if (padding.equals("VALID")) {
                size = (in[d] - effective + stride[d]) / stride[d];
            } else if (padding.equals("SAME")) {
                size = (in[d] + (long) stride[d] - 1) / stride[d];
                long needed = Math.max(0, (size - 1) * stride[d] + effective - in[d]);
                padBefore[d] = (int) (needed / 2);
            } else {
                size = (in[d] + (long) explicit[2 * d] + explicit[2 * d + 1] - effective + stride[d]) / stride[d];
                padBefore[d] = explicit[2 * d];
            }
            if (kernel[d] < 1) throw new GraphException("window of size " + kernel[d] + " in dimension " + d);
            if (size > Integer.MAX_VALUE) throw new GraphException("output size " + size + " in dimension " + d + " is too large");
            if (size < 0) {
                throw new GraphException("window " + Arrays.toString(kernel) + " (dilation " + Arrays.toString(dilation)
                        + ") does not fit input " + Arrays.toString(in) + " with padding " + padding);
            }
            out[d] = (int) size;
        }
        return new Window(in, kernel, stride, dilation, out, padBefore);
    }

    /** Rounds results to a half-precision dtype's precision and wraps them. */
    static Val floats(int dtype, int[] shape, float[] out) {
        if (dtype != DTypes.FLOAT) for (int k = 0; k < out.length; k++) out[k] = DTypes.round(dtype, out[k]);
        return new Val(dtype, shape, out);
    }

    static void requireFloat(Val v, String what) {
        if (!(v.data instanceof float[])) {
            throw new GraphException(what + " of dtype " + DTypes.name(v.dtype) + " is not supported (float32, float16, bfloat16)");
        }
    }
}
