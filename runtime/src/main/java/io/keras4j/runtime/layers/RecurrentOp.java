package io.keras4j.runtime.layers;

import io.keras4j.model.InboundNode;
import io.keras4j.runtime.math.Gemm;
import io.keras4j.runtime.math.PackedMatrix;
import io.keras4j.runtime.math.Recurrent;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * {@code LSTM}, {@code GRU} (both {@code reset_after} forms) and {@code SimpleRNN} over {@code [batch, steps, features]}.
 *
 * <p>The input projection of all steps is one matmul; each step then multiplies the state by the recurrent kernel.
 * Both kernels are packed once for the matrix kernel. Samples are independent, so a call splits the batch over its
 * threads once for the whole sequence, and an LSTM with Keras's default activations (sigmoid gates, tanh) runs its
 * gates through {@link Recurrent#lstmCell} (a vector of units at a time on the Vector API path).
 * A masked step keeps the previous state and repeats the previous output (or outputs zeros when
 * {@code zeroOutputForMask}, which Keras's {@code Bidirectional} sets for sequence outputs), as Keras's backend
 * {@code rnn} does, unless Keras left the call's {@code mask} argument empty (see {@link MaskArgument}). Extra inputs
 * are initial states.
 */
final class RecurrentOp implements LayerOp {
    enum Cell { LSTM(4, 2), GRU(3, 1), SIMPLE(1, 1);
        final int gates;
        final int states;
        Cell(int gates, int states) { this.gates = gates; this.states = states; }
    }

    private final LayerSpec spec;
    private final Cell cell;
    private final int units;
    private final boolean useBias;
    private final boolean returnSequences;
    private final boolean returnState;
    private final boolean goBackwards;
    private final boolean resetAfter;
    private final boolean zeroOutputForMask;
    private final boolean appliesMask;
    private final DoubleUnaryOperator activation;
    private final DoubleUnaryOperator recurrentActivation;
    private final float[] kernel;
    private final float[] recurrentKernel;
    private final float[] bias;
    /** {@code kernel} and {@code recurrentKernel} packed; {@code null} when their sizes do not fit (the compiler says so). */
    private final PackedMatrix packedKernel;
    private final PackedMatrix packedRecurrent;
    /** The input bias (GRU {@code reset_after} stores the recurrent one as a second row). */
    private final float[] inputBias;
    /** An LSTM with sigmoid gates and tanh: the gates run through {@link Recurrent#lstmCell}. */
    private final boolean standardLstm;

    RecurrentOp(LayerSpec spec, Cell cell, boolean zeroOutputForMask) { this(spec, cell, zeroOutputForMask, true); }

    private RecurrentOp(LayerSpec spec, Cell cell, boolean zeroOutputForMask, boolean appliesMask) {
        this.spec = spec;
        this.cell = cell;
        this.units = Configs.requiredInt(spec, "units");
        this.useBias = Configs.flag(spec, "use_bias", true);
        this.returnSequences = Configs.flag(spec, "return_sequences", false);
        this.returnState = Configs.flag(spec, "return_state", false);
        this.goBackwards = Configs.flag(spec, "go_backwards", false);
        this.resetAfter = cell == Cell.GRU && Configs.flag(spec, "reset_after", true);
        this.zeroOutputForMask = zeroOutputForMask;
        this.appliesMask = appliesMask;
        String act = spec.config().has("activation") ? LayerActivation.name(spec) : "tanh";
        String rec = spec.config().has("recurrent_activation") ? LayerActivation.name(spec, "recurrent_activation") : "sigmoid";
        this.activation = ActivationFunctions.scalar(act, spec.sourceDialect());
        this.recurrentActivation = ActivationFunctions.scalar(rec, spec.sourceDialect());
        this.kernel = spec.floats(0);
        this.recurrentKernel = spec.floats(1);
        this.bias = useBias ? spec.floats(2) : null;
        int g = cell.gates * units;
        this.packedKernel = kernel == null || kernel.length % g != 0 ? null : PackedMatrix.of(kernel, kernel.length / g, g);
        this.packedRecurrent = recurrentKernel == null || recurrentKernel.length != units * g ? null
                : PackedMatrix.of(recurrentKernel, units, g);
        this.inputBias = bias == null || bias.length < g ? null : java.util.Arrays.copyOf(bias, g);
        this.standardLstm = cell == Cell.LSTM && "tanh".equals(act) && "sigmoid".equals(rec);
        if (Configs.flag(spec, "stateful", false)) throw Configs.unsupported(spec, "stateful=True");
        if (Configs.flag(spec, "time_major", false)) throw Configs.unsupported(spec, "time_major=True");
    }

    boolean returnsSequences() { return returnSequences; }

    RecurrentOp withZeroOutputForMask(boolean zero) {
        return zero == zeroOutputForMask ? this : new RecurrentOp(spec, cell, zero, appliesMask);
    }

    @Override
    public LayerOp forCall(InboundNode node) {
        boolean applies = MaskArgument.filled(spec, node);
        return applies == appliesMask ? this : new RecurrentOp(spec, cell, zeroOutputForMask, applies);
    }

    @Override
    public List<long[]> outputShapes(List<long[]> inputShapes) {
        long[] in = inputShapes.get(0);
        List<long[]> out = new ArrayList<>();
        out.add(returnSequences ? new long[] {in[0], in[1], units} : new long[] {in[0], units});
        if (returnState) for (int s = 0; s < cell.states; s++) out.add(new long[] {in[0], units});
        return out;
    }

    @Override
    public List<long[]> weightShapes(List<long[]> inputShapes) {
        long features = inputShapes.get(0)[2];
        int g = cell.gates * units;
        List<long[]> shapes = new ArrayList<>(List.of(new long[] {features, g}, new long[] {units, g}));
        if (useBias) shapes.add(resetAfter ? new long[] {2, g} : new long[] {g});
        return shapes;
    }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) {
        Value seq = inputs.get(0);
        NdArray x = seq.array();
        int batch = x.dim(0), steps = x.dim(1), features = x.dim(2), g = cell.gates * units;
        // From the arena: at batch 32 the LSTM benchmark's projection is 5 MB, which a fresh array zeroes every call.
        boolean viaPacked = packedKernel != null && packedKernel.rows() == features;
        float[] projected = viaPacked ? ctx.buffer(batch * steps * g) : ctx.zeroedBuffer(batch * steps * g);
        if (viaPacked) {
            Clamp.NONE.multiply(ctx, batch * steps, x.data(), 0, features, packedKernel, inputBias, projected, 0, g);
        } else {
            if (bias != null) for (int r = 0; r < batch * steps; r++) System.arraycopy(bias, 0, projected, r * g, g);
            ctx.parallelFor(batch * steps, (long) features * g, (from, to) ->
                    Gemm.multiplyAdd(to - from, g, features, x.data(), from * features, features, kernel, 0, g,
                            projected, from * g, g));
        }

        float[] h = initialState(inputs, 1, batch);
        float[] c = cell == Cell.LSTM ? initialState(inputs, 2, batch) : null;
        float[] output = new float[batch * units];
        float[] sequence = returnSequences ? ctx.buffer(batch * steps * units) : null; // every step writes every row
        float[] resetState = cell == Cell.GRU && !resetAfter ? new float[batch * units] : null;
        Mask stepMask = appliesMask ? seq.mask() : null;
        // Samples are independent over the whole sequence: each thread runs all steps for its rows of the batch.
        ctx.parallelFor(batch, (long) steps * (units * g + 32L * g), (from, to) -> {
            float[] rec = new float[(to - from) * g];
            for (int i = 0; i < steps; i++) {
                int t = goBackwards ? steps - 1 - i : i;
                if (standardLstm && packedRecurrent != null) {
                    lstmStep(projected, t, steps, from, to, h, c, rec, stepMask, output);
                } else {
                    step(projected, t, steps, from, to, h, c, rec, resetState, stepMask, output);
                }
                if (sequence != null) {
                    for (int b = from; b < to; b++) System.arraycopy(output, b * units, sequence, (b * steps + i) * units, units);
                }
            }
        });
        ctx.release(projected);
        List<Value> out = new ArrayList<>();
        // The sequence keeps the input's mask even when the steps ignored it, as Keras's compute_mask does.
        out.add(returnSequences ? new Value(NdArray.wrap(sequence, batch, steps, units), seq.mask())
                : Value.of(NdArray.wrap(output, batch, units)));
        if (returnState) {
            out.add(Value.of(NdArray.wrap(h, batch, units)));
            if (c != null) out.add(Value.of(NdArray.wrap(c, batch, units)));
        }
        return out;
    }

    private float[] initialState(List<Value> inputs, int index, int batch) {
        return inputs.size() > index ? inputs.get(index).array().data().clone() : new float[batch * units];
    }

    /**
     * {@link #step} for an LSTM with sigmoid gates and tanh: the state's product with the packed recurrent kernel,
     * then {@link Recurrent#lstmCell} per sample on the sum with the step's input projection.
     */
    private void lstmStep(float[] projected, int t, int steps, int b0, int b1, float[] h, float[] c, float[] rec,
                          Mask mask, float[] output) {
        int g = 4 * units;
        Gemm.multiply(b1 - b0, h, b0 * units, units, packedRecurrent, null, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY,
                rec, 0, g);
        for (int b = b0; b < b1; b++) {
            int o = b * units;
            if (mask != null && !mask.get(b * steps + t)) {
                if (zeroOutputForMask) java.util.Arrays.fill(output, o, o + units, 0f);
                continue;
            }
            Recurrent.lstmCell(projected, (b * steps + t) * g, rec, (b - b0) * g, c, h, o, units);
            System.arraycopy(h, o, output, o, units);
        }
    }

    /**
     * Advances samples {@code [b0, b1)} by one step {@code t} (all gates from one matmul of the batch-major state),
     * updating their rows of {@code h}, {@code c} and {@code output} in place.
     */
    private void step(float[] projected, int t, int steps, int b0, int b1, float[] h, float[] c, float[] rec,
                      float[] resetState, Mask mask, float[] output) {
        int g = cell.gates * units, rows = b1 - b0;
        java.util.Arrays.fill(rec, 0, rows * g, 0f);
        if (cell == Cell.GRU && resetAfter && bias != null) {
            for (int b = 0; b < rows; b++) System.arraycopy(bias, g, rec, b * g, g);
        }
        int recColumns = cell == Cell.GRU && !resetAfter ? 2 * units : g;
        Gemm.multiplyAdd(rows, recColumns, units, h, b0 * units, units, recurrentKernel, 0, g, rec, 0, g);
        if (resetState != null) {
            // GRU v1: the candidate uses (r * h) @ U_h, so the reset gate must be known first.
            for (int b = b0; b < b1; b++) {
                int p = (b * steps + t) * g, r = (b - b0) * g;
                for (int u = 0; u < units; u++) {
                    double reset = recurrentActivation.applyAsDouble(projected[p + units + u] + rec[r + units + u]);
                    resetState[b * units + u] = (float) (reset * h[b * units + u]);
                }
            }
            Gemm.multiplyAdd(rows, units, units, resetState, b0 * units, units, recurrentKernel, 2 * units, g, rec,
                    2 * units, g);
        }
        for (int b = b0; b < b1; b++) {
            boolean keep = mask == null || mask.get(b * steps + t);
            int p = (b * steps + t) * g, r = (b - b0) * g, o = b * units;
            if (!keep) {
                if (zeroOutputForMask) java.util.Arrays.fill(output, o, o + units, 0f);
                continue;
            }
            for (int u = 0; u < units; u++) {
                double next;
                switch (cell) {
                    case LSTM: {
                        double in = recurrentActivation.applyAsDouble(projected[p + u] + rec[r + u]);
                        double forget = recurrentActivation.applyAsDouble(projected[p + units + u] + rec[r + units + u]);
                        double candidate = activation.applyAsDouble(projected[p + 2 * units + u] + rec[r + 2 * units + u]);
                        double out = recurrentActivation.applyAsDouble(projected[p + 3 * units + u] + rec[r + 3 * units + u]);
                        float state = (float) (forget * c[o + u] + in * candidate);
                        c[o + u] = state;
                        next = out * activation.applyAsDouble(state);
                        break;
                    }
                    case GRU: {
                        double z = recurrentActivation.applyAsDouble(projected[p + u] + rec[r + u]);
                        double candidate;
                        if (resetAfter) {
                            double reset = recurrentActivation.applyAsDouble(projected[p + units + u] + rec[r + units + u]);
                            candidate = activation.applyAsDouble(projected[p + 2 * units + u] + reset * rec[r + 2 * units + u]);
                        } else {
                            candidate = activation.applyAsDouble(projected[p + 2 * units + u] + rec[r + 2 * units + u]);
                        }
                        next = z * h[o + u] + (1 - z) * candidate;
                        break;
                    }
                    default:
                        next = activation.applyAsDouble(projected[p + u] + rec[r + u]);
                }
                output[o + u] = (float) next;
            }
            System.arraycopy(output, o, h, o, units);
        }
    }
}
