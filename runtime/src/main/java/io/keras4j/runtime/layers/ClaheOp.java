package io.keras4j.runtime.layers;

import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;

/**
 * Keras 3's {@code ContrastLimitedAdaptiveHistogramEqualization}, which equalizes at inference too, step for step as
 * its {@code _clahe} in float32: values scaled from {@code value_range} to [0, 255]; the image padded symmetrically at
 * the bottom and right to whole tiles of a {@code tile_grid_size} grid; per tile and channel a 256-bin histogram of the
 * values truncated to integers, clipped at {@code clip_limit * tile_pixels / 256} with the excess spread evenly; its
 * cumulative sum normalized to [0, 255]; each pixel mapped by bilinear interpolation between the four nearest tiles'
 * mappings (edge tiles repeated), and scaled back to {@code value_range}. A rank-3 input is one unbatched image.
 */
final class ClaheOp extends UnaryArrayOp {
    private final float[] range;
    private final double clipLimit;
    private final int gridH;
    private final int gridW;
    private final boolean channelsFirst;

    ClaheOp(LayerSpec spec) {
        super(spec);
        this.range = ImagePreprocessingOps.valueRange(spec);
        this.clipLimit = Configs.real(spec, "clip_limit", 4.0);
        int[] grid = Configs.tuple(spec, "tile_grid_size", 2, 8);
        if (grid[0] < 1 || grid[1] < 1) throw Configs.bad(spec, "tile_grid_size", "must be positive, not " + java.util.Arrays.toString(grid));
        this.gridH = grid[0];
        this.gridW = grid[1];
        this.channelsFirst = Configs.channelsFirst(spec);
    }

    @Override long[] outputShape(long[] in) {
        if (in.length != 3 && in.length != 4) {
            throw new io.keras4j.UnsupportedModelException("layer '" + spec.name() + "' (" + spec.className()
                    + ") takes images of rank 3 or 4, not rank " + in.length);
        }
        return in.clone();
    }

    @Override Mask outputMask(Value in) { return null; }

