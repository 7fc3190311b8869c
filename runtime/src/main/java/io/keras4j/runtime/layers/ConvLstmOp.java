package io.keras4j.runtime.layers;

import io.keras4j.json.JsonObject;
import io.keras4j.model.Weight;
import io.keras4j.runtime.math.Transpose;
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
 * {@code ConvLSTM1D/2D/3D}: an LSTM whose input and recurrent transforms are convolutions. The input convolution
 * (with the bias) runs on all steps at once; the recurrent one ("same" padding, no stride or dilation) once per step.
 * Weights: kernel, recurrent kernel, bias; gates in Keras order i, f, c, o along the channel axis. A channels_first
 * layer runs on the sequence transposed to channels-last, its result transposed back.
 */
final class ConvLstmOp implements LayerOp {
    private final LayerSpec spec;
    private final int rank;
    private final int filters;
    private final boolean returnSequences;
    private final boolean goBackwards;
    private final ConvOp inputConv;
    private final ConvOp recurrentConv;
    private final DoubleUnaryOperator activation;
    private final DoubleUnaryOperator recurrentActivation;
    /** channels_first: computed channels-last (the sequence and results transposed around the steps). */
    private final boolean channelsFirst;

    ConvLstmOp(LayerSpec spec, int rank) {
        this.spec = spec;
        this.rank = rank;
        this.filters = Configs.requiredInt(spec, "filters");
        this.returnSequences = Configs.flag(spec, "return_sequences", false);
        this.goBackwards = Configs.flag(spec, "go_backwards", false);
        if (Configs.flag(spec, "return_state", false) || Configs.flag(spec, "stateful", false)) {
            throw Configs.unsupported(spec, "return_state or stateful");
        }
        this.channelsFirst = Configs.channelsFirst(spec);
        boolean useBias = Configs.flag(spec, "use_bias", true);
        List<Weight> w = spec.weights();
        JsonObject config = spec.config().with("filters", 4 * filters).with("activation", "linear").with("groups", 1)
                .with("data_format", "channels_last");
        this.inputConv = ConvOp.conv(spec.derived("Conv" + rank + "D", config,
                w.isEmpty() ? w : useBias ? List.of(w.get(0), w.get(2)) : List.of(w.get(0))), rank);
        JsonObject recurrent = config.with("strides", 1).with("dilation_rate", 1).with("padding", "same").with("use_bias", false);
        this.recurrentConv = ConvOp.conv(spec.derived("Conv" + rank + "D", recurrent, w.isEmpty() ? w : List.of(w.get(1))), rank);
        this.activation = ActivationFunctions.scalar(LayerActivation.name(spec), spec.sourceDialect());
        this.recurrentActivation = ActivationFunctions.scalar(LayerActivation.name(spec, "recurrent_activation"), spec.sourceDialect());
    }

    /** One step's state shape: the input convolution's output frame with {@code filters} channels, per sample. */
    private long[] state(long[] seq) {
        long[] f = inputConv.outputShape(TimeFold.fold(seq));
        f[0] = seq[0];
        f[f.length - 1] = filters;
        return f;
    }

    @Override
    public List<long[]> outputShapes(List<long[]> in) {
        long[] seq = sequenceChannelsLast(in.get(0));
        long[] state = state(seq);
        return List.of(returnSequences ? channelsBack(TimeFold.unfold(seq, state), 2) : channelsBack(state, 1));
    }

    /** A channels_first sequence shape {@code [batch, steps, channels, spatial...]} as channels-last. */
    private long[] sequenceChannelsLast(long[] seq) {
        if (!channelsFirst) return seq;
        long[] out = seq.clone();
        System.arraycopy(seq, 3, out, 2, seq.length - 3);
        out[seq.length - 1] = seq[2];
        return out;
    }

    /** A channels-last result shape back to channels_first, its channel axis going to {@code axis}. */
    private long[] channelsBack(long[] shape, int axis) {
        if (!channelsFirst) return shape;
        long[] out = shape.clone();
        out[axis] = shape[shape.length - 1];
        System.arraycopy(shape, axis, out, axis + 1, shape.length - 1 - axis);
        return out;
    }

    /** The permutation moving axis {@code from} to the end (to channels-last) or the last axis to {@code from}. */
    private static int[] moving(int rank, int from, boolean toEnd) {
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) {
            if (toEnd) perm[i] = i < from ? i : i == rank - 1 ? from : i + 1;
            else perm[i] = i < from ? i : i == from ? rank - 1 : i - 1;
        }
        return perm;
    }

    @Override
    public List<long[]> weightShapes(List<long[]> in) {
        long[] seq = sequenceChannelsLast(in.get(0));
        List<long[]> input = inputConv.weightShapes(List.of(TimeFold.fold(seq)));
        long[] recurrent = recurrentConv.weightShapes(List.of(state(seq))).get(0);
        List<long[]> shapes = new ArrayList<>(List.of(input.get(0), recurrent));
        if (input.size() > 1) shapes.add(input.get(1));
        return shapes;
    }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) {
        NdArray x = inputs.get(0).array();
        Mask mask = inputs.get(0).mask();
        if (channelsFirst) x = Transpose.permute(x, moving(x.rank(), 2, true));
        int[] shape = x.shape();
        int batch = shape[0], steps = shape[1];
        NdArray projected = inputConv.forward(x.reshape(TimeFold.fold(shape)), ctx);
        int[] stateShape = projected.shape();
        stateShape[0] = batch;
        stateShape[stateShape.length - 1] = filters;
        int cells = NdArray.sizeOf(stateShape) / (batch * filters);
        int frameSize = cells * 4 * filters;
        float[] h = new float[batch * cells * filters], c = new float[h.length];
        float[] sequence = returnSequences ? new float[steps * h.length] : null;
        for (int i = 0; i < steps; i++) {
            int t = goBackwards ? steps - 1 - i : i;
            float[] rec = recurrentConv.forward(NdArray.wrap(h.clone(), stateShape), ctx).data();
            for (int b = 0; b < batch; b++) {
                if (mask != null && !mask.get(b * steps + t)) continue;
                int p = (b * steps + t) * frameSize;
                for (int cell = 0; cell < cells; cell++) {
                    int z = p + cell * 4 * filters, r = (b * cells + cell) * 4 * filters, s = (b * cells + cell) * filters;
                    for (int f = 0; f < filters; f++) {
                        double in = recurrentActivation.applyAsDouble(projected.data()[z + f] + rec[r + f]);
                        double forget = recurrentActivation.applyAsDouble(projected.data()[z + filters + f] + rec[r + filters + f]);
                        double candidate = activation.applyAsDouble(projected.data()[z + 2 * filters + f] + rec[r + 2 * filters + f]);
                        double out = recurrentActivation.applyAsDouble(projected.data()[z + 3 * filters + f] + rec[r + 3 * filters + f]);
                        float state = (float) (forget * c[s + f] + in * candidate);
                        c[s + f] = state;
                        h[s + f] = (float) (out * activation.applyAsDouble(state));
                    }
                }
            }
            if (sequence != null) {
                int per = cells * filters;
                for (int b = 0; b < batch; b++) System.arraycopy(h, b * per, sequence, (b * steps + i) * per, per);
            }
        }
        if (!returnSequences) return List.of(Value.of(channelsBack(NdArray.wrap(h, stateShape), 1)));
        return List.of(new Value(channelsBack(NdArray.wrap(sequence, TimeFold.unfold(shape, stateShape)), 2), mask));
    }

    private NdArray channelsBack(NdArray y, int axis) {
        return channelsFirst ? Transpose.permute(y, moving(y.rank(), axis, false)) : y;
    }
}
