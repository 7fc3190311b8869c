package io.keras4j.runtime.layers;

import io.keras4j.UnsupportedModelException;
import io.keras4j.model.Dialect;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.List;

/**
 * Keras's image preprocessing layers at inference ({@code training=False}).
 *
 * <p>The augmentation layers only transform when training: Keras 3's {@code transform_images} and tf.keras's
 * {@code call} return the input unchanged otherwise ({@link #INFERENCE_IDENTITY}). The others resize or crop at
 * inference too: {@code Resizing}, {@code CenterCrop}, and tf.keras's {@code RandomCrop}, which at inference
 * always takes the {@code smart_resize} branch (Keras 3's RandomCrop is the identity then), and
 * {@code AutoContrast}. ({@code MaxNumBoundingBoxes} pads bounding boxes only: images pass unchanged.)
 *
 * <p>Like Keras, these layers read a rank-3 input as one unbatched image ({@code (height, width, channels)} or
 * {@code (channels, height, width)}) and a rank-4 input as a batch of images; a model declared with an input of
 * shape {@code (5, 3)} hands them its batch axis as the image's height, and so does this op.
 */
final class ImagePreprocessingOps {
    private ImagePreprocessingOps() {}

    /** Classes whose inference call returns its input (checked in Keras 3.15 and tf_keras 2.21 sources). */
    static final List<String> INFERENCE_IDENTITY = List.of("RandomFlip", "RandomRotation", "RandomZoom",
            "RandomTranslation", "RandomContrast", "RandomBrightness", "RandomShear", "RandomHue", "RandomSaturation",
            "RandomSharpness", "RandomPosterization", "RandomGrayscale", "RandomInvert", "RandomErasing",
            "RandomGaussianBlur", "RandomPerspective", "RandomElasticTransform", "RandomColorJitter",
            "RandomColorDegeneration", "AugMix", "RandAugment", "MixUp", "CutMix", "Solarization",
            "RandomHeight", "RandomWidth", "MaxNumBoundingBoxes");

    /** The identity of an augmentation layer; Keras's image layers do not support masking, so the mask ends. */
    static UnaryArrayOp inferenceIdentity(LayerSpec spec) {
        return new UnaryArrayOp(spec) {
            @Override long[] outputShape(long[] in) { return in.clone(); }

            @Override NdArray forward(NdArray in, CallContext ctx) { return in; }

            @Override Mask outputMask(Value in) { return null; }
        };
    }

    static UnaryArrayOp resizing(LayerSpec spec) {
        String interpolation = Configs.string(spec, "interpolation", "bilinear");
        if (!interpolation.equals("bilinear")) {
            throw Configs.unsupported(spec, "interpolation '" + interpolation + "' (only bilinear is implemented)");
        }
        if (Configs.flag(spec, "antialias", false)) throw Configs.unsupported(spec, "antialias=True");
        if (Configs.flag(spec, "pad_to_aspect_ratio", false)) throw Configs.unsupported(spec, "pad_to_aspect_ratio=True");
        Mode mode = Configs.flag(spec, "crop_to_aspect_ratio", false) ? Mode.SMART_RESIZE : Mode.RESIZE;
        return new ImageResize(spec, mode);
    }

    static UnaryArrayOp centerCrop(LayerSpec spec) { return new ImageResize(spec, Mode.CENTER_CROP); }

    static UnaryArrayOp randomCrop(LayerSpec spec) {
        return spec.sourceDialect() == Dialect.KERAS3 ? inferenceIdentity(spec) : new ImageResize(spec, Mode.SMART_RESIZE);
    }

