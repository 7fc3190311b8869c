package io.keras4j.tfgraph;

import java.util.Arrays;
import java.util.Map;

/**
 * Image ops on NHWC values: resizing (bilinear, nearest, bicubic with TensorFlow's coordinate conventions),
 * SpaceToBatchND/BatchToSpaceND, projective transforms (rotation, zoom, shear, translation layers), RGB/HSV
 * conversion and contrast adjustment. Each follows its TensorFlow CPU kernel, including where it computes in float.
 */
final class ImageOps {
    private ImageOps() {}

    static void register(Map<String, Op> m) {
        OpTable.put(m, "ResizeBilinear", (Op.Simple) (n, in) -> resizeBilinear(in[0], size(in[1]),
                n.b("align_corners", false), n.b("half_pixel_centers", false)));
        OpTable.put(m, "ResizeNearestNeighbor", (Op.Simple) (n, in) -> resizeNearest(in[0], size(in[1]),
                n.b("align_corners", false), n.b("half_pixel_centers", false)));
        OpTable.put(m, "ResizeBicubic", (Op.Simple) (n, in) -> resizeBicubic(in[0], size(in[1]),
                n.b("align_corners", false), n.b("half_pixel_centers", false)));
        OpTable.put(m, "SpaceToBatchND", (Op.Simple) (n, in) -> spaceToBatch(in[0], in[1].toInts(), in[2].toInts()));
        OpTable.put(m, "BatchToSpaceND", (Op.Simple) (n, in) -> batchToSpace(in[0], in[1].toInts(), in[2].toInts()));
        OpTable.put(m, "ImageProjectiveTransformV3", (Op.Simple) (n, in) -> projectiveTransform(n, in[0], in[1], in[2],
                fillValue(in[3])));
        OpTable.put(m, "ImageProjectiveTransformV2", (Op.Simple) (n, in) -> projectiveTransform(n, in[0], in[1], in[2], 0f));
        OpTable.put(m, "RGBToHSV", (Op.Simple) (n, in) -> rgbToHsv(in[0]));
        OpTable.put(m, "HSVToRGB", (Op.Simple) (n, in) -> hsvToRgb(in[0]));
        OpTable.put(m, "AdjustContrastv2", (Op.Simple) (n, in) -> adjustContrast(in[0], in[1]));
    }

    private static int[] size(Val size) {
        int[] s = size.toInts();
        if (s.length != 2 || s[0] <= 0 || s[1] <= 0) {
            throw new GraphException("size " + Arrays.toString(s) + " must be two positive numbers (height, width)");
        }
        return s;
    }

    private static void requireImages(Val images) {
        if (images.rank() != 4) throw new GraphException("images must be 4-D [batch, height, width, channels], have shape " + Shapes.str(images.shape));
    }

    private static void requireResizable(Val images) {
        requireImages(images);
        if (images.shape[1] == 0 || images.shape[2] == 0) {
            throw new GraphException("images of shape " + Shapes.str(images.shape) + " have no pixels to resize from");
        }
    }

    private static float[] asFloats(Val v) {
        if (v.data instanceof float[] f) return f;
        if (!DTypes.isNumeric(v.dtype)) throw new GraphException("images of dtype " + DTypes.name(v.dtype) + " are not numeric");
        return DTypes.cast(v, DTypes.FLOAT).f();
    }

    /** TensorFlow's CalculateResizeScale. */
    static float scale(int in, int out, boolean alignCorners) {
        return alignCorners && out > 1 ? (in - 1) / (float) (out - 1) : in / (float) out;
    }

    /** The source coordinate of output index {@code i}: HalfPixelScaler or LegacyScaler. */
    private static float source(int i, float scale, boolean halfPixel) {
        return halfPixel ? (i + 0.5f) * scale - 0.5f : i * scale;
    }

    /** The geometry of resizing NHWC {@code images} to {@code size} (checked by {@link #requireResizable}). */
    private record Resize(int batch, int inH, int inW, int channels, int outH, int outW) {
        static Resize of(Val images, int[] size) {
            requireResizable(images);
            return new Resize(images.shape[0], images.shape[1], images.shape[2], images.shape[3], size[0], size[1]);
        }

        int[] outShape() { return new int[] {batch, outH, outW, channels}; }
    }

