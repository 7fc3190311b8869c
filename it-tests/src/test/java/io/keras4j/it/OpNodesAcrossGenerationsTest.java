package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.keras4j.Keras4j;
import io.keras4j.UnsupportedModelException;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.runtime.CompiledModel;
import io.keras4j.spi.WriteOptions;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.Fixtures;
import io.keras4j.testing.KerasOracle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a functional model does to tensors outside layers, across the generations (issue #12): tf.keras records it as
 * {@code TFOpLambda}/{@code SlicingOpLambda} layers, Keras 3 as operation nodes (GetItem, Add, Sum, ...). Real tf_keras
 * writes the models of {@code oracle/slicing_ops.py}, {@code tf_functions.py} and {@code tf_math.py}; keras4j writes
 * each as a .keras and a Keras 3 .h5, which real Keras 3 must load without custom objects and predict as tf_keras did.
 * Real Keras 3 writes {@code oracle/keras3_ops.py}'s model; keras4j writes it as a tf.keras .h5, which real tf_keras must
 * load and predict the same. keras4j's runtime must predict the Keras 3 files it wrote, and the calls one generation
 * has no form for are refused by name.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpNodesAcrossGenerationsTest {
    private static final Keras4j KERAS = Keras4j.create();
    private static final List<String> TF_KERAS_SCRIPTS = List.of("slicing_ops", "tf_functions", "tf_math");

    private final Map<String, Path> oracleOutputs = new LinkedHashMap<>();
    private final Map<String, Path> written = new LinkedHashMap<>();
    private final Map<String, JsonObject> results = new LinkedHashMap<>();

    @BeforeAll
    void writeEveryModelAndAskKeras() throws Exception {
        Path out = ReverseCheck.freshOutput("op-nodes-across-generations");
        List<JsonObject> cases = new ArrayList<>();
        for (String script : TF_KERAS_SCRIPTS) {
            Path dir = oracle(script, out);
            Model model = KERAS.load(dir.resolve("model.h5"));
            for (String target : List.of("model.keras", "k3/model.h5")) {
                cases.add(write(script + " " + target, model, dir, dir.resolve("written").resolve(target), Dialect.KERAS3, "keras3.load_model"));
            }
        }
        Path k3 = oracle("keras3_ops", out);
        cases.add(write("keras3_ops k2/model.h5", KERAS.load(k3.resolve("model.keras")), k3, k3.resolve("written/k2/model.h5"),
                Dialect.KERAS2, "tf_keras.load_model"));
        cases.add(write("keras3_ops k2/masked.h5", KERAS.load(k3.resolve("masked.keras")), k3, k3.resolve("written/k2/masked.h5"),
                Dialect.KERAS2, "tf_keras.load_model", "masked_"));
        results.putAll(ReverseCheck.run(cases, out));
    }

    private Path oracle(String script, Path out) throws Exception {
        Path dir = Files.createDirectories(out.resolve(script));
        String log = KerasOracle.run(Fixtures.root().resolve("it-tests/src/test/resources/oracle/" + script + ".py").toString(), dir.toString());
        assertThat(dir.resolve(script.equals("keras3_ops") ? "model.keras" : "model.h5")).as("Keras wrote the model:%n%s", log).exists();
        oracleOutputs.put(script, dir);
        return dir;
    }

    private JsonObject write(String id, Model model, Path oracleDir, Path target, Dialect dialect, String loader) throws Exception {
        return write(id, model, oracleDir, target, dialect, loader, "");
    }

    private JsonObject write(String id, Model model, Path oracleDir, Path target, Dialect dialect, String loader, String prefix)
            throws Exception {
        Files.createDirectories(target.getParent());
        KERAS.save(model, target, null, WriteOptions.DEFAULT.withDialect(dialect));
        written.put(id, target);
        return JsonObject.builder().put("id", id).put("loader", loader).put("path", target.toString())
                .put("inputs", ReverseCheck.strings(numbered(oracleDir, prefix + "inputs")))
                .put("outputs", ReverseCheck.strings(numbered(oracleDir, prefix + "outputs")))
                .put("custom", false).build();
    }

    private static List<Path> numbered(Path dir, String prefix) {
        List<Path> files = new ArrayList<>();
        for (int i = 0; Files.exists(dir.resolve(prefix + "_" + i + ".npy")); i++) files.add(dir.resolve(prefix + "_" + i + ".npy"));
        return files;
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"slicing_ops, model.keras", "slicing_ops, k3/model.h5", "tf_functions, model.keras", "tf_functions, k3/model.h5",
            "tf_math, model.keras", "tf_math, k3/model.h5"})
    void tfKerasOpLayersWrittenForKeras3AreItsOperationNodesAndPredictAsTfKerasDid(String script, String target) throws Exception {
        String id = script + " " + target;
        JsonObject r = results.get(id);
        assertThat(r).as("reverse check of %s", id).isNotNull();
        assertThat(r.getBoolean("ok", false)).as("%s: %s (max_abs_diff %s)", id, r.get("error"), r.get("max_abs_diff")).isTrue();
        Model back = KERAS.load(written.get(id));
        assertThat(back.layers()).extracting(Layer::className).doesNotContain("TFOpLambda", "SlicingOpLambda");
        assertThat(back.layers()).filteredOn(Layer::isOperation).as("operation nodes").isNotEmpty();
        assertPredictsKerasOutputs(back, oracleOutputs.get(script));
    }

    @Test
    void keras3OperationNodesWrittenForTfKerasAreOpLayersAndPredictTheSame() throws Exception {
        String id = "keras3_ops k2/model.h5";
        JsonObject r = results.get(id);
        assertThat(r).as("reverse check of %s", id).isNotNull();
        assertThat(r.getBoolean("ok", false)).as("%s: %s (max_abs_diff %s)", id, r.get("error"), r.get("max_abs_diff")).isTrue();
        Model back = KERAS.load(written.get(id));
        assertThat(back.layers()).filteredOn(Layer::isOperation).as("Keras 3 operation nodes in a tf.keras file").isEmpty();
        assertThat(back.layers()).extracting(Layer::className).contains("TFOpLambda", "SlicingOpLambda");
        // The runtime runs Keras 3's own operation nodes as Keras 3 predicted them, and the op layers written from them.
        assertPredictsKerasOutputs(KERAS.load(oracleOutputs.get("keras3_ops").resolve("model.keras")), oracleOutputs.get("keras3_ops"));
        assertPredictsKerasOutputs(back, oracleOutputs.get("keras3_ops"));
    }

    @Test
    void theMaskKeras3RecordsAsOperationNodesIsLeftToTfKerasWhichDerivesItItself() throws Exception {
        String id = "keras3_ops k2/masked.h5";
        JsonObject r = results.get(id);
        assertThat(r).as("reverse check of %s", id).isNotNull();
        assertThat(r.getBoolean("ok", false)).as("%s: %s (max_abs_diff %s)", id, r.get("error"), r.get("max_abs_diff")).isTrue();
        Model source = KERAS.load(oracleOutputs.get("keras3_ops").resolve("masked.keras"));
        assertThat(source.layers()).extracting(Layer::className).as("Keras 3 records the mask").contains("NotEqual", "Any");
        Model back = KERAS.load(written.get(id));
        assertThat(back.layers()).extracting(Layer::className).doesNotContain("NotEqual", "Any");
        assertThat(back.layers()).as("the output's * 2.0").filteredOn(l -> l.className().equals("TFOpLambda")).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "tf_math/refused_squared_difference.h5|TFOpLambda node 'tf.math.squared_difference' (tf.math.squared_difference) cannot be written for Keras 3: keras4j knows no Keras 3 operation that computes it",
            "tf_math/refused_matmul_transposed.h5|TFOpLambda node 'tf.linalg.matmul_1' (tf.linalg.matmul) cannot be written for Keras 3: its argument transpose_b=true has no Keras 3 form"})
    void tfKerasCallsKeras3HasNoOperationForAreRefusedByName(String file, String message) throws Exception {
        Model model = KERAS.load(oracleOutputs.get(file.split("/")[0]).resolve(file.split("/")[1]));
        Path target = ReverseCheck.freshOutput("op-nodes-refused").resolve("model.keras");
        assertThatThrownBy(() -> KERAS.save(model, target, null, WriteOptions.DEFAULT.withDialect(Dialect.KERAS3)))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining(message);
        assertThat(target).doesNotExist();
    }

    @Test
    void aTfKerasCallWithoutKeras3FormStillRunsAsTfKerasRecordedIt() throws Exception {
        Path dir = oracleOutputs.get("tf_math");
        Model model = KERAS.load(dir.resolve("refused_squared_difference.h5"));
        assertPredictsKerasOutputs(model, dir, "refused_squared_difference_");
    }

    @Test
    void keras3OperationsTfKerasHasNoFunctionForAreRefusedByName() throws Exception {
        Model model = KERAS.load(oracleOutputs.get("keras3_ops").resolve("refused_cumsum.keras"));
        Path target = ReverseCheck.freshOutput("op-nodes-refused-k2").resolve("model.h5");
        assertThatThrownBy(() -> KERAS.save(model, target, null, WriteOptions.DEFAULT.withDialect(Dialect.KERAS2)))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("node 'cumsum' is a Keras 3 operation (Cumsum) that cannot be written for tf.keras: "
                        + "keras4j knows no TensorFlow function tf.keras would record for it");
        assertThat(target).doesNotExist();
    }

    private static void assertPredictsKerasOutputs(Model model, Path oracleDir) throws Exception {
        assertPredictsKerasOutputs(model, oracleDir, "");
    }

    private static void assertPredictsKerasOutputs(Model model, Path oracleDir, String prefix) throws Exception {
        List<Tensor> inputs = new ArrayList<>();
        for (Path p : numbered(oracleDir, prefix + "inputs")) inputs.add(Npy.read(p));
        List<Tensor> actual = CompiledModel.compile(model).predictTensors(inputs);
        List<Path> outputs = numbered(oracleDir, prefix + "outputs");
        assertThat(outputs).as("Keras's outputs").isNotEmpty();
        assertThat(actual).as("every output Keras predicted").hasSize(outputs.size());
        for (int o = 0; o < outputs.size(); o++) {
            Tensor expected = Npy.read(outputs.get(o));
            assertThat(actual.get(o).shape()).as("output %d shape", o).isEqualTo(expected.shape());
            float[] e = expected.toFloatArray(), a = actual.get(o).toFloatArray();
            for (int i = 0; i < e.length; i++) assertThat((double) a[i]).as("output %d element %d", o, i).isCloseTo(e[i], within(1e-5));
        }
    }
}
