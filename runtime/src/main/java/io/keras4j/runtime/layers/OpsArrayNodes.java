package io.keras4j.runtime.layers;

import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Keras 3 operation nodes that reshape, fill or join tensors rather than compute them elementwise. Keras records
 * them when it derives the mask of a merge ({@code expand_dims}, {@code zeros_like}, {@code ones_like},
 * {@code concatenate}) and the mask Attention passes on ({@code convert_to_tensor}). Booleans are 1/0 as in
 * {@link OpsMathNode}.
 */
final class OpsArrayNodes {
    private OpsArrayNodes() {}

    /** The factory for an operation class, or {@code null} when it is not one of these. */
    static Function<LayerSpec, LayerOp> factory(String className) {
        return switch (className) {
            case "ExpandDims" -> OpsArrayNodes::expandDims;
            case "ZerosLike" -> spec -> filledLike(spec, 0f);
            case "OnesLike" -> spec -> filledLike(spec, 1f);
            case "Concatenate" -> ConcatenateOp::new;
            case "ConvertToTensor" -> OpsArrayNodes::convertToTensor;
            default -> null;
        };
    }

    private static LayerOp expandDims(LayerSpec spec) {
        int[] axes = Configs.axes(spec, "axis", 0);
        if (axes.length != 1) throw Configs.unsupported(spec, "expand_dims over several axes");
        return new UnaryArrayOp(spec) {
            @Override long[] outputShape(long[] in) {
                int at = Shapes.axis(axes[0], in.length + 1);
                long[] out = new long[in.length + 1];
                for (int i = 0, j = 0; i < out.length; i++) out[i] = i == at ? 1 : in[j++];
                return out;
            }

            @Override NdArray forward(NdArray in, CallContext ctx) {
                long[] shape = outputShape(Arrays.stream(in.shape()).asLongStream().toArray());
                return in.reshape(Arrays.stream(shape).mapToInt(d -> (int) d).toArray());
            }

            @Override Mask outputMask(Value in) { return null; }
        };
    }

    /** Values are float arrays already: only a conversion to bool changes them (nonzero becomes 1). */
    private static LayerOp convertToTensor(LayerSpec spec) {
        String dtype = Configs.string(spec, "dtype", "float32");
        boolean toBool = dtype.equals("bool");
        if (!toBool && !dtype.startsWith("float")) throw Configs.unsupported(spec, "conversion to " + dtype);
        return new UnaryArrayOp(spec) {
            @Override long[] outputShape(long[] in) { return in; }

            @Override NdArray forward(NdArray in, CallContext ctx) {
                if (!toBool) return in;
                float[] out = new float[in.size()];
                for (int i = 0; i < out.length; i++) out[i] = in.data()[i] != 0 ? 1f : 0f;
                return NdArray.wrap(out, in.shape());
            }
        };
    }

    private static LayerOp filledLike(LayerSpec spec, float value) {
        return new UnaryArrayOp(spec) {
            @Override long[] outputShape(long[] in) { return in; }

            @Override NdArray forward(NdArray in, CallContext ctx) {
                float[] out = new float[in.size()];
                Arrays.fill(out, value);
                return NdArray.wrap(out, in.shape());
            }

            @Override Mask outputMask(Value in) { return null; }
        };
    }
}
