package io.keras4j.cli;

import io.keras4j.Keras4jException;
import io.keras4j.core.KerasCall;
import io.keras4j.model.InboundNode;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.TensorRef;
import io.keras4j.runtime.ModelShapes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The layer graph {@code keras4j plot} draws, as Keras's {@code plot_model} builds it: one box per layer, one edge per
 * (producing layer, consuming layer) pair of the model's recorded calls, and with {@code expandNested} each nested model
 * drawn as a cluster of its own layers, wired to the outer graph through its input and output layers.
 */
final class PlotGraph {
    /** One layer. {@code path} is its name inside the nested models holding it ({@code outer/inner}), for display. */
    record Box(String id, String path, Layer layer, String cluster, String inputShape, String outputShape) {}

    /** A nested model drawn as a frame around its layers. */
    record Cluster(String id, String path, Layer layer, String parent) {}

    record Edge(String from, String to) {}

    private final List<Box> boxes = new ArrayList<>();
    private final List<Cluster> clusters = new ArrayList<>();
    private final Set<Edge> edges = new LinkedHashSet<>();

    /** Where a layer of one model is wired: the boxes its inputs enter and its outputs leave, by tensor index. */
    private record Ends(List<String> entries, List<String> exits) {}

    private PlotGraph() {}

    static PlotGraph of(Model model, boolean expandNested) {
        PlotGraph g = new PlotGraph();
        g.add(model, expandNested, null, "");
        return g;
    }

    List<Box> boxes() { return boxes; }

    List<Cluster> clusters() { return clusters; }

    List<Edge> edges() { return List.copyOf(edges); }

    /** Adds {@code model}'s layers inside {@code cluster} ({@code null}: the top level); returns its wiring. */
    private Ends add(Model model, boolean expandNested, String cluster, String prefix) {
        Map<String, List<List<long[]>>> shapes = shapes(model);
        Map<String, Ends> ends = new LinkedHashMap<>();
        boolean chain = model.isSequential() || model.layers().stream().allMatch(l -> l.inboundNodes().isEmpty());
        String previousOutput = null;
        for (Layer layer : model.layers()) {
            String path = prefix + layer.name();
            String output = shapeText(output(shapes.get(layer.name()), 0, 0));
            String input;
            if (layer.className().equals("InputLayer")) {
                input = shapeText(layer.batchInputShape().orElse(null));
                if (output.equals("?")) output = input;
            } else if (chain) {
                input = previousOutput != null ? previousOutput : shapeText(layer.batchInputShape().orElse(null));
            } else {
                input = inputShapes(model, layer, shapes);
            }
            previousOutput = output;
            if (expandNested && layer.nestedModel().isPresent()) {
                String id = "c" + clusters.size();
                clusters.add(new Cluster(id, path, layer, cluster));
                ends.put(layer.name(), add(layer.nestedModel().get(), true, id, path + "/"));
            } else {
                String id = "n" + boxes.size();
                boxes.add(new Box(id, path, layer, cluster, input, output));
                ends.put(layer.name(), new Ends(List.of(id), List.of(id)));
            }
        }
        if (chain) {
            Ends previous = null;
            for (Layer layer : model.layers()) {
                Ends current = ends.get(layer.name());
                if (previous != null) edges.add(new Edge(pick(previous.exits(), 0), pick(current.entries(), 0)));
                previous = current;
            }
        } else {
            for (Layer layer : model.layers()) {
                Ends target = ends.get(layer.name());
                for (InboundNode node : layer.inboundNodes()) {
                    List<TensorRef> inputs = KerasCall.of(node).inputs();
                    for (int k = 0; k < inputs.size(); k++) {
                        Ends source = ends.get(inputs.get(k).layer());
                        if (source == null) {
                            throw new io.keras4j.UnsupportedModelException("model '" + model.name() + "': layer '" + layer.name()
                                    + "' consumes '" + inputs.get(k).layer() + "', which is not a layer of the model");
                        }
                        edges.add(new Edge(pick(source.exits(), inputs.get(k).tensor()), pick(target.entries(), k)));
                    }
                }
            }
        }
        return new Ends(endpoints(model, model.inputs(), ends, true), endpoints(model, model.outputs(), ends, false));
    }

    /** The boxes a model's inputs enter (or its outputs leave): its listed inputs, else its first (last) layer. */
    private static List<String> endpoints(Model model, List<TensorRef> refs, Map<String, Ends> ends, boolean inputs) {
        List<String> out = new ArrayList<>();
        for (TensorRef r : refs) {
            Ends e = ends.get(r.layer());
            if (e != null) out.add(pick(inputs ? e.entries() : e.exits(), inputs ? 0 : r.tensor()));
        }
        if (out.isEmpty() && !model.layers().isEmpty()) {
            Ends e = ends.get(model.layers().get(inputs ? 0 : model.layers().size() - 1).name());
            out.addAll(inputs ? e.entries() : e.exits());
        }
        return out;
    }

    private static String pick(List<String> ids, int index) { return ids.get(Math.min(Math.max(index, 0), ids.size() - 1)); }

    /** Per layer, per call, per output: the runtime's inferred shapes, or none when it does not know some layer. */
    private static Map<String, List<List<long[]>>> shapes(Model model) {
        try {
            return ModelShapes.of(model).layerOutputShapes();
        } catch (Keras4jException | IllegalArgumentException | IllegalStateException e) {
            return Map.of(); // a layer the runtime cannot build: its boxes show "?", as info does
        }
    }

    private static String inputShapes(Model model, Layer layer, Map<String, List<List<long[]>>> shapes) {
        if (layer.inboundNodes().isEmpty()) return "?";
        List<TensorRef> inputs = KerasCall.of(layer.inboundNodes().get(0)).inputs();
        if (inputs.size() == 1) return tensorShape(model, inputs.get(0), shapes);
        StringJoiner j = new StringJoiner(", ", "[", "]");
        for (TensorRef r : inputs) j.add(tensorShape(model, r, shapes));
        return j.toString();
    }

    private static String tensorShape(Model model, TensorRef r, Map<String, List<List<long[]>>> shapes) {
        long[] shape = output(shapes.get(r.layer()), r.node(), r.tensor());
        // An input layer is no call, so inference lists no output for it: its declared shape is the tensor's.
        if (shape == null) shape = model.layer(r.layer()).flatMap(Layer::batchInputShape).orElse(null);
        return shapeText(shape);
    }

    /** Output {@code tensor} of call {@code call} (the first call when Keras numbered it past the list). */
    private static long[] output(List<List<long[]>> calls, int call, int tensor) {
        if (calls == null || calls.isEmpty()) return null;
        List<long[]> outputs = calls.get(call < calls.size() ? call : 0);
        return outputs.isEmpty() ? null : outputs.get(Math.min(tensor, outputs.size() - 1));
    }

    /** Keras's notation: {@code (None, 28, 28, 1)}. */
    static String shapeText(long[] dims) {
        if (dims == null) return "?";
        StringJoiner j = new StringJoiner(", ", "(", dims.length == 1 ? ",)" : ")");
        for (long d : dims) j.add(d < 0 ? "None" : Long.toString(d));
        return j.toString();
    }
}
