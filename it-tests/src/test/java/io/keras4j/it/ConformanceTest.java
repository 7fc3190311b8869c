package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.Keras4j;
import io.keras4j.UnsupportedModelException;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Dialect;
import io.keras4j.model.KerasFile;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.runtime.CompiledModel;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.spi.WriteOptions;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * The layer-class conformance table (issue #12): every case of the generated conformance set ({@code
 * oracle/conformance.py}: each public layer class of Keras 3 and tf_keras, per config variant) read from each file
 * Keras wrote, predicted by the runtime, written by every writer of its generation and migrated to the other one,
 * each written file loaded by real Keras of the right generation (one reverse check for all cases, so Python starts
 * once per generation). The table is {@code docs/CONFORMANCE.md}: {@code -Dkeras4j.pins.update=true} rewrites it;
 * otherwise the test fails when a cell that is ✓ there is not ✓ now, and when the table is stale.
 */
class ConformanceTest {
    private static final Keras4j KERAS = Keras4j.create();
    private static final String OK = "✓";
    private static final Path TABLE = Fixtures.root().resolve("docs/CONFORMANCE.md");
    /** The runtime's agreement with Keras: every value within 1e-5 * max(1, |keras|), as the runtime's tests decide. */
    private static final double TOLERANCE = 1e-5;

    /** Formats of the set, in column order: "read FORMAT" cells, where the case has a file of that format. */
    private static final List<String> READ = List.of("keras", "h5", "weights-h5", "weights-h5-k2", "checkpoint", "json", "savedmodel");

    /**
     * A writer column: for cases of {@code gen}, keras4j writes {@code target} in {@code dialect} and real Keras loads it
     * with {@code loader}; a weightless file gets its weights (model_from_json) or a weights file its architecture
     * from the file the column {@code pairedWith} wrote.
     */
    record Writer(String column, String gen, String target, String codec, Dialect dialect, boolean weightsOnly, String loader,
                  String pairedWith) {}

    private static final List<Writer> WRITERS = List.of(
            new Writer("write keras", "k3", "model.keras", null, Dialect.KERAS3, false, "keras3.load_model", null),
            new Writer("write h5", "k3", "k3/model.h5", null, Dialect.KERAS3, false, "keras3.load_model", null),
            new Writer("write h5", "k2", "k2/model.h5", null, Dialect.KERAS2, false, "tf_keras.load_model", null),
            new Writer("write weights", "k3", "model.weights.h5", null, Dialect.KERAS3, false, "keras3.load_weights", "write json"),
            new Writer("write weights", "k2", "k2/weights.h5", "h5", Dialect.KERAS2, true, "tf_keras.load_weights", "write json"),
            new Writer("write checkpoint", "k2", "ckpt-k2/ckpt", "checkpoint", Dialect.KERAS2, false, "tf_keras.load_weights", "write json"),
            new Writer("write json", "k3", "model.json", null, Dialect.KERAS3, false, "keras3.model_from_json", "write weights"),
            new Writer("write json", "k2", "k2/model.json", null, Dialect.KERAS2, false, "tf_keras.model_from_json", "write h5"),
            new Writer("write savedmodel", "k3", "savedmodel", "savedmodel", Dialect.KERAS3, false, "tf.saved_model.load", null),
            new Writer("write savedmodel", "k2", "savedmodel", "savedmodel", Dialect.KERAS3, false, "tf.saved_model.load", null),
            // Migrations: tf.keras -> a .keras archive Keras 3 loads; Keras 3 -> a tf.keras .h5 tf_keras loads.
            new Writer("migrate k2→k3", "k2", "migrated.keras", null, Dialect.KERAS3, false, "keras3.load_model", null),
            new Writer("migrate k3→k2", "k3", "migrated-k2.h5", null, Dialect.KERAS2, false, "tf_keras.load_model", null));

    /** The prefix of a cell whose written file real Keras fails to load exactly as it fails on its own file. */
    static final String KERAS_FAILS_ALIKE = "Keras fails alike: ";

    /**
     * The file Keras wrote for each writer column: its load by Keras (recorded by the generator) is what a written
     * file's failure is compared with. Weights load into the paired JSON's architecture, so they answer for it.
     */
    private static final Map<String, String> KERAS_FORMAT_OF_COLUMN = Map.of("k3 write keras", "keras", "k3 write h5", "h5",
            "k3 write weights", "json", "k3 write json", "json", "k3 write savedmodel", "savedmodel", "k2 write h5", "h5",
            "k2 write weights", "json", "k2 write checkpoint", "json", "k2 write json", "json");