    /** ResizeBilinear: output float32; per axis the lower and upper source rows and the fraction between them. */
    static Val resizeBilinear(Val images, int[] size, boolean alignCorners, boolean halfPixel) {
        Resize r = Resize.of(images, size);
        int batch = r.batch(), inH = r.inH(), inW = r.inW(), c = r.channels(), outH = r.outH(), outW = r.outW();
        int[] outShape = r.outShape();
        float[] out = new float[Shapes.size(outShape)];
        float[] x = asFloats(images);
        int[] yLo = new int[outH], yHi = new int[outH], xLo = new int[outW], xHi = new int[outW];
        float[] yLerp = new float[outH], xLerp = new float[outW];
        weights(inH, outH, scale(inH, outH, alignCorners), halfPixel, yLo, yHi, yLerp);
        weights(inW, outW, scale(inW, outW, alignCorners), halfPixel, xLo, xHi, xLerp);
        int o = 0;
        for (int b = 0; b < batch; b++) {
            int image = b * inH * inW * c;
            for (int i = 0; i < outH; i++) {
                int top = image + yLo[i] * inW * c, bottom = image + yHi[i] * inW * c;
                float dy = yLerp[i];
                for (int j = 0; j < outW; j++) {
                    int left = xLo[j] * c, right = xHi[j] * c;
                    float dx = xLerp[j];
                    for (int ch = 0; ch < c; ch++, o++) {
                        float tl = x[top + left + ch], tr = x[top + right + ch];
                        float bl = x[bottom + left + ch], br = x[bottom + right + ch];
                        float t = tl + (tr - tl) * dx;
                        float bo = bl + (br - bl) * dx;
                        out[o] = t + (bo - t) * dy;
                    }
                }
            }
        }
        return Val.floats(out, outShape);
    }

    /** TensorFlow's compute_interpolation_weights. */
    private static void weights(int in, int out, float scale, boolean halfPixel, int[] lo, int[] hi, float[] lerp) {
        for (int i = 0; i < out; i++) {
            float src = source(i, scale, halfPixel);
            float floor = (float) Math.floor(src);
            lo[i] = Math.max((int) floor, 0);
            hi[i] = Math.min((int) Math.ceil(src), in - 1);
            lerp[i] = src - floor;
        }
    }

    /** ResizeNearestNeighbor: keeps the dtype; half-pixel centers floor (i + 0.5) * scale, align_corners rounds. */
    static Val resizeNearest(Val images, int[] size, boolean alignCorners, boolean halfPixel) {
        Resize r = Resize.of(images, size);
        int batch = r.batch(), inH = r.inH(), inW = r.inW(), c = r.channels();
        int[] outShape = r.outShape();
        int[] idx = new int[Shapes.size(outShape)];
        int[] ys = nearest(inH, size[0], alignCorners, halfPixel), xs = nearest(inW, size[1], alignCorners, halfPixel);
        int o = 0;
        for (int b = 0; b < batch; b++) {
            for (int y : ys) {
                for (int x : xs) {
                    int src = ((b * inH + y) * inW + x) * c;
                    for (int ch = 0; ch < c; ch++) idx[o++] = src + ch;
                }
            }
        }
        return ArrayOps.take(images, idx, outShape);
    }

    private static int[] nearest(int in, int out, boolean alignCorners, boolean halfPixel) {
        float scale = scale(in, out, alignCorners);
        int[] idx = new int[out];
        for (int i = 0; i < out; i++) {
            float src = halfPixel ? (i + 0.5f) * scale : i * scale;
            // roundf rounds halves away from zero; src is never negative here.
            long v = alignCorners ? (long) Math.floor(src + 0.5f) : (long) Math.floor(src);
            v = Math.min(v, in - 1);
            if (halfPixel) v = Math.max(0, v);
            idx[i] = (int) v;
        }
        return idx;
    }

    private static final int TABLE_SIZE = 1 << 10;

    /** TensorFlow's bicubic coefficient table: entry i holds the cubic's weights at distance i/1024 and 1 + i/1024. */
    private static float[] cubicTable(double a) {
        float[] t = new float[(TABLE_SIZE + 1) * 2];
        for (int i = 0; i <= TABLE_SIZE; i++) {
            float x = (float) (i * 1.0 / TABLE_SIZE);
            t[i * 2] = (float) (((a + 2) * x - (a + 3)) * x * x + 1);
            x += 1.0f;
            t[i * 2 + 1] = (float) (((a * x - 5 * a) * x + 8 * a) * x - 4 * a);
        }
        return t;
    }

    private static final float[] KEYS_TABLE = cubicTable(-0.5), LEGACY_TABLE = cubicTable(-0.75);

