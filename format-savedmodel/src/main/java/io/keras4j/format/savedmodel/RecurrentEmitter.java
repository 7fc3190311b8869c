package io.keras4j.format.savedmodel;

import static io.keras4j.format.savedmodel.LayerEmitter.unsupported;
import static io.keras4j.format.savedmodel.LayerEmitter.weight;

import io.keras4j.format.savedmodel.TfFunction.Tensor;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Weight;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * {@code LSTM}, {@code GRU} (both {@code reset_after} forms), {@code SimpleRNN} and {@code Bidirectional} over
 * {@code [batch, steps, features]}, unrolled over the steps, which must be static.
 *
 * <p>As in Keras's cells: the input projection of all steps is one MatMul; each step multiplies the state by the
 * recurrent kernel. With a mask, as Keras's backend {@code rnn}: a masked step keeps the previous states and
 * repeats the previous output (zeros before the first step), or outputs zeros with {@code zero_output_for_mask},
 * which {@code Bidirectional} sets for sequence outputs. Extra inputs are initial states.
 */
final class RecurrentEmitter {
    private enum Cell {
        LSTM(4, 2), GRU(3, 1), SIMPLE(1, 1);

        final int gates;
        final int states;

        Cell(int gates, int states) {
            this.gates = gates;
            this.states = states;
        }

        static Cell of(String className) {
            switch (className) {
                case "LSTM": return LSTM;
                case "GRU": return GRU;
                case "SimpleRNN": return SIMPLE;
                default: return null;
            }
        }
    }

    /** The recurrent state after one step; {@code c} only for LSTM. */
    private record State(Tensor h, Tensor c) {}

    private final TfOps ops;
    private final Function<Weight, Tensor> read;
    private final Activations activations;

    RecurrentEmitter(TfOps ops, Function<Weight, Tensor> read, Activations activations) {
        this.ops = ops;
        this.read = read;
        this.activations = activations;
    }

    /**
     * A standalone recurrent layer, masked by its mask argument: its output (a sequence keeps the input's mask),
     * then its states if returned.
     */
    List<KerasTensor> emit(LayerCall call) {
        return run(call, call.config().getBoolean("zero_output_for_mask", false));
    }

    /**
     * Forward and backward layers over the same sequence and mask argument (the backward one's sequence output
     * flipped back), merged by {@code merge_mode}; a sequence output keeps the input's mask.
     */
    KerasTensor bidirectional(LayerCall call, Layer forward, Layer backward) {
        Layer layer = call.layer();
        String n = layer.name();
        JsonValue mode = call.config().get("merge_mode");
        if (mode.isNull() && call.config().has("merge_mode")) throw unsupported(layer, "merge_mode=None (two outputs)");
        String mergeMode = call.config().getString("merge_mode", "concat");
        if (call.inputs().size() > 1) throw unsupported(layer, "initial states passed to a Bidirectional layer");
        if (forward.config().getBoolean("return_state", false)) throw unsupported(layer, "a Bidirectional layer returning states");
        checkRecurrent(layer, forward);
        checkRecurrent(layer, backward);
        // Keras sets zero_output_for_mask = return_sequences on both inner layers.
        List<KerasTensor> sequence = List.of(call.input().withMask(call.maskArgument(0)));
        KerasTensor f = run(call.inner(forward, sequence, List.of()), forward.config().getBoolean("return_sequences", false)).get(0);
        KerasTensor b = run(call.inner(backward, sequence, List.of()), backward.config().getBoolean("return_sequences", false)).get(0);
        Tensor y = f.value();
        Tensor yReversed = b.value();
        if (yReversed.rank() == 3) yReversed = ops.reverse(n + "/flip_backward", yReversed, 1);
        Tensor merged;
        switch (mergeMode) {
            case "concat": merged = ops.concat(n + "/concat", List.of(y, yReversed), -1); break;
            case "sum": merged = ops.add(n + "/sum", y, yReversed); break;
            case "mul": merged = ops.mul(n + "/mul", y, yReversed); break;
            case "ave": merged = ops.div(n + "/ave", ops.add(n + "/sum", y, yReversed), ops.scalar(n + "/two", 2f)); break;
            default: throw unsupported(layer, "merge_mode=" + mergeMode);
        }
        Tensor mask = forward.config().getBoolean("return_sequences", false) ? call.input().mask() : null;
        return new KerasTensor(call.outputShapes().isEmpty() ? merged : merged.withShape(call.outputShape()), mask);
    }