    /** How real Keras failed to load the file it wrote itself for the column's format, as a cell reason; null if it loaded. */
    private static String kerasOwnFailure(ConformanceSet.Case c, String column, ConformanceSet set, Path out) {
        String format = c == null ? null : KERAS_FORMAT_OF_COLUMN.get(c.gen() + " " + column);
        if (format == null) return null;
        return c.kerasLoadError(format).map(e -> ConformanceSet.reason(e, out, set.dir())).orElse(null);
    }

    /** A computed table: its columns in order and, per case id, its cells by column. */
    record Table(List<String> columns, Map<String, Map<String, String>> rows) {}

    @Test
    void theConformanceTableIsTheCommittedOne() throws Exception {
        ConformanceSet set = ConformanceSet.current();
        Path out = ReverseCheck.freshOutput("conformance");
        Table computed = compute(set, out);
        String table = render(set, computed.columns(), computed.rows(), layerIntroduction(set.versions()));
        checkAgainstCommitted(TABLE, table, computed.rows(), out);
    }

    /**
     * The cells of every case of {@code set}: reads, predicts, writes with every writer of the case's generation, then
     * one reverse check of everything written.
     */
    static Table compute(ConformanceSet set, Path out) throws IOException, InterruptedException {
        List<String> columns = new ArrayList<>();
        READ.forEach(f -> columns.add("read " + f));
        columns.add("predict");
        WRITERS.stream().map(Writer::column).distinct().forEach(columns::add);

        // "k3/Conv1D/channels_first": cases whose Keras computes channels_first otherwise on this machine (see below).
        java.util.Set<String> disagreeing = new java.util.HashSet<>();
        set.cases().stream().filter(ConformanceSet.Case::kerasKernelDisagrees).forEach(c -> disagreeing.add(c.id()));
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        Map<String, String[]> pending = new LinkedHashMap<>(); // reverse-check case id -> {row, column, loading generation}
        Map<String, ConformanceSet.Case> cases = new LinkedHashMap<>();
        set.cases().forEach(c -> cases.put(c.id(), c));
        List<JsonObject> checks = new ArrayList<>();
        for (ConformanceSet.Case c : set.cases()) {
            Map<String, String> row = new LinkedHashMap<>();
            rows.put(c.id(), row);
            for (String format : READ) c.file(format).ifPresent(p -> row.put("read " + format, cell(() -> read(c, format, p), set, out)));
            Optional<Path> source = c.gen().equals("k3") ? c.file("keras").or(() -> c.file("h5")) : c.file("h5");
            Model model;
            try {
                model = KERAS.load(source.orElseThrow(() -> new IllegalStateException("Keras wrote no full-model file")));
            } catch (RuntimeException e) {
                String why = "✗ source unreadable: " + ConformanceSet.reason(e.getMessage(), out, set.dir());
                row.put("predict", why);
                WRITERS.stream().filter(w -> w.gen().equals(c.gen())).forEach(w -> row.put(w.column(), why));
                continue;
            }
            row.put("predict", cell(() -> predict(c, model), set, out));
            writeAll(c, model, out.resolve(c.id()), row, set, out, checks, pending);
        }

        long started = System.nanoTime();
        Map<String, JsonObject> results = checks.isEmpty() ? Map.of() : ReverseCheck.run(checks, out);
        System.out.printf("reverse check of %d written files: %d s%n", checks.size(), (System.nanoTime() - started) / 1_000_000_000L);
        for (var p : pending.entrySet()) {
            JsonObject r = results.get(p.getKey());
            String cell;
            if (r == null) cell = "✗ no reverse-check result";
            else if (r.getBoolean("ok", false)) cell = OK;
            else if (ReverseCheck.tensorFlowLimitation(r) != null) {
                // TensorFlow has no kernel for a layer on this CPU (see ReverseCheck): the file is not at fault, and the
                // table must be the same on every machine.
                System.out.println("TENSORFLOW LIMITATION (excused on this machine) " + p.getKey() + ": " + ReverseCheck.tensorFlowLimitation(r));
                cell = OK;
            } else if (r.getString("error", "").startsWith("outputs differ")
                    && disagreeing.contains(p.getValue()[2] + p.getValue()[0].substring(2))) {
                // The same from the other side: this machine's TensorFlow computes the case's channels_first layer
                // otherwise than channels_last (the generator measured it with Keras's own model), where a machine without
                // those kernels reports a limitation; the loading Keras generation cannot reproduce the reference here.
                System.out.println("TENSORFLOW KERNEL DISAGREES (excused on this machine) " + p.getKey() + ": " + r.getString("error", ""));
                cell = OK;
            } else {
                String why = ConformanceSet.reason(r.getString("error", "(no error)"), out, set.dir());
                String own = kerasOwnFailure(cases.get(p.getValue()[0]), p.getValue()[1], set, out);
                // Real Keras failed the same way on the file it wrote itself for this case: the format cannot carry the
                // model for that Keras (tf_keras cannot rebuild ConvNeXt's LayerScale), whoever writes it.
                cell = why.equals(own) ? KERAS_FAILS_ALIKE + why : "✗ " + why;
            }
            rows.get(p.getValue()[0]).put(p.getValue()[1], cell);
        }
        return new Table(columns, rows);
    }

