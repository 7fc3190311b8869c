package io.keras4j.runtime.layers;

import io.keras4j.UnsupportedModelException;
import io.keras4j.json.JsonNumber;
import io.keras4j.json.JsonValue;
import java.nio.charset.StandardCharsets;
import io.keras4j.runtime.math.FarmHash;
import io.keras4j.runtime.math.SipHash;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;

/**
 * Numeric categorical preprocessing: {@code Discretization} with given {@code bin_boundaries} ({@code int} output:
 * the bucket index, the number of boundaries at or below the value, as TensorFlow's {@code Bucketize}) and
 * {@code CategoryEncoding} ({@code multi_hot} and {@code count} over the last axis of a rank-2 input,
 * {@code one_hot}). Ids outside {@code [0, num_tokens)} fail, as Keras's TensorFlow kernels do. {@code Hashing}
 * ({@code int} output) buckets numbers as Keras does: a float is truncated to an integer, the integer's decimal text
 * is hashed (FarmHash Fingerprint64, or SipHash keyed by {@code salt}) modulo the bins, with bin 0 kept for
 * {@code mask_value} when one is given.
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

    static UnaryArrayOp hashing(LayerSpec spec) {
        long bins = Configs.requiredInt(spec, "num_bins");
        if (bins < 1) throw Configs.bad(spec, "num_bins", "is " + bins + ", not a positive number of bins");
        // Bin ids travel as floats, exact up to 2^24.
        if (bins > (1 << 24)) throw Configs.unsupported(spec, "num_bins above 2^24 (" + bins + ")");
        String mode = Configs.string(spec, "output_mode", "int");
        if (!mode.equals("int")) throw Configs.unsupported(spec, "output_mode '" + mode + "'");
        JsonValue maskValue = spec.config().get("mask_value");
        Float mask = null;
        if (maskValue instanceof JsonNumber n) mask = (float) n.doubleValue();
        else if (!maskValue.isNull()) throw Configs.unsupported(spec, "a mask_value that is not a number (" + maskValue.toJson() + ")");
        long[] key = salt(spec);
        // Keras keeps bin 0 for the mask value only when there are two bins or more.
        Float maskedValue = mask != null && bins > 1 ? mask : null;
        long hashBins = maskedValue != null ? bins - 1 : bins;
        return new UnaryArrayOp(spec) {
            @Override long[] outputShape(long[] in) { return in.clone(); }

            @Override Mask outputMask(Value in) { return null; }

            @Override NdArray forward(NdArray x, CallContext ctx) {
                float[] src = x.data(), out = new float[src.length];
                for (int i = 0; i < src.length; i++) {
                    float v = src[i];
                    if (maskedValue != null && v == maskedValue) continue; // bin 0
                    if (Float.isNaN(v) || Math.abs(v) >= 0x1p63f) {
                        throw new UnsupportedModelException("layer '" + spec.name() + "' (Hashing): input value " + v
                                + " at position " + i + " has no int64 value to hash");
                    }
                    byte[] text = Long.toString((long) v).getBytes(StandardCharsets.UTF_8);
                    long hash = key == null ? FarmHash.fingerprint64(text) : SipHash.hash24(key[0], key[1], text);
                    long bin = Long.remainderUnsigned(hash, hashBins);
                    out[i] = maskedValue != null ? bin + 1 : bin;
                }
                return NdArray.wrap(out, x.shape());
            }
        };
    }

    /** The SipHash key: Keras 3 writes {@code salt} as two integers, tf.keras as given (one integer means it twice). */
    private static long[] salt(LayerSpec spec) {
        JsonValue salt = spec.config().get("salt");
        if (salt.isNull()) return null;
        if (salt instanceof JsonNumber n) return new long[] {n.longValue(), n.longValue()};
        if (salt.isArray() && salt.asArray().size() == 2 && salt.asArray().get(0) instanceof JsonNumber a
                && salt.asArray().get(1) instanceof JsonNumber b) {
            return new long[] {a.longValue(), b.longValue()};
        }
        throw Configs.bad(spec, "salt", "is " + salt.toJson() + ", not an integer or a pair of integers");
    }
}
