package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.Keras4j;
import io.keras4j.UnsupportedModelException;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Model;
import io.keras4j.spi.WriteOptions;
import io.keras4j.testing.Fixtures;
import io.keras4j.testing.PinnedOutcomes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * Models old Keras versions saved (1.x and 2.x, Theano and TensorFlow; DL4J's test resources, with the predictions
 * Keras made at the time) written as SavedModels: real TensorFlow must serve each one ({@code tf.saved_model.load},
 * and TF1 session loading through the saver as TensorFlow Serving does) and tf_keras must restore it as a Keras
 * model ({@code tf_keras.models.load_model}), all predicting what the
 * original Keras predicted. The models the SavedModel writer refuses, and those it writes for serving only, are pinned
 * tables ({@code src/test/resources/pinned/public-savedmodel-*.tsv}). A tf_keras case may fail only where TensorFlow
 * cannot run one of the model's own layers on this machine (channels_first kernels exist on some CPUs only), which
 * the reverse check asks TensorFlow case by case.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PublicSavedModelWriteTest {
    private static final String EXAMPLES = "dl4j-test-resources/src/main/resources/modelimport/keras/examples";
    /** The predictions are Theano's and old TensorFlow's, float32 but through other kernels: as the runtime's check. */
    private static final double RTOL = 1e-4;
    private static final double ATOL = 1e-5;

    private final Map<String, JsonObject> results = new LinkedHashMap<>();
    private final List<String> caseIds = new ArrayList<>();
    private final Map<String, String> refused = new LinkedHashMap<>();
    private final Map<String, String> servingOnly = new LinkedHashMap<>();

    @BeforeAll
    void writeAndAskTensorFlow() throws Exception {
        Path pub = Fixtures.publicFixtures();
        Path root = pub.resolve(EXAMPLES);
        Path out = ReverseCheck.freshOutput("public-savedmodels");
        Keras4j keras = Keras4j.create();
        List<JsonObject> cases = new ArrayList<>();
        for (Path io : Fixtures.find(root, p -> p.getFileName().toString().endsWith("_inputs_and_outputs.h5"))) {
            Path modelFile = io.resolveSibling(io.getFileName().toString().replace("_inputs_and_outputs.h5", "_model.h5"));
            if (!Files.exists(modelFile)) continue;
            String id = root.relativize(modelFile).toString().replace('\\', '/');
            Path dir = out.resolve(id.replace('/', '_').replace(".h5", ""));
            Files.createDirectories(dir);
            Optional<Dl4jReference> reference = Dl4jReference.read(io, dir);
            if (reference.isEmpty()) continue;
            JsonArray inputs = reference.get().inputs();
            JsonArray outputs = reference.get().outputs();
            List<String> inputKeys = reference.get().inputNames();
            List<String> outputKeys = reference.get().outputNames();
            Model model = keras.load(modelFile);
            Path target = dir.resolve("savedmodel");
            boolean kerasObjects = true;
            try {
                keras.save(model, target, "savedmodel", WriteOptions.DEFAULT.withProperty("savedmodel.kerasObjects", "true"));
            } catch (UnsupportedModelException noKerasForm) {
                assertThat(target).as("%s refused but left output behind", id).doesNotExist();
                try {
                    keras.save(model, target, "savedmodel", WriteOptions.DEFAULT.withProperty("savedmodel.kerasObjects", "false"));
                    servingOnly.put(id, PinnedOutcomes.reason(noKerasForm.getMessage(), pub, out));
                    kerasObjects = false;
                } catch (UnsupportedModelException e) {
                    assertThat(target).as("%s refused but left output behind", id).doesNotExist();
                    refused.put(id, PinnedOutcomes.reason(e.getMessage(), pub, out));
                    continue;
                }
            }
            JsonObject signature = keras.read(target).details().getObject("signatures").getObject("serving_default");
            inputKeys = keysInOrder(signature.getObject("inputs"), inputKeys);
            outputKeys = keysInOrder(signature.getObject("outputs"), outputKeys);
            JsonObject base = JsonObject.builder().put("path", target.toString()).put("inputs", inputs).put("outputs", outputs)
                    .put("rtol", RTOL).put("atol", ATOL).build();
            cases.add(base.with("id", id + " serving").with("loader", "tf.saved_model.load")
                    .with("input_keys", ReverseCheck.strings(inputKeys)).with("output_keys", ReverseCheck.strings(outputKeys)));
            cases.add(base.with("id", id + " tf1").with("loader", "tf1.saved_model.loader")
                    .with("input_keys", ReverseCheck.strings(inputKeys)).with("output_keys", ReverseCheck.strings(outputKeys)));
            caseIds.addAll(List.of(id + " serving", id + " tf1"));
            if (kerasObjects) {
                cases.add(base.with("id", id + " tf_keras").with("loader", "tf_keras.load_model"));
                caseIds.add(id + " tf_keras");
            }
        }
        results.putAll(ReverseCheck.run(cases, out));
        System.out.println("cases whose model TensorFlow itself cannot run on this machine (layers TensorFlow refused alone):");
        results.forEach((id, r) -> {
            if (ReverseCheck.tensorFlowLimitation(r) != null) System.out.println("  LIMITATION " + id + ": " + ReverseCheck.tensorFlowLimitation(r));
        });
    }

    @Test
    void refusalsAreThePinnedOnes() {
        PinnedOutcomes.assertMatches("public-savedmodel-refused",
                "public fixtures the SavedModel writer refuses (UnsupportedModelException, nothing written)", refused);
    }

    @Test
    void servingOnlyWritesAreThePinnedOnes() {
        PinnedOutcomes.assertMatches("public-savedmodel-serving-only",
                "public fixtures written for serving only, without the tf.keras structure (no tf_keras.load_model case)", servingOnly);
    }

    @TestFactory
    Stream<DynamicTest> tensorFlowServesAndTfKerasRestoresWhatKeras4jWrote() {
        assertThat(caseIds).as("SavedModels written from public fixtures").hasSizeGreaterThan(40);
        return caseIds.stream().map(id -> DynamicTest.dynamicTest(id, () -> {
            JsonObject r = results.get(id);
            ReverseCheck.assertPassedOrTensorFlowCannotRunIt(id, r);
        }));
    }

    /**
     * The signature's keys in the order of the fixture's arrays: the only key of a one-tensor signature (Keras 1
     * named a Sequential's input {@code lstm_input_1}, tf.keras {@code lstm_1_input}), else the fixture's names.
     */
    private static List<String> keysInOrder(JsonObject signatureTensors, List<String> fixtureNames) {
        return signatureTensors.size() == 1 ? List.copyOf(signatureTensors.keys()) : fixtureNames;
    }


}
