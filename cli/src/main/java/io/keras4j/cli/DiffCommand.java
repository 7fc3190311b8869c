package io.keras4j.cli;

import io.keras4j.json.JsonNumber;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Compare two models in any formats: layers added, removed or configured differently, and for each "
                + "weight the largest |a-b| and the relative error.",
                "Exit 0 when they are equal within --tol, 1 when they differ."})
final class DiffCommand implements Callable<Integer> {
    /** Exit code for models that differ, as diff(1) has it. */
    static final int DIFFERENT = 1;

    /** Spellings of the same thing that differ between Keras generations and files, not the model. */
    private static final Set<String> IGNORED = Set.of("name", "dtype", "batch_input_shape", "batch_shape", "input_shape",
            "build_config", "module", "registered_name", "shared_object_id");

    private final Main.Context context;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "A", description = "The first model (any format keras4j reads).") Path a;
    @Parameters(index = "1", paramLabel = "B", description = "The second model (any format keras4j reads).") Path b;

    @Option(names = "--tol", paramLabel = "T", description = "Largest |a-b| of a weight element still equal (default 0: identical).")
    double tol;

    @Option(names = "--weights-a", paramLabel = "W", description = "Weights to load into A's architecture.") Path weightsA;
    @Option(names = "--weights-b", paramLabel = "W", description = "Weights to load into B's architecture.") Path weightsB;

    DiffCommand(Main.Context context) { this.context = context; }

    @Override
    public Integer call() {
        if (tol < 0 || Double.isNaN(tol)) throw new CliException(Main.USAGE, "--tol must be >= 0, not " + tol);
        Model ma = load(a, weightsA);
        Model mb = load(b, weightsB);
        PrintWriter out = spec.commandLine().getOut();
        int differences = 0;

        Map<String, Layer> la = layers(ma, "");
        Map<String, Layer> lb = layers(mb, "");
        Table arch = new Table("", "Layer", "A", "B");
        for (var e : la.entrySet()) {
            Layer other = lb.get(e.getKey());
            if (other == null) {
                arch.add("-", e.getKey(), e.getValue().className(), "");
                continue;
            }
            if (!simpleClass(e.getValue()).equals(simpleClass(other))) {
                arch.add("~", e.getKey(), e.getValue().className(), other.className());
                continue;
            }
            for (String change : configChanges(e.getValue(), other, ma.dialect() != mb.dialect())) arch.add("~", e.getKey(), change.split("\u0000")[0], change.split("\u0000")[1]);
        }
        for (var e : lb.entrySet()) if (!la.containsKey(e.getKey())) arch.add("+", e.getKey(), "", e.getValue().className());
        out.printf("A: %s  (%s, %d layers, %d weights)%n", a, ma.className(), la.size(), ma.weights().size());
        out.printf("B: %s  (%s, %d layers, %d weights)%n", b, mb.className(), lb.size(), mb.weights().size());
        out.println();
        if (arch.size() == 0) {
            out.println("Architecture: the same");
        } else {
            differences += arch.size();
            out.println("Architecture: " + arch.size() + " difference(s)  (- only in A, + only in B, ~ changed)");
            arch.print(out, context.unicode());
        }

        Table weights = new Table("Weight", "shape", "max |a-b|", "rel. error", "").right(2, 3);
        int weightDiffs = 0;
        double worst = 0;
        Map<String, Weight> wa = weights(ma);
        Map<String, Weight> wb = new LinkedHashMap<>();
        weights(mb).forEach((k, w) -> wb.put(position(k), w));
        for (var e : wa.entrySet()) {
            Weight other = wb.get(position(e.getKey()));
            String shape = Arrays.toString(e.getValue().value().shape());
            if (other == null) {
                weights.add(e.getKey(), shape, "", "", "only in A");
                weightDiffs++;
            } else if (!Arrays.equals(e.getValue().value().shape(), other.value().shape())) {
                weights.add(e.getKey(), shape + " vs " + Arrays.toString(other.value().shape()), "", "", "shapes differ");
                weightDiffs++;
            } else {
                double[] d = maxDiff(e.getValue().value(), other.value());
                boolean differs = !(d[0] <= tol);
                if (differs) weightDiffs++;
                worst = Math.max(worst, d[0]);
                weights.add(e.getKey(), shape, WeightStats.format(d[0]), WeightStats.format(d[1]), differs ? "differs" : "");
            }
        }
        Set<String> inA = new java.util.HashSet<>();
        wa.keySet().forEach(k -> inA.add(position(k)));
        for (var e : wb.entrySet()) {
            if (!inA.contains(e.getKey())) {
                weights.add(e.getKey(), Arrays.toString(e.getValue().value().shape()), "", "", "only in B");
                weightDiffs++;
            }
        }
        out.println();
        if (weights.size() == 0) {
            out.println("Weights: none in either model");
        } else {
            out.printf("Weights: %d of %d differ by more than %s (largest |a-b| %s)%n", weightDiffs, weights.size(),
                    WeightStats.format(tol), WeightStats.format(worst));
            weights.print(out, context.unicode());
        }
        differences += weightDiffs;
        out.println();
        out.println(differences == 0 ? "equal within --tol " + WeightStats.format(tol) : "different: " + differences + " difference(s)");
        return differences == 0 ? Main.OK : DIFFERENT;
    }

    private Model load(Path p, Path weights) {
        Model m = context.keras().load(p);
        return weights == null ? m : context.keras().loadWeights(m, weights, io.keras4j.spi.LoadWeightsOptions.DEFAULT);
    }

    /** The class without the package a custom object is registered under ({@code keras4j_zoo>Scale}). */
    private static String simpleClass(Layer l) {
        return l.className().substring(l.className().lastIndexOf('>') + 1);
    }

    /** Layers by path, nested models' layers under their layer's name. */
    private static Map<String, Layer> layers(Model m, String prefix) {
        Map<String, Layer> out = new LinkedHashMap<>();
        for (Layer l : m.layers()) {
            out.put(prefix + l.name(), l);
            l.nestedModel().ifPresent(inner -> out.putAll(layers(inner, prefix + l.name() + "/")));
        }
        return out;
    }

    /** Weights by layer path and position: the names inside a layer differ between Keras generations. */
    private static Map<String, Weight> weights(Model m) {
        Map<String, Weight> out = new LinkedHashMap<>();
        collect(m, "", out);
        return out;
    }

    private static void collect(Model m, String prefix, Map<String, Weight> out) {
        for (Layer l : m.layers()) {
            if (l.nestedModel().isPresent()) {
                collect(l.nestedModel().get(), prefix + l.name() + "/", out);
                continue;
            }
            List<Weight> ws = l.weights();
            // By position: a custom layer's weights are named in a .h5 and numbered in a .keras archive.
            for (int i = 0; i < ws.size(); i++) out.put(prefix + l.name() + "/" + i + " (" + Weight.shortName(ws.get(i).name()) + ")", ws.get(i));
        }
    }

    private static String position(String key) { return key.substring(0, key.lastIndexOf(" (")); }

    /** {max |a-b|, that over max |a|}, NaN where exactly one side is NaN. */
    private static double[] maxDiff(Tensor x, Tensor y) {
        double[] a = x.toDoubleArray();
        double[] b = y.toDoubleArray();
        double max = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            if (Double.isNaN(a[i]) && Double.isNaN(b[i])) continue;
            if (Objects.equals(a[i], b[i])) {
                scale = Math.max(scale, Math.abs(a[i]));
                continue;
            }
            double d = Math.abs(a[i] - b[i]);
            if (Double.isNaN(d)) return new double[] {Double.NaN, Double.NaN};
            max = Math.max(max, d);
            scale = Math.max(scale, Math.abs(a[i]));
        }
        return new double[] {max, max == 0 ? 0 : max / Math.max(scale, Double.MIN_NORMAL)};
    }

    /**
     * "key\0a\0b" for each config entry whose meaning differs. Across Keras generations ({@code lenient}) a key only
     * one of them has (tf.keras's {@code time_major}, Keras 3's {@code query_shape}) is not a difference: the other
     * generation has no such parameter.
     */
    static List<String> configChanges(Layer x, Layer y, boolean lenient) {
        List<String> out = new ArrayList<>();
        if (!Objects.equals(x.dtype().orElse("float32"), y.dtype().orElse("float32"))) {
            out.add("dtype " + x.dtype().orElse("float32") + "\u0000" + y.dtype().orElse("float32"));
        }
        String sx = x.batchInputShape().map(Arrays::toString).orElse("-");
        String sy = y.batchInputShape().map(Arrays::toString).orElse("-");
        if (!sx.equals(sy) && !sx.equals("-") && !sy.equals("-")) out.add("input shape " + sx + "\u0000" + sy);
        Set<String> keys = new TreeSet<>(x.config().members().keySet());
        keys.addAll(y.config().members().keySet());
        for (String k : keys) {
            if (IGNORED.contains(k) || k.equals("layers")) continue;
            JsonValue vx = x.config().get(k);
            JsonValue vy = y.config().get(k);
            if (k.equals("trainable")) {
                if (x.trainable() != y.trainable()) out.add(k + " " + x.trainable() + "\u0000" + y.trainable());
                continue;
            }
            if (lenient && (!x.config().has(k) || !y.config().has(k))) continue;
            if (!same(vx, vy, lenient)) out.add(k + " " + show(vx) + "\u0000" + show(vy));
        }
        return out;
    }

    private static String show(JsonValue v) {
        String s = v.isNull() ? "-" : v.toJson();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    /** A SavedModel's {"class_name": "TensorShape", "items": [...]} or Keras 3's __tuple__: the list itself. */
    private static JsonValue items(JsonValue v) {
        if (v.isObject() && v.asObject().has("items") && v.asObject().get("items").isArray()
                && List.of("TensorShape", "__tuple__").contains(v.asObject().getString("class_name", ""))) {
            return v.asObject().get("items");
        }
        return v;
    }

    /** A Lambda's marshalled code: tf.keras spells it [code, defaults, closure], Keras 3 {class_name: __lambda__, ...}. */
    private static String lambdaCode(JsonValue v) {
        if (v.isArray() && v.asArray().size() == 3 && v.asArray().get(0).isString()) return v.asArray().get(0).asText();
        if (v.isObject() && v.asObject().getString("class_name", "").equals("__lambda__")) {
            return v.asObject().getObject("config").optString("code").orElse(null);
        }
        return null;
    }

    /** Same meaning: numbers by value, {@code [3]} as {@code 3}, serialized objects by class name and config. */
    private static boolean same(JsonValue x, JsonValue y, boolean lenient) {
        x = items(x);
        y = items(y);
        if (x.isNull() || y.isNull()) return x.isNull() && y.isNull();
        String cx = lambdaCode(x), cy = lambdaCode(y);
        if (cx != null && cy != null) return cx.equals(cy);
        if (x.isArray() && x.asArray().size() == 1 && !y.isArray()) return same(x.asArray().get(0), y, lenient);
        if (y.isArray() && y.asArray().size() == 1 && !x.isArray()) return same(x, y.asArray().get(0), lenient);
        if (x instanceof JsonNumber a && y instanceof JsonNumber b) return a.doubleValue() == b.doubleValue();
        if (x.isArray() && y.isArray()) {
            if (x.asArray().size() != y.asArray().size()) return false;
            for (int i = 0; i < x.asArray().size(); i++) if (!same(x.asArray().get(i), y.asArray().get(i), lenient)) return false;
            return true;
        }
        if (x.isObject() && y.isObject()) {
            JsonObject a = x.asObject();
            JsonObject b = y.asObject();
            Set<String> keys = new TreeSet<>(a.members().keySet());
            keys.addAll(b.members().keySet());
            for (String k : keys) {
                if (IGNORED.contains(k) && !(k.equals("name") && !a.has("class_name"))) continue;
                if (k.equals("trainable") || (lenient && (!a.has(k) || !b.has(k)))) continue;
                if (!same(a.get(k), b.get(k), lenient)) return false;
            }
            return true;
        }
        return x.toJson().equals(y.toJson());
    }
}
