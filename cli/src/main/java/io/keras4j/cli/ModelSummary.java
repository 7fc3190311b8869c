package io.keras4j.cli;

import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonNull;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.KerasFile;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.TensorRef;
import io.keras4j.model.Weight;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;

/** What {@code keras4j info} reports, as text like Keras's {@code model.summary()} or as one JSON object. */
final class ModelSummary {
    private final KerasFile file;
    private final OutputShapes shapes;
    private final boolean expandNested;
    private final boolean weightStats;

    ModelSummary(KerasFile file, OutputShapes shapes) { this(file, shapes, false, false); }

    /** {@code expandNested}: the layers of nested models follow their row; {@code weightStats}: list every weight. */
    ModelSummary(KerasFile file, OutputShapes shapes, boolean expandNested, boolean weightStats) {
        this.file = file;
        this.shapes = shapes;
        this.expandNested = expandNested;
        this.weightStats = weightStats;
    }

    JsonObject toJson() {
        JsonObject.Builder b = JsonObject.builder()
                .put("format", file.format())
                .put("path", file.source().toString())
                .put("kerasVersion", nullable(file.provenance().kerasVersion()))
                .put("backend", nullable(file.provenance().backend()))
                .put("architecture", file.hasArchitecture());
        List<Weight> weights;
        if (file.model().isPresent()) {
            Model m = file.model().get();
            weights = m.weights();
            b.put("modelClass", m.className()).put("name", m.name()).put("dialect", m.dialect().name().toLowerCase())
                    .put("inputs", names(m.inputs().isEmpty() && m.isSequential() && !m.layers().isEmpty()
                            ? List.of(TensorRef.of(m.layers().get(0).name())) : m.inputs()))
                    .put("outputs", names(m.outputs().isEmpty() && m.isSequential() && !m.layers().isEmpty()
                            ? List.of(TensorRef.of(m.layers().get(m.layers().size() - 1).name())) : m.outputs()));
            JsonArray.Builder layers = JsonArray.builder();
            // Without stored weights, parameter counts come from inferred weight shapes when every layer is known.
            boolean inferred = !m.hasWeights() && !shapes.weights().isEmpty();
            long inferredTotal = 0;
            for (Layer l : m.layers()) {
                Object params = m.hasWeights() ? (Object) l.paramCount() : JsonNull.INSTANCE;
                if (inferred) {
                    long p = shapes.inferredParams(l.name());
                    params = p < 0 ? JsonNull.INSTANCE : (Object) p;
                    inferredTotal += Math.max(p, 0);
                }
                layers.add(layerJson(l, shapes, params, 0, m.isSequential()));
                if (expandNested) l.nestedModel().ifPresent(inner -> addNested(layers, inner, 1, m.hasWeights()));
            }
            b.put("layers", layers.build());
            b.put("inputSpecs", inputSpecs(m)).put("outputSpecs", outputSpecs(m));
            if (weightStats) b.put("weightList", weightList(named(m, "")));
            if (m.hasWeights()) {
                b.put("params", JsonObject.builder().put("total", m.paramCount()).put("trainable", m.trainableParamCount()).build());
            } else {
                b.put("params", JsonObject.builder().put("total", inferred ? (Object) inferredTotal : JsonNull.INSTANCE)
                        .put("trainable", JsonNull.INSTANCE).build());
            }
            m.trainingConfig().ifPresent(tc -> b.put("trainingConfig", tc));
            m.optimizer().ifPresent(o -> b.put("optimizerVariables", o.variables().size()));
        } else {
            weights = file.storedWeights().stream().flatMap(g -> g.weights().stream()).toList();
            b.put("modelClass", JsonNull.INSTANCE).put("name", JsonNull.INSTANCE)
                    .put("inputs", JsonArray.EMPTY).put("outputs", JsonArray.EMPTY);
            JsonArray.Builder groups = JsonArray.builder();
            for (KerasFile.StoredWeights g : file.storedWeights()) {
                JsonArray.Builder ws = JsonArray.builder();
                for (Weight w : g.weights()) {
                    ws.add(JsonObject.builder().put("name", w.name()).put("dtype", w.value().dtype().kerasName())
                            .put("shape", JsonValue.of(w.value().shape())).build());
                }
                groups.add(JsonObject.builder().put("key", g.key()).put("weights", ws.build()).build());
            }
            b.put("layers", JsonArray.EMPTY).put("storedWeights", groups.build());
            if (weightStats) {
                b.put("weightList", weightList(file.storedWeights().stream()
                        .flatMap(g -> g.weights().stream().map(w -> new Named(g.key() + " : " + w.name(), w))).toList()));
            }
            long total = weights.stream().mapToLong(w -> w.value().elementCount()).sum();
            b.put("params", JsonObject.builder().put("total", total).put("trainable", JsonNull.INSTANCE).build());
            b.put("note", "this file holds weights only; give the architecture to use them: "
                    + "keras4j convert ARCHITECTURE OUT --weights " + file.source());
        }
        long bytes = weights.stream().mapToLong(w -> w.value().byteSize()).sum();
        b.put("weights", JsonObject.builder().put("count", weights.size()).put("bytes", bytes).build());
        if (file.details().has("signatures")) b.put("signatures", file.details().get("signatures"));
        for (var e : file.details().members().entrySet()) {
            if (!e.getKey().equals("signatures")) b.put(e.getKey(), e.getValue());
        }
        return b.build();
    }

