package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.PinnedOutcomes;
import io.keras4j.tfgraph.GraphModel;
import io.keras4j.tfgraph.GraphSignature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import io.keras4j.testing.Fixtures;
import io.keras4j.testing.KerasOracle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #18: every SavedModel of the zoo and the conformance set, both generations (tf.keras {@code model.save} and
 * Keras 3 {@code model.export}), and the Keras 3 exports of keras.applications ({@code oracle/applications.py}: the
 * smallest member of every family), run through the graph interpreter's {@code serving_default} on Keras's reference
 * inputs must give Keras's reference outputs within 1e-5 (absolute, plus 1e-5 relative). What does not yet is pinned
 * with its reason in {@code pinned/graph-interpreter.tsv}; the table of ops seen and supported is generated into
 * runtime-tf-graph/README.md by {@code -Dkeras4j.pins.update=true}.
 */
class GraphInterpreterTest {
    private static final double TOLERANCE = 1e-5;
    private static final String MATCHES_TF = "matches TensorFlow's own output of this SavedModel, which differs from Keras's "
            + "prediction (an export can trace another branch than the eager call, or start its random layers elsewhere)";

    @TempDir Path work;

    private record Case(String id, Path dir, List<Path> inputs, List<Path> outputs) {}

    @Test
    void everySavedModelOfTheZooAndTheConformanceSetPredictsThroughItsGraphLikeKeras() throws IOException {
        List<Case> cases = new ArrayList<>();
        for (Zoo.Entry e : Zoo.current().entries()) {
            e.file("savedmodel").ifPresent(dir -> cases.add(new Case("zoo/" + e.id(), dir, e.inputs(), e.outputs())));
        }
        ConformanceSet set = ConformanceSet.current();
        for (ConformanceSet.Case c : set.cases()) {
            c.file("savedmodel").ifPresent(dir -> cases.add(new Case("conformance/" + c.id(), dir, c.inputs(), c.outputs())));
        }
        ConformanceSet applications = ConformanceSet.applications();
        for (ConformanceSet.Case c : applications.cases()) {
            c.file("savedmodel").ifPresent(dir -> cases.add(new Case("applications/" + c.id(), dir, c.inputs(), c.outputs())));
        }
        assertThat(cases).as("SavedModels in the zoo, the conformance set and the applications").hasSizeGreaterThan(100);

        Map<String, String> failures = new TreeMap<>();
        Map<String, Integer> opsSeen = new TreeMap<>();
        Map<Case, Map<String, Tensor>> disagreeWithKeras = new LinkedHashMap<>();
        int passed = 0;
        double worst = 0;
        for (Case c : cases) {
            Map<String, Tensor> ours = null;
            try {
                GraphModel model = GraphModel.load(c.dir());
                for (String op : model.opsUsed()) opsSeen.merge(op, 1, Integer::sum);
                ours = run(c, model);
                double diff = maxDifference(ours, c.outputs());
                worst = Math.max(worst, diff);
                passed++;
            } catch (AssertionError | RuntimeException e) {
                if (ours != null) disagreeWithKeras.put(c, ours);
                String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
                failures.put(c.id(), ConformanceSet.reason(msg, c.dir(), set.dir(), applications.dir()));
            }
        }
        // Where the graph's outputs are not Keras's, ask TensorFlow what the SavedModel computes: an export can trace
        // a different branch than the model's eager call (the reference) took.
        for (Map.Entry<Case, String> tf : tensorFlowVerdicts(disagreeWithKeras).entrySet()) {
            failures.put(tf.getKey().id(), tf.getValue());
        }
        long likeTf = failures.values().stream().filter(MATCHES_TF::equals).count();
        System.out.printf("graph interpreter: %d of %d SavedModels predict like Keras (largest difference %.3g), %d more like "
                + "TensorFlow running the same SavedModel, %d pinned%n", passed, cases.size(), worst, likeTf, failures.size());
        if (Boolean.getBoolean("keras4j.pins.update")) writeOpTable(opsSeen, cases.size(), passed, likeTf);
        PinnedOutcomes.assertMatches("graph-interpreter", "SavedModels the graph interpreter does not run like Keras", failures);
        assertThat(passed).as("SavedModels that run like Keras").isPositive();
    }