    /**
     * With {@code -Dkeras4j.pins.update=true} writes {@code table} to {@code path}; otherwise fails when a ✓ committed
     * there is not ✓ in {@code rows}, then when the committed file differs from {@code table}.
     */
    static void checkAgainstCommitted(Path path, String table, Map<String, Map<String, String>> rows, Path out) throws IOException {
        if (Boolean.getBoolean("keras4j.pins.update")) {
            Files.createDirectories(path.getParent());
            Files.writeString(path, table, StandardCharsets.UTF_8);
            System.err.println("CONFORMANCE TABLE UPDATED: " + path + " (" + rows.size() + " cases); review the diff");
            return;
        }
        assertThat(path).as("the committed conformance table (generate it with -Dkeras4j.pins.update=true)").isRegularFile();
        String committed = Files.readString(path, StandardCharsets.UTF_8);
        List<String> lost = lostPasses(committed, rows);
        if (!lost.isEmpty()) {
            Assertions.fail(lost.size() + " cells that are ✓ in " + Fixtures.root().relativize(path) + " are not ✓ now:\n  "
                    + String.join("\n  ", lost));
        }
        if (!committed.equals(table)) {
            Path fresh = out.resolve(path.getFileName());
            Files.writeString(fresh, table, StandardCharsets.UTF_8);
            Assertions.fail(Fixtures.root().relativize(path) + " is stale: the table computed now (" + fresh + ") differs; "
                    + "rerun with -Dkeras4j.pins.update=true and commit the diff:\n" + firstDifference(committed, table));
        }
    }

    /** The check users see first: a ✓ of the committed table lost, named by case and column (no oracle needed). */
    @Test
    void aLostPassIsNamedByCaseAndColumn() {
        String committed = "| case | read h5 | predict |\n|---|---|---|\n| k2/Dense/default | ✓ | ✓ |\n"
                + "| k2/LSTM/default | ✓ | ✗ old reason |\n| k2/Gone/default | ✓ | · |\n";
        Map<String, Map<String, String>> now = new LinkedHashMap<>();
        now.put("k2/Dense/default", Map.of("read h5", OK, "predict", "✗ new reason"));
        now.put("k2/LSTM/default", Map.of("read h5", OK, "predict", OK));
        assertThat(lostPasses(committed, now)).containsExactly(
                "k2/Dense/default · predict: was ✓, now ✗ new reason", "k2/Gone/default · read h5: was ✓, now (case gone)");
    }

