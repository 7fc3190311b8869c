package io.keras4j.runtime.graph;

import io.keras4j.UnsupportedModelException;
import io.keras4j.core.KerasCall;
import io.keras4j.model.InboundNode;
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

    /** Sizes from a config (RepeatVector(2**31 - 1), Dense(2**31), Reshape([-5, -1])) that no tensor can have. */
    private static UnsupportedModelException invalidConfig(Model model, Layer layer, RuntimeException e) {
        return new UnsupportedModelException("model '" + model.name() + "': layer '" + layer.name() + "' (" + layer.className()
                + "): its configuration gives no valid shape: " + e.getMessage(), null, null, layer.name(), e);
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

    /** With {@code requireWeights}, every layer's weights are checked against the shapes its config implies. */
    public GraphCompiler(LayerFactory factory, boolean requireWeights) {
        this.factory = factory;
        this.requireWeights = requireWeights;
    }

    public Graph build(Model model) {
        return isChain(model) ? sequential(model) : functional(model);
    }

    private static boolean isChain(Model model) {
        return model.isSequential() || model.layers().stream().allMatch(l -> l.inboundNodes().isEmpty());
    }

    private LayerOp opOf(Layer layer) {
        return layer.nestedModel().isPresent() ? build(layer.nestedModel().get()) : factory.create(layer);
    }

    private Graph sequential(Model model) {
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
        for (Layer layer : layers) {
            if (layer.className().equals("InputLayer")) continue;
            LayerOp op;
            List<long[]> out;
            try {
                op = opOf(layer);
                checkWeights(layer, op, List.of(shape));
                out = op.outputShapes(List.of(shape));
            } catch (ArithmeticException | NegativeArraySizeException | IllegalArgumentException e) {
                throw invalidConfig(model, layer, e);
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
        return new Graph(slot + 1, new int[] {0}, new int[] {slot}, steps, List.of(inputShape));
    }

    private Graph functional(Model model) {
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
        record Pending(Layer layer, int node, KerasCall site, InboundNode inbound) {}
        List<Pending> pending = new ArrayList<>();
        Map<String, Integer> nodeOffsets = nestedModelNodeOffsets(model);
        for (Layer layer : model.layers()) {
            if (layer.className().equals("InputLayer")) continue;
            int offset = nodeOffsets.getOrDefault(layer.name(), 0);
            for (int n = 0; n < layer.inboundNodes().size(); n++) {
                InboundNode node = layer.inboundNodes().get(n);
                pending.add(new Pending(layer, n + offset, KerasCall.of(node), node));
            }
        }
        Map<String, LayerOp> ops = new HashMap<>();
        List<Step> steps = new ArrayList<>();
        while (!pending.isEmpty()) {
            boolean progressed = false;
            for (var it = pending.iterator(); it.hasNext(); ) {
                Pending p = it.next();
                KerasCall site = p.site();
                if (!site.inputs().stream().allMatch(slots::containsKey)) continue;
                if (site.maskArguments() != null && !site.maskArguments().stream().allMatch(m -> m == null || slots.containsKey(m))) continue;
                int[] in = site.inputs().stream().mapToInt(slots::get).toArray();
                int[] maskSlots = site.maskArguments() == null ? null
                        : site.maskArguments().stream().mapToInt(m -> m == null ? -1 : slots.get(m)).toArray();
                List<long[]> inShapes = java.util.Arrays.stream(in).mapToObj(slotShapes::get).toList();
                LayerOp op;
                List<long[]> shapes;
                try {
                    op = ops.computeIfAbsent(p.layer().name(), k -> {
                        LayerOp created = opOf(p.layer());
                        checkWeights(p.layer(), created, inShapes);
                        return created;
                    }).forCall(p.inbound());
                    shapes = op.outputShapes(inShapes);
                } catch (ArithmeticException | NegativeArraySizeException | IllegalArgumentException e) {
                    throw invalidConfig(model, p.layer(), e);
                }
                for (long[] shape : shapes) checkShape(model, p.layer(), shape);
                int[] out = new int[shapes.size()];
                for (int t = 0; t < out.length; t++) {
                    out[t] = slots.size();
                    slots.put(new TensorRef(p.layer().name(), p.node(), t), slots.size());
                    slotShapes.add(shapes.get(t));
                }
                steps.add(new Step(p.layer().name(), p.node(), op, in, maskSlots, out));
                it.remove();
                progressed = true;
            }
            if (!progressed) {
                Pending p = pending.get(0);
                throw new UnsupportedModelException("model '" + model.name() + "': layer '" + p.layer().name()
                        + "' (node " + p.node() + ") consumes " + p.site().inputs() + ", which no layer produces");
            }
        }
        int[] outputSlots = model.outputs().stream().mapToInt(ref -> {
            Integer s = slots.get(ref);
            if (s == null) throw missing(model, ref);
            return s;
        }).toArray();
        return new Graph(slots.size(), inputSlots, outputSlots, steps, inputShapes);
    }

    /**
     * Keras numbers the calls of a nested functional or Sequential model from 1 (its node 0 is its own
     * construction), but lists only the outer calls in inbound_nodes; references then run one past the list.
     */
    private static Map<String, Integer> nestedModelNodeOffsets(Model model) {
        Map<String, Integer> maxRef = new HashMap<>();
        List<TensorRef> refs = new ArrayList<>(model.outputs());
        for (Layer l : model.layers()) for (InboundNode n : l.inboundNodes()) refs.addAll(KerasCall.of(n).inputs());
        for (TensorRef r : refs) maxRef.merge(r.layer(), r.node(), Math::max);
        Map<String, Integer> offsets = new HashMap<>();
        for (Layer l : model.layers()) {
            Integer max = maxRef.get(l.name());
            if (l.nestedModel().isPresent() && max != null && max >= l.inboundNodes().size()) offsets.put(l.name(), 1);
        }
        return offsets;
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