    record Named(String name, Weight weight) {}

    /** Every weight in {@link Model#weights()} order, named by its layer path when its own name is short. */
    static List<Named> named(Model m, String prefix) {
        List<Named> out = new java.util.ArrayList<>();
        for (Layer l : m.layers()) {
            if (l.nestedModel().isPresent()) {
                out.addAll(named(l.nestedModel().get(), prefix + l.name() + "/"));
                continue;
            }
            for (Weight w : l.weights()) out.add(new Named(prefix + (w.name().contains("/") ? w.name() : l.name() + "/" + w.name()), w));
        }
        for (Weight w : m.modelWeights()) out.add(new Named(prefix + w.name(), w));
        return out;
    }


    private JsonObject layerJson(Layer l, OutputShapes shapes, Object params, int depth, boolean sequential) {
        JsonArray.Builder connected = JsonArray.builder();
        if (!sequential) {
            for (var node : l.inboundNodes()) for (TensorRef r : node.inputs()) connected.add(r.toString());
        }
        return JsonObject.builder().put("name", l.name()).put("className", l.className())
                .put("outputShape", shape(shapes.outputs().getOrDefault(l.name(),
                        l.className().equals("InputLayer") ? l.batchInputShape().orElse(null) : null)))
                .put("params", params).put("connectedTo", connected.build()).put("depth", depth).build();
    }

    private void addNested(JsonArray.Builder layers, Model inner, int depth, boolean withWeights) {
        OutputShapes innerShapes = OutputShapes.of(inner);
        for (Layer l : inner.layers()) {
            layers.add(layerJson(l, innerShapes, withWeights ? (Object) l.paramCount() : JsonNull.INSTANCE, depth, inner.isSequential()));
            l.nestedModel().ifPresent(m -> addNested(layers, m, depth + 1, withWeights));
        }
    }

    private static JsonArray inputSpecs(Model m) {
        JsonArray.Builder b = JsonArray.builder();
        if (m.inputs().isEmpty()) {
            if (!m.layers().isEmpty()) {
                Layer first = m.layers().get(0);
                b.add(spec(first.name(), dtype(first), first.batchInputShape().orElse(null)));
            }
            return b.build();
        }
        for (TensorRef r : m.inputs()) {
            Layer l = m.layer(r.layer()).orElse(null);
            b.add(spec(r.layer(), l == null ? null : dtype(l), l == null ? null : l.batchInputShape().orElse(null)));
        }
        return b.build();
    }