    /** Writes the case with every writer of its generation; reverse-check cases for what was written. */
    private static void writeAll(ConformanceSet.Case c, Model model, Path dir, Map<String, String> row, ConformanceSet set, Path out,
                                 List<JsonObject> checks, Map<String, String[]> pending) throws IOException {
        Map<String, Path> written = new LinkedHashMap<>();
        List<Writer> mine = WRITERS.stream().filter(w -> w.gen().equals(c.gen())).toList();
        for (Writer w : mine) {
            Path target = dir.resolve(w.target());
            Files.createDirectories(target.getParent());
            WriteOptions options = WriteOptions.DEFAULT.withDialect(w.dialect()).withWeightsOnly(w.weightsOnly());
            try {
                KERAS.save(model, target, w.codec(), options);
                written.put(w.column(), target);
            } catch (UnsupportedModelException refusal) {
                row.put(w.column(), "refused: " + ConformanceSet.reason(refusal.getMessage(), out, set.dir()));
            } catch (RuntimeException e) {
                row.put(w.column(), "✗ " + ConformanceSet.reason(e.getClass().getSimpleName() + ": " + e.getMessage(), out, set.dir()));
            }
        }
        for (Writer w : mine) {
            Path target = written.get(w.column());
            if (target == null) continue;
            String id = c.id() + " " + w.column();
            JsonObject.Builder check = JsonObject.builder().put("id", id).put("loader", w.loader()).put("path", target.toString())
                    .put("inputs", ReverseCheck.strings(c.inputs())).put("outputs", ReverseCheck.strings(c.outputs())).put("custom", false);
            if (w.pairedWith() != null) {
                Path paired = written.get(w.pairedWith());
                if (paired == null) {
                    // Real Keras loads these weights only into the paired architecture file: when keras4j refused to
                    // write that one, the refusal is this cell's too.
                    String pairedCell = row.getOrDefault(w.pairedWith(), "");
                    row.put(w.column(), pairedCell.startsWith("refused: ")
                            ? "refused: (the '" + w.pairedWith() + "' file these weights load into) " + pairedCell.substring(9)
                            : "✗ needs the '" + w.pairedWith() + "' file, which was not written");
                    continue;
                }
                check.put(w.loader().contains(".model_from_") ? "weights" : "architecture", paired.toString());
            }
            checks.add(check.build());
            pending.put(id, new String[] {c.id(), w.column(), w.loader().startsWith("tf_keras.") ? "k2" : "k3"});
        }
    }

    /** Reads a file Keras wrote; the architecture's layers and every weight must be Keras's. */
    private static String read(ConformanceSet.Case c, String format, Path path) {
        if (format.equals("savedmodel") && c.gen().equals("k3")) {
            KerasFile file = KERAS.read(path);
            if (file.hasArchitecture()) return "✗ a Keras 3 export read as holding a Keras architecture";
            return file.details().getObject("signatures").has("serving_default") ? OK : "✗ no serving_default signature read";
        }
        Model model = switch (format) {
            case "weights-h5", "weights-h5-k2", "checkpoint" -> KERAS.loadWeights(
                    KERAS.load(c.file("json").orElseThrow(() -> new IllegalStateException("no Keras JSON to load the weights into"))),
                    path, LoadWeightsOptions.DEFAULT);
            default -> KERAS.load(path);
        };
        List<String> ours = model.layers().stream().filter(l -> !l.className().equals("InputLayer") && !l.isOperation()).map(Layer::name).toList();
        List<String> keras = c.layers().stream().filter(l -> !l.getString("class_name", "").equals("InputLayer"))
                .map(l -> l.getString("name", "")).toList();
        if (!ours.equals(keras)) {
            if (ours.size() + keras.size() <= 12) return "✗ layers " + ours + ", Keras has " + keras;
            int i = 0;
            while (i < Math.min(ours.size(), keras.size()) && ours.get(i).equals(keras.get(i))) i++;
            return "✗ " + ours.size() + " layers, Keras has " + keras.size() + "; the first that differs, #" + i + ": "
                    + (i < ours.size() ? ours.get(i) : "(none)") + ", Keras " + (i < keras.size() ? keras.get(i) : "(none)");
        }
        return format.equals("json") ? OK : sameWeights(model, Npy.readNpz(c.weights()));
    }

    /** Every weight Keras listed ({@code "<layer>/<i>"}), in shape and value bit for bit. */
    private static String sameWeights(Model model, Map<String, Tensor> reference) {
        int compared = 0;
        for (Layer layer : model.layers()) {
            List<Weight> weights = layer.weights();
            for (int i = 0; reference.containsKey(layer.name() + "/" + i); i++) {
                String key = layer.name() + "/" + i;
                if (weights.size() <= i) return "✗ layer " + layer.name() + " has " + weights.size() + " weights, Keras " + (i + 1) + "+";
                Tensor got = weights.get(i).value(), want = reference.get(key);
                if (!Arrays.equals(got.shape(), want.shape())) {
                    return "✗ weight " + key + " shape " + Arrays.toString(got.shape()) + ", Keras " + Arrays.toString(want.shape());
                }
                if (!Arrays.equals(got.toDoubleArray(), want.toDoubleArray())) return "✗ weight " + key + " values differ from Keras's";
                compared++;
            }
        }
        return compared == reference.size() ? OK : "✗ " + compared + " of Keras's " + reference.size() + " weights found";
    }

