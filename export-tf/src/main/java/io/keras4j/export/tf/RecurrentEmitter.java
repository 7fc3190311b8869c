package io.keras4j.export.tf;

import static io.keras4j.export.tf.EmitHelpers.unsupported;

import io.keras4j.export.tf.RecurrentCell.Kind;
import io.keras4j.export.tf.RecurrentCell.State;
import io.keras4j.export.tf.RecurrentCell.Step;
import io.keras4j.export.tf.TfFunction.Tensor;
import io.keras4j.tf.proto.DataType;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Weight;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * {@code LSTM}, {@code GRU} (both {@code reset_after} forms), {@code SimpleRNN} and {@code Bidirectional} over
 * {@code [batch, steps, features]}: unrolled when the number of steps is static, else a while loop over the steps
 * (as Keras's backend {@code rnn} runs {@code tf.while_loop}), both computing the same {@link RecurrentCell} step.
 *
 * <p>As in Keras's cells: the input projection of all steps is one MatMul; each step multiplies the state by the
 * recurrent kernel. With a mask, as Keras's backend {@code rnn}: a masked step keeps the previous states and
 * repeats the previous output (zeros before the first step), or outputs zeros with {@code zero_output_for_mask},
 * which {@code Bidirectional} sets for sequence outputs. Extra inputs are initial states.
 */
final class RecurrentEmitter extends WeightedEmitter {
    /**
     * What the steps of one layer call consume: the projected inputs {@code [batch, steps, gates * units]}, the
     * mask {@code [batch, steps]} or {@code null}, the initial states, zeros {@code [batch, units]}, the recurrent
     * weights, and the layer's direction and output options.
     */
    private record Steps(Tensor projected, Tensor mask, State initial, Tensor zeros, RecurrentCell.Weights weights,
                         boolean backwards, boolean zeroOutputForMask, boolean sequences) {
        Tensor maskedOutput(Tensor previousOutput) { return zeroOutputForMask ? zeros : previousOutput; }
    }

    /** The outputs of all steps {@code [batch, steps, units]} (only when asked for), the last output and the final states. */
    private record Run(Tensor sequence, Tensor lastOutput, State state) {}

    /** What the while loop carries from step to step: the step index, the states, the last output, the outputs so far (or null). */
    private record Carried(Tensor step, State state, Tensor output, Tensor outputs) {
        List<Tensor> tensors() { return Arrays.asList(step, state.h(), state.c(), output, outputs); }

        static Carried of(List<Tensor> t) { return new Carried(t.get(0), new State(t.get(1), t.get(2)), t.get(3), t.get(4)); }
    }

    /**
     * What every step of the while loop reads unchanged: the number of steps, the time-major inputs and mask (or
     * null), the zeros a masked step outputs with {@code zero_output_for_mask} (else null: it repeats the last
     * output) and the recurrent weights.
     */
    private record Invariants(Tensor steps, Tensor inputs, Tensor keep, Tensor maskedZeros, RecurrentCell.Weights weights) {
        List<Tensor> tensors() {
            List<Tensor> all = new ArrayList<>(Arrays.asList(steps, inputs, keep, maskedZeros));
            all.addAll(weights.tensors());
            return all;
        }

        static Invariants of(List<Tensor> t) {
            return new Invariants(t.get(0), t.get(1), t.get(2), t.get(3), RecurrentCell.Weights.of(t.subList(4, t.size())));
        }
    }

    RecurrentEmitter(TfOps ops, Function<Weight, Tensor> read) {
        super(ops, read);
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
        if (Kind.of(inner.className()) == null) throw unsupported(wrapper, "a Bidirectional wrapper around " + inner.className());
    }

    private List<KerasTensor> run(LayerCall call, boolean zeroOutputForMask) {
        Layer layer = call.layer();
        String n = layer.name();
        JsonObject c = layer.config();
        Kind kind = Kind.of(layer.className());
        if (call.dialect() == Dialect.KERAS1) throw unsupported(layer, "a Keras 1 recurrent layer config");
        if (c.getBoolean("stateful", false)) {
            throw unsupported(layer, "stateful=True (a serving function cannot keep the states of one call for the next)");
        }
        if (c.getBoolean("time_major", false)) throw unsupported(layer, "time_major=True");
        boolean useBias = layer.useBias();
        if (layer.weights().size() != (useBias ? 3 : 2)) {
            throw unsupported(layer, layer.weights().size() + " weights where kernel, recurrent kernel" + (useBias ? " and bias" : "") + " were expected");
        }
        int units = Math.toIntExact(layer.units().orElseThrow(() -> unsupported(layer, "no 'units' in the config")));
        boolean resetAfter = kind == Kind.GRU && c.getBoolean("reset_after", true);
        KerasTensor in = call.input();
        Tensor x = in.value();
        if (x.rank() != 3) throw unsupported(layer, "an input of rank " + x.rank() + " (expected [batch, steps, features])");
        if (x.dim(2) < 0) throw unsupported(layer, "an unknown number of features");

        Tensor kernel = read(layer, 0);
        Tensor recurrentKernel = read(layer, 1);
        Tensor inputBias = useBias ? read(layer, 2) : null;
        Tensor recurrentBias = null;
        if (resetAfter && inputBias != null) {
            List<Tensor> biases = ops.unpack(n + "/bias", inputBias, 0);
            inputBias = biases.get(0);
            recurrentBias = biases.get(1);
        }
        Tensor projected = ops.matMul(n + "/input_MatMul", ops.reshape(n + "/flatten", x, new long[] {-1, x.dim(2)}), kernel);
        if (inputBias != null) projected = ops.biasAdd(n + "/input_BiasAdd", projected, inputBias);
        projected = ops.reshapeLeading(n + "/projected", projected, x, 2, new long[] {(long) kind.gates * units});
        List<Tensor> kernels = kind == Kind.GRU && !resetAfter ? ops.split(n + "/recurrent_kernel", recurrentKernel, 1, 3) : List.of(recurrentKernel);

        Tensor mask = call.maskArgument(0);
        if (mask != null) {
            if (mask.rank() != 2) throw unsupported(layer, "a mask of rank " + mask.rank() + " (expected [batch, steps])");
            mask = mask.withShape(new long[] {x.dim(0), x.dim(1)});
        }
        Tensor zeros = ops.zeros(n + "/zeros", x, units);
        State initial = new State(call.inputs().size() > 1 ? call.inputs().get(1).value() : zeros,
                kind == Kind.LSTM ? (call.inputs().size() > 2 ? call.inputs().get(2).value() : zeros) : null);
        Steps steps = new Steps(projected, mask, initial, zeros, new RecurrentCell.Weights(kernels, recurrentBias),
                c.getBoolean("go_backwards", false), zeroOutputForMask, c.getBoolean("return_sequences", false));
        RecurrentCell cell = new RecurrentCell(kind, layer, call.dialect(), ops);
        Run run = x.dim(1) >= 0 ? unrolled(n, cell, steps) : looped(n, cell, steps);

        List<KerasTensor> result = new ArrayList<>();
        result.add(steps.sequences() ? new KerasTensor(run.sequence(), in.mask()) : KerasTensor.of(run.lastOutput()));
        if (c.getBoolean("return_state", false)) {
            result.add(KerasTensor.of(run.state().h()));
            if (run.state().c() != null) result.add(KerasTensor.of(run.state().c()));
        }
        return result;
    }

    /** A static number of steps: one cell step per time step. */
    private Run unrolled(String n, RecurrentCell cell, Steps in) {
        int steps = Math.toIntExact(in.projected().dim(1));
        List<Tensor> inputs = ops.unpack(n + "/unstack", in.projected(), 1);
        List<Tensor> keep = in.mask() == null ? null : ops.unpack(n + "/mask_unstack", in.mask(), 1);
        State state = in.initial();
        Tensor previousOutput = in.zeros();
        List<Tensor> outputs = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            int t = in.backwards() ? steps - 1 - i : i;
            Step next = cell.step(n + "/step_" + i, inputs.get(t), state, keep == null ? null : keep.get(t),
                    in.maskedOutput(previousOutput), in.weights());
            state = next.state();
            previousOutput = next.output();
            outputs.add(previousOutput);
        }
        return new Run(in.sequences() ? ops.pack(n + "/sequence", outputs, 1) : null, previousOutput, state);
    }

    /**
     * A number of steps known at run time only: a while loop over the time-major inputs (reversed for
     * {@code go_backwards}) whose body runs the cell step on step {@code i} and writes its output to a TensorList,
     * as Keras's backend {@code rnn} does with {@code tf.while_loop} and a TensorArray.
     */
    private Run looped(String n, RecurrentCell cell, Steps in) {
        Tensor inputs = ops.transpose(n + "/time_major", in.projected(), 1, 0, 2);
        Tensor keep = in.mask() == null ? null : ops.transpose(n + "/mask_time_major", in.mask(), 1, 0);
        if (in.backwards()) {
            inputs = ops.reverse(n + "/reversed", inputs, 0);
            if (keep != null) keep = ops.reverse(n + "/mask_reversed", keep, 0);
        }
        Tensor steps = ops.dimension(n + "/steps", inputs, 0);
        Carried first = new Carried(ops.function().scalarInt32(n + "/first_step", 0), in.initial(), in.zeros(),
                in.sequences() ? ops.tensorListReserve(n + "/outputs", DataType.DT_FLOAT, steps) : null);
        Invariants invariants = new Invariants(steps, inputs, keep, keep != null && in.zeroOutputForMask() ? in.zeros() : null, in.weights());
        List<Tensor> results = WhileLoop.run(ops, n + "_while", first.tensors(), invariants.tensors(),
                (condOps, carried, fixed) -> condOps.compare("Less", "more_steps", Carried.of(carried).step(), Invariants.of(fixed).steps()),
                (bodyOps, carried, fixed) -> {
                    Carried now = Carried.of(carried);
                    Invariants invariant = Invariants.of(fixed);
                    String s = n + "/step";
                    Tensor keepRow = invariant.keep() == null ? null : bodyOps.gather(s + "/keep", invariant.keep(), now.step());
                    Step next = cell.in(bodyOps).step(s, bodyOps.gather(s + "/input", invariant.inputs(), now.step()), now.state(), keepRow,
                            invariant.maskedZeros() != null ? invariant.maskedZeros() : now.output(), invariant.weights());
                    Tensor written = now.outputs() == null ? null : bodyOps.tensorListSetItem(s + "/write", now.outputs(), now.step(), next.output());
                    Tensor nextStep = bodyOps.add(s + "/next", now.step(), bodyOps.scalarLike(s + "/one", now.step(), 1));
                    return new Carried(nextStep, next.state(), next.output(), written).tensors();
                });
        Carried last = Carried.of(results);
        Tensor sequence = null;
        if (in.sequences()) {
            Tensor stacked = ops.tensorListStack(n + "/stacked", last.outputs(), DataType.DT_FLOAT, in.zeros().shape());
            sequence = ops.transpose(n + "/sequence", stacked, 1, 0, 2);
        }
        return new Run(sequence, last.output(), last.state());
    }
}
