package io.keras4j.runtime.layers;

import io.keras4j.runtime.graph.FusibleOp;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.NdArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Consecutive Dense layers, each the only reader of the one before (an MLP, a classifier head), fused at compile
 * time. On several threads, when the rows are enough to share out and every core can keep all of the chain's
 * kernels in its L2, each thread takes a share of the rows through every layer: one hand-off per call instead of one
 * per layer, no thread waits for the others between layers, and each reads only rows it wrote itself. Split layer by
 * layer, the benchmark MLP at batch 32 read half of each layer's input from the other core's cache and ran its last,
 * 10-unit layer and softmax on one thread. Otherwise the layers run one after another exactly as unfused.
 */
final class DenseChain extends UnaryArrayOp implements FusibleOp {
    private final List<Dense> layers;
    /** The layers with kernels packed anew, for each pool worker that runs a share of the rows ({@link WorkerCopies}). */
    private final WorkerCopies<List<Dense>> workerCopies = new WorkerCopies<>(this::copies);
    /** All kernels' floats: what each thread reads when the rows are split. */
    private final long kernelFloats;
    /** Multiply-adds per row through the whole chain. */
    private final long workPerRow;

    DenseChain(List<Dense> layers) {
        super(layers.get(0).spec);
        this.layers = List.copyOf(layers);
        long floats = 0;
        for (Dense d : layers) floats += (long) d.packed().rows() * d.units();
        this.kernelFloats = floats;
        this.workPerRow = floats;
    }

    /** How many threads have made their own copy of the kernels (for tests). */
    int copiesMade() { return workerCopies.made(); }

    private List<Dense> copies() {
        List<Dense> copies = new ArrayList<>(layers.size());
        for (Dense d : layers) copies.add(d.withKernelCopy());
        return List.copyOf(copies);
    }

    /** Whether {@code next} can run row by row after {@code last}: both packed, the widths matching. */
    static boolean canFollow(Dense last, Dense next) {
        return last.packed() != null && next.packed() != null && next.packed().rows() == last.units();
    }

    @Override long[] outputShape(long[] in) {
        long[] shape = in;
        for (Dense d : layers) shape = d.outputShape(shape);
        return shape;
    }

    @Override public int outputChannelAxis(int rank) { return rank - 1; }

    @Override
    public LayerOp thenRowwise(LayerOp next) {
        if (!(next instanceof Dense d) || !canFollow(last(), d)) return null;
        List<Dense> longer = new ArrayList<>(layers);
        longer.add(d);
        return new DenseChain(longer);
    }

    @Override
    public LayerOp thenClamp(float lower, float upper) {
        return withLast(last().thenClamp(lower, upper));
    }

    @Override
    public LayerOp thenChannelAffine(float[] scale, float[] shift) {
        return withLast(last().thenChannelAffine(scale, shift));
    }

    private Dense last() { return layers.get(layers.size() - 1); }

    private LayerOp withLast(LayerOp replaced) {
        if (!(replaced instanceof Dense d)) return null;
        List<Dense> copy = new ArrayList<>(layers);
        copy.set(copy.size() - 1, d);
        return new DenseChain(copy);
    }

    @Override
    NdArray forward(NdArray in, CallContext ctx) {
        int inDim = in.dim(-1);
        int rows = in.size() / Math.max(1, inDim);
        int par = ctx.parallelism();
        if (par < 2 || rows < 16 * par || kernelFloats > Clamp.ROW_SPLIT_MAX_B_FLOATS || inDim != layers.get(0).packed().rows()) {
            NdArray x = in;
            for (Dense d : layers) {
                NdArray y = d.forward(x, ctx);
                if (x != in) ctx.release(x.data()); // an output between two layers: no slot ever held it
                x = y;
            }
            return x;
        }
        float[][] outputs = new float[layers.size()][];
        for (int i = 0; i < outputs.length; i++) outputs[i] = ctx.buffer(rows * layers.get(i).units());
        float[] input = in.data();
        Thread caller = Thread.currentThread();
        // Four rows a group, as the multiply's own row split: whole register blocks for each thread.
        int groups = (rows + 3) / 4;
        ctx.parallelFor(groups, 4 * workPerRow, (from, to) -> {
            int r0 = 4 * from, r1 = Math.min(rows, 4 * to);
            List<Dense> chain = workerCopies.get(caller, layers);
            float[] x = input;
            for (int i = 0; i < outputs.length; i++) {
                chain.get(i).forwardRows(x, r0, r1, outputs[i]);
                x = outputs[i];
            }
        });
        for (int i = 0; i < outputs.length - 1; i++) ctx.release(outputs[i]);
        int[] shape = in.shape();
        shape[shape.length - 1] = last().units();
        return NdArray.wrap(outputs[outputs.length - 1], shape);
    }
}
