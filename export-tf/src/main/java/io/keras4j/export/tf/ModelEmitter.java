package io.keras4j.export.tf;

import io.keras4j.UnsupportedModelException;
import io.keras4j.core.CallPlan;
import io.keras4j.export.tf.TfFunction.Tensor;
import io.keras4j.model.InboundNode;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.TensorRef;
import io.keras4j.runtime.ModelShapes;
import java.util.ArrayList;
import java.util.HashMap;
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
        CallPlan plan = CallPlan.of(model);
        return plan.isChain() ? chain(plan, inputs, shapes) : graph(plan, inputs, shapes);
    }

    private List<KerasTensor> chain(CallPlan plan, List<KerasTensor> inputs, Map<String, List<List<long[]>>> shapes) {
        List<KerasTensor> x = inputs;
        for (CallPlan.Call c : plan.calls()) {
            List<List<long[]>> callShapes = shapes.getOrDefault(c.layer().name(), List.of());
            x = call(new LayerCall(c.layer(), x, null, callShapes.isEmpty() ? List.of() : callShapes.get(0), null, plan.model().dialect()));
        }
        return x;
    }

    private List<KerasTensor> graph(CallPlan plan, List<KerasTensor> inputs, Map<String, List<List<long[]>>> shapes) {
        Model model = plan.model();
        Map<TensorRef, KerasTensor> values = new HashMap<>();
        for (int i = 0; i < model.inputs().size(); i++) values.put(new TensorRef(model.inputs().get(i).layer(), 0, 0), inputs.get(i));
        for (CallPlan.Call c : plan.calls()) {
            CallSite site = CallSite.of(c.inbound());
            if (!site.dependencies().stream().allMatch(values::containsKey)) {
                // The plan knows calls, not how many tensors each returns: a reference past a call's outputs.
                throw new UnsupportedModelException("model '" + model.name() + "': layer '" + c.layer().name()
                        + "' consumes " + site.dependencies() + ", which no layer produces");
            }
            List<KerasTensor> out = call(layerCall(model, c.layer(), c.inbound(), site, values,
                    shapes.getOrDefault(c.layer().name(), List.of()), c.callIndex()));
            for (int t = 0; t < out.size(); t++) values.put(new TensorRef(c.layer().name(), c.node(), t), out.get(t));
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
}
