package io.keras4j.it;

import static io.keras4j.it.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.keras4j.cli.Main;
import io.keras4j.core.KerasJson;
import io.keras4j.it.CliTest.Run;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Issue #17, step 2: {@code keras4j info} as text and JSON, judged against the zoo Keras wrote. */
class CliInfoTest {

    static Run runIn(Charset charset, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true), charset);
        return new Run(code, out.toString(), err.toString());
    }

    private static JsonObject infoJson(Path file, String... more) {
        List<String> args = new ArrayList<>(List.of("info", "--json"));
        args.addAll(List.of(more));
        args.add(file.toString());
        Run r = run(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        return KerasJson.parse(r.out(), file).asObject();
    }

    /** Every table lines up however long the names, and {@code LANG=C} gets ASCII rules instead of {@code ????}. */
    @TestFactory
    Stream<DynamicTest> tablesAlignAndFallBackToAscii() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Zoo.Entry e : Zoo.current().entries()) {
            for (String format : List.of("keras", "h5", "savedmodel", "weights-h5")) {
                e.file(format).ifPresent(f -> tests.add(DynamicTest.dynamicTest(e.id() + " " + format, () -> {
                    Run ascii = runIn(StandardCharsets.US_ASCII, "info", "--weights", "--expand-nested", f.toString());
                    assertThat(ascii.code()).as(ascii.err()).isZero();
                    assertThat(StandardCharsets.US_ASCII.newEncoder().canEncode(ascii.out())).as(ascii.out()).isTrue();
                    Run utf8 = runIn(StandardCharsets.UTF_8, "info", "--weights", "--expand-nested", f.toString());
                    assertThat(utf8.out()).contains("─")
                            .isEqualTo(java.util.regex.Pattern.compile("(?m)^-+$").matcher(ascii.out()).replaceAll(m -> "─".repeat(m.group().length())));
                    Run flat = runIn(StandardCharsets.US_ASCII, "info", "--weights", f.toString());
                    assertAligned(flat.out());
                })));
            }
        }
        return tests.stream();
    }

    /**
     * In each ruled table, every row's cells line up with the header's: a column's cells all start where its header
     * does (text) or all end where it ends (numbers), and no row is wider than the rule.
     */
    static void assertAligned(String text) {
        List<String> lines = text.lines().toList();
        int tables = 0;
        for (int i = 0; i + 2 < lines.size(); i++) {
            if (!lines.get(i).matches("-{3,}") || !lines.get(i + 2).matches("-{3,}")) continue;
            tables++;
            String rule = lines.get(i);
            List<int[]> header = cells(lines.get(i + 1));
            List<List<int[]>> rows = new ArrayList<>();
            for (int r = i + 3; r < lines.size() && !lines.get(r).equals(rule); r++) {
                assertThat(lines.get(r).length()).as("row wider than its rule: %s", lines.get(r)).isLessThanOrEqualTo(rule.length());
                rows.add(cells(lines.get(r)));
                assertThat(rows.get(rows.size() - 1).size()).as(lines.get(r)).isLessThanOrEqualTo(header.size());
            }
            for (int c = 0; c < header.size(); c++) {
                int col = c;
                boolean starts = rows.stream().allMatch(r -> r.size() <= col || r.get(col)[0] == header.get(col)[0]);
                boolean ends = rows.stream().allMatch(r -> r.size() <= col || r.get(col)[1] == header.get(col)[1]);
                assertThat(starts || ends).as("column %d of the table under '%s' in%n%s", c, lines.get(i + 1), text).isTrue();
            }
            i += 2;
        }
        assertThat(tables).as("tables in %s", text).isPositive();
    }

    /** [start, end) of each cell: runs of text separated by two or more spaces. */
    private static List<int[]> cells(String line) {
        List<int[]> out = new ArrayList<>();
        var m = java.util.regex.Pattern.compile("\\S+(?: \\S+)*").matcher(line);
        while (m.find()) out.add(new int[] {m.start(), m.end()});
        return out;
    }

    /** Inputs and outputs with dtype and shape, as Keras's own inputs and predictions have them. */
    @TestFactory
    Stream<DynamicTest> inputAndOutputSpecsMatchKerasArrays() {
        return Zoo.current().entries().stream().filter(e -> e.file("keras").isPresent()).map(e -> DynamicTest.dynamicTest(e.id(), () -> {
            JsonObject info = infoJson(e.file("keras").orElseThrow());
            check(info.getArray("inputSpecs"), e.inputs());
            check(info.getArray("outputSpecs"), e.outputs());
        }));
    }

    private static void check(JsonArray specs, List<Path> arrays) {
        assertThat(specs.size()).isEqualTo(arrays.size());
        for (int i = 0; i < arrays.size(); i++) {
            Tensor t = Npy.read(arrays.get(i));
            JsonObject s = specs.get(i).asObject();
            assertThat(s.getString("dtype", "")).as(s.toJson()).isEqualTo(t.dtype().kerasName());
            long[] shape = s.getArray("shape").toLongs();
            long[] want = t.shape();
            assertThat(shape).as(s.toJson()).hasSameSizeAs(want);
            for (int d = 1; d < want.length; d++) {
                if (shape[d] >= 0) assertThat(shape[d]).as("%s axis %d", s.toJson(), d).isEqualTo(want[d]);
            }
        }
    }

    /** "Connected to" is Keras's inbound_nodes, as the tf.keras JSON config spells them. */
    @TestFactory
    Stream<DynamicTest> connectedToIsKerasInboundNodes() {
        return Zoo.current().entries().stream().filter(e -> e.gen().equals("k2") && e.file("json").isPresent())
                .map(e -> DynamicTest.dynamicTest(e.id(), () -> {
                    JsonObject config = KerasJson.parse(Files.readString(e.file("json").orElseThrow()), e.file("json").orElseThrow()).asObject();
                    boolean functional = !config.getString("class_name", "").equals("Sequential");
                    Map<String, List<String>> keras = new LinkedHashMap<>();
                    for (JsonValue l : config.getObject("config").getArray("layers")) {
                        List<String> from = new ArrayList<>();
                        if (functional) {
                            for (JsonValue node : l.asObject().getArray("inbound_nodes")) {
                                for (JsonValue in : node.asArray()) {
                                    JsonArray ref = in.asArray();
                                    from.add(ref.get(0).asText() + "[" + ref.get(1).toJson() + "][" + ref.get(2).toJson() + "]");
                                }
                            }
                        }
                        keras.put(l.asObject().getObject("config").getString("name", l.asObject().getString("name", "")), from);
                    }
                    JsonObject info = infoJson(e.file("h5").orElseThrow());
                    Map<String, List<String>> ours = new LinkedHashMap<>();
                    for (JsonValue l : info.getArray("layers")) {
                        List<String> from = new ArrayList<>();
                        for (JsonValue c : l.asObject().getArray("connectedTo")) from.add(c.asText());
                        ours.put(l.asObject().getString("name", ""), from);
                    }
                    assertThat(ours).isEqualTo(keras);
                    Run text = run("info", e.file("h5").orElseThrow().toString());
                    if (functional) assertThat(text.out()).contains("Connected to");
                    else assertThat(text.out()).doesNotContain("Connected to");
                }));
    }

    /** {@code --expand-nested}: the inner model's layers, as Keras's config lists them, with their parameters. */
    @TestFactory
    Stream<DynamicTest> expandNestedListsTheInnerLayers() {
        return Zoo.current().entries().stream().filter(e -> e.model().equals("nested")).map(e -> DynamicTest.dynamicTest(e.id(), () -> {
            Path json = e.file("json").orElseThrow();
            JsonObject config = KerasJson.parse(Files.readString(json), json).asObject();
            List<String> innerKeras = new ArrayList<>();
            for (JsonValue l : config.getObject("config").getArray("layers")) {
                JsonObject inner = l.asObject().getObject("config");
                for (JsonValue il : inner.getArray("layers")) innerKeras.add(il.asObject().getObject("config").getString("name", ""));
            }
            assertThat(innerKeras).isNotEmpty();
            JsonObject flat = infoJson(e.file("keras").orElseThrow());
            JsonObject expanded = infoJson(e.file("keras").orElseThrow(), "--expand-nested");
            List<String> depth1 = new ArrayList<>();
            long innerParams = 0;
            long parent = -1;
            for (JsonValue l : expanded.getArray("layers")) {
                JsonObject o = l.asObject();
                if (o.getLong("depth", 0) == 1) {
                    depth1.add(o.getString("name", ""));
                    innerParams += o.getLong("params", 0);
                } else if (o.getString("className", "").equals("Sequential") || o.getString("className", "").equals("Functional")) {
                    parent = o.getLong("params", -1);
                }
            }
            // Keras 3 lists a Sequential's InputLayer in its config only when it was given one.
            assertThat(depth1).containsAll(innerKeras);
            assertThat(innerParams).isEqualTo(parent);
            assertThat(expanded.getArray("layers").size()).isEqualTo(flat.getArray("layers").size() + depth1.size());
            assertThat(flat.getArray("layers").values()).allMatch(l -> l.asObject().getLong("depth", -1) == 0);
        }));
    }

    /** {@code --weights}: every weight with statistics equal to those of Keras's own arrays. */
    @TestFactory
    Stream<DynamicTest> weightStatisticsAreThoseOfKerasArrays() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Zoo.Entry e : Zoo.current().entries()) {
            for (String format : List.of("keras", "h5", "weights-h5", "checkpoint")) {
                e.file(format).ifPresent(f -> tests.add(DynamicTest.dynamicTest(e.id() + " " + format, () -> {
                    JsonObject info = infoJson(f, "--weights");
                    JsonArray list = info.getArray("weightList");
                    assertThat((long) list.size()).isEqualTo(info.getObject("weights").getLong("count", -1));
                    Map<String, Tensor> keras = e.weights();
                    // Weights-only files key weights by object path or checkpoint key, not layer: match by value.
                    for (var k : keras.entrySet()) {
                        double[] v = k.getValue().toDoubleArray();
                        double min = Double.MAX_VALUE, max = -Double.MAX_VALUE, sum = 0;
                        for (double x : v) {
                            min = Math.min(min, x);
                            max = Math.max(max, x);
                            sum += x;
                        }
                        double mean = sum / v.length, sq = 0;
                        for (double x : v) sq += (x - mean) * (x - mean);
                        double fmin = min, fmax = max;
                        JsonObject row = list.values().stream().map(JsonValue::asObject)
                                .filter(w -> java.util.Arrays.equals(w.getArray("shape").toLongs(), k.getValue().shape())
                                        && w.getDouble("min", Double.NaN) == fmin && w.getDouble("max", Double.NaN) == fmax)
                                .findFirst().orElse(null);
                        assertThat(row).as("Keras's %s %s (min %s, max %s) in %s", k.getKey(),
                                java.util.Arrays.toString(k.getValue().shape()), min, max, list.toJson()).isNotNull();
                        assertThat(row.getString("dtype", "")).isEqualTo(k.getValue().dtype().kerasName());
                        assertThat(row.getLong("bytes", -1)).isEqualTo(k.getValue().byteSize());
                        assertThat(row.getDouble("mean", Double.NaN)).isCloseTo(mean, within(1e-9 + 1e-9 * Math.abs(mean)));
                        assertThat(row.getDouble("std", Double.NaN)).isCloseTo(Math.sqrt(sq / v.length), within(1e-6));
                        assertThat(row.getLong("nan", -1)).isZero();
                        assertThat(row.getLong("inf", -1)).isZero();
                    }
                })));
            }
        }
        return tests.stream();
    }

    /** SavedModel signatures as a table, one row per tensor of every signature the file has. */
    @TestFactory
    Stream<DynamicTest> signaturesAreATable() {
        return Zoo.current().entries().stream().filter(e -> e.file("savedmodel").isPresent()).map(e -> DynamicTest.dynamicTest(e.id(), () -> {
            Path sm = e.file("savedmodel").orElseThrow();
            JsonObject sigs = infoJson(sm).getObject("signatures");
            assertThat(sigs.has("serving_default")).isTrue();
            Run text = run("info", sm.toString());
            assertThat(text.out()).contains("Signatures:").doesNotContain("\"inputs\"");
            for (var s : sigs.members().entrySet()) {
                for (String side : List.of("inputs", "outputs")) {
                    for (var t : s.getValue().asObject().getObject(side).members().entrySet()) {
                        assertThat(text.out()).containsPattern("(?m)^" + s.getKey() + "\\s+" + side.substring(0, side.length() - 1)
                                + "\\s+" + java.util.regex.Pattern.quote(t.getKey()) + "\\s+" + t.getValue().asObject().getString("dtype", "") + "\\s");
                    }
                }
            }
        }));
    }
}