    /**
     * The four source indices and weights of output index {@code i} (TensorFlow's GetWeightsAndIndices): half-pixel
     * centers use Keys' cubic (a = -0.5) and give taps outside the input no weight, renormalizing the rest; the
     * legacy mode uses a = -0.75 and repeats the edge.
     */
    private static void cubicTaps(int i, float scale, int limit, boolean halfPixel, int[] index, float[] weight) {
        float src = source(i, scale, halfPixel);
        long loc = (long) Math.floor(src);
        float delta = src - loc;
        int offset = (int) Math.rint(delta * TABLE_SIZE);
        float[] t = halfPixel ? KEYS_TABLE : LEGACY_TABLE;
        float[] w = {t[offset * 2 + 1], t[offset * 2], t[(TABLE_SIZE - offset) * 2], t[(TABLE_SIZE - offset) * 2 + 1]};
        float sum = 0;
        for (int k = 0; k < 4; k++) {
            long at = loc - 1 + k;
            index[k] = (int) Math.min(limit - 1, Math.max(0, at));
            if (halfPixel && index[k] != at) w[k] = 0;
            weight[k] = w[k];
            sum += w[k];
        }
        if (halfPixel && Math.abs(sum) >= 1000.0f * Float.MIN_NORMAL) {
            float inv = 1.0f / sum;
            for (int k = 0; k < 4; k++) weight[k] *= inv;
        }
    }

    /** ResizeBicubic: output float32, interpolating along the height first, then the width. */
    static Val resizeBicubic(Val images, int[] size, boolean alignCorners, boolean halfPixel) {
        Resize r = Resize.of(images, size);
        int batch = r.batch(), inH = r.inH(), inW = r.inW(), c = r.channels(), outH = r.outH(), outW = r.outW();
        int[] outShape = r.outShape();
        float[] out = new float[Shapes.size(outShape)];
        float[] x = asFloats(images);
        float hScale = scale(inH, outH, alignCorners), wScale = scale(inW, outW, alignCorners);
        int[][] xIdx = new int[outW][4];
        float[][] xW = new float[outW][4];
        for (int j = 0; j < outW; j++) cubicTaps(j, wScale, inW, halfPixel, xIdx[j], xW[j]);
        int[] yIdx = new int[4];
        float[] yW = new float[4];
        int o = 0;
        for (int b = 0; b < batch; b++) {
            int image = b * inH * inW * c;
            for (int i = 0; i < outH; i++) {
                cubicTaps(i, hScale, inH, halfPixel, yIdx, yW);
                for (int j = 0; j < outW; j++) {
                    for (int ch = 0; ch < c; ch++, o++) {
                        float acc = 0;
                        for (int kx = 0; kx < 4; kx++) {
                            int col = xIdx[j][kx] * c + ch;
                            float v = 0;
                            for (int ky = 0; ky < 4; ky++) v += x[image + yIdx[ky] * inW * c + col] * yW[ky];
                            acc += v * xW[j][kx];
                        }
                        out[o] = acc;
                    }
                }
            }
        }
        return Val.floats(out, outShape);
    }

    /**
     * SpaceToBatchND: pads the M block dimensions after the batch, then moves each position within a block to the
     * batch, block offsets (first dimension slowest) before the original batch index.
     */
    static Val spaceToBatch(Val x, int[] block, int[] paddings) {
        int mDims = block.length;
        checkBlocks(x, block, paddings, "paddings");
        int batch = x.shape[0];
        int[] outShape = x.shape.clone();
        int blocks = 1;
        for (int d = 0; d < mDims; d++) {
            int before = paddings[2 * d], after = paddings[2 * d + 1];
            if (before < 0 || after < 0) throw new GraphException("negative paddings " + Arrays.toString(paddings));
            long padded = (long) x.shape[d + 1] + before + after;
            if (padded % block[d] != 0) {
                throw new GraphException("padded size " + padded + " of dimension " + (d + 1) + " is not a multiple of block size " + block[d]);
            }
            outShape[d + 1] = (int) (padded / block[d]);
            blocks = Math.multiplyExact(blocks, block[d]);
        }
        outShape[0] = Math.multiplyExact(batch, blocks);
        int size = x.size();
        int[] idx = new int[Shapes.size(outShape)];
        if (idx.length == 0) return Val.zeros(x.dtype, outShape);
        int[] inStrides = Shapes.strides(x.shape);
        int inner = inStrides[mDims];
        int[] coord = new int[mDims];
        int o = 0;
        int outerCount = idx.length / inner;
        for (int outer = 0; outer < outerCount; outer++) {
            int rest = outer;
            for (int d = mDims - 1; d >= 0; d--) {
                coord[d] = rest % outShape[d + 1];
                rest /= outShape[d + 1];
            }
            int b = rest % batch, offset = rest / batch;
            int src = b * inStrides[0];
            for (int d = mDims - 1; d >= 0 && src >= 0; d--) {
                int pos = coord[d] * block[d] + offset % block[d] - paddings[2 * d];
                offset /= block[d];
                if (pos < 0 || pos >= x.shape[d + 1]) src = -1;
                else src += pos * inStrides[d + 1];
            }
            // Padding reads the zero appended after the input's elements.
            for (int k = 0; k < inner; k++) idx[o++] = src < 0 ? size : src + k;
        }
        Val withZero = ArrayOps.concat(new Val[] {x.reshape(new int[] {size}), Val.zeros(x.dtype, new int[] {1})}, 0);
        return ArrayOps.take(withZero, idx, outShape);
    }

