package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.cli.Main;
import io.keras4j.format.json.KerasJson;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.testing.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** The command line over the zoo and the public fixtures: what {@code ./keras4j} users see. */
class CliTest {
    @TempDir Path dir;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @TestFactory
    Stream<DynamicTest> infoJsonGivesKerasLayersAndParamsForEveryZooFile() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Zoo.Entry e : Zoo.current().entries()) {
            for (JsonObject f : e.files()) {
                String format = f.getString("format", "");
                Path path = e.path(f.getString("path", ""));
                tests.add(DynamicTest.dynamicTest(e.id() + " " + format, () -> {
                    Run r = run("info", "--json", path.toString());
                    assertThat(r.code()).as(r.err()).isZero();
                    JsonObject info = KerasJson.parse(r.out(), path).asObject();
                    assertThat(info.getObject("weights").getLong("count", -1)).isNotNegative();
                    if (!info.getBoolean("architecture", false)) {
                        assertThat(info.getString("note", "")).contains("weights only");
                        if (format.equals("savedmodel")) assertThat(info.getObject("signatures").has("serving_default")).isTrue();
                        return;
                    }
                    List<String> layers = new ArrayList<>();
                    for (JsonValue l : info.getArray("layers")) layers.add(l.asObject().getString("name", ""));
                    for (JsonObject kl : e.layers()) assertThat(layers).as(e.id() + " " + format).contains(kl.getString("name", ""));
                    if (info.getObject("params").get("total").isNumber()) {
                        assertThat(info.getObject("params").getLong("total", -1)).as("%s %s total params", e.id(), format)
                                .isEqualTo(e.totalParams());
                    }
                    if (format.equals("savedmodel")) assertThat(info.getObject("signatures").has("serving_default")).isTrue();
                }));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> infoJsonReadsEveryPublicKerasJson() {
        Path pub = Fixtures.publicFixtures();
        return Fixtures.find(pub, p -> p.toString().endsWith(".json")).stream()
                .filter(CliTest::isKerasModelJson)
                .map(p -> DynamicTest.dynamicTest(pub.relativize(p).toString(), () -> {
                    Run r = run("info", "--json", p.toString());
                    assertThat(r.code()).as(r.err()).isZero();
                    JsonObject info = KerasJson.parse(r.out(), p).asObject();
                    assertThat(info.getString("format", "")).isEqualTo("json");
                    assertThat(info.getArray("layers")).isNotEmpty();
                }));
    }

    static boolean isKerasModelJson(Path p) {
        try {
            JsonValue top = KerasJson.parse(Files.readString(p), p);
            return top.isObject() && top.asObject().has("class_name") && top.asObject().has("config");
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void aNonKerasFileExitsThreeListingTheCodecsTried() throws Exception {
        Path f = Files.writeString(dir.resolve("notes.txt"), "shopping list: eggs, flour");
        Run r = run("info", f.toString());
        assertThat(r.code()).isEqualTo(Main.UNKNOWN_FORMAT);
        assertThat(r.err()).contains("codecs tried").contains("h5=NO_MATCH").contains("json=NO_MATCH").contains(f.toString());
    }

    @Test
    void corruptInputExitsFourNamingTheFile() throws Exception {
        Path f = dir.resolve("broken.h5");
        Files.write(f, new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n', 0, 0, 0});
        Run r = run("info", "--format", "h5", f.toString());
        assertThat(r.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(r.err()).contains("h5").contains(f.toString());
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run("info").code()).isEqualTo(Main.USAGE);
        assertThat(run("frobnicate").code()).isEqualTo(Main.USAGE);
        assertThat(run("convert", "a", "b", "--dialect", "keras9").code()).isEqualTo(Main.USAGE);
    }

    @Test
    void codecPropertiesAreSetWithSet() {
        Zoo.Entry mlp = Zoo.current().entries().stream().filter(e -> e.id().equals("mlp-k3")).findFirst().orElseThrow();
        String in = mlp.file("keras").orElseThrow().toString();
        Path servingOnly = dir.resolve("serving-only");
        Run r = run("convert", in, servingOnly.toString(), "--set", "savedmodel.kerasObjects=false");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(servingOnly.resolve("saved_model.pb")).exists();
        assertThat(servingOnly.resolve("keras_metadata.pb")).doesNotExist();
        Run withKeras = run("convert", in, dir.resolve("with-keras").toString());
        assertThat(withKeras.code()).as(withKeras.err()).isZero();
        assertThat(dir.resolve("with-keras/keras_metadata.pb")).exists();
        Run bad = run("convert", in, dir.resolve("bad").toString(), "--set", "savedmodel.kerasObjects=maybe");
        assertThat(bad.code()).isEqualTo(Main.USAGE);
        assertThat(bad.err()).contains("savedmodel.kerasObjects").contains("maybe");
        assertThat(dir.resolve("bad")).doesNotExist();
        Run badShard = run("convert", in, dir.resolve("m.weights.json").toString(), "--set", "weights-sharded.maxShardBytes=lots");
        assertThat(badShard.code()).isEqualTo(Main.USAGE);
        assertThat(badShard.err()).contains("weights-sharded.maxShardBytes").contains("lots");
    }

    @Test
    void convertAndPredictFromTheCommandLine() throws Exception {
        Zoo.Entry resnet = Zoo.current().entries().stream().filter(e -> e.id().equals("resnet-k2")).findFirst().orElseThrow();
        Path out = dir.resolve("resnet.keras");
        Run c = run("convert", resnet.file("h5").orElseThrow().toString(), out.toString());
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(out).exists();
        Run p = run("predict", out.toString(), "--input", resnet.inputs().get(0).toString(), "--out", dir.resolve("pred").toString());
        assertThat(p.code()).as(p.err()).isZero();
        float[] ours = io.keras4j.tensor.Npy.read(dir.resolve("pred/output_0.npy")).toFloatArray();
        float[] keras = io.keras4j.tensor.Npy.read(resnet.outputs().get(0)).toFloatArray();
        assertThat(ours).hasSameSizeAs(keras);
        for (int i = 0; i < ours.length; i++) {
            assertThat((double) Math.abs(ours[i] - keras[i])).as("output %d", i).isLessThanOrEqualTo(1e-5 * Math.max(1, Math.abs(keras[i])));
        }
        Run info = run("info", dir.resolve("missing-weights").toString());
        assertThat(info.code()).isEqualTo(4);
    }

    /** {@code predict} on every kind of input the issue names, for each zoo model, against Keras's predictions. */
    @TestFactory
    Stream<DynamicTest> predictMatchesKerasFromEveryModelSource() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Zoo.Entry e : Zoo.current().entries()) {
            // Custom and Lambda layers run through the runtime tests' ZooLayers (a LayerProvider), as a user's would.
            List<List<String>> sources = new ArrayList<>();
            e.file("keras").ifPresent(p -> sources.add(List.of(p.toString())));
            e.file("h5").ifPresent(p -> sources.add(List.of(p.toString())));
            if (e.gen().equals("k2")) e.file("savedmodel").ifPresent(p -> sources.add(List.of(p.toString())));
            e.file("json").ifPresent(j -> e.file("checkpoint").ifPresent(c -> sources.add(List.of(j.toString(), "--weights", c.toString()))));
            for (List<String> source : sources) {
                tests.add(DynamicTest.dynamicTest(e.id() + " " + source.get(source.size() - 1).replace(e.path("").toString(), ""), () -> {
                    List<String> args = new ArrayList<>(List.of("predict"));
                    args.addAll(source);
                    for (Path in : e.inputs()) args.addAll(List.of("--input", in.toString()));
                    Path out = Files.createTempDirectory(dir, "pred");
                    args.addAll(List.of("--out", out.toString()));
                    Run r = run(args.toArray(String[]::new));
                    assertThat(r.code()).as(r.err()).isZero();
                    for (int i = 0; i < e.outputs().size(); i++) {
                        float[] ours = io.keras4j.tensor.Npy.read(out.resolve("output_" + i + ".npy")).toFloatArray();
                        float[] keras = io.keras4j.tensor.Npy.read(e.outputs().get(i)).toFloatArray();
                        assertThat(ours).hasSameSizeAs(keras);
                        for (int k = 0; k < ours.length; k++) {
                            assertThat((double) Math.abs(ours[k] - keras[k])).as("output %d[%d]", i, k)
                                    .isLessThanOrEqualTo(1e-5 * Math.max(1, Math.abs(keras[k])));
                        }
                    }
                }));
            }
        }
        return tests.stream();
    }
}