    /** serving_default's outputs on the case's inputs (fed in the natural order of the signature's input names). */
    private static Map<String, Tensor> run(Case c, GraphModel model) {
        GraphSignature sig = model.signature(GraphModel.DEFAULT_SIGNATURE);
        List<GraphSignature.Spec> specs = new ArrayList<>(sig.inputs());
        specs.sort(Comparator.comparing(GraphSignature.Spec::name, GraphInterpreterTest::natural));
        if (specs.size() != c.inputs().size()) {
            throw new AssertionError("serving_default takes " + specs.size() + " inputs, the case has " + c.inputs().size());
        }
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (int k = 0; k < specs.size(); k++) feeds.put(specs.get(k).name(), Npy.read(c.inputs().get(k)));
        return model.run(GraphModel.DEFAULT_SIGNATURE, feeds);
    }

    /** The largest difference from the reference outputs; an AssertionError when one is too large or missing. */
    private static double maxDifference(Map<String, Tensor> out, List<Path> references) {
        if (out.size() != references.size()) {
            throw new AssertionError("serving_default gives " + out.size() + " outputs, Keras " + references.size());
        }
        // Outputs are named after layers (tf.keras) or output_N (Keras 3): each reference is matched with the closest
        // output of its shape.
        List<Tensor> remaining = new ArrayList<>(out.values());
        double worst = 0;
        for (Path ref : references) {
            Tensor keras = Npy.read(ref);
            Tensor best = null;
            double bestDiff = Double.POSITIVE_INFINITY;
            for (Tensor t : remaining) {
                if (!Arrays.equals(t.shape(), keras.shape())) continue;
                double d = difference(t, keras);
                if (d < bestDiff) { bestDiff = d; best = t; }
            }
            if (best == null) {
                throw new AssertionError("no output of shape " + Arrays.toString(keras.shape()) + " among "
                        + remaining.stream().map(t -> Arrays.toString(t.shape())).toList());
            }
            if (!(bestDiff <= TOLERANCE)) throw new AssertionError("predictions differ from Keras's beyond 1e-5 (max_abs_diff=" + bestDiff + ")");
            remaining.remove(best);
            worst = Math.max(worst, bestDiff);
        }
        return worst;
    }

