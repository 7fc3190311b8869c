package io.keras4j.export.tf;

import io.keras4j.UnsupportedModelException;
import io.keras4j.export.tf.TfFunction.Tensor;
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
 * nested models are inlined. Keras masks travel with the values ({@link KerasTensor}); Keras 3 nodes that name
 * their masks explicitly ({@link CallSite}) take those instead. Static shapes come from keras4j's shape inference
 * ({@link ModelShapes}).
 */
final class ModelEmitter {
    private final LayerEmitter layers;
    private final WriteShapes shapes;

    ModelEmitter(LayerEmitter layers, WriteShapes shapes) {
        this.layers = layers;
        this.shapes = shapes;
    }

    /** The model's output values for these input values. */
    List<Tensor> emit(Model model, List<Tensor> inputs) {
        return emitMasked(model, inputs.stream().map(KerasTensor::of).toList()).stream().map(KerasTensor::value).toList();
    }

    private List<KerasTensor> emitMasked(Model model, List<KerasTensor> inputs) {
        Map<String, List<List<long[]>>> shapes = this.shapes.of(model).layerOutputShapes();
        boolean chain = model.isSequential() || model.layers().stream().allMatch(l -> l.inboundNodes().isEmpty());
        return chain ? chain(model, inputs, shapes) : graph(model, inputs, shapes);
    }

    private List<KerasTensor> chain(Model model, List<KerasTensor> inputs, Map<String, List<List<long[]>>> shapes) {
        List<KerasTensor> x = inputs;
        for (Layer layer : model.layers()) {
            if (layer.className().equals("InputLayer")) continue;
            List<List<long[]>> callShapes = shapes.getOrDefault(layer.name(), List.of());
            x = call(new LayerCall(layer, x, null, callShapes.isEmpty() ? List.of() : callShapes.get(0), null, model.dialect()));
        }
        return x;
    }

    private List<KerasTensor> graph(Model model, List<KerasTensor> inputs, Map<String, List<List<long[]>>> shapes) {
        Map<TensorRef, KerasTensor> values = new HashMap<>();
        for (int i = 0; i < model.inputs().size(); i++) values.put(new TensorRef(model.inputs().get(i).layer(), 0, 0), inputs.get(i));
        record Pending(Layer layer, int node, InboundNode inbound, CallSite site) {}
        List<Pending> pending = new ArrayList<>();
        Map<String, Integer> offsets = nestedModelNodeOffsets(model);
        for (Layer layer : model.layers()) {
            if (layer.className().equals("InputLayer")) continue;
            int offset = offsets.getOrDefault(layer.name(), 0);
            for (int n = 0; n < layer.inboundNodes().size(); n++) {
                InboundNode inbound = layer.inboundNodes().get(n);
                pending.add(new Pending(layer, n + offset, inbound, CallSite.of(inbound)));
            }
        }
        Map<String, Integer> calls = new HashMap<>();
        while (!pending.isEmpty()) {
            boolean progressed = false;
            for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
                Pending p = it.next();
                if (!p.site().dependencies().stream().allMatch(values::containsKey)) continue;
                int call = calls.merge(p.layer().name(), 1, Integer::sum) - 1;
                List<KerasTensor> out = call(layerCall(model, p.layer(), p.inbound(), p.site(), values,
                        shapes.getOrDefault(p.layer().name(), List.of()), call));
                for (int t = 0; t < out.size(); t++) values.put(new TensorRef(p.layer().name(), p.node(), t), out.get(t));
                it.remove();
                progressed = true;
            }
            if (!progressed) {
                Pending p = pending.get(0);
                throw new UnsupportedModelException("model '" + model.name() + "': layer '" + p.layer().name()
                        + "' consumes " + p.site().dependencies() + ", which no layer produces");
            }
        }
        List<KerasTensor> outputs = new ArrayList<>();
        for (TensorRef ref : model.outputs()) {
            KerasTensor t = values.get(ref);
            if (t == null) throw new UnsupportedModelException("model '" + model.name() + "': output " + ref + " is never computed");
            outputs.add(t);
        }
        return outputs;
    }

    /** A layer call with its inputs and mask arguments as the node records them. */
    private LayerCall layerCall(Model model, Layer layer, InboundNode node, CallSite site, Map<TensorRef, KerasTensor> values,
                                List<List<long[]>> callShapes, int call) {
        List<KerasTensor> in = new ArrayList<>();
        for (TensorRef ref : site.inputs()) in.add(values.get(ref));
        List<Tensor> maskArguments = null;
        if (site.masks() != null) {
            maskArguments = new ArrayList<>();
            for (int i = 0; i < site.masks().size(); i++) {
                TensorRef m = site.masks().get(i);
                maskArguments.add(m == null ? null : layers.asMask(layer.name() + "/mask_" + i, values.get(m).value()));
            }
            // Keras 3 passes a recorded mask argument on to the outputs' masks too.
            if (!maskArguments.isEmpty()) {
                for (int i = 0; i < in.size(); i++) in.set(i, in.get(i).withMask(i < maskArguments.size() ? maskArguments.get(i) : null));
            }
        }
        List<long[]> out = call < callShapes.size() ? callShapes.get(call) : List.of();
        return new LayerCall(layer, in, maskArguments, out, node, model.dialect());
    }

    private List<KerasTensor> call(LayerCall call) {
        Layer layer = call.layer();
        if (layer.nestedModel().isPresent()) return emitMasked(layer.nestedModel().get(), call.inputs());
        return layers.emit(call);
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
