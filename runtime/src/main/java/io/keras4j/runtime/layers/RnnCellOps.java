package io.keras4j.runtime.layers;

import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.InboundNode;
import io.keras4j.model.Weight;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * The generic {@code RNN(cell)} layer with a {@code SimpleRNNCell}, {@code GRUCell}, {@code LSTMCell} or a
 * {@code StackedRNNCells} of them. A cell computes what the matching layer computes (the layers are RNNs of these
 * cells), so the cell's config plus the wrapper's own options ({@code return_sequences}, {@code return_state},
 * {@code go_backwards}, {@code zero_output_for_mask}; {@code unroll} changes only how Keras schedules the loop) make a
 * {@link RecurrentOp}.
 *
 * <p>A stack of cells advances every cell by one step before the next step; since each cell reads only its own
 * state and the output of the cell below at the same step, that equals a stack of recurrent layers, all but the
 * last returning sequences. A masked step keeps every cell's state, as each layer of the stack does.
 */
final class RnnCellOps {
    private RnnCellOps() {}

    /** The wrapper options copied into each cell's config. */
    private static final List<String> WRAPPER_OPTIONS = List.of("return_sequences", "return_state", "go_backwards",
            "stateful", "time_major");

    static LayerOp rnn(LayerSpec spec) {
        JsonObject entry = Configs.object(spec, "cell");
        String cellClass = entry.getString("class_name", "");
        if (cellClass.equals("StackedRNNCells")) return new Stacked(spec, entry.getObject("config"));
        JsonObject config = entry.getObject("config");
        for (String option : WRAPPER_OPTIONS) {
            JsonValue v = spec.config().get(option);
            config = v.isNull() ? config.without(option) : config.with(option, v);
        }
        return new RecurrentOp(spec.derived(spec.className(), config, spec.weights()), cellKind(spec, cellClass),
                zeroOutputForMask(spec));
    }

    /** Masked steps output zeros instead of repeating the last output (tf.keras saves the option only when true). */
    private static boolean zeroOutputForMask(LayerSpec spec) { return Configs.flag(spec, "zero_output_for_mask", false); }

    private static RecurrentOp.Cell cellKind(LayerSpec spec, String cellClass) {
        return switch (cellClass) {
            case "SimpleRNNCell" -> RecurrentOp.Cell.SIMPLE;
            case "GRUCell" -> RecurrentOp.Cell.GRU;
            case "LSTMCell" -> RecurrentOp.Cell.LSTM;
            default -> throw Configs.unsupported(spec, "an RNN of cell class '" + cellClass
                    + "' (SimpleRNNCell, GRUCell, LSTMCell and StackedRNNCells of them are implemented)");
        };
    }

    /** {@code RNN(StackedRNNCells([...]))}: one recurrent layer per cell, bottom cell first. */
    private static final class Stacked implements LayerOp {
        private final LayerSpec spec;
        private final List<RecurrentOp> layers;

        Stacked(LayerSpec spec, JsonObject stackConfig) {
            this.spec = spec;
            if (Configs.flag(spec, "return_state", false)) throw Configs.unsupported(spec, "return_state=True over StackedRNNCells");
            if (Configs.flag(spec, "go_backwards", false)) throw Configs.unsupported(spec, "go_backwards=True over StackedRNNCells");
            if (Configs.flag(spec, "stateful", false)) throw Configs.unsupported(spec, "stateful=True");
            if (Configs.flag(spec, "time_major", false)) throw Configs.unsupported(spec, "time_major=True");
            JsonArray cells = stackConfig.getArray("cells");
            List<Weight> weights = spec.weights();
            List<RecurrentOp> built = new ArrayList<>();
            int next = 0;
            for (int i = 0; i < cells.size(); i++) {
                JsonObject entry = cells.get(i).asObject();
                JsonObject config = entry.getObject("config");
                int count = config.getBoolean("use_bias", true) ? 3 : 2;
                if (next + count > weights.size()) {
                    throw Configs.bad(spec, "cell", "has " + weights.size() + " weights, too few for its " + cells.size() + " cells");
                }
                boolean last = i == cells.size() - 1;
                config = config.with("return_sequences", last ? Configs.flag(spec, "return_sequences", false) : true);
                // Only the stack's output is zeroed at masked steps; the cells above ignore those steps anyway.
                built.add(new RecurrentOp(spec.derived(spec.className(), config, weights.subList(next, next + count)),
                        cellKind(spec, entry.getString("class_name", "")), last && zeroOutputForMask(spec)));
                next += count;
            }
            if (built.isEmpty()) throw Configs.bad(spec, "cell", "stacks no cells");
            if (next != weights.size()) {
                throw Configs.bad(spec, "cell", "has " + weights.size() + " weights; its cells take " + next);
            }
            this.layers = List.copyOf(built);
        }

        private Stacked(LayerSpec spec, List<RecurrentOp> layers) {
            this.spec = spec;
            this.layers = layers;
        }

        @Override
        public LayerOp forCall(InboundNode node) {
            List<RecurrentOp> forCall = new ArrayList<>();
            for (RecurrentOp layer : layers) forCall.add((RecurrentOp) layer.forCall(node));
            return new Stacked(spec, List.copyOf(forCall));
        }

        @Override
        public List<long[]> outputShapes(List<long[]> inputShapes) {
            if (inputShapes.size() > 1) throw Configs.unsupported(spec, "initial states for StackedRNNCells");
            List<long[]> shapes = inputShapes;
            for (RecurrentOp layer : layers) shapes = layer.outputShapes(shapes);
            return shapes;
        }

        @Override
        public List<long[]> weightShapes(List<long[]> inputShapes) {
            List<long[]> out = new ArrayList<>();
            List<long[]> shapes = inputShapes;
            for (RecurrentOp layer : layers) {
                out.addAll(layer.weightShapes(shapes));
                shapes = layer.outputShapes(shapes);
            }
            return out;
        }

        @Override
        public List<Value> call(List<Value> inputs, CallContext ctx) {
            if (inputs.size() > 1) throw Configs.unsupported(spec, "initial states for StackedRNNCells");
            List<Value> values = inputs;
            for (RecurrentOp layer : layers) values = layer.call(values, ctx);
            return values;
        }
    }
}
