package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.keras4j.Keras4j;
import io.keras4j.model.Model;
import io.keras4j.runtime.CompiledModel;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.Fixtures;
import io.keras4j.testing.KerasOracle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * tf.keras records what a functional model does to tensors outside layers as op layers: {@code x[:, 2:10:2]} as
 * {@code SlicingOpLambda}, {@code tf.concat(...)} and its kin as {@code TFOpLambda}. Real tf_keras writes a model of each
 * kind ({@code oracle/slicing_ops.py}: stops, steps, negative bounds and steps, an integer index dropping an axis,
 * slices of a 3-D input; {@code oracle/tf_functions.py}: concat, stack, expand_dims, squeeze, reshape, transpose with and
 * without perm, clip_by_value, casts to int32 and back) and keras4j's runtime must predict every output Keras predicted.
 */
class TfKerasOpLayersTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({"slicing_ops.py, SlicingOpLambda", "tf_functions.py, TFOpLambda", "tf_math.py, TFOpLambda"})
    void theRuntimePredictsTfKerasOpLayersAsKerasDid(String script, String opClass) throws Exception {
        Path out = ReverseCheck.freshOutput("op-layers-" + script.replace(".py", ""));
        String log = KerasOracle.run(Fixtures.root().resolve("it-tests/src/test/resources/oracle/" + script).toString(), out.toString());
        assertThat(out.resolve("model.h5")).as("tf_keras wrote the model:%n%s", log).exists();
        Model model = Keras4j.create().load(out.resolve("model.h5"));
        assertThat(model.layers()).extracting(l -> l.className()).contains(opClass);
        List<Tensor> inputs = new ArrayList<>();
        for (int i = 0; Files.exists(out.resolve("inputs_" + i + ".npy")); i++) inputs.add(Npy.read(out.resolve("inputs_" + i + ".npy")));
        List<Tensor> actual = CompiledModel.compile(model).predictTensors(inputs);
        int outputs = 0;
        for (; Files.exists(out.resolve("outputs_" + outputs + ".npy")); outputs++) {
            Tensor expected = Npy.read(out.resolve("outputs_" + outputs + ".npy"));
            assertThat(actual.get(outputs).shape()).as("output %d shape", outputs).isEqualTo(expected.shape());
            float[] e = expected.toFloatArray(), a = actual.get(outputs).toFloatArray();
            for (int i = 0; i < e.length; i++) assertThat((double) a[i]).as("output %d element %d", outputs, i).isCloseTo(e[i], within(1e-5));
        }
        assertThat(actual).as("every output Keras predicted").hasSize(outputs).hasSizeGreaterThan(1);
    }
}