    /** BatchToSpaceND: the inverse of {@link #spaceToBatch}, cropping instead of padding. */
    static Val batchToSpace(Val x, int[] block, int[] crops) {
        int mDims = block.length;
        checkBlocks(x, block, crops, "crops");
        int blocks = 1;
        for (int b : block) blocks = Math.multiplyExact(blocks, b);
        if (x.shape[0] % blocks != 0) throw new GraphException("batch " + x.shape[0] + " is not a multiple of the block count " + blocks);
        int batch = x.shape[0] / blocks;
        int[] outShape = x.shape.clone();
        outShape[0] = batch;
        for (int d = 0; d < mDims; d++) {
            long full = (long) x.shape[d + 1] * block[d];
            long cropped = full - crops[2 * d] - crops[2 * d + 1];
            if (crops[2 * d] < 0 || crops[2 * d + 1] < 0 || cropped < 0) {
                throw new GraphException("crops " + Arrays.toString(crops) + " do not fit dimension " + (d + 1) + " of " + Shapes.str(x.shape));
            }
            outShape[d + 1] = Math.toIntExact(cropped);
        }
        int[] idx = new int[Shapes.size(outShape)];
        int[] inStrides = Shapes.strides(x.shape);
        int inner = inStrides[mDims];
        int[] coord = new int[mDims];
        int o = 0;
        int outerCount = inner == 0 ? 0 : idx.length / inner;
        for (int outer = 0; outer < outerCount; outer++) {
            int rest = outer;
            for (int d = mDims - 1; d >= 0; d--) {
                coord[d] = rest % outShape[d + 1];
                rest /= outShape[d + 1];
            }
            int b = rest;
            int offset = 0, src = 0;
            for (int d = 0; d < mDims; d++) {
                int pos = coord[d] + crops[2 * d];
                offset = offset * block[d] + pos % block[d];
                src += (pos / block[d]) * inStrides[d + 1];
            }
            src += (offset * batch + b) * inStrides[0];
            for (int k = 0; k < inner; k++) idx[o++] = src + k;
        }
        return ArrayOps.take(x, idx, outShape);
    }

    private static void checkBlocks(Val x, int[] block, int[] pads, String what) {
        if (block.length < 1 || x.rank() < block.length + 1) {
            throw new GraphException("block_shape " + Arrays.toString(block) + " does not fit input " + Shapes.str(x.shape));
        }
        if (pads.length != 2 * block.length) {
            throw new GraphException(what + " " + Arrays.toString(pads) + " must have 2 entries for each of " + block.length + " block dimensions");
        }
        for (int b : block) if (b < 1) throw new GraphException("block_shape " + Arrays.toString(block) + " must be positive");
    }