    private JsonArray outputSpecs(Model m) {
        List<TensorRef> refs = m.outputs().isEmpty() && !m.layers().isEmpty()
                ? List.of(TensorRef.of(m.layers().get(m.layers().size() - 1).name())) : m.outputs();
        JsonArray.Builder b = JsonArray.builder();
        for (TensorRef r : refs) {
            Layer l = m.layer(r.layer()).orElse(null);
            b.add(spec(r.layer(), l == null ? null : dtype(l), shapes.outputs().get(r.layer())));
        }
        return b.build();
    }

    /** The compute dtype: a mixed policy computes in its second half ({@code mixed_float16} in float16). */
    private static String dtype(Layer l) {
        String d = l.dtype().orElse("float32");
        return d.startsWith("mixed_") ? d.substring("mixed_".length()) : d;
    }

    private static JsonObject spec(String name, String dtype, long[] shape) {
        return JsonObject.builder().put("name", name).put("dtype", nullable(dtype)).put("shape", shape(shape)).build();
    }

    private static JsonArray weightList(List<Named> weights) {
        JsonArray.Builder b = JsonArray.builder();
        for (Named n : weights) {
            var t = n.weight().value();
            JsonObject.Builder w = JsonObject.builder().put("name", n.name()).put("dtype", t.dtype().kerasName())
                    .put("shape", JsonValue.of(t.shape())).put("bytes", t.byteSize()).put("trainable", n.weight().trainable());
            WeightStats s = WeightStats.of(t);
            if (s != null) {
                w.put("min", number(s.min())).put("max", number(s.max())).put("mean", number(s.mean()))
                        .put("std", number(s.std())).put("nan", s.nan()).put("inf", s.inf());
            }
            b.add(w.build());
        }
        return b.build();
    }

    private static Object number(double v) { return Double.isNaN(v) ? JsonNull.INSTANCE : (Object) v; }

    void printText(PrintWriter out) { printText(out, true); }

    void printText(PrintWriter out, boolean unicode) {
        JsonObject j = toJson();
        out.printf("Format:         %s  (%s)%n", j.getString("format", ""), j.getString("path", ""));
        out.printf("Keras version:  %s%s%n", j.getString("kerasVersion", "unknown"),
                j.get("backend").isString() ? "  (backend " + j.getString("backend", "") + ")" : "");
        if (!file.hasArchitecture()) {
            out.println("Architecture:   not stored (weights only)");
            out.println();
            if (j.has("weightList")) {
                printWeights(out, j, unicode);
            } else {
                Table t = new Table("Stored weight", "dtype", "shape");
                for (JsonValue g : j.getArray("storedWeights")) {
                    for (JsonValue w : g.asObject().getArray("weights")) {
                        String name = g.asObject().getString("key", "") + " : " + w.asObject().getString("name", "");
                        t.add(name, w.asObject().getString("dtype", ""), w.asObject().get("shape").toJson());
                    }
                }
                t.print(out, unicode);
            }
            out.println();
            printTotals(out, j);
            out.println(j.getString("note", ""));
            printSignatures(out, j, unicode);
            return;
        }
        out.printf("Model:          %s \"%s\"  (%s dialect)%n", j.getString("modelClass", ""), j.getString("name", ""), j.getString("dialect", ""));
        for (JsonValue v : j.getArray("inputSpecs")) out.printf("Input:          %s%n", specText(v.asObject()));
        for (JsonValue v : j.getArray("outputSpecs")) out.printf("Output:         %s%n", specText(v.asObject()));
        out.println();
        boolean connections = false;
        for (JsonValue lv : j.getArray("layers")) connections |= !lv.asObject().getArray("connectedTo").isEmpty();
        Table t = connections ? new Table("Layer (type)", "Output Shape", "Param #", "Connected to")
                : new Table("Layer (type)", "Output Shape", "Param #");
        t.right(2);
        for (JsonValue lv : j.getArray("layers")) {
            JsonObject l = lv.asObject();
            String params = l.get("params").isNull() ? "?" : String.format("%,d", l.getLong("params", 0));
            String name = "  ".repeat((int) l.getLong("depth", 0)) + l.getString("name", "") + " (" + l.getString("className", "") + ")";
            List<String> from = new java.util.ArrayList<>();
            for (JsonValue c : l.getArray("connectedTo")) from.add(c.asText());
            t.add(name, shapeText(l.get("outputShape")), params, String.join(", ", from));
        }
        t.print(out, unicode);
        printTotals(out, j);
        if (j.has("weightList")) {
            out.println();
            printWeights(out, j, unicode);
        }
        printSignatures(out, j, unicode);
    }

