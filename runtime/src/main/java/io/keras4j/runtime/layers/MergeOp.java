package io.keras4j.runtime.layers;

import io.keras4j.model.Dialect;
import io.keras4j.runtime.math.Broadcast;
import io.keras4j.runtime.math.Pool;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.Arrays;
import java.util.List;

/**
 * The elementwise merge layers {@code Add}, {@code Subtract}, {@code Multiply}, {@code Average}, {@code Maximum},
 * {@code Minimum}, with broadcasting. tf.keras ANDs the inputs' masks (an unmasked input counts as all kept) and
 * merges values as they are. Keras 3 ORs the masks and gives none when any input is unmasked; its Multiply, Maximum
 * and Minimum also leave masked entries out of the result.
 */
final class MergeOp implements LayerOp {
    /** What Keras 3 does with a masked entry of an input. */
    private enum MaskedEntry {
        /** Add, Subtract, Average: merged like any other. */
        MERGED,
        /** Multiply: counts as 1; when every input is masked, entries no input keeps become 0. */
        ONE,
        /** Maximum, Minimum: takes the other operand's value, so the operation ignores it. */
        SKIPPED
    }

    private final LayerSpec spec;
    private final Broadcast.FloatOp op;
    private final boolean average;
    private final MaskedEntry keras3MaskedEntry;
    private final boolean keras3Masks;

    private MergeOp(LayerSpec spec, Broadcast.FloatOp op, boolean average, MaskedEntry keras3MaskedEntry) {
        this.spec = spec;
        this.op = op;
        this.average = average;
        this.keras3MaskedEntry = keras3MaskedEntry;
        this.keras3Masks = spec.sourceDialect() == Dialect.KERAS3;
    }

    /** Add's and Average's operation: inputs of one shape are summed by {@link #sum}, a loop the JIT vectorizes. */
    private static final Broadcast.FloatOp SUM = Float::sum;

    static MergeOp add(LayerSpec spec) { return new MergeOp(spec, SUM, false, MaskedEntry.MERGED); }

    static MergeOp subtract(LayerSpec spec) { return new MergeOp(spec, (a, b) -> a - b, false, MaskedEntry.MERGED); }

    static MergeOp multiply(LayerSpec spec) { return new MergeOp(spec, (a, b) -> a * b, false, MaskedEntry.ONE); }

    static MergeOp average(LayerSpec spec) { return new MergeOp(spec, SUM, true, MaskedEntry.MERGED); }

    static MergeOp maximum(LayerSpec spec) { return new MergeOp(spec, Math::max, false, MaskedEntry.SKIPPED); }

    static MergeOp minimum(LayerSpec spec) { return new MergeOp(spec, Math::min, false, MaskedEntry.SKIPPED); }

