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

    ModelSummary(KerasFile file, OutputShapes shapes) {
        this.file = file;
        this.shapes = shapes;
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
                layers.add(JsonObject.builder().put("name", l.name()).put("className", l.className())
                        .put("outputShape", shape(shapes.outputs().getOrDefault(l.name(),
                                l.className().equals("InputLayer") ? l.batchInputShape().orElse(null) : null)))
                        .put("params", params).build());
            }
            b.put("layers", layers.build());
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

    void printText(PrintWriter out) {
        JsonObject j = toJson();
        out.printf("Format:         %s  (%s)%n", j.getString("format", ""), j.getString("path", ""));
        out.printf("Keras version:  %s%s%n", j.getString("kerasVersion", "unknown"),
                j.get("backend").isString() ? "  (backend " + j.getString("backend", "") + ")" : "");
        if (!file.hasArchitecture()) {
            out.println("Architecture:   not stored (weights only)");
            out.println();
            out.printf("%-48s %-10s %s%n", "Stored weight", "dtype", "shape");
            for (JsonValue g : j.getArray("storedWeights")) {
                for (JsonValue w : g.asObject().getArray("weights")) {
                    String name = g.asObject().getString("key", "") + " : " + w.asObject().getString("name", "");
                    out.printf("%-48s %-10s %s%n", name, w.asObject().getString("dtype", ""), w.asObject().get("shape").toJson());
                }
            }
            out.println();
            printTotals(out, j);
            out.println(j.getString("note", ""));
            printSignatures(out, j);
            return;
        }
        out.printf("Model:          %s \"%s\"  (%s dialect)%n", j.getString("modelClass", ""), j.getString("name", ""), j.getString("dialect", ""));
        out.printf("Inputs:         %s%n", j.getArray("inputs").toJson());
        out.printf("Outputs:        %s%n", j.getArray("outputs").toJson());
        out.println();
        String rule = "─".repeat(86);
        out.println(rule);
        out.printf("%-40s %-30s %14s%n", "Layer (type)", "Output Shape", "Param #");
        out.println(rule);
        for (JsonValue lv : j.getArray("layers")) {
            JsonObject l = lv.asObject();
            String shape = l.get("outputShape").isNull() ? "?" : l.get("outputShape").toJson().replace("null", "None");
            String params = l.get("params").isNull() ? "?" : String.format("%,d", l.getLong("params", 0));
            out.printf("%-40s %-30s %14s%n", l.getString("name", "") + " (" + l.getString("className", "") + ")", shape, params);
        }
        out.println(rule);
        printTotals(out, j);
        printSignatures(out, j);
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

    private static void printSignatures(PrintWriter out, JsonObject j) {
        if (!j.has("signatures")) return;
        out.println("Signatures:");
        for (var e : j.getObject("signatures").members().entrySet()) out.printf("  %s: %s%n", e.getKey(), e.getValue().toJson());
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
