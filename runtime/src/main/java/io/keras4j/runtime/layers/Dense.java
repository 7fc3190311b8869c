package io.keras4j.runtime.layers;

import io.keras4j.runtime.math.Gemm;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import java.util.List;

/** {@code Dense}: a matmul over the last axis, plus bias and activation. */
final class Dense extends UnaryArrayOp {
    private final int units;
    private final boolean useBias;
    private final ActivationFunctions.Fn activation;
    private final float[] kernel;
    private final float[] bias;

    Dense(LayerSpec spec) {
        super(spec);
        this.units = Configs.requiredInt(spec, "units");
        this.useBias = Configs.flag(spec, "use_bias", true);
        this.activation = ActivationFunctions.of(LayerActivation.name(spec), spec.sourceDialect());
        this.kernel = spec.floats(0);
        this.bias = useBias ? spec.floats(1) : null;
    }

    @Override long[] outputShape(long[] in) { return Shapes.withLast(in, units); }

    @Override
    public List<long[]> weightShapes(List<long[]> inputShapes) {
        long in = single(inputShapes)[single(inputShapes).length - 1];
        return useBias ? List.of(new long[] {in, units}, new long[] {units}) : List.of(new long[] {in, units});
    }

    @Override
    NdArray forward(NdArray in, CallContext ctx) {
        int inDim = in.dim(-1);
        int rows = in.size() / inDim;
        float[] x = in.data();
        float[] y = new float[rows * units];
        if (bias != null) for (int r = 0; r < rows; r++) System.arraycopy(bias, 0, y, r * units, units);
        ctx.parallelFor(rows, (long) inDim * units, (from, to) ->
                Gemm.multiplyAdd(to - from, units, inDim, x, from * inDim, inDim, kernel, 0, units, y, from * units, units));
        activation.applyInPlace(y, units);
        int[] shape = in.shape();
        shape[shape.length - 1] = units;
        return NdArray.wrap(y, shape);
    }
}