    /**
     * Keras 3's {@code AutoContrast}: per image and channel, values stretched so the minimum maps to 0 and the
     * maximum to 255 of {@code value_range}, clipped; a constant channel (NaN from 0/0) keeps its input. Keras reduces
     * over axes 1 and 2 of the batched image whatever the data format, and so does this op.
     */
    static UnaryArrayOp autoContrast(LayerSpec spec) {
        float[] range = valueRange(spec);
        return new UnaryArrayOp(spec) {
            @Override long[] outputShape(long[] in) {
                if (in.length != 3 && in.length != 4) {
                    throw new UnsupportedModelException("layer '" + spec.name() + "' (AutoContrast) takes an image of rank 3 "
                            + "or a batch of rank 4; got shape " + java.util.Arrays.toString(in));
                }
                return in.clone();
            }

            @Override Mask outputMask(Value in) { return null; }

            @Override NdArray forward(NdArray x, CallContext ctx) {
                int[] s = x.shape();
                outputShape(new long[s.length]);
                int n = s.length == 4 ? s[0] : 1, a = s[s.length - 3], b = s[s.length - 2], c = s[s.length - 1];
                float[] src = x.data(), out = new float[src.length];
                for (int img = 0; img < n; img++) {
                    int base = img * a * b * c;
                    for (int ch = 0; ch < c; ch++) {
                        float low = Float.POSITIVE_INFINITY, high = Float.NEGATIVE_INFINITY;
                        for (int p = 0; p < a * b; p++) {
                            float v = toUnit(src[base + p * c + ch], range[0], range[1], 0f, 255f);
                            low = Math.min(low, v);
                            high = Math.max(high, v);
                        }
                        float scale = 255f / (high - low), offset = -low * scale;
                        for (int p = 0; p < a * b; p++) {
                            int i = base + p * c + ch;
                            float v = toUnit(src[i], range[0], range[1], 0f, 255f) * scale + offset;
                            v = Math.min(Math.max(v, 0f), 255f);
                            v = toUnit(v, 0f, 255f, range[0], range[1]);
                            out[i] = Float.isNaN(v) ? src[i] : v;
                        }
                    }
                }
                return NdArray.wrap(out, s);
            }
        };
    }

    static float[] valueRange(LayerSpec spec) {
        var v = spec.config().get("value_range");
        if (v.isNull()) return new float[] {0f, 255f};
        if (!v.isArray() || v.asArray().size() != 2 || !(v.asArray().get(0) instanceof io.keras4j.json.JsonNumber lo)
                || !(v.asArray().get(1) instanceof io.keras4j.json.JsonNumber hi)) {
            throw Configs.bad(spec, "value_range", "expected two numbers, got " + v.toJson());
        }
        return new float[] {(float) lo.doubleValue(), (float) hi.doubleValue()};
    }

    /**
     * Keras's {@code _transform_value_range}: the identity when the ranges are equal, else
     * {@code (x - from_lo) / (from_hi - from_lo) * (to_hi - to_lo) + to_lo} in float32.
     */
    private static float toUnit(float x, float fromLo, float fromHi, float toLo, float toHi) {
        if (fromLo == toLo && fromHi == toHi) return x;
        return (x - fromLo) / (fromHi - fromLo) * (toHi - toLo) + toLo;
    }

    private enum Mode {
        /** Bilinear resize of the whole image. */
        RESIZE,
        /** The largest centred window of the target's aspect ratio, resized bilinearly ({@code smart_resize}). */
        SMART_RESIZE,
        /** A centred crop when the image is at least the target size on both axes, else {@link #SMART_RESIZE}. */
        CENTER_CROP
    }

    private static final class ImageResize extends UnaryArrayOp {
        private final Mode mode;
        private final int height;
        private final int width;
        private final boolean channelsFirst;

        ImageResize(LayerSpec spec, Mode mode) {
            super(spec);
            this.mode = mode;
            this.height = Configs.requiredInt(spec, "height");
            this.width = Configs.requiredInt(spec, "width");
            this.channelsFirst = Configs.channelsFirst(spec);
            if (height <= 0 || width <= 0) throw Configs.bad(spec, "height", "target size must be positive");
        }

        /** Axes of height and width in a shape of this rank. */
        private int heightAxis(int rank) { return channelsFirst ? rank - 2 : rank - 3; }

        @Override long[] outputShape(long[] in) {
            if (in.length != 3 && in.length != 4) {
                throw new UnsupportedModelException("layer '" + spec.name() + "' (" + spec.className()
                        + ") takes an image of rank 3 or a batch of rank 4; got shape " + java.util.Arrays.toString(in));
            }
            long[] out = in.clone();
            out[heightAxis(in.length)] = height;
            out[heightAxis(in.length) + 1] = width;
            return out;
        }