    /**
     * For cases whose graph outputs differ from Keras's: TensorFlow's own outputs of the same SavedModel
     * ({@code oracle/serving_outputs.py}); the reason to pin says whether keras4j matches TensorFlow.
     */
    private Map<Case, String> tensorFlowVerdicts(Map<Case, Map<String, Tensor>> cases) throws IOException {
        Map<Case, String> verdicts = new LinkedHashMap<>();
        if (cases.isEmpty()) return verdicts;
        StringBuilder json = new StringBuilder("[");
        Map<Case, Path> outDirs = new LinkedHashMap<>();
        int k = 0;
        for (Case c : cases.keySet()) {
            Path out = work.resolve("tf-" + k++);
            outDirs.put(c, out);
            json.append(json.length() > 1 ? "," : "").append("{\"dir\":").append(quote(c.dir().toString()))
                    .append(",\"out\":").append(quote(out.toString())).append(",\"inputs\":[");
            for (int i = 0; i < c.inputs().size(); i++) json.append(i > 0 ? "," : "").append(quote(c.inputs().get(i).toString()));
            json.append("]}");
        }
        Path casesFile = work.resolve("serving-cases.json");
        Files.writeString(casesFile, json.append("]"));
        try {
            System.out.println(KerasOracle.run(Fixtures.root().resolve("it-tests/src/test/resources/oracle/serving_outputs.py").toString(),
                    casesFile.toString()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        for (Map.Entry<Case, Map<String, Tensor>> e : cases.entrySet()) {
            Path out = outDirs.get(e.getKey());
            if (Files.exists(out.resolve("error.txt"))) {
                verdicts.put(e.getKey(), "TensorFlow cannot run this SavedModel either: " + ConformanceSet.reason(Files.readString(out.resolve("error.txt"))));
                continue;
            }
            double worst = 0;
            String mismatch = null;
            for (Map.Entry<String, Tensor> o : e.getValue().entrySet()) {
                Path tf = out.resolve(o.getKey() + ".npy");
                if (!Files.exists(tf)) { mismatch = "TensorFlow gives no output '" + o.getKey() + "'"; break; }
                Tensor want = Npy.read(tf);
                if (!Arrays.equals(want.shape(), o.getValue().shape())) {
                    mismatch = "output '" + o.getKey() + "' has shape " + Arrays.toString(o.getValue().shape()) + ", TensorFlow's "
                            + Arrays.toString(want.shape());
                    break;
                }
                worst = Math.max(worst, difference(o.getValue(), want));
            }
            if (mismatch == null && worst > TOLERANCE) mismatch = "differs from TensorFlow's output of the same SavedModel beyond 1e-5";
            verdicts.put(e.getKey(), mismatch != null ? mismatch
                    : MATCHES_TF);
        }
        return verdicts;
    }

    private static String quote(String s) { return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""; }

    /** The largest |got - want| / max(1, |want|); NaN where only one side is NaN counts as infinite. */
    private static double difference(Tensor got, Tensor want) {
        double[] g = got.toDoubleArray(), w = want.toDoubleArray();
        double worst = 0;
        for (int k = 0; k < g.length; k++) {
            if (Double.isNaN(g[k]) && Double.isNaN(w[k])) continue;
            double d = Math.abs(g[k] - w[k]) / Math.max(1, Math.abs(w[k]));
            if (Double.isNaN(d)) return Double.POSITIVE_INFINITY;
            worst = Math.max(worst, d);
        }
        return worst;
    }

    /** Compares names with embedded numbers numerically (input_2 before input_10). */
    static int natural(String a, String b) {
        String[] pa = a.split("(?<=\\D)(?=\\d)|(?<=\\d)(?=\\D)"), pb = b.split("(?<=\\D)(?=\\d)|(?<=\\d)(?=\\D)");
        for (int k = 0; k < Math.min(pa.length, pb.length); k++) {
            int c = pa[k].matches("\\d+") && pb[k].matches("\\d+") ? Long.compare(Long.parseLong(pa[k]), Long.parseLong(pb[k]))
                    : pa[k].compareTo(pb[k]);
            if (c != 0) return c;
        }
        return Integer.compare(pa.length, pb.length);
    }

    private static void writeOpTable(Map<String, Integer> seen, int total, int passed, long likeTf) throws IOException {
        Path readme = Path.of("..", "runtime-tf-graph", "README.md").toAbsolutePath().normalize();
        String begin = "<!-- op table: generated by GraphInterpreterTest with -Dkeras4j.pins.update=true -->";
        String end = "<!-- end of op table -->";
        StringBuilder t = new StringBuilder(begin).append("\n\n");
        t.append("SavedModels of the zoo, the conformance set and the keras.applications exports run through ")
                .append("`serving_default`: **").append(passed).append(" of ").append(total).append("** give Keras's predictions ")
                .append("within 1e-5; **").append(likeTf).append("** more give what TensorFlow itself computes from the same ")
                .append("SavedModel, which is not what Keras predicted eagerly (random augmentation layers, an unbatched ")
                .append("CenterCrop). Every case not like Keras, with the reason: ")
                .append("`it-tests/src/test/resources/pinned/graph-interpreter.tsv`.\n\n");
        t.append("Ops the loaded SavedModels use (a model whose op is missing is refused at load, naming op and node), ")
                .append("with the number of SavedModels using each:\n\n| op | SavedModels |\n|---|---:|\n");
        seen.forEach((op, n) -> t.append("| ").append(op).append(" | ").append(n).append(" |\n"));
        TreeSet<String> others = new TreeSet<>(GraphModel.supportedOps());
        others.removeAll(seen.keySet());
        t.append("\nSupported but not used by any of these SavedModels: ").append(String.join(", ", others)).append(".\n\n").append(end);
        String text = Files.readString(readme);
        int a = text.indexOf(begin), b = text.indexOf(end);
        if (a < 0 || b < 0) throw new AssertionError(readme + " has no op table markers");
        Files.writeString(readme, text.substring(0, a) + t + text.substring(b + end.length()));
    }
}
