package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.cli.Main;
import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.testing.Fixtures;
import io.keras4j.testing.KerasWeights;
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

    /** The path of a zoo entry's file in the given format. */
    static String zooFile(String id, String format) {
        return Zoo.current().entries().stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow()
                .file(format).orElseThrow().toString();
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

    // ---------------------------------------------------------------- convert options and exit codes

    /** {@code --weights W --by-name --skip-mismatch}: Keras's load_weights options, on the zoo MLP with a wider head. */
    @Test
    void convertLoadsWeightsByNameSkippingMismatchesOnlyWhenAsked() throws Exception {
        Path wider = LoadWeightsOptionsTest.edited(dir, "\"units\": 3", "\"units\": 5");
        String weights = LoadWeightsOptionsTest.mlp().file("weights-h5-k2").orElseThrow().toString();
        Path out = dir.resolve("wider.weights.h5");

        Run strict = run("convert", wider.toString(), out.toString(), "--weights", weights);
        assertThat(strict.code()).as(strict.err()).isEqualTo(Main.BAD_INPUT);
        assertThat(strict.err()).contains("dense_1").contains("[8, 5]").contains(weights);
        Run byName = run("convert", wider.toString(), out.toString(), "--weights", weights, "--by-name");
        assertThat(byName.code()).as(byName.err()).isEqualTo(Main.BAD_INPUT);
        assertThat(byName.err()).contains("dense_1").contains("pass --skip-mismatch");
        assertThat(out).doesNotExist();

        Path h5 = dir.resolve("wider.h5");
        Run skipping = run("convert", wider.toString(), h5.toString(), "--weights", weights, "--by-name", "--skip-mismatch");
        assertThat(skipping.code()).as(skipping.err()).isZero();
        io.keras4j.model.Model written = io.keras4j.Keras4j.create().load(h5);
        KerasWeights.assertSameAsKeras(written, LoadWeightsOptionsTest.kerasWeights(java.util.Map.of("dense", "dense")), "skip mismatch");
        // As Keras's skip_mismatch: the skipped head keeps initial weights of its own shapes (Keras could not load a file
        // whose layer had none), and the command says which layers it skipped.
        assertThat(LoadWeightsOptionsTest.layer(written, "dense_1").weights()).extracting(w -> java.util.Arrays.toString(w.value().shape()))
                .as("mismatched head: initial weights").containsExactly("[8, 5]", "[5]");
        assertThat(skipping.err()).contains("skipped 1 layer", "'dense_1' (Dense)", weights);
    }

    /**
     * Issue #13: weights of another model are refused from every weights format with exit 4 naming a layer, and with
     * {@code --by-name --skip-mismatch} every layer is skipped, named, and given initial weights.
     */
    @Test
    void anotherModelsWeightsAreRefusedFromEveryFormatUnlessSkipped() throws Exception {
        String mlp = zooFile("mlp-k3", "json");
        List<String> cnnWeights = new ArrayList<>();
        for (String id : List.of("cnn-k2", "cnn-k3")) {
            Zoo.Entry cnn = Zoo.current().entries().stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow();
            for (String format : List.of("weights-h5-k2", "weights-h5", "weights-sharded", "checkpoint", "savedmodel")) {
                cnn.file(format).ifPresent(p -> cnnWeights.add(p.toString()));
            }
        }
        assertThat(cnnWeights).as("weights files of the zoo cnn").hasSizeGreaterThanOrEqualTo(5);
        for (String w : cnnWeights) {
            Path out = dir.resolve("never.keras");
            Run strict = run("convert", mlp, out.toString(), "--weights", w);
            assertThat(strict.code()).as("%s: %s", w, strict.err()).isEqualTo(Main.BAD_INPUT);
            assertThat(strict.err()).as(w).containsAnyOf("dense", "Dropout(dropout)");
            assertThat(out).doesNotExist();
            Path skipped = dir.resolve("skipped-" + cnnWeights.indexOf(w) + ".keras");
            Run skipping = run("convert", mlp, skipped.toString(), "--weights", w, "--by-name", "--skip-mismatch");
            assertThat(skipping.code()).as("%s: %s", w, skipping.err()).isZero();
            assertThat(skipping.err()).as(w).contains("skipped 2 layers", "'dense' (Dense)", "'dense_1' (Dense)");
            io.keras4j.model.Model written = io.keras4j.Keras4j.create().load(skipped);
            assertThat(LoadWeightsOptionsTest.layer(written, "dense").weights()).as("%s: initial weights", w).hasSize(2);
            assertThat(LoadWeightsOptionsTest.layer(written, "dense_1").weights()).as("%s: initial weights", w).hasSize(2);
        }
    }

    /** {@code --from}/{@code --to} name the codecs where the file names do not. */
    @Test
    void fromAndToOverrideWhatTheNamesSay() throws Exception {
        Zoo.Entry mlp = LoadWeightsOptionsTest.mlp();
        Path odd = dir.resolve("mlp.bin");
        Run to = run("convert", mlp.file("h5").orElseThrow().toString(), odd.toString(), "--to", "keras");
        assertThat(to.code()).as(to.err()).isZero();
        assertThat(to.out()).contains("(keras,");
        io.keras4j.Keras4j keras = io.keras4j.Keras4j.create();
        assertThat(keras.read(odd).format()).as("sniffed from the content").isEqualTo("keras");
        KerasWeights.assertSameAsKeras(keras.load(odd), mlp.weights(), "--to keras");

        Run from = run("convert", odd.toString(), dir.resolve("again.h5").toString(), "--from", "keras");
        assertThat(from.code()).as(from.err()).isZero();
        KerasWeights.assertSameAsKeras(keras.load(dir.resolve("again.h5")), mlp.weights(), "--from keras");
        Run wrongFrom = run("convert", odd.toString(), dir.resolve("never.h5").toString(), "--from", "h5");
        assertThat(wrongFrom.code()).as(wrongFrom.err()).isEqualTo(Main.BAD_INPUT);
        assertThat(wrongFrom.err()).contains("h5").contains(odd.toString());
        assertThat(dir.resolve("never.h5")).doesNotExist();
        Run unknownTo = run("convert", odd.toString(), dir.resolve("never.x").toString(), "--to", "nosuchcodec");
        assertThat(unknownTo.code()).as(unknownTo.err()).isEqualTo(Main.UNKNOWN_FORMAT);
        assertThat(unknownTo.err()).contains("nosuchcodec");
        assertThat(dir.resolve("never.x")).doesNotExist();
    }

    /** {@code --weights-only}: Keras's save_weights layout in an {@code .h5}; a {@code .keras} archive cannot be one. */
    @Test
    void weightsOnlyWritesNoArchitecture() throws Exception {
        Zoo.Entry mlp = LoadWeightsOptionsTest.mlp();
        Path w = dir.resolve("mlp-weights.h5");
        Run r = run("convert", mlp.file("h5").orElseThrow().toString(), w.toString(), "--weights-only", "--dialect", "keras2");
        assertThat(r.code()).as(r.err()).isZero();
        io.keras4j.Keras4j keras = io.keras4j.Keras4j.create();
        assertThat(keras.read(w).hasArchitecture()).as("weights only").isFalse();
        KerasWeights.assertSameAsKeras(keras.loadWeights(keras.load(mlp.file("json").orElseThrow()), w,
                io.keras4j.spi.LoadWeightsOptions.DEFAULT), mlp.weights(), "--weights-only");
        Run archive = run("convert", mlp.file("h5").orElseThrow().toString(), dir.resolve("w.keras").toString(), "--weights-only");
        assertThat(archive.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(archive.err()).contains("always holds the architecture");
        assertThat(dir.resolve("w.keras")).doesNotExist();
    }

    /**
     * Exit 1 is for failures that are not keras4j's verdict on the input: here a user's LayerProvider ({@link
     * FailingLayers}) throwing while predicting. Its message is shown and nothing is written. A wrong number of inputs
     * is bad input like a wrong shape: exit 4.
     */
    @Test
    void anUnexpectedFailureExitsOneWithItsMessage() throws Exception {
        Zoo.Entry lambda = Zoo.current().entries().stream().filter(e -> e.id().equals("lambda-k3")).findFirst().orElseThrow();
        String json = Files.readString(lambda.file("json").orElseThrow());
        assertThat(json).containsOnlyOnce("\"name\": \"affine\"");
        Path exploding = Files.writeString(dir.resolve("explode.json"), json.replace("\"name\": \"affine\"", "\"name\": \"explode\""));
        Path out = dir.resolve("pred");
        Run r = run("predict", exploding.toString(), "--weights", lambda.file("weights-h5").orElseThrow().toString(),
                "--input", lambda.inputs().get(0).toString(), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains(FailingLayers.MESSAGE);
        assertThat(out).doesNotExist();

        Zoo.Entry mlp = LoadWeightsOptionsTest.mlp();
        String x = mlp.inputs().get(0).toString();
        Run twoInputs = run("predict", mlp.file("h5").orElseThrow().toString(), "--input", x, "--input", x, "--out", out.toString());
        assertThat(twoInputs.code()).as(twoInputs.err()).isEqualTo(Main.BAD_INPUT);
        assertThat(twoInputs.err()).contains("takes 1 inputs").contains("got 2");
        assertThat(out).doesNotExist();
    }
}