    @Override NdArray forward(NdArray x, CallContext ctx) {
        int[] s = x.shape();
        boolean batched = s.length == 4;
        int o = batched ? 1 : 0;
        int batch = batched ? s[0] : 1;
        int h = channelsFirst ? s[o + 1] : s[o], w = channelsFirst ? s[o + 2] : s[o + 1], c = channelsFirst ? s[o] : s[o + 2];
        float[] src = x.data(), out = new float[src.length];
        int tileH = (h + gridH - 1) / gridH, tileW = (w + gridW - 1) / gridW;
        int padH = tileH * gridH - h, padW = tileW * gridW - w;
        if (padH > h || padW > w) {
            // TensorFlow's symmetric padding reflects at most the whole axis once.
            throw new io.keras4j.UnsupportedModelException("layer '" + spec.name() + "' (" + spec.className() + "): an image of "
                    + h + "x" + w + " cannot be padded symmetrically to whole tiles of a " + gridH + "x" + gridW + " grid");
        }
        int hp = h + padH, wp = w + padW;
        float limit = (float) (clipLimit * (tileH * tileW) / 256.0);
        float[][] cdf = new float[(gridH + 2) * (gridW + 2)][];
        for (int b = 0; b < batch; b++) {
            for (int ch = 0; ch < c; ch++) {
                // The channel in [0, 255], padded.
                float[] img = new float[hp * wp];
                for (int y = 0; y < hp; y++) {
                    int sy = y < h ? y : 2 * h - 1 - y;
                    for (int xx = 0; xx < wp; xx++) {
                        int sx = xx < w ? xx : 2 * w - 1 - xx;
                        int at = channelsFirst ? ((b * c + ch) * h + sy) * w + sx : ((b * h + sy) * w + sx) * c + ch;
                        img[y * wp + xx] = toRange(src[at], range[0], range[1], 0f, 255f);
                    }
                }
                for (int gy = 0; gy < gridH; gy++) {
                    for (int gx = 0; gx < gridW; gx++) {
                        float[] hist = new float[256];
                        for (int y = gy * tileH; y < (gy + 1) * tileH; y++) {
                            for (int xx = gx * tileW; xx < (gx + 1) * tileW; xx++) {
                                hist[Math.min(Math.max(truncate(img[y * wp + xx]), 0), 255)] += 1f;
                            }
                        }
                        cdf[(gy + 1) * (gridW + 2) + gx + 1] = mapping(hist, limit, tileH * tileW);
                    }
                }
                // Edge tiles repeated: rows first, then columns (corners from the repeated rows).
                for (int gx = 1; gx <= gridW; gx++) {
                    cdf[gx] = cdf[(gridW + 2) + gx];
                    cdf[(gridH + 1) * (gridW + 2) + gx] = cdf[gridH * (gridW + 2) + gx];
                }
                for (int gy = 0; gy < gridH + 2; gy++) {
                    cdf[gy * (gridW + 2)] = cdf[gy * (gridW + 2) + 1];
                    cdf[gy * (gridW + 2) + gridW + 1] = cdf[gy * (gridW + 2) + gridW];
                }
                for (int y = 0; y < h; y++) {
                    float yg = ((float) y - tileH / 2.0f) / tileH + 1.0f;
                    float y0f = (float) Math.floor(yg);
                    float wy = yg - y0f;
                    int y0 = clamp(y0f, gridH + 1), y1 = clamp(y0f + 1f, gridH + 1);
                    for (int xx = 0; xx < w; xx++) {
                        float xg = ((float) xx - tileW / 2.0f) / tileW + 1.0f;
                        float x0f = (float) Math.floor(xg);
                        float wx = xg - x0f;
                        int x0 = clamp(x0f, gridW + 1), x1 = clamp(x0f + 1f, gridW + 1);
                        float v = img[y * wp + xx];
                        if (Float.isNaN(v)) {
                            throw new io.keras4j.UnsupportedModelException("layer '" + spec.name() + "' (" + spec.className()
                                    + "): a NaN input value has no histogram bin");
                        }
                        int pixel = truncate(Math.min(Math.max(v, 0f), 255f));
                        float nw = cdf[y0 * (gridW + 2) + x0][pixel], ne = cdf[y0 * (gridW + 2) + x1][pixel];
                        float sw = cdf[y1 * (gridW + 2) + x0][pixel], se = cdf[y1 * (gridW + 2) + x1][pixel];
                        float top = nw * (1.0f - wx) + ne * wx;
                        float bottom = sw * (1.0f - wx) + se * wx;
                        float r = top * (1.0f - wy) + bottom * wy;
                        int at = channelsFirst ? ((b * c + ch) * h + y) * w + xx : ((b * h + y) * w + xx) * c + ch;
                        out[at] = toRange(r, 0f, 255f, range[0], range[1]);
                    }
                }
            }
        }
        return NdArray.wrap(out, s);
    }

    /** A tile's histogram clipped, its excess spread evenly, as a cumulative mapping onto [0, 255]. */
    private float[] mapping(float[] hist, float limit, int pixels) {
        if (clipLimit > 0) {
            float excess = 0f;
            for (int i = 0; i < 256; i++) {
                float clipped = Math.min(Math.max(hist[i], 0f), limit);
                excess += hist[i] - clipped;
                hist[i] = clipped;
            }
            float redistributed = excess / 256.0f;
            for (int i = 0; i < 256; i++) hist[i] += redistributed;
        }
        float[] cdf = new float[256];
        float sum = 0f, min = Float.POSITIVE_INFINITY;
        for (int i = 0; i < 256; i++) {
            sum += hist[i];
            cdf[i] = sum;
            min = Math.min(min, sum);
        }
        float denominator = (float) pixels - min;
        if (denominator == 0f) denominator = 1f;
        for (int i = 0; i < 256; i++) cdf[i] = Math.min(Math.max((cdf[i] - min) * 255.0f / denominator, 0f), 255f);
        return cdf;
    }

    private static int clamp(float index, int max) { return (int) Math.min(Math.max(index, 0f), (float) max); }

    /**
     * TensorFlow's float to int32 cast on x86: truncation toward zero, and the "integer indefinite" (int32's minimum)
     * for NaN and values outside int32, which the clip to [0, 255] that follows takes to 0.
     */
    private static int truncate(float v) {
        if (Float.isNaN(v) || v >= 0x1p31f || v < -0x1p31f) return Integer.MIN_VALUE;
        return (int) v;
    }

    /** Keras's {@code _transform_value_range} in float32 (the identity between equal ranges). */
    private static float toRange(float x, float fromLo, float fromHi, float toLo, float toHi) {
        if (fromLo == toLo && fromHi == toHi) return x;
        return (x - fromLo) / (fromHi - fromLo) * (toHi - toLo) + toLo;
    }
}
