package io.keras4j.it;

import static io.keras4j.it.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.Keras4j;
import io.keras4j.cli.Main;
import io.keras4j.it.CliTest.Run;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.tensor.Npy;
import io.keras4j.testing.KerasOracle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue #17, step 4: {@code keras4j edit IN OUT}, judged by keras4j's reader and runtime and by real Keras. */
class CliEditTest {
    @TempDir Path dir;

    record Edit(String id, String format, String out, List<String> args, Map<String, String> renamed, String frozen, String loader) {}

    static final List<Edit> EDITS = List.of(
            new Edit("multi_io-k3", "keras", "multi_io.keras", List.of("--rename", "shared=trunk", "--rename", "in_a=first",
                    "--trainable", "out_reg=false"), Map.of("shared", "trunk", "in_a", "first"), "out_reg", "keras3.load_model"),
            new Edit("nested-k2", "h5", "nested.h5", List.of("--rename", "inner=body", "--trainable", "inner=false"),
                    Map.of("inner", "body"), "body", "tf_keras.load_model"),
            new Edit("trained-k3", "keras", "trained.keras", List.of("--strip-optimizer", "--rename", "#0=hidden"),
                    Map.of("#0", "hidden"), null, "keras3.load_model"),
            new Edit("resnet-k2", "h5", "resnet-k3.keras", List.of("--dialect", "keras3", "--rename", "stem=entry"),
                    Map.of("stem", "entry"), null, "keras3.load_model"));

    private static String sha(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    @Test
    void editedModelsKeepTheirPredictionsInKeras4jAndInKeras() throws Exception {
        Keras4j keras = Keras4j.create();
        Path out = ReverseCheck.freshOutput("it-cli-edit");
        List<JsonObject> cases = new ArrayList<>();
        for (Edit template : EDITS) {
            Zoo.Entry e = Zoo.current().entries().stream().filter(x -> x.id().equals(template.id())).findFirst().orElseThrow();
            // "#0": the first layer, whose automatic name depends on what the zoo generator built before it
            String first = e.layers().get(0).getString("name", "");
            Map<String, String> renamed = new java.util.LinkedHashMap<>();
            template.renamed().forEach((k, v) -> renamed.put(k.replace("#0", first), v));
            Edit edit = new Edit(template.id(), template.format(), template.out(),
                    template.args().stream().map(a -> a.replace("#0", first)).toList(), renamed, template.frozen(), template.loader());
            Path in = e.file(edit.format()).orElseThrow();
            String before = sha(in);
            Path target = out.resolve(edit.out());
            List<String> args = new ArrayList<>(List.of("edit", in.toString(), target.toString()));
            args.addAll(edit.args());
            Run r = run(args.toArray(String[]::new));
            assertThat(r.code()).as(edit.id() + ": " + r.err()).isZero();
            assertThat(sha(in)).as("IN untouched").isEqualTo(before);

            Model original = keras.load(in);
            Model edited = keras.load(target);
            List<String> names = names(edited);
            for (var rn : edit.renamed().entrySet()) {
                assertThat(names).as(edit.id()).contains(rn.getValue()).doesNotContain(rn.getKey());
            }
            assertThat(edited.paramCount()).isEqualTo(original.paramCount());
            if (edit.frozen() != null) {
                Layer frozen = edited.layer(edit.frozen()).orElseThrow();
                assertThat(frozen.trainable()).isFalse();
                // (the weights' own flags are the reader's view of the file, which Keras derives from the layer's flag)
            }
            if (edit.args().contains("--strip-optimizer")) {
                assertThat(original.optimizer()).as("the zoo's trained model has optimizer state").isPresent();
                assertThat(edited.optimizer()).isEmpty();
                assertThat(edited.trainingConfig()).isEqualTo(original.trainingConfig());
            }
            // keras4j's runtime on the edited file against Keras's predictions of the original
            List<String> predict = new ArrayList<>(List.of("predict", target.toString()));
            for (Path x : e.inputs()) predict.addAll(List.of("--input", x.toString()));
            Path pred = Files.createTempDirectory(dir, "pred");
            predict.addAll(List.of("--out", pred.toString()));
            Run p = run(predict.toArray(String[]::new));
            assertThat(p.code()).as(p.err()).isZero();
            for (int i = 0; i < e.outputs().size(); i++) {
                float[] ours = Npy.read(pred.resolve("output_" + i + ".npy")).toFloatArray();
                float[] want = Npy.read(e.outputs().get(i)).toFloatArray();
                assertThat(ours).hasSameSizeAs(want);
                for (int k = 0; k < ours.length; k++) {
                    assertThat((double) Math.abs(ours[k] - want[k])).as("%s output %d[%d]", edit.id(), i, k)
                            .isLessThanOrEqualTo(1e-5 * Math.max(1, Math.abs(want[k])));
                }
            }
            cases.add(JsonObject.builder().put("id", edit.id()).put("loader", edit.loader()).put("path", target.toString())
                    .put("inputs", ReverseCheck.strings(e.inputs())).put("outputs", ReverseCheck.strings(e.outputs()))
                    .put("custom", e.custom()).build());
        }
        KerasOracle.requirePython();
        Map<String, JsonObject> results = ReverseCheck.run(cases, out);
        for (JsonObject c : cases) {
            JsonObject result = results.get(c.getString("id", ""));
            assertThat(result.getBoolean("ok", false)).as("Keras on the edited %s: %s", c.getString("id", ""), result.toJson()).isTrue();
        }
    }

    private static List<String> names(Model m) {
        List<String> out = new ArrayList<>();
        for (Layer l : m.layers()) {
            out.add(l.name());
            l.nestedModel().ifPresent(inner -> out.addAll(names(inner)));
        }
        return out;
    }

    @Test
    void badEditsExitTwoAndLeaveNothingBehind() throws Exception {
        Path in = Path.of(CliTest.zooFile("mlp-k3", "keras"));
        String before = sha(in);
        Path out = dir.resolve("out.keras");
        Run unknown = run("edit", in.toString(), out.toString(), "--rename", "dense_2=x");
        assertThat(unknown.code()).isEqualTo(Main.USAGE);
        assertThat(unknown.err()).contains("dense_2").contains("did you mean dense");
        Run clash = run("edit", in.toString(), out.toString(), "--rename", "dense=dense_1");
        assertThat(clash.code()).isEqualTo(Main.USAGE);
        assertThat(clash.err()).contains("already has a layer 'dense_1'");
        Run flag = run("edit", in.toString(), out.toString(), "--trainable", "dense=maybe");
        assertThat(flag.code()).isEqualTo(Main.USAGE);
        assertThat(flag.err()).contains("true or false").contains("maybe");
        Run dialect = run("edit", in.toString(), out.toString(), "--dialect", "keras9");
        assertThat(dialect.code()).isEqualTo(Main.USAGE);
        assertThat(out).doesNotExist();
        Run self = run("edit", in.toString(), in.toString(), "--strip-optimizer");
        assertThat(self.code()).isEqualTo(Main.USAGE);
        assertThat(self.err()).contains("never modifies IN");
        Run format = run("edit", in.toString(), dir.resolve("m.xyz").toString());
        assertThat(format.code()).isEqualTo(Main.UNKNOWN_FORMAT);
        assertThat(dir.resolve("m.xyz")).doesNotExist();
        assertThat(sha(in)).isEqualTo(before);
    }
}
