package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.Keras4j;
import io.keras4j.UnsupportedModelException;
import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Dialect;
import io.keras4j.model.Model;
import io.keras4j.spi.WriteOptions;
import io.keras4j.testing.Fixtures;
import io.keras4j.testing.KerasOracle;
import io.keras4j.testing.PinnedOutcomes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue #13: the state of optimizers beyond Adam and SGD crosses generations so that training resumes as in the
 * source's Keras. Real Keras of each generation compiles one small model per optimizer (RMSprop plain and with
 * momentum and centering, Adagrad, Adadelta, Adamax, Nadam, Ftrl, Lion; {@code oracle/compiled_optimizers.py}),
 * trains two steps and saves it; the original resumes one more step in its own Keras. keras4j converts each to the
 * other generation (tf.keras {@code .h5} to {@code .keras}, Keras 3 {@code .keras} to a tf.keras {@code .h5}, and to a
 * TensorFlow checkpoint in the other generation's layout, restored into the architecture compiled as that generation's
 * own file of the model), and the other Keras, resuming from the converted file, must end the step with the original's
 * weights within 1e-6.
 * Conversions refused or not resuming so are the pinned table {@code optimizer-resume-failures.tsv}. Controls written
 * without the optimizer state must not match: they show the step depends on the state carried.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OptimizerStateTest {
    private static final Keras4j KERAS = Keras4j.create();
    private static final double TOLERANCE = 1e-6;

    private final Map<String, JsonObject> results = new LinkedHashMap<>();
    private final Map<String, String> failures = new TreeMap<>();
    private final Map<String, String> optimizers = new TreeMap<>();
    private final Map<String, String> optimizerFiles = new TreeMap<>();

    @BeforeAll
    void resumeEachOptimizerInTheOtherGeneration() throws Exception {
        Path out = ReverseCheck.freshOutput("optimizer-state");
        List<JsonObject> originals = new ArrayList<>();
        List<JsonObject> cases = new ArrayList<>();
        for (String gen : List.of("k2", "k3")) {
            Path dir = out.resolve(gen);
            String log = KerasOracle.run(Fixtures.root().resolve("it-tests/src/test/resources/oracle/compiled_optimizers.py").toString(),
                    gen, dir.toString());
            Path manifest = dir.resolve("optimizers.json");
            assertThat(manifest).as("Keras %s wrote the compiled models:%n%s", gen, log).exists();
            JsonObject written = KerasJson.parse(Files.readString(manifest), manifest).asObject();
            boolean tfKeras = gen.equals("k2");
            for (String id : written.keys()) {
                Path d = dir.resolve(id);
                Path original = Path.of(written.getObject(id).getString("path", ""));
                optimizers.put(gen + " " + id, written.getObject(id).getString("class_name", ""));
                optimizerFiles.put(gen + " " + id, original.toString());
                JsonObject step = JsonObject.builder().put("x", ReverseCheck.strings(List.of(d.resolve("x_next.npy"))))
                        .put("y", ReverseCheck.strings(List.of(d.resolve("y_next.npy")))).build();
                JsonObject base = JsonObject.builder().put("inputs", ReverseCheck.strings(List.of(d.resolve("inputs_0.npy"))))
                        .put("outputs", ReverseCheck.strings(List.of(d.resolve("outputs_0.npy")))).build();
                originals.add(base.toBuilder().put("id", "original " + gen + " " + id)
                        .put("loader", tfKeras ? "tf_keras.load_model" : "keras3.load_model").put("path", original.toString())
                        .put("train_step", step.with("save_to", d.resolve("after").toString())).build());

                Model model = KERAS.load(original);
                JsonObject judged = base.toBuilder().put("rtol", TOLERANCE).put("atol", TOLERANCE)
                        .put("loader", tfKeras ? "keras3.load_model" : "tf_keras.load_model")
                        .put("train_step", step.with("expect_from", d.resolve("after").toString())).build();
                Path target = d.resolve(tfKeras ? "converted/model.keras" : "converted/model.h5");
                Path control = d.resolve(tfKeras ? "control/model.keras" : "control/model.h5");
                WriteOptions options = WriteOptions.DEFAULT.withDialect(tfKeras ? Dialect.KERAS3 : Dialect.KERAS2);
                String caseId = gen + " " + id + (tfKeras ? " -> .keras" : " -> tf.keras .h5");
                try {
                    Files.createDirectories(target.getParent());
                    KERAS.save(model, target, null, options);
                    cases.add(judged.toBuilder().put("id", caseId).put("path", target.toString()).build());
                } catch (UnsupportedModelException refusal) {
                    failures.put(caseId, "refused: " + PinnedOutcomes.reason(refusal.getMessage(), out));
                }
                // A TensorFlow checkpoint in the other generation's layout, restored as a user does: into the
                // architecture compiled as that generation's own file of the same model is.
                Path checkpoint = d.resolve("checkpoint/ckpt");
                Path architecture = d.resolve("checkpoint/model.json");
                String checkpointId = gen + " " + id + (tfKeras ? " -> Keras 3 checkpoint" : " -> tf.keras checkpoint");
                try {
                    Files.createDirectories(checkpoint.getParent());
                    KERAS.save(model, checkpoint, "checkpoint", options);
                    KERAS.save(model, architecture, null, options);
                    Path compileFrom = out.resolve(tfKeras ? "k3" : "k2").resolve(id).resolve(tfKeras ? "model.keras" : "model.h5");
                    cases.add(judged.toBuilder().put("id", checkpointId).put("path", checkpoint.toString())
                            .put("loader", tfKeras ? "keras3.checkpoint_read" : "tf_keras.load_weights")
                            .put("architecture", architecture.toString()).put("compile_from", compileFrom.toString()).build());
                } catch (UnsupportedModelException refusal) {
                    failures.put(checkpointId, "refused: " + PinnedOutcomes.reason(refusal.getMessage(), out));
                }
                Files.createDirectories(control.getParent());
                KERAS.save(model, control, null, options.withIncludeOptimizer(false));
                cases.add(judged.toBuilder().put("id", "control " + caseId + " without optimizer state")
                        .put("path", control.toString()).build());
            }
        }
        Map<String, JsonObject> references = ReverseCheck.run(originals, Files.createDirectories(out.resolve("originals")));
        references.forEach((id, r) -> assertThat(r.getBoolean("ok", false)).as("%s resumed in its own Keras: %s", id, r).isTrue());
        results.putAll(ReverseCheck.run(cases, Files.createDirectories(out.resolve("conversions"))));
        results.forEach((id, r) -> {
            if (!id.startsWith("control ") && !r.getBoolean("ok", false)) {
                failures.put(id, PinnedOutcomes.reason(r.getString("error", "(no error)"), out));
            }
        });
        System.out.printf("optimizer state: %d conversions judged by Keras, %d resume as the original; failures %s%n",
                results.keySet().stream().filter(id -> !id.startsWith("control ")).count(),
                results.entrySet().stream().filter(e -> !e.getKey().startsWith("control ") && e.getValue().getBoolean("ok", false)).count(),
                failures.keySet());
    }

    @Test
    void everyOptimizerOfBothGenerationsWasTried() {
        assertThat(optimizers.values()).containsOnly("RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl", "Lion");
        assertThat(optimizers).hasSize(16);
    }

    @Test
    void withoutTheOptimizerStateTheStepEndsElsewhere() {
        List<String> controls = results.keySet().stream().filter(id -> id.startsWith("control ")).toList();
        assertThat(controls).hasSize(16);
        for (String id : controls) {
            JsonObject r = results.get(id);
            assertThat(r.getBoolean("ok", true)).as("%s must not resume as the original: %s", id, r).isFalse();
            assertThat(r.getString("error", "")).as(id).startsWith("outputs differ");
        }
    }

    /** The command line refuses the Nadam conversion as bad input (exit 4) and its remedy writes the file. */
    @Test
    void theCommandLineRefusesNadamStateWithExitFourAndTheRemedyWorks() throws Exception {
        Path original = originalFile("k2", "nadam");
        Path out = original.getParent().resolve("cli");
        Files.createDirectories(out);
        CliTest.Run refused = CliTest.run("convert", original.toString(), out.resolve("model.keras").toString());
        assertThat(refused.code()).as(refused.err()).isEqualTo(io.keras4j.cli.Main.BAD_INPUT);
        assertThat(refused.err()).contains("Nadam's state has no counterpart").contains("--strip-optimizer");
        assertThat(out.resolve("model.keras")).doesNotExist();
        CliTest.Run stripped = CliTest.run("edit", original.toString(), out.resolve("stripped.h5").toString(), "--strip-optimizer");
        assertThat(stripped.code()).as(stripped.err()).isZero();
        CliTest.Run converted = CliTest.run("convert", out.resolve("stripped.h5").toString(), out.resolve("model.keras").toString());
        assertThat(converted.code()).as(converted.err()).isZero();
    }

    private Path originalFile(String gen, String id) {
        return Path.of(optimizerFiles.get(gen + " " + id));
    }

    @Test
    void theConversionsThatDoNotResumeAreThePinnedOnes() {
        PinnedOutcomes.assertMatches("optimizer-resume-failures",
                "optimizer state conversions after which the other Keras does not resume training as the original does",
                failures);
    }
}