    private static void checkRecurrent(Layer wrapper, Layer inner) {
        if (Cell.of(inner.className()) == null) throw unsupported(wrapper, "a Bidirectional wrapper around " + inner.className());
    }

    private List<KerasTensor> run(LayerCall call, boolean zeroOutputForMask) {
        Layer layer = call.layer();
        String n = layer.name();
        JsonObject c = layer.config();
        Cell cell = Cell.of(layer.className());
        if (call.dialect() == Dialect.KERAS1) throw unsupported(layer, "a Keras 1 recurrent layer config");
        if (c.getBoolean("stateful", false)) throw unsupported(layer, "stateful=True");
        if (c.getBoolean("time_major", false)) throw unsupported(layer, "time_major=True");
        boolean useBias = layer.useBias();
        if (layer.weights().size() != (useBias ? 3 : 2)) {
            throw unsupported(layer, layer.weights().size() + " weights where kernel, recurrent kernel" + (useBias ? " and bias" : "") + " were expected");
        }
        int units = Math.toIntExact(layer.units().orElseThrow(() -> unsupported(layer, "no 'units' in the config")));
        boolean resetAfter = cell == Cell.GRU && c.getBoolean("reset_after", true);
        KerasTensor in = call.input();
        Tensor x = in.value();
        if (x.rank() != 3) throw unsupported(layer, "an input of rank " + x.rank() + " (expected [batch, steps, features])");
        if (x.dim(1) < 0) {
            throw unsupported(layer, "an unknown number of time steps: the TensorFlow translation unrolls the steps, so the "
                    + "input's step dimension must be static");
        }
        if (x.dim(2) < 0) throw unsupported(layer, "an unknown number of features");
        Cells cells = new Cells(cell, layer, call);
        int steps = (int) x.dim(1);

        Tensor kernel = read.apply(weight(layer, 0));
        Tensor recurrentKernel = read.apply(weight(layer, 1));
        Tensor inputBias = useBias ? read.apply(weight(layer, 2)) : null;
        Tensor recurrentBias = null;
        if (resetAfter && inputBias != null) {
            List<Tensor> biases = ops.unpack(n + "/bias", inputBias, 0);
            inputBias = biases.get(0);
            recurrentBias = biases.get(1);
        }
        Tensor projected = ops.matMul(n + "/input_MatMul", ops.reshape(n + "/flatten", x, new long[] {-1, x.dim(2)}), kernel);
        if (inputBias != null) projected = ops.biasAdd(n + "/input_BiasAdd", projected, inputBias);
        projected = ops.reshapeLeading(n + "/projected", projected, x, 2, new long[] {(long) cell.gates * units});
        List<Tensor> inputs = ops.unpack(n + "/unstack", projected, 1);
        List<Tensor> recurrentParts = cell == Cell.GRU && !resetAfter ? ops.split(n + "/recurrent_kernel", recurrentKernel, 1, 3) : null;

        Tensor mask = call.maskArgument(0);
        List<Tensor> keep = null;
        if (mask != null) {
            if (mask.rank() != 2) throw unsupported(layer, "a mask of rank " + mask.rank() + " (expected [batch, steps])");
            keep = ops.unpack(n + "/mask_unstack", mask.withShape(new long[] {x.dim(0), steps}), 1);
        }
        Tensor zeros = ops.zeros(n + "/zeros", x, units);
        State state = new State(call.inputs().size() > 1 ? call.inputs().get(1).value() : zeros,
                cell == Cell.LSTM ? (call.inputs().size() > 2 ? call.inputs().get(2).value() : zeros) : null);
        Tensor previousOutput = zeros;
        List<Tensor> outputs = new ArrayList<>();
        boolean backwards = c.getBoolean("go_backwards", false);
        for (int i = 0; i < steps; i++) {
            int t = backwards ? steps - 1 - i : i;
            String s = n + "/step_" + i;
            State next = cells.step(s, inputs.get(t), state, recurrentKernel, recurrentBias, recurrentParts);
            Tensor output = next.h();
            if (keep != null) {
                Tensor k = keep.get(t);
                output = ops.select(s + "/output", k, next.h(), zeroOutputForMask ? zeros : previousOutput);
                next = new State(ops.select(s + "/h", k, next.h(), state.h()),
                        next.c() == null ? null : ops.select(s + "/c", k, next.c(), state.c()));
            }
            state = next;
            previousOutput = output;
            outputs.add(output);
        }
        List<KerasTensor> result = new ArrayList<>();
        if (c.getBoolean("return_sequences", false)) {
            result.add(new KerasTensor(ops.pack(n + "/sequence", outputs, 1), in.mask()));
        } else {
            result.add(KerasTensor.of(previousOutput));
        }
        if (c.getBoolean("return_state", false)) {
            result.add(KerasTensor.of(state.h()));
            if (state.c() != null) result.add(KerasTensor.of(state.c()));
        }
        return result;
    }