    /** The runtime's predictions against Keras's outputs. */
    private static String predict(ConformanceSet.Case c, Model model) {
        List<Tensor> inputs = c.inputs().stream().map(Npy::read).toList();
        List<Tensor> actual = CompiledModel.compile(model).predictTensors(inputs);
        List<Path> expected = c.outputs();
        if (actual.size() != expected.size()) return "✗ " + actual.size() + " outputs, Keras " + expected.size();
        double worst = 0;
        for (int o = 0; o < expected.size(); o++) {
            Tensor e = Npy.read(expected.get(o));
            if (!Arrays.equals(actual.get(o).shape(), e.shape())) {
                return "✗ output " + o + " shape " + Arrays.toString(actual.get(o).shape()) + ", Keras " + Arrays.toString(e.shape());
            }
            float[] a = actual.get(o).toFloatArray(), x = e.toFloatArray();
            for (int i = 0; i < x.length; i++) {
                double err = Math.abs(a[i] - x[i]) / Math.max(1, Math.abs(x[i]));
                if (Double.isNaN(err)) return "✗ predictions differ from Keras (NaN at output " + o + ")";
                worst = Math.max(worst, err);
            }
        }
        if (worst <= TOLERANCE) return OK;
        // The size goes to the log only: its digits move with the CPU that computed Keras's outputs.
        System.out.printf("PREDICT %s: worst relative error %.3g%n", c.id(), worst);
        return "✗ predictions differ from Keras by more than 1e-5";
    }

    interface Check { String run() throws Exception; }

    /**
     * A check's cell: its verdict, keras4j's named refusal (a Lambda's Python code, which keras4j never runs), or ✗
     * with the exception's normalised first line.
     */
    private static String cell(Check check, ConformanceSet set, Path out) {
        try {
            return check.run();
        } catch (UnsupportedModelException refusal) {
            return "refused: " + ConformanceSet.reason(refusal.getMessage(), out, set.dir());
        } catch (Exception | AssertionError e) {
            return "✗ " + ConformanceSet.reason(e.getClass().getSimpleName() + ": " + e.getMessage(), out, set.dir());
        }
    }

    /** The layer table's title and introduction, up to its totals. */
    private static String layerIntroduction(JsonObject v) {
        StringBuilder t = new StringBuilder();
        t.append("<!-- Generated by it-tests ConformanceTest; do not edit. -->\n")
                .append("# Keras conformance: layer classes\n\n")
                .append("Generated: every public layer class of Keras ").append(v.getString("keras", "?"))
                .append(" (`keras.layers`) and tf_keras ").append(v.getString("tf_keras", "?"))
                .append(" (`tf_keras.layers`), as a minimal model per config variant, written by real Keras in every format of its ")
                .append("generation (`oracle/conformance.py`; TensorFlow ").append(v.getString("tensorflow", "?")).append("). ")
                .append("Per case: **read** each file Keras wrote (layers and weights as Keras's), **predict** with the runtime ")
                .append("(within 1e-5 relative to Keras), **write** each format of the case's generation and **migrate** to the ")
                .append("other generation, each written file loaded by real Keras of the target generation and predicting ")
                .append("Keras's outputs (1e-5). `refused:` is keras4j's UnsupportedModelException; `·` does not apply.\n\n")
                .append("Regenerate (after `./test.sh` generated the set into `~/.cache/keras4j/conformance-*`):\n\n```\n")
                .append("mvn -B -pl it-tests -am verify -Dtest=ConformanceTest -Dsurefire.failIfNoSpecifiedTests=false \\\n")
                .append("  -Dkeras4j.python=$(oracle/venv.sh) -Dkeras4j.conformance=DIR -Dkeras4j.pins.update=true\n```\n\n")
                .append("The test fails when a ✓ below is lost, and when this file is stale.\n\n");
        return t.toString();
    }

