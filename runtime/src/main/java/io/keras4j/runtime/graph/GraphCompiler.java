package io.keras4j.runtime.graph;

import io.keras4j.UnsupportedModelException;
import io.keras4j.core.CallPlan;
import io.keras4j.core.KerasCall;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.TensorRef;
import io.keras4j.runtime.spi.LayerOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles a Keras 3 dialect model into the runtime's executable {@link Graph} (the TensorFlow graph a SavedModel
 * holds is built elsewhere): Sequential models become a chain, functional models are
 * ordered so every layer call comes after the calls producing its inputs. A layer with several inbound nodes
 * (a shared layer) runs once per node with the same op; a nested model compiles to a sub-graph.
 */
public final class GraphCompiler {
    private final LayerFactory factory;
    private final boolean requireWeights;
    private final boolean fuse;

    /** Sizes from a config (RepeatVector(2**31 - 1), Dense(2**31), Reshape([-5, -1])) that no tensor can have. */
    private static UnsupportedModelException invalidConfig(Model model, Layer layer, RuntimeException e) {
        return new UnsupportedModelException("model '" + model.name() + "': layer '" + layer.name() + "' (" + layer.className()
                + "): its configuration gives no valid shape: " + e.getMessage(), null, null, layer.name(), e);
    }

    /**
     * A layer's shape inference indexed past its input's shape: the config gives it an input of a rank it cannot take
     * (an LSTM fed a rank-2 tensor by a damaged file, found by fuzzing). Keras refuses such a model when it builds it.
     */
    private static UnsupportedModelException inputRankNotTaken(Model model, Layer layer, List<long[]> inputShapes, RuntimeException e) {
        return new UnsupportedModelException("model '" + model.name() + "': layer '" + layer.name() + "' (" + layer.className()
                + ") cannot take inputs of shape " + inputShapes.stream().map(java.util.Arrays::toString).toList()
                + " (" + e.getMessage() + ")", null, null, layer.name(), e);
    }