    /**
     * ImageProjectiveTransformV2/V3: each output pixel (x, y) samples the input at
     * ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k) with k = c0 x + c1 y + 1, the coordinates first mapped into
     * the image by fill_mode; pixels read outside the input, and every pixel where k = 0, are fill_value.
     */
    static Val projectiveTransform(Node n, Val images, Val transforms, Val outputShape, float fillValue) {
        requireImages(images);
        String interpolation = n.s("interpolation", null);
        if (interpolation == null) throw new GraphException("attribute 'interpolation' is missing");
        boolean bilinear = switch (interpolation) {
            case "NEAREST" -> false;
            case "BILINEAR" -> true;
            default -> throw new GraphException("interpolation '" + interpolation + "' is not supported (NEAREST or BILINEAR)");
        };
        String fillMode = n.s("fill_mode", "CONSTANT");
        if (!Arrays.asList("REFLECT", "WRAP", "CONSTANT", "NEAREST").contains(fillMode)) {
            throw new GraphException("fill_mode '" + fillMode + "' is not supported (REFLECT, WRAP, CONSTANT or NEAREST)");
        }
        int batch = images.shape[0], inH = images.shape[1], inW = images.shape[2], c = images.shape[3];
        if (transforms.rank() != 2 || transforms.shape[1] != 8 || (transforms.shape[0] != 1 && transforms.shape[0] != batch)) {
            throw new GraphException("transforms of shape " + Shapes.str(transforms.shape) + " must be [1, 8] or [" + batch + ", 8]");
        }
        int[] size = size(outputShape);
        float[] t = asFloats(transforms);
        float[] x = asFloats(images);
        int[] outShape = {batch, size[0], size[1], c};
        float[] out = new float[Shapes.size(outShape)];
        int o = 0;
        for (int b = 0; b < batch; b++) {
            int tb = transforms.shape[0] == 1 ? 0 : b * 8;
            int image = b * inH * inW * c;
            for (int oy = 0; oy < size[0]; oy++) {
                for (int ox = 0; ox < size[1]; ox++, o += c) {
                    float projection = t[tb + 6] * ox + t[tb + 7] * oy + 1f;
                    if (projection == 0) {
                        Arrays.fill(out, o, o + c, fillValue);
                        continue;
                    }
                    float inX = (t[tb] * ox + t[tb + 1] * oy + t[tb + 2]) / projection;
                    float inY = (t[tb + 3] * ox + t[tb + 4] * oy + t[tb + 5]) / projection;
                    // CONSTANT keeps coordinates outside; reads there (whole or as bilinear neighbours) get fill_value.
                    float mx = mapCoordinate(fillMode, inX, inW), my = mapCoordinate(fillMode, inY, inH);
                    for (int ch = 0; ch < c; ch++) {
                        if (!bilinear) {
                            out[o + ch] = read(x, image, inH, inW, c, roundHalfAway(my), roundHalfAway(mx), ch, fillValue);
                            continue;
                        }
                        float yFloor = (float) Math.floor(my), xFloor = (float) Math.floor(mx);
                        float yCeil = yFloor + 1, xCeil = xFloor + 1;
                        float top = (xCeil - mx) * read(x, image, inH, inW, c, (long) yFloor, (long) xFloor, ch, fillValue)
                                + (mx - xFloor) * read(x, image, inH, inW, c, (long) yFloor, (long) xCeil, ch, fillValue);
                        float bottom = (xCeil - mx) * read(x, image, inH, inW, c, (long) yCeil, (long) xFloor, ch, fillValue)
                                + (mx - xFloor) * read(x, image, inH, inW, c, (long) yCeil, (long) xCeil, ch, fillValue);
                        out[o + ch] = (yCeil - my) * top + (my - yFloor) * bottom;
                    }
                }
            }
        }
        if (DTypes.isFloat(images.dtype)) return Windows.floats(images.dtype, outShape, out);
        return DTypes.cast(Val.floats(out, outShape), images.dtype);
    }

    private static float fillValue(Val v) {
        if (v.size() != 1) throw new GraphException("fill_value of shape " + Shapes.str(v.shape) + " must be a scalar");
        return (float) v.getDouble(0);
    }

