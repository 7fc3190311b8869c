package io.keras4j.runtime.layers;

import io.keras4j.core.ApplicationLayers;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The layer classes {@code keras.applications} defines for itself ({@link ApplicationLayers}), built in. None of
 * them supports masking, so a mask ends at them.
 */
final class ApplicationLayerOps {
    private ApplicationLayerOps() {}

    /** The op of an application's own layer class, when the layer is one ({@link ApplicationLayers#identify}). */
    static Optional<Function<LayerSpec, LayerOp>> factory(LayerSpec spec) {
        return ApplicationLayers.identify(spec.className(), spec.module(), spec.config()).map(kind -> switch (kind) {
            case LAYER_SCALE -> ApplicationLayerOps::layerScale;
            case STOCHASTIC_DEPTH -> ApplicationLayerOps::stochasticDepth;
            case CUSTOM_SCALE -> ApplicationLayerOps::customScale;
        });
    }

    /** {@code LayerScale}: {@code x * gamma}, gamma of shape {@code (projection_dim,)} over the last axis. */
    static LayerOp layerScale(LayerSpec spec) {
        int dim = Configs.requiredInt(spec, "projection_dim");
        return new UnaryArrayOp(spec) {
            @Override long[] outputShape(long[] in) {
                if (in.length == 0 || (in[in.length - 1] >= 0 && in[in.length - 1] != dim)) {
                    throw Configs.bad(spec, "projection_dim", dim + " does not match the input's last axis in " + Arrays.toString(in));
                }
                return in.clone();
            }

            @Override public List<long[]> weightShapes(List<long[]> inputShapes) { return List.of(new long[] {dim}); }

            @Override Mask outputMask(Value in) { return null; }

            @Override NdArray forward(NdArray x, CallContext ctx) {
                float[] gamma = spec.floats(0), src = x.data(), out = new float[src.length];
                for (int i = 0; i < src.length; i++) out[i] = src[i] * gamma[i % dim];
                return NdArray.wrap(out, x.shape());
            }
        };
    }

    /** {@code StochasticDepth}: drops residual paths only when training; the identity at inference. */
    static LayerOp stochasticDepth(LayerSpec spec) {
        return new UnaryArrayOp(spec) {
            @Override long[] outputShape(long[] in) { return in.clone(); }

            @Override Mask outputMask(Value in) { return null; }

            @Override NdArray forward(NdArray x, CallContext ctx) { return x; }
        };
    }

    /** {@code CustomScaleLayer}: {@code inputs[0] + inputs[1] * scale}, the product rounded to float32 first, as TF does. */
    static LayerOp customScale(LayerSpec spec) {
        float scale = (float) Configs.real(spec, "scale", Double.NaN);
        if (Float.isNaN(scale)) throw Configs.bad(spec, "scale", "missing");
        return new LayerOp() {
            @Override
            public List<long[]> outputShapes(List<long[]> inputShapes) {
                check(inputShapes.size(), inputShapes.size() == 2 && sameShape(inputShapes.get(0), inputShapes.get(1)),
                        inputShapes.stream().map(Arrays::toString).toList().toString());
                return List.of(inputShapes.get(0).clone());
            }

            @Override
            public List<Value> call(List<Value> inputs, CallContext ctx) {
                NdArray a = inputs.get(0).array(), b = inputs.get(1).array();
                float[] x = a.data(), r = b.data(), out = new float[x.length];
                check(inputs.size(), Arrays.equals(a.shape(), b.shape()), Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
                for (int i = 0; i < out.length; i++) out[i] = x[i] + r[i] * scale;
                return List.of(Value.of(NdArray.wrap(out, a.shape())));
            }

            private void check(int count, boolean same, String shapes) {
                if (count != 2 || !same) {
                    throw Configs.unsupported(spec, "a scaled sum of inputs other than two of one shape: " + shapes);
                }
            }
        };
    }

    private static boolean sameShape(long[] a, long[] b) {
        if (a.length != b.length) return false;
        for (int i = 0; i < a.length; i++) if (a[i] >= 0 && b[i] >= 0 && a[i] != b[i]) return false;
        return true;
    }
}
