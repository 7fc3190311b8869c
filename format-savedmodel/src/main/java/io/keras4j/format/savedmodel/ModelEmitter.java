package io.keras4j.format.savedmodel;

import io.keras4j.UnsupportedModelException;
import io.keras4j.format.savedmodel.TfFunction.Tensor;
import io.keras4j.model.InboundNode;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.TensorRef;
import io.keras4j.runtime.ModelShapes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Emits a Keras model's forward pass into a {@link TfFunction}, layer call by layer call in dependency order;
 * nested models are inlined. Static shapes come from keras4j's shape inference ({@link ModelShapes}).
 */
final class ModelEmitter {
    private final LayerEmitter layers;

    ModelEmitter(LayerEmitter layers) { this.layers = layers; }

    List<Tensor> emit(Model model, List<Tensor> inputs) {
        Map<String, List<List<long[]>>> shapes = ModelShapes.of(model).layerOutputShapes();
        boolean chain = model.isSequential() || model.layers().stream().allMatch(l -> l.inboundNodes().isEmpty());
        return chain ? chain(model, inputs, shapes) : graph(model, inputs, shapes);
    }

    private List<Tensor> chain(Model model, List<Tensor> inputs, Map<String, List<List<long[]>>> shapes) {
        List<Tensor> x = inputs;
        for (Layer layer : model.layers()) {
            if (layer.className().equals("InputLayer")) continue;
            x = call(layer, x, shapes.getOrDefault(layer.name(), List.of()), 0);
        }
        return x;
    }

    private List<Tensor> graph(Model model, List<Tensor> inputs, Map<String, List<List<long[]>>> shapes) {
        Map<TensorRef, Tensor> values = new HashMap<>();
        for (int i = 0; i < model.inputs().size(); i++) values.put(new TensorRef(model.inputs().get(i).layer(), 0, 0), inputs.get(i));
        record Pending(Layer layer, int node, InboundNode inbound) {}
        List<Pending> pending = new ArrayList<>();
        Map<String, Integer> offsets = nestedModelNodeOffsets(model);
        for (Layer layer : model.layers()) {
            if (layer.className().equals("InputLayer")) continue;
            int offset = offsets.getOrDefault(layer.name(), 0);
            for (int n = 0; n < layer.inboundNodes().size(); n++) pending.add(new Pending(layer, n + offset, layer.inboundNodes().get(n)));
        }
        Map<String, Integer> calls = new HashMap<>();
        while (!pending.isEmpty()) {
            boolean progressed = false;
            for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
                Pending p = it.next();
                if (!p.inbound().inputs().stream().allMatch(values::containsKey)) continue;
                List<Tensor> in = p.inbound().inputs().stream().map(values::get).toList();
                int call = calls.merge(p.layer().name(), 1, Integer::sum) - 1;
                List<Tensor> out = call(p.layer(), in, shapes.getOrDefault(p.layer().name(), List.of()), call);
                for (int t = 0; t < out.size(); t++) values.put(new TensorRef(p.layer().name(), p.node(), t), out.get(t));
                it.remove();
                progressed = true;
            }
            if (!progressed) {
                Pending p = pending.get(0);
                throw new UnsupportedModelException("model '" + model.name() + "': layer '" + p.layer().name()
                        + "' consumes " + p.inbound().inputs() + ", which no layer produces");
            }
        }
        List<Tensor> outputs = new ArrayList<>();
        for (TensorRef ref : model.outputs()) {
            Tensor t = values.get(ref);
            if (t == null) throw new UnsupportedModelException("model '" + model.name() + "': output " + ref + " is never computed");
            outputs.add(t);
        }
        return outputs;
    }

    private List<Tensor> call(Layer layer, List<Tensor> in, List<List<long[]>> callShapes, int call) {
        if (layer.nestedModel().isPresent()) return emit(layer.nestedModel().get(), in);
        List<long[]> out = call < callShapes.size() ? callShapes.get(call) : List.of();
        return layers.emit(layer, in, out);
    }

    /**
     * Keras numbers the calls of a nested model from 1 (its node 0 is its own construction) but lists only the
     * outer calls in inbound_nodes, so references to it run one past the list.
     */
    private static Map<String, Integer> nestedModelNodeOffsets(Model model) {
        Map<String, Integer> maxRef = new HashMap<>();
        List<TensorRef> refs = new ArrayList<>(model.outputs());
        for (Layer l : model.layers()) for (InboundNode n : l.inboundNodes()) refs.addAll(n.inputs());
        for (TensorRef r : refs) maxRef.merge(r.layer(), r.node(), Math::max);
        Map<String, Integer> offsets = new HashMap<>();
        for (Layer l : model.layers()) {
            Integer max = maxRef.get(l.name());
            if (l.nestedModel().isPresent() && max != null && max >= l.inboundNodes().size()) offsets.put(l.name(), 1);
        }
        return offsets;
    }
}