        @Override Mask outputMask(Value in) { return null; }

        @Override NdArray forward(NdArray x, CallContext ctx) {
            int rank = x.rank();
            outputShape(toLongs(x.shape()));
            int hAxis = heightAxis(rank), cAxis = channelsFirst ? rank - 3 : rank - 1;
            int n = rank == 4 ? x.dim(0) : 1, h = x.dim(hAxis), w = x.dim(hAxis + 1), c = x.dim(cAxis);
            if (h == 0 || w == 0) {
                throw new EmptyOutputException("layer '" + spec.name() + "' (" + spec.className() + ") got an image of "
                        + h + "x" + w + " pixels; nothing to resize");
            }
            int[] window = window(h, w);
            int[] outShape = x.shape();
            outShape[hAxis] = height;
            outShape[hAxis + 1] = width;
            float[] out = new float[NdArray.sizeOf(outShape)];
            // Strides of (image, row, column, channel) in the input and output layouts.
            int inImage = h * w * c, outImage = height * width * c;
            int inRow = channelsFirst ? w : w * c, outRow = channelsFirst ? width : width * c;
            int col = channelsFirst ? 1 : c, inChannel = channelsFirst ? h * w : 1, outChannel = channelsFirst ? height * width : 1;
            float[] src = x.data();
            if (window[2] == height && window[3] == width) {
                for (int b = 0; b < n; b++) {
                    for (int y = 0; y < height; y++) {
                        for (int v = 0; v < width; v++) {
                            int from = b * inImage + (window[0] + y) * inRow + (window[1] + v) * col;
                            int to = b * outImage + y * outRow + v * col;
                            for (int ch = 0; ch < c; ch++) out[to + ch * outChannel] = src[from + ch * inChannel];
                        }
                    }
                }
                return NdArray.wrap(out, outShape);
            }
            BilinearSamples rows = BilinearSamples.of(window[2], height), cols = BilinearSamples.of(window[3], width);
            for (int b = 0; b < n; b++) {
                for (int y = 0; y < height; y++) {
                    int top = b * inImage + (window[0] + rows.lower()[y]) * inRow;
                    int bottom = b * inImage + (window[0] + rows.upper()[y]) * inRow;
                    for (int v = 0; v < width; v++) {
                        int left = (window[1] + cols.lower()[v]) * col, right = (window[1] + cols.upper()[v]) * col;
                        int to = b * outImage + y * outRow + v * col;
                        for (int ch = 0; ch < c; ch++) {
                            int k = ch * inChannel;
                            float topLeft = src[top + left + k], topRight = src[top + right + k];
                            float bottomLeft = src[bottom + left + k], bottomRight = src[bottom + right + k];
                            float upper = topLeft + (topRight - topLeft) * cols.lerp()[v];
                            float lower = bottomLeft + (bottomRight - bottomLeft) * cols.lerp()[v];
                            out[to + ch * outChannel] = upper + (lower - upper) * rows.lerp()[y];
                        }
                    }
                }
            }
            return NdArray.wrap(out, outShape);
        }

        /** The source window {row, column, rows, columns} that is cropped (and then resized to the target). */
        private int[] window(int h, int w) {
            int hDiff = h - height, wDiff = w - width;
            if (mode == Mode.RESIZE) return new int[] {0, 0, h, w};
            if (mode == Mode.CENTER_CROP && hDiff >= 0 && wDiff >= 0) return new int[] {hDiff / 2, wDiff / 2, height, width};
            // smart_resize: float32 arithmetic truncated to int32, as Keras's TensorFlow graph computes it.
            int cropHeight = Math.max(Math.min(h, (int) ((float) (w * height) / width)), 1);
            int cropWidth = Math.max(Math.min(w, (int) ((float) (h * width) / height)), 1);
            return new int[] {(int) ((float) (h - cropHeight) / 2), (int) ((float) (w - cropWidth) / 2), cropHeight, cropWidth};
        }

        private static long[] toLongs(int[] shape) {
            long[] out = new long[shape.length];
            for (int i = 0; i < shape.length; i++) out[i] = shape[i];
            return out;
        }
    }
}
