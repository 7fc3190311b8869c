package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.Keras4j;
import io.keras4j.model.Model;
import io.keras4j.runtime.CompiledModel;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue #13: a Keras 3 {@code model.export()} SavedModel holds only signatures and variables; loading those variables
 * into the model's architecture (its JSON) must give Keras's predictions. It used to be refused ("this codec cannot
 * load weights into a given architecture") after {@code load} itself had said to do exactly that.
 */
class SavedModelExportWeightsTest {
    private static final Keras4j KERAS = Keras4j.create();

    @TestFactory
    Stream<DynamicTest> theVariablesOfAKeras3ExportLoadIntoTheArchitectureAndPredictLikeKeras() {
        List<Zoo.Entry> entries = Zoo.current().entries().stream()
                .filter(e -> e.gen().equals("k3") && e.file("savedmodel").isPresent() && e.file("json").isPresent()
                        && !e.custom())
                .toList();
        assertThat(entries).as("Keras 3 zoo models with an export").isNotEmpty();
        return entries.stream().map(e -> DynamicTest.dynamicTest(e.id(), () -> {
            Model architecture = KERAS.load(e.file("json").orElseThrow());
            Model model = KERAS.loadWeights(architecture, e.file("savedmodel").orElseThrow(), LoadWeightsOptions.DEFAULT);
            List<Tensor> ours = CompiledModel.compile(model).predictTensors(e.inputs().stream().map(Npy::read).toList());
            for (int i = 0; i < e.outputs().size(); i++) {
                float[] got = ours.get(i).toFloatArray();
                float[] keras = Npy.read(e.outputs().get(i)).toFloatArray();
                assertThat(got).as("%s output %d", e.id(), i).hasSameSizeAs(keras);
                for (int k = 0; k < got.length; k++) {
                    assertThat((double) Math.abs(got[k] - keras[k])).as("%s output %d[%d]", e.id(), i, k)
                            .isLessThanOrEqualTo(1e-5 * Math.max(1, Math.abs(keras[k])));
                }
            }
        }));
    }
}