    private static long roundHalfAway(float v) { return (long) (v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5)); }

    private static float read(float[] x, int image, int h, int w, int c, long y, long xx, int ch, float fill) {
        return y >= 0 && y < h && xx >= 0 && xx < w ? x[image + (int) ((y * w + xx) * c) + ch] : fill;
    }

    /** TensorFlow's MapCoordinate: reflect, wrap or clamp a source coordinate into [0, len - 1]. */
    static float mapCoordinate(String mode, float coord, int len) {
        float in = coord;
        switch (mode) {
            case "CONSTANT":
                return coord;
            case "NEAREST":
                return clamp(coord, len);
            case "REFLECT":
                if (in < 0) {
                    if (len <= 1) in = 0;
                    else {
                        long sz2 = 2L * len;
                        if (in < sz2) in = sz2 * (long) (-in / sz2) + in;
                        in = in < -len ? in + sz2 : -in - 1;
                    }
                } else if (in > len - 1) {
                    if (len <= 1) in = 0;
                    else {
                        long sz2 = 2L * len;
                        in -= sz2 * (long) (in / sz2);
                        if (in >= len) in = sz2 - in - 1;
                    }
                }
                return clamp(in, len);
            default: // WRAP
                if (in < 0) {
                    if (len <= 1) in = 0;
                    else {
                        long sz = len - 1;
                        in += len * ((long) (-in / sz) + 1);
                    }
                } else if (in > len - 1) {
                    if (len <= 1) in = 0;
                    else {
                        long sz = len - 1;
                        in -= len * (long) (in / sz);
                    }
                }
                return clamp(in, len);
        }
    }

    private static float clamp(float v, int len) { return Math.min(Math.max(v, 0f), len - 1); }

    /** RGBToHSV over the last dimension (size 3), in float as TensorFlow computes it; hue in [0, 1). */
    static Val rgbToHsv(Val images) {
        float[] x = colorInput(images);
        float[] out = new float[x.length];
        for (int k = 0; k < x.length; k += 3) {
            float r = x[k], g = x[k + 1], b = x[k + 2];
            float v = Math.max(r, Math.max(g, b));
            float range = v - Math.min(r, Math.min(g, b));
            float s = v > 0 ? range / v : 0;
            float norm = (1f / range) * (1f / 6f);
            float h = r == v ? norm * (g - b) : g == v ? norm * (b - r) + 2f / 6f : norm * (r - g) + 4f / 6f;
            if (!(range > 0)) h = 0;
            if (h < 0) h += 1;
            out[k] = h;
            out[k + 1] = s;
            out[k + 2] = v;
        }
        return Windows.floats(images.dtype, images.shape, out);
    }

    /** HSVToRGB over the last dimension (size 3), TensorFlow's piecewise-linear form. */
    static Val hsvToRgb(Val images) {
        float[] x = colorInput(images);
        float[] out = new float[x.length];
        for (int k = 0; k < x.length; k += 3) {
            float h = x[k], s = x[k + 1], v = x[k + 2];
            float dh = h * 6f;
            float dr = Math.min(Math.max(Math.abs(dh - 3f) - 1f, 0f), 1f);
            float dg = Math.min(Math.max(-Math.abs(dh - 2f) + 2f, 0f), 1f);
            float db = Math.min(Math.max(-Math.abs(dh - 4f) + 2f, 0f), 1f);
            float oneS = -s + 1f;
            out[k] = (oneS + s * dr) * v;
            out[k + 1] = (oneS + s * dg) * v;
            out[k + 2] = (oneS + s * db) * v;
        }
        return Windows.floats(images.dtype, images.shape, out);
    }

    /**
     * AdjustContrastv2: per image and channel, {@code (x - mean) * factor + mean} with the mean over height and
     * width (the last three dimensions are height, width, channels).
     */
    static Val adjustContrast(Val images, Val factor) {
        Windows.requireFloat(images, "images");
        if (images.rank() < 3) throw new GraphException("images of shape " + Shapes.str(images.shape) + " must be at least 3-D");
        if (factor.size() != 1) throw new GraphException("contrast_factor of shape " + Shapes.str(factor.shape) + " must be a scalar");
        float f = (float) factor.getDouble(0);
        int rank = images.rank();
        int channels = images.shape[rank - 1];
        int pixels = images.shape[rank - 3] * images.shape[rank - 2];
        float[] x = images.f(), out = new float[x.length];
        int image = pixels * channels;
        int count = image == 0 ? 0 : x.length / image;
        double[] sum = new double[channels];
        float[] mean = new float[channels];
        for (int b = 0; b < count; b++) {
            int base = b * image;
            java.util.Arrays.fill(sum, 0);
            for (int k = 0; k < image; k++) sum[k % channels] += x[base + k];
            for (int c = 0; c < channels; c++) mean[c] = (float) (sum[c] / pixels);
            for (int k = 0; k < image; k++) {
                float mu = mean[k % channels];
                out[base + k] = (x[base + k] - mu) * f + mu;
            }
        }
        return Windows.floats(images.dtype, images.shape, out);
    }

    private static float[] colorInput(Val images) {
        Windows.requireFloat(images, "images");
        if (images.rank() < 1 || images.shape[images.rank() - 1] != 3) {
            throw new GraphException("images of shape " + Shapes.str(images.shape) + " must have 3 channels last");
        }
        return images.f();
    }
}