    @Override
    public List<long[]> outputShapes(List<long[]> inputShapes) {
        long[] out = inputShapes.get(0).clone();
        for (long[] s : inputShapes.subList(1, inputShapes.size())) {
            for (int i = 1; i <= Math.min(out.length, s.length); i++) {
                long a = out[out.length - i], b = s[s.length - i];
                out[out.length - i] = a == 1 ? b : b == 1 ? a : a < 0 ? b : a;
            }
            if (s.length > out.length) out = s.clone();
        }
        return List.of(out);
    }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) {
        if (inputs.size() < 2) throw Configs.unsupported(spec, "a merge of " + inputs.size() + " input");
        if (!keras3Masks) return List.of(new Value(merge(inputs, ctx), allKept(inputs)));
        if (keras3MaskedEntry == MaskedEntry.MERGED || inputs.stream().allMatch(v -> v.mask() == null)) {
            return List.of(new Value(merge(inputs, ctx), anyKept(inputs)));
        }
        return List.of(new Value(keras3MaskedEntry == MaskedEntry.ONE ? multiplyKept(inputs) : mergeKept(inputs),
                anyKept(inputs)));
    }

    private NdArray merge(List<Value> inputs, CallContext ctx) {
        if (op == SUM && sameShapes(inputs)) return sum(inputs, ctx);
        NdArray acc = inputs.get(0).array();
        for (Value v : inputs.subList(1, inputs.size())) acc = Broadcast.apply(acc, v.array(), op, ctx::buffer);
        if (average) {
            float[] out = acc.data();
            float n = inputs.size();
            for (int i = 0; i < out.length; i++) out[i] /= n;
        }
        return acc;
    }

    private static boolean sameShapes(List<Value> inputs) {
        int[] first = inputs.get(0).array().shape();
        for (Value v : inputs) if (!Arrays.equals(first, v.array().shape())) return false;
        return true;
    }

    /** The inputs' sum (divided by their count for Average), added in input order as the broadcasting path does. */
    private NdArray sum(List<Value> inputs, CallContext ctx) {
        float[] x = inputs.get(0).array().data(), y = inputs.get(1).array().data();
        float[] out = ctx.buffer(x.length);
        int block = 1 << 14, blocks = (x.length + block - 1) / block;
        float count = inputs.size();
        ctx.parallelFor(blocks, (long) block * inputs.size() * Pool.MEMORY_BOUND_COST, (from, to) -> {
            int start = from * block, end = Math.min(x.length, to * block);
            for (int i = start; i < end; i++) out[i] = x[i] + y[i];
            for (Value v : inputs.subList(2, inputs.size())) {
                float[] z = v.array().data();
                for (int i = start; i < end; i++) out[i] += z[i];
            }
            if (average) for (int i = start; i < end; i++) out[i] /= count;
        });
        return NdArray.wrap(out, inputs.get(0).array().shape());
    }

    /** Keras 3's Multiply: masked entries count as 1; when every input is masked, entries none keeps become 0. */
    private NdArray multiplyKept(List<Value> inputs) {
        int[] shape = sameShape(inputs);
        float[] out = new float[NdArray.sizeOf(shape)];
        Arrays.fill(out, 1f);
        boolean[] anyKept = new boolean[out.length];
        for (Value v : inputs) {
            float[] x = v.array().data();
            for (int i = 0; i < out.length; i++) {
                boolean kept = kept(v, i, out.length);
                out[i] = op.apply(out[i], kept ? x[i] : 1f);
                anyKept[i] |= kept;
            }
        }
        if (inputs.stream().allMatch(v -> v.mask() != null)) {
            for (int i = 0; i < out.length; i++) if (!anyKept[i]) out[i] = 0f;
        }
        return NdArray.wrap(out, shape);
    }

    /**
     * Keras 3's Maximum and Minimum ({@code _apply_merge_op_and_or_mask}): a masked entry of either operand takes
     * the other's value. The running result counts as masked only while every input so far is masked.
     */
    private NdArray mergeKept(List<Value> inputs) {
        int[] shape = sameShape(inputs);
        Value first = inputs.get(0);
        float[] out = first.array().data().clone();
        boolean[] outKept = null;
        if (first.mask() != null) {
            outKept = new boolean[out.length];
            for (int i = 0; i < out.length; i++) outKept[i] = kept(first, i, out.length);
        }
        for (Value v : inputs.subList(1, inputs.size())) {
            float[] x = v.array().data();
            for (int i = 0; i < out.length; i++) {
                float xi = kept(v, i, out.length) ? x[i] : out[i];
                float oi = outKept == null || outKept[i] ? out[i] : xi;
                out[i] = op.apply(oi, xi);
                if (outKept != null) outKept[i] |= kept(v, i, out.length);
            }
            if (v.mask() == null) outKept = null;
        }
        return NdArray.wrap(out, shape);
    }

    private static boolean kept(Value v, int i, int size) { return v.mask() == null || v.mask().keepsElement(i, size); }

    private int[] sameShape(List<Value> inputs) {
        int[] shape = inputs.get(0).array().shape();
        for (Value v : inputs) {
            if (!Arrays.equals(v.array().shape(), shape)) {
                throw Configs.unsupported(spec, "Keras 3 masks on inputs of different shapes");
            }
        }
        return shape;
    }

    private static Mask allKept(List<Value> inputs) {
        Mask mask = null;
        for (Value v : inputs) mask = Mask.and(mask, v.mask());
        return mask;
    }

    private static Mask anyKept(List<Value> inputs) {
        if (inputs.stream().anyMatch(v -> v.mask() == null)) return null;
        Mask mask = inputs.get(0).mask();
        for (Value v : inputs.subList(1, inputs.size())) mask = Mask.or(mask, v.mask());
        return mask;
    }
}
