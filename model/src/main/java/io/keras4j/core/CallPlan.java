package io.keras4j.core;

import io.keras4j.UnsupportedModelException;
import io.keras4j.model.InboundNode;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.TensorRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The order in which a model's layer calls run, shared by everything that executes or compiles a model (the runtime's
 * graph, the TensorFlow exporter), so they schedule calls and number nodes the same way. A Sequential model (or one
 * whose layers record no calls) is a chain: each layer called once on the previous output. A functional model's
 * recorded calls are ordered so each comes after the calls producing the tensors it waits for (its inputs and its
 * recorded mask arguments), in passes over the layer list as Keras lists them.
 */
public final class CallPlan {
    private final Model model;
    private final boolean chain;
    private final List<Call> calls;

    /**
     * One layer call.
     *
     * @param node the node number other calls use to refer to this call's outputs ({@code TensorRef.node})
     * @param inbound the recorded node; {@code null} in a chain
     * @param site the tensors the call consumes; {@code null} in a chain
     * @param callIndex this call's position among the same layer's calls (a shared layer is called several times)
     */
    public record Call(Layer layer, int node, InboundNode inbound, KerasCall site, int callIndex) {}

    private CallPlan(Model model, boolean chain, List<Call> calls) {
        this.model = model;
        this.chain = chain;
        this.calls = List.copyOf(calls);
    }

    /** Plans the calls of {@code model} (not of its nested models: each nested model has its own plan). */
    public static CallPlan of(Model model) {
        boolean chain = model.isSequential() || model.layers().stream().allMatch(l -> l.inboundNodes().isEmpty());
        return chain ? chain(model) : functional(model);
    }

    public Model model() { return model; }

    /** Whether the calls form a chain (each consumes the previous one's output). */
    public boolean isChain() { return chain; }

    /** Every call but the input layers', in an order where each comes after those it waits for. */
    public List<Call> calls() { return calls; }

    private static CallPlan chain(Model model) {
        List<Call> calls = new ArrayList<>();
        for (Layer layer : model.layers()) {
            if (!layer.className().equals("InputLayer")) calls.add(new Call(layer, 0, null, null, 0));
        }
        return new CallPlan(model, true, calls);
    }

    private static CallPlan functional(Model model) {
        Set<String> produced = new HashSet<>();
        for (TensorRef input : model.inputs()) produced.add(key(input.layer(), 0));
        List<Call> pending = new ArrayList<>();
        Map<String, Integer> offsets = nestedModelNodeOffsets(model);
        for (Layer layer : model.layers()) {
            if (layer.className().equals("InputLayer")) continue;
            int offset = offsets.getOrDefault(layer.name(), 0);
            for (int n = 0; n < layer.inboundNodes().size(); n++) {
                InboundNode node = layer.inboundNodes().get(n);
                pending.add(new Call(layer, n + offset, node, KerasCall.of(node), -1));
            }
        }
        List<Call> ordered = new ArrayList<>();
        Map<String, Integer> callsPerLayer = new HashMap<>();
        while (!pending.isEmpty()) {
            boolean progressed = false;
            for (Iterator<Call> it = pending.iterator(); it.hasNext(); ) {
                Call c = it.next();
                if (!dependencies(c.site()).stream().allMatch(r -> produced.contains(key(r.layer(), r.node())))) continue;
                int index = callsPerLayer.merge(c.layer().name(), 1, Integer::sum) - 1;
                ordered.add(new Call(c.layer(), c.node(), c.inbound(), c.site(), index));
                produced.add(key(c.layer().name(), c.node()));
                it.remove();
                progressed = true;
            }
            if (!progressed) {
                Call c = pending.get(0);
                throw new UnsupportedModelException("model '" + model.name() + "': layer '" + c.layer().name()
                        + "' (node " + c.node() + ") consumes " + c.site().inputs() + ", which no layer produces");
            }
        }
        return new CallPlan(model, false, ordered);
    }

    /** The tensors a call waits for: its inputs and the mask arguments it records. */
    private static List<TensorRef> dependencies(KerasCall site) {
        List<TensorRef> all = new ArrayList<>(site.inputs());
        if (site.maskArguments() != null) site.maskArguments().stream().filter(java.util.Objects::nonNull).forEach(all::add);
        return all;
    }

    private static String key(String layer, int node) { return layer + '\u0000' + node; }

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
}
