package io.keras4j.runtime.layers;

import io.keras4j.UnsupportedModelException;
import io.keras4j.json.JsonNumber;
import io.keras4j.json.JsonValue;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;

/**
 * Numeric categorical preprocessing: {@code Discretization} with given {@code bin_boundaries} ({@code int} output:
 * the bucket index, the number of boundaries at or below the value, as TensorFlow's {@code Bucketize}) and
 * {@code CategoryEncoding} ({@code multi_hot} and {@code count} over the last axis of a rank-2 input,
 * {@code one_hot}). Ids outside {@code [0, num_tokens)} fail, as Keras's TensorFlow kernels do.
 */
final class CategoricalOps {
    private CategoricalOps() {}

    static UnaryArrayOp discretization(LayerSpec spec) {
        JsonValue bounds = spec.config().get("bin_boundaries");
        if (!bounds.isArray()) throw Configs.unsupported(spec, "a Discretization without bin_boundaries (adapted bins)");
        String mode = Configs.string(spec, "output_mode", "int");
        if (!mode.equals("int")) throw Configs.unsupported(spec, "output_mode '" + mode + "'");
        float[] boundaries = new float[bounds.asArray().size()];
        for (int i = 0; i < boundaries.length; i++) {
            if (!(bounds.asArray().get(i) instanceof JsonNumber n)) throw Configs.bad(spec, "bin_boundaries", "holds a non-number");
            boundaries[i] = (float) n.doubleValue();
        }
        return new UnaryArrayOp(spec) {
            @Override long[] outputShape(long[] in) { return in.clone(); }

            @Override Mask outputMask(Value in) { return null; }

            @Override NdArray forward(NdArray x, CallContext ctx) {
                float[] src = x.data(), out = new float[src.length];
                for (int i = 0; i < src.length; i++) {
                    int bucket = 0;
                    while (bucket < boundaries.length && src[i] >= boundaries[bucket]) bucket++;
                    out[i] = bucket;
                }
                return NdArray.wrap(out, x.shape());
            }
        };
    }

    static UnaryArrayOp categoryEncoding(LayerSpec spec) {
        int tokens = Configs.requiredInt(spec, "num_tokens");
        String mode = Configs.string(spec, "output_mode", "multi_hot");
        if (Configs.flag(spec, "sparse", false)) throw Configs.unsupported(spec, "sparse=True");
        if (!mode.equals("multi_hot") && !mode.equals("count") && !mode.equals("one_hot")) {
            throw Configs.unsupported(spec, "output_mode '" + mode + "'");
        }
        return new UnaryArrayOp(spec) {
            /** one_hot adds an axis unless the last one has length 1; the other modes replace the last axis. */
            private boolean appends(long[] in) { return mode.equals("one_hot") && (in.length == 1 || in[in.length - 1] != 1); }

            @Override long[] outputShape(long[] in) {
                if (!mode.equals("one_hot") && in.length != 2) {
                    throw Configs.unsupported(spec, output() + " of a rank-" + in.length + " input (rank 2 is implemented)");
                }
                long[] out = appends(in) ? java.util.Arrays.copyOf(in, in.length + 1) : in.clone();
                out[out.length - 1] = tokens;
                return out;
            }

            private String output() { return "output_mode '" + mode + "'"; }

            @Override Mask outputMask(Value in) { return null; }

            @Override NdArray forward(NdArray x, CallContext ctx) {
                long[] inShape = new long[x.rank()];
                for (int i = 0; i < inShape.length; i++) inShape[i] = x.dim(i);
                long[] outShape = outputShape(inShape);
                int[] shape = new int[outShape.length];
                for (int i = 0; i < shape.length; i++) shape[i] = (int) outShape[i];
                float[] ids = x.data(), out = new float[NdArray.sizeOf(shape)];
                int group = mode.equals("one_hot") ? 1 : x.dim(-1);
                for (int i = 0; i < ids.length; i++) {
                    int id = (int) ids[i];
                    if (id != ids[i] || id < 0 || id >= tokens) {
                        throw new UnsupportedModelException("layer '" + spec.name() + "' (CategoryEncoding): input value "
                                + ids[i] + " at position " + i + " is not a token id in [0, " + tokens + ")");
                    }
                    int row = i / group;
                    if (mode.equals("count")) out[row * tokens + id] += 1f;
                    else out[row * tokens + id] = 1f;
                }
                return NdArray.wrap(out, shape);
            }
        };
    }
}
