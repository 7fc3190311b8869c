package io.keras4j.export.tf;

import io.keras4j.export.tf.TfFunction.Tensor;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import java.util.ArrayList;
import java.util.List;

/**
 * One time step of a recurrent layer's cell, as Keras's LSTMCell, GRUCell and SimpleRNNCell compute it from the
 * step's projected input ({@code x @ kernel + bias}, computed for all steps at once), followed by Keras's masking
 * of the step. The same step is emitted once per step when the steps are unrolled, or once into a while loop's
 * body ({@link #in}).
 */
final class RecurrentCell {
    enum Kind {
        LSTM(4), GRU(3), SIMPLE(1);

        /** Blocks of {@code units} columns in the kernels. */
        final int gates;

        Kind(int gates) { this.gates = gates; }

        static Kind of(String className) {
            switch (className) {
                case "LSTM": return LSTM;
                case "GRU": return GRU;
                case "SimpleRNN": return SIMPLE;
                default: return null;
            }
        }
    }

    /** The recurrent state; {@code c} only for LSTM. */
    record State(Tensor h, Tensor c) {}

    /** The states after a step and the step's output. */
    record Step(State state, Tensor output) {}

    /**
     * The recurrent weights a step reads: the recurrent kernel, or for a GRU with {@code reset_after=False} its
     * three gate blocks; the recurrent bias of a GRU with {@code reset_after=True}, else {@code null}.
     */
    record Weights(List<Tensor> kernels, Tensor bias) {
        Weights {
            kernels = List.copyOf(kernels);
        }

        /** The kernels then the bias ({@code null} when absent), as {@link #of} takes them back. */
        List<Tensor> tensors() {
            List<Tensor> all = new ArrayList<>(kernels);
            all.add(bias);
            return all;
        }

        static Weights of(List<Tensor> tensors) {
            return new Weights(tensors.subList(0, tensors.size() - 1), tensors.get(tensors.size() - 1));
        }
    }

    private final Kind kind;
    private final Layer layer;
    private final Dialect dialect;
    private final TfOps ops;
    private final Activations activations;
    private final String activation;
    private final String recurrentActivation;

    RecurrentCell(Kind kind, Layer layer, Dialect dialect, TfOps ops) {
        this.kind = kind;
        this.layer = layer;
        this.dialect = dialect;
        this.ops = ops;
        this.activations = new Activations(ops);
        this.activation = Activations.name(layer.config(), "activation", "tanh");
        this.recurrentActivation = Activations.name(layer.config(), "recurrent_activation", "sigmoid");
    }

    /** The same cell emitting into another function (a while loop's body). */
    RecurrentCell in(TfOps other) { return new RecurrentCell(kind, layer, dialect, other); }

    /**
     * One step under node names {@code s/...}. With a mask, as Keras's backend {@code rnn}: where {@code keep}
     * (a DT_BOOL {@code [batch]}) is false the states stay and the output is {@code maskedOutput} (the previous
     * output, or zeros with {@code zero_output_for_mask}); {@code keep == null} keeps every row.
     */
    Step step(String s, Tensor x, State state, Tensor keep, Tensor maskedOutput, Weights weights) {
        State next = cell(s, x, state, weights);
        if (keep == null) return new Step(next, next.h());
        Tensor output = ops.select(s + "/output", keep, next.h(), maskedOutput);
        return new Step(new State(ops.select(s + "/h", keep, next.h(), state.h()),
                next.c() == null ? null : ops.select(s + "/c", keep, next.c(), state.c())), output);
    }

    private State cell(String s, Tensor x, State state, Weights weights) {
        Tensor h = state.h();
        switch (kind) {
            case LSTM: {
                Tensor z = ops.add(s + "/z", x, ops.matMul(s + "/recurrent_MatMul", h, weights.kernels().get(0)));
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
                if (weights.kernels().size() == 1) {
                    Tensor inner = ops.matMul(s + "/recurrent_MatMul", h, weights.kernels().get(0));
                    if (weights.bias() != null) inner = ops.biasAdd(s + "/recurrent_BiasAdd", inner, weights.bias());
                    List<Tensor> rg = ops.split(s + "/recurrent_gates", inner, 1, 3);
                    z = recurrent(s + "/update_gate", ops.add(s + "/z", xg.get(0), rg.get(0)));
                    Tensor r = recurrent(s + "/reset_gate", ops.add(s + "/r", xg.get(1), rg.get(1)));
                    candidateIn = ops.add(s + "/hh_in", xg.get(2), ops.mul(s + "/reset_recurrent", r, rg.get(2)));
                } else {
                    List<Tensor> k = weights.kernels();
                    z = recurrent(s + "/update_gate", ops.add(s + "/z", xg.get(0), ops.matMul(s + "/z_MatMul", h, k.get(0))));
                    Tensor r = recurrent(s + "/reset_gate", ops.add(s + "/r", xg.get(1), ops.matMul(s + "/r_MatMul", h, k.get(1))));
                    Tensor resetH = ops.mul(s + "/reset_h", r, h);
                    candidateIn = ops.add(s + "/hh_in", xg.get(2), ops.matMul(s + "/hh_MatMul", resetH, k.get(2)));
                }
                Tensor candidate = act(s + "/candidate", candidateIn);
                Tensor oneMinusZ = ops.sub(s + "/one_minus_z", ops.scalar(s + "/one", 1f), z);
                return new State(ops.add(s + "/h", ops.mul(s + "/kept_h", z, h), ops.mul(s + "/new_h", oneMinusZ, candidate)), null);
            }
            default:
                return new State(act(s + "/h", ops.add(s + "/pre_activation", x, ops.matMul(s + "/recurrent_MatMul", h, weights.kernels().get(0)))), null);
        }
    }

    private Tensor act(String at, Tensor x) { return activations.apply(layer.name(), at, activation, x, dialect); }

    private Tensor recurrent(String at, Tensor x) { return activations.apply(layer.name(), at, recurrentActivation, x, dialect); }
}
