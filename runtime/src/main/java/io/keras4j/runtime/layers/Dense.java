package io.keras4j.runtime.layers;

import io.keras4j.runtime.graph.FusibleOp;
import io.keras4j.runtime.math.Gemm;
import io.keras4j.runtime.math.PackedMatrix;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import java.util.List;

/**
 * {@code Dense}: a matmul over the last axis, plus bias and activation. The kernel is packed once for the matrix
 * kernel; bias and a ReLU/ReLU6 activation are applied in its epilogue. A following BatchNormalization or ReLU
 * that alone reads the output is folded in at compile time ({@link FusibleOp}).
 */
final class Dense extends UnaryArrayOp implements FusibleOp {
    private final int units;
    private final boolean useBias;
    /** The activation left after {@link #clamp}: linear when the clamp computes it. */
    private final ActivationFunctions.Fn activation;
    private final Clamp clamp;
    private final float[] kernel;
    private final float[] bias;
    /** {@code null} without weights (shape inference only). */
    private final PackedMatrix packed;

    Dense(LayerSpec spec) {
        super(spec);
        this.units = Configs.requiredInt(spec, "units");
        this.useBias = Configs.flag(spec, "use_bias", true);
        String name = LayerActivation.name(spec);
        Clamp fused = Clamp.ofActivation(name);
        this.clamp = fused == null ? Clamp.NONE : fused;
        this.activation = fused == null ? ActivationFunctions.of(name, spec.sourceDialect()) : ActivationFunctions.LINEAR;
        this.kernel = spec.floats(0);
        this.bias = useBias ? spec.floats(1) : null;
        this.packed = pack(kernel, units);
    }

    private Dense(Dense from, float[] kernel, float[] bias, Clamp clamp) {
        super(from.spec);
        this.units = from.units;
        this.useBias = from.useBias;
        this.activation = from.activation;
        this.clamp = clamp;
        this.kernel = kernel;
        this.bias = bias;
        this.packed = pack(kernel, units);
    }

    /** {@code null} when the weights do not form a {@code [k, units]} matrix: the compiler's weight check reports that. */
    private static PackedMatrix pack(float[] kernel, int units) {
        return kernel == null || units <= 0 || kernel.length % units != 0 ? null : PackedMatrix.of(kernel, kernel.length / units, units);
    }

    @Override long[] outputShape(long[] in) { return Shapes.withLast(in, units); }

    @Override
    public List<long[]> weightShapes(List<long[]> inputShapes) {
        long in = single(inputShapes)[single(inputShapes).length - 1];
        return useBias ? List.of(new long[] {in, units}, new long[] {units}) : List.of(new long[] {in, units});
    }

    @Override public int outputChannelAxis(int rank) { return rank - 1; }

    @Override
    public LayerOp thenChannelAffine(float[] scale, float[] shift) {
        if (kernel == null || packed == null || scale.length != units || activation != ActivationFunctions.LINEAR || !clamp.isNone()) return null;
        return new Dense(this, ChannelFolding.scaleColumns(kernel, scale), ChannelFolding.shiftBias(bias, scale, shift, units), clamp);
    }

    @Override
    public LayerOp thenClamp(float lower, float upper) {
        if (packed == null || activation != ActivationFunctions.LINEAR) return null;
        return new Dense(this, kernel, bias, clamp.then(new Clamp(lower, upper)));
    }

    @Override
    public LayerOp thenRowwise(LayerOp next) {
        return next instanceof Dense d && DenseChain.canFollow(this, d) ? new DenseChain(List.of(this, d)) : null;
    }

    int units() { return units; }

    /** This layer with its kernel packed into a new array (the same values): for a thread that should read its own. */
    Dense withKernelCopy() { return new Dense(this, kernel, bias == null ? null : bias.clone(), clamp); }

    /** The packed kernel; {@code null} without weights or when they do not form a matrix. */
    PackedMatrix packed() { return packed; }

    /**
     * Rows {@code [r0, r1)} of {@code y = activation(clamp(x * kernel + bias))} for an {@code x} whose rows have
     * {@link PackedMatrix#rows()} of {@link #packed()} entries: one thread's share, on this thread.
     */
    void forwardRows(float[] x, int r0, int r1, float[] y) {
        int k = packed.rows();
        Gemm.multiply(r1 - r0, x, r0 * k, k, packed, bias, clamp.lower(), clamp.upper(), y, r0 * units, units);
        activation.applyInPlace(y, r0 * units, r1 * units, units);
    }

    @Override
    NdArray forward(NdArray in, CallContext ctx) {
        int inDim = in.dim(-1);
        int rows = in.size() / inDim;
        float[] x = in.data();
        boolean viaPacked = packed != null && packed.rows() == inDim;
        float[] y = viaPacked ? ctx.buffer(rows * units) : ctx.zeroedBuffer(rows * units);
        if (viaPacked) {
            clamp.multiply(ctx, rows, x, 0, inDim, packed, bias, y, 0, units);
        } else {
            if (bias != null) for (int r = 0; r < rows; r++) System.arraycopy(bias, 0, y, r * units, units);
            ctx.parallelFor(rows, (long) inDim * units, (from, to) ->
                    Gemm.multiplyAdd(to - from, units, inDim, x, from * inDim, inDim, kernel, 0, units, y, from * units, units));
            clamp.applyInPlace(y, 0, y.length);
        }
        activation.applyInPlace(y, units);
        int[] shape = in.shape();
        shape[shape.length - 1] = units;
        return NdArray.wrap(y, shape);
    }
}