    /** The table: {@code introduction}, the counts per column, the classes without a case, then a row per case. */
    static String render(ConformanceSet set, List<String> columns, Map<String, Map<String, String>> rows, String introduction) {
        StringBuilder t = new StringBuilder(introduction);
        Map<String, int[]> counts = new LinkedHashMap<>();
        int[] total = new int[4];
        for (String col : columns) {
            int[] n = new int[4];
            for (Map<String, String> row : rows.values()) {
                String cellText = row.get(col);
                if (cellText == null) continue;
                int k = cellText.equals(OK) ? 0 : cellText.startsWith("refused:") ? 2 : cellText.startsWith(KERAS_FAILS_ALIKE) ? 3 : 1;
                n[k]++;
                total[k]++;
            }
            counts.put(col, n);
        }
        t.append("## Totals\n\n").append(rows.size()).append(" cases (").append(rows.keySet().stream().filter(id -> id.startsWith("k3/")).count())
                .append(" Keras 3, ").append(rows.keySet().stream().filter(id -> id.startsWith("k2/")).count()).append(" tf.keras); ")
                .append(total[0] + total[1] + total[2] + total[3]).append(" cells: ").append(total[0]).append(" ✓, ").append(total[1])
                .append(" ✗, ").append(total[2]).append(" refused");
        // The column of files real Keras fails on as on its own appears only where there are such cells.
        boolean alike = total[3] > 0;
        if (alike) t.append(", ").append(total[3]).append(" where real Keras fails alike on the file it wrote itself");
        t.append(".\n\n| column | ✓ | ✗ | refused |").append(alike ? " Keras fails alike |\n|---|---|---|---|---|\n" : "\n|---|---|---|---|\n");
        counts.forEach((col, n) -> t.append("| ").append(col).append(" | ").append(n[0]).append(" | ").append(n[1]).append(" | ")
                .append(n[2]).append(alike ? " | " + n[3] : "").append(" |\n"));
        t.append("\n## Classes and variants without a case\n\n| gen | class | variant | reason |\n|---|---|---|---|\n");
        for (JsonObject s : set.skippedClasses()) {
            t.append("| ").append(s.getString("gen", "")).append(" | ").append(s.getString("class", "")).append(" | ")
                    .append(s.get("variant").isNull() ? "(all)" : s.getString("variant", "")).append(" | ")
                    .append(ConformanceSet.reason(s.getString("reason", ""), set.dir())).append(" |\n");
        }
        t.append("\n## Cases\n\n| case | ").append(String.join(" | ", columns)).append(" |\n|")
                .append("---|".repeat(columns.size() + 1)).append('\n');
        rows.forEach((id, row) -> {
            t.append("| ").append(id);
            for (String col : columns) t.append(" | ").append(row.getOrDefault(col, "·"));
            t.append(" |\n");
        });
        return t.toString();
    }

    /** The rows of a rendered table: per case id, its cells by column, in the table's order. */
    static Map<String, Map<String, String>> parseRows(String committed) {
        List<String> header = null;
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        for (String line : committed.split("\n")) {
            if (!line.startsWith("| ")) continue;
            List<String> cells = Arrays.stream(line.substring(1, line.length() - 1).split("\\|", -1)).map(String::strip).toList();
            if (cells.get(0).equals("case")) { header = cells; continue; }
            if (header == null || cells.size() != header.size()) continue;
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 1; i < cells.size(); i++) {
                if (!cells.get(i).equals("·")) row.put(header.get(i), cells.get(i));
            }
            rows.put(cells.get(0), row);
        }
        return rows;
    }

    /** The cells ✓ in the committed table's rows that are not ✓ now (or whose case is gone), one line each. */
    static List<String> lostPasses(String committed, Map<String, Map<String, String>> rows) {
        Map<String, String> lost = new TreeMap<>();
        parseRows(committed).forEach((id, cells) -> cells.forEach((column, cell) -> {
            if (!cell.equals(OK)) return;
            Map<String, String> now = rows.get(id);
            String current = now == null ? "(case gone)" : now.getOrDefault(column, "(column gone)");
            if (!current.equals(OK)) lost.put(id + " · " + column, current);
        }));
        return lost.entrySet().stream().map(e -> e.getKey() + ": was ✓, now " + e.getValue()).toList();
    }

    private static String firstDifference(String committed, String fresh) {
        String[] a = committed.split("\n"), b = fresh.split("\n");
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "(end)", y = i < b.length ? b[i] : "(end)";
            if (!x.equals(y)) return "line " + (i + 1) + ":\n  committed: " + x + "\n  now:       " + y;
        }
        return "(no line differs)";
    }
}