    /** One step of a cell, as Keras's LSTMCell, GRUCell and SimpleRNNCell compute it. */
    private final class Cells {
        private final Cell cell;
        private final Layer layer;
        private final LayerCall call;
        private final String activation;
        private final String recurrentActivation;

        Cells(Cell cell, Layer layer, LayerCall call) {
            this.cell = cell;
            this.layer = layer;
            this.call = call;
            this.activation = Activations.name(layer.config(), "activation", "tanh");
            this.recurrentActivation = Activations.name(layer.config(), "recurrent_activation", "sigmoid");
        }

        State step(String s, Tensor x, State state, Tensor recurrentKernel, Tensor recurrentBias, List<Tensor> recurrentParts) {
            Tensor h = state.h();
            switch (cell) {
                case LSTM: {
                    Tensor z = ops.add(s + "/z", x, ops.matMul(s + "/recurrent_MatMul", h, recurrentKernel));
                    List<Tensor> g = ops.split(s + "/gates", z, 1, 4);
                    Tensor input = recurrent(s + "/input_gate", g.get(0));
                    Tensor forget = recurrent(s + "/forget_gate", g.get(1));
                    Tensor candidate = act(s + "/candidate", g.get(2));
                    Tensor output = recurrent(s + "/output_gate", g.get(3));
                    Tensor carry = ops.add(s + "/carry", ops.mul(s + "/kept_carry", forget, state.c()), ops.mul(s + "/new_carry", input, candidate));
                    return new State(ops.mul(s + "/h", output, act(s + "/carry_activation", carry)), carry);
                }
                case GRU: {
                    List<Tensor> xg = ops.split(s + "/input_gates", x, 1, 3);
                    Tensor candidateIn;
                    Tensor z;
                    if (recurrentParts == null) {
                        Tensor inner = ops.matMul(s + "/recurrent_MatMul", h, recurrentKernel);
                        if (recurrentBias != null) inner = ops.biasAdd(s + "/recurrent_BiasAdd", inner, recurrentBias);
                        List<Tensor> rg = ops.split(s + "/recurrent_gates", inner, 1, 3);
                        z = recurrent(s + "/update_gate", ops.add(s + "/z", xg.get(0), rg.get(0)));
                        Tensor r = recurrent(s + "/reset_gate", ops.add(s + "/r", xg.get(1), rg.get(1)));
                        candidateIn = ops.add(s + "/hh_in", xg.get(2), ops.mul(s + "/reset_recurrent", r, rg.get(2)));
                    } else {
                        z = recurrent(s + "/update_gate", ops.add(s + "/z", xg.get(0), ops.matMul(s + "/z_MatMul", h, recurrentParts.get(0))));
                        Tensor r = recurrent(s + "/reset_gate", ops.add(s + "/r", xg.get(1), ops.matMul(s + "/r_MatMul", h, recurrentParts.get(1))));
                        Tensor resetH = ops.mul(s + "/reset_h", r, h);
                        candidateIn = ops.add(s + "/hh_in", xg.get(2), ops.matMul(s + "/hh_MatMul", resetH, recurrentParts.get(2)));
                    }
                    Tensor candidate = act(s + "/candidate", candidateIn);
                    Tensor oneMinusZ = ops.sub(s + "/one_minus_z", ops.scalar(s + "/one", 1f), z);
                    return new State(ops.add(s + "/h", ops.mul(s + "/kept_h", z, h), ops.mul(s + "/new_h", oneMinusZ, candidate)), null);
                }
                default:
                    return new State(act(s + "/h", ops.add(s + "/pre_activation", x, ops.matMul(s + "/recurrent_MatMul", h, recurrentKernel))), null);
            }
        }

        private Tensor act(String at, Tensor x) { return activations.apply(layer.name(), at, activation, x, call.dialect()); }

        private Tensor recurrent(String at, Tensor x) { return activations.apply(layer.name(), at, recurrentActivation, x, call.dialect()); }
    }
}