    private static String specText(JsonObject s) {
        return s.getString("name", "") + "  " + (s.get("dtype").isNull() ? "?" : s.getString("dtype", "")) + "  " + shapeText(s.get("shape"));
    }

    private static String shapeText(JsonValue shape) {
        return shape.isNull() ? "?" : shape.toJson().replace("null", "None");
    }

    private static void printWeights(PrintWriter out, JsonObject j, boolean unicode) {
        Table t = new Table("Weight", "dtype", "shape", "bytes", "min", "max", "mean", "std", "NaN", "Inf").right(3, 4, 5, 6, 7, 8, 9);
        for (JsonValue v : j.getArray("weightList")) {
            JsonObject w = v.asObject();
            t.add(w.getString("name", ""), w.getString("dtype", ""), shapeText(w.get("shape")), String.format("%,d", w.getLong("bytes", 0)),
                    stat(w, "min"), stat(w, "max"), stat(w, "mean"), stat(w, "std"),
                    w.has("nan") ? String.valueOf(w.getLong("nan", 0)) : "-", w.has("inf") ? String.valueOf(w.getLong("inf", 0)) : "-");
        }
        t.print(out, unicode);
    }

    private static String stat(JsonObject w, String key) {
        return w.get(key).isNumber() ? WeightStats.format(w.getDouble(key, Double.NaN)) : "-";
    }

    private static void printTotals(PrintWriter out, JsonObject j) {
        JsonObject p = j.getObject("params");
        if (p.get("total").isNull()) {
            out.println("Total params:   unknown (architecture only; no weights stored)");
        } else {
            long total = p.getLong("total", 0);
            out.printf("Total params:   %,d%n", total);
            if (!p.get("trainable").isNull()) {
                out.printf("Trainable params: %,d%n", p.getLong("trainable", 0));
                out.printf("Non-trainable params: %,d%n", total - p.getLong("trainable", 0));
            }
        }
        JsonObject w = j.getObject("weights");
        out.printf("Weights:        %d tensors, %,d bytes%n", w.getLong("count", 0), w.getLong("bytes", 0));
    }

    private static void printSignatures(PrintWriter out, JsonObject j, boolean unicode) {
        if (!j.has("signatures") || !j.get("signatures").isObject()) return;
        out.println();
        out.println("Signatures:");
        Table t = new Table("Signature", "Tensor", "Name", "dtype", "Shape");
        for (var e : j.getObject("signatures").members().entrySet()) {
            if (!e.getValue().isObject()) continue;
            for (String side : new String[] {"inputs", "outputs"}) {
                JsonValue tensors = e.getValue().asObject().get(side);
                if (!tensors.isObject()) continue;
                for (var tensor : tensors.asObject().members().entrySet()) {
                    JsonValue spec = tensor.getValue();
                    t.add(e.getKey(), side.substring(0, side.length() - 1), tensor.getKey(),
                            spec.isObject() ? spec.asObject().getString("dtype", "?") : "?",
                            spec.isObject() ? shapeText(spec.asObject().get("shape")) : "?");
                }
            }
        }
        t.print(out, unicode);
    }

    private static JsonArray names(List<TensorRef> refs) {
        JsonArray.Builder b = JsonArray.builder();
        for (TensorRef r : refs) b.add(r.layer());
        return b.build();
    }

    private static JsonValue shape(long[] dims) {
        if (dims == null) return JsonNull.INSTANCE;
        JsonArray.Builder b = JsonArray.builder();
        Arrays.stream(dims).forEach(d -> b.add(d < 0 ? JsonNull.INSTANCE : (Object) d));
        return b.build();
    }

    private static JsonValue nullable(String s) { return s == null ? JsonNull.INSTANCE : JsonValue.of(s); }
}
