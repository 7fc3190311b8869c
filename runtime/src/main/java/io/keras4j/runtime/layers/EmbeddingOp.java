package io.keras4j.runtime.layers;

import io.keras4j.UnsupportedModelException;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.List;

/** {@code Embedding}: looks rows up by id; with {@code mask_zero} id 0 masks its step. */
final class EmbeddingOp extends UnaryOp {
    private final int inputDim;
    private final int outputDim;
    private final boolean maskZero;
    private final float[] table;

    EmbeddingOp(LayerSpec spec) {
        super(spec);
        this.inputDim = Configs.requiredInt(spec, "input_dim");
        this.outputDim = Configs.requiredInt(spec, "output_dim");
        this.maskZero = Configs.flag(spec, "mask_zero", false);
        this.table = spec.floats(0);
    }

    @Override
    long[] outputShape(long[] in) {
        long[] out = java.util.Arrays.copyOf(in, in.length + 1);
        out[in.length] = outputDim;
        return out;
    }

    @Override
    public List<long[]> weightShapes(List<long[]> inputShapes) { return List.of(new long[] {inputDim, outputDim}); }

    @Override
    Value apply(Value input, CallContext ctx) {
        NdArray ids = input.array();
        float[] idv = ids.data();
        float[] out = ctx.buffer(idv.length * outputDim); // every row is copied in below
        boolean[] keep = new boolean[idv.length];
        for (int i = 0; i < idv.length; i++) {
            int id = (int) idv[i];
            if (id < 0 || id >= inputDim || id != idv[i]) {
                throw new UnsupportedModelException("layer '" + spec.name() + "': id " + idv[i] + " at position " + i
                        + " is outside the vocabulary [0, " + inputDim + ")");
            }
            System.arraycopy(table, id * outputDim, out, i * outputDim, outputDim);
            keep[i] = id != 0;
        }
        int[] shape = java.util.Arrays.copyOf(ids.shape(), ids.rank() + 1);
        shape[ids.rank()] = outputDim;
        return new Value(NdArray.wrap(out, shape), maskZero ? new Mask(keep, ids.shape()) : null);
    }

}