    /**
     * A computed output shape the runtime can hold: every size -1 (unknown) or non-negative, and the elements of one
     * sample (all but the batch axis) within an array's reach, computed without overflow (UpSampling1D(size=2**30) once
     * wrapped to a shape of size 0).
     */
    private static void checkShape(Model model, Layer layer, long[] shape) {
        long perSample = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < -1) {
                throw new UnsupportedModelException("model '" + model.name() + "': layer '" + layer.name() + "' (" + layer.className()
                        + ") computes the invalid shape " + java.util.Arrays.toString(shape));
            }
            if (i > 0 && shape[i] >= 0) {
                try {
                    perSample = Math.multiplyExact(perSample, shape[i]);
                } catch (ArithmeticException e) {
                    perSample = Long.MAX_VALUE;
                }
            }
        }
        if (perSample > Integer.MAX_VALUE - 8) {
            throw new UnsupportedModelException("model '" + model.name() + "': layer '" + layer.name() + "' (" + layer.className()
                    + ") outputs " + java.util.Arrays.toString(shape) + ", more values per sample than a Java array holds");
        }
    }

    /**
     * With {@code requireWeights}, every layer's weights are checked against the shapes its config implies, and
     * layers are fused where the graph allows ({@link Fusion}).
     */
    public GraphCompiler(LayerFactory factory, boolean requireWeights) { this(factory, requireWeights, requireWeights); }

    /** {@code fuse = false} keeps one step per layer call: the reference the fusion tests compare with. */
    GraphCompiler(LayerFactory factory, boolean requireWeights, boolean fuse) {
        this.factory = factory;
        this.requireWeights = requireWeights;
        this.fuse = fuse;
    }

    public Graph build(Model model) {
        CallPlan plan = CallPlan.of(model);
        return plan.isChain() ? sequential(plan) : functional(plan);
    }

    private LayerOp opOf(Layer layer) {
        return layer.nestedModel().isPresent() ? build(layer.nestedModel().get()) : factory.create(layer);
    }

    private Graph sequential(CallPlan plan) {
        Model model = plan.model();
        List<Layer> layers = model.layers();
        if (layers.isEmpty()) throw new UnsupportedModelException("model '" + model.name() + "' has no layers");
        Layer first = layers.get(0);
        long[] inputShape = first.className().equals("InputLayer") || first.nestedModel().isEmpty()
                ? first.batchInputShape().orElse(null)
                : first.nestedModel().get().layers().get(0).batchInputShape().orElse(null);
        if (inputShape == null) {
            throw new UnsupportedModelException("Sequential model '" + model.name() + "' declares no input shape "
                    + "(no InputLayer and no batch_input_shape on its first layer '" + first.name() + "')");
        }
        List<Step> steps = new ArrayList<>();
        int slot = 0;
        long[] shape = inputShape;
        for (CallPlan.Call call : plan.calls()) {
            Layer layer = call.layer();
            LayerOp op;
            List<long[]> out;
            try {
                op = opOf(layer);
                checkWeights(layer, op, List.of(shape));
                out = op.outputShapes(List.of(shape));
            } catch (ArithmeticException | NegativeArraySizeException | IllegalArgumentException e) {
                throw invalidConfig(model, layer, e);
            } catch (IndexOutOfBoundsException e) {
                throw inputRankNotTaken(model, layer, List.of(shape), e);
            }
            for (long[] s : out) checkShape(model, layer, s);
            steps.add(new Step(layer.name(), 0, op, new int[] {slot}, null, new int[] {slot + 1}));
            if (out.size() != 1) {
                throw new UnsupportedModelException("layer '" + layer.name() + "' of Sequential model '" + model.name()
                        + "' has " + out.size() + " outputs");
            }
            shape = out.get(0);
            slot++;
        }
        return new Graph(slot + 1, new int[] {0}, new int[] {slot}, steps, List.of(inputShape), fuse);
    }

    private Graph functional(CallPlan plan) {
        Model model = plan.model();
        Map<TensorRef, Integer> slots = new HashMap<>();
        List<long[]> slotShapes = new ArrayList<>();
        List<long[]> inputShapes = new ArrayList<>();
        int[] inputSlots = new int[model.inputs().size()];
        for (int i = 0; i < inputSlots.length; i++) {
            TensorRef ref = model.inputs().get(i);
            Layer input = model.layer(ref.layer()).orElseThrow(() -> missing(model, ref));
            inputShapes.add(input.batchInputShape().orElseThrow(() -> new UnsupportedModelException(
                    "input '" + input.name() + "' of model '" + model.name() + "' declares no shape")));
            inputSlots[i] = slots.size();
            slots.put(new TensorRef(ref.layer(), 0, 0), slots.size());
            slotShapes.add(inputShapes.get(i));
        }
        Map<String, LayerOp> ops = new HashMap<>();
        List<Step> steps = new ArrayList<>();
        for (CallPlan.Call c : plan.calls()) {
            KerasCall site = c.site();
            if (!site.inputs().stream().allMatch(slots::containsKey)
                    || site.maskArguments() != null && !site.maskArguments().stream().allMatch(m -> m == null || slots.containsKey(m))) {
                // The plan knows calls, not how many tensors each returns: a reference past a call's outputs.
                throw new UnsupportedModelException("model '" + model.name() + "': layer '" + c.layer().name()
                        + "' (node " + c.node() + ") consumes " + site.inputs() + ", which no layer produces");
            }
            int[] in = site.inputs().stream().mapToInt(slots::get).toArray();
            int[] maskSlots = site.maskArguments() == null ? null
                    : site.maskArguments().stream().mapToInt(m -> m == null ? -1 : slots.get(m)).toArray();
            List<long[]> inShapes = java.util.Arrays.stream(in).mapToObj(slotShapes::get).toList();
            LayerOp op;
            List<long[]> shapes;
            try {
                op = ops.computeIfAbsent(c.layer().name(), k -> {
                    LayerOp created = opOf(c.layer());
                    checkWeights(c.layer(), created, inShapes);
                    return created;
                }).forCall(c.inbound());
                shapes = op.outputShapes(inShapes);
            } catch (ArithmeticException | NegativeArraySizeException | IllegalArgumentException e) {
                throw invalidConfig(model, c.layer(), e);
            } catch (IndexOutOfBoundsException e) {
                throw inputRankNotTaken(model, c.layer(), inShapes, e);
            }
            for (long[] shape : shapes) checkShape(model, c.layer(), shape);
            int[] out = new int[shapes.size()];
            for (int t = 0; t < out.length; t++) {
                out[t] = slots.size();
                slots.put(new TensorRef(c.layer().name(), c.node(), t), slots.size());
                slotShapes.add(shapes.get(t));
            }
            steps.add(new Step(c.layer().name(), c.node(), op, in, maskSlots, out));
        }
        int[] outputSlots = model.outputs().stream().mapToInt(ref -> {
            Integer s = slots.get(ref);
            if (s == null) throw missing(model, ref);
            return s;
        }).toArray();
        return new Graph(slots.size(), inputSlots, outputSlots, steps, inputShapes, fuse);
    }

    private void checkWeights(Layer layer, LayerOp op, List<long[]> inputShapes) {
        if (!requireWeights || layer.nestedModel().isPresent()) return;
        List<long[]> expected = op.weightShapes(inputShapes);
        List<long[]> actual = layer.weights().stream().map(w -> w.value().shape()).toList();
        boolean ok = expected.size() == actual.size();
        for (int i = 0; ok && i < expected.size(); i++) ok = fits(expected.get(i), actual.get(i));
        if (!ok) {
            throw new UnsupportedModelException("layer '" + layer.name() + "' (" + layer.className() + ") "
                    + (actual.isEmpty() ? "has no weights" : "has weights " + describe(actual))
                    + " but its config needs " + describe(expected)
                    + (actual.isEmpty() ? "; load or bind the weights before compiling" : ""));
        }
    }

    private static boolean fits(long[] expected, long[] actual) {
        if (expected.length != actual.length) return false;
        for (int i = 0; i < expected.length; i++) if (expected[i] >= 0 && expected[i] != actual[i]) return false;
        return true;
    }

    private static String describe(List<long[]> shapes) {
        return shapes.stream().map(s -> java.util.Arrays.toString(s).replace("-1", "?")).toList().toString();
    }

    private static UnsupportedModelException missing(Model model, TensorRef ref) {
        return new UnsupportedModelException("model '" + model.name() + "' refers to tensor " + ref + ", which no layer produces");
    }
}
