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
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * tf.keras records {@code x[:, 2:10:2]} in a functional model as a {@code SlicingOpLambda} layer; real tf_keras writes
 * a model with slices of every kind ({@code oracle/tf_functions.py}: stops, steps, negative bounds and steps, an
 * integer index dropping an axis, slices of a 3-D input) and keras4j's runtime must predict what Keras predicted.
 */
class TfFunctionsTest {
    @Test
    void theRuntimePredictsTfKerasDataMovingFunctionsAsKerasDid() throws Exception {
        Path out = ReverseCheck.freshOutput("tf-functions");
        String log = KerasOracle.run(Fixtures.root().resolve("it-tests/src/test/resources/oracle/tf_functions.py").toString(), out.toString());
        assertThat(out.resolve("model.h5")).as("tf_keras wrote the model:%n%s", log).exists();
        Model model = Keras4j.create().load(out.resolve("model.h5"));
        assertThat(model.layers()).extracting(l -> l.className()).contains("TFOpLambda");
        List<Tensor> inputs = List.of(Npy.read(out.resolve("inputs_0.npy")));
        List<Tensor> actual = CompiledModel.compile(model).predictTensors(inputs);
        assertThat(actual).hasSize(3);
        for (int o = 0; o < 3; o++) {
            Tensor expected = Npy.read(out.resolve("outputs_" + o + ".npy"));
            assertThat(actual.get(o).shape()).as("output %d shape", o).isEqualTo(expected.shape());
            float[] e = expected.toFloatArray(), a = actual.get(o).toFloatArray();
            for (int i = 0; i < e.length; i++) assertThat((double) a[i]).as("output %d element %d", o, i).isCloseTo(e[i], within(1e-5));
        }
    }
}
