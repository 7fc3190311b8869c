package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.Keras4j;
import io.keras4j.Keras4jException;
import io.keras4j.model.Model;
import io.keras4j.runtime.CompiledModel;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue #13: Keras's {@code get_weights()} / {@code set_weights()} on {@link Model}. The values round-trip unchanged
 * (the zoo's Keras outputs still predicted), a changed value changes predictions, and a wrong count or shape is
 * refused naming the model and the layer.
 */
class GetSetWeightsTest {
    @Test
    void getAndSetWeightsAsKerasDoes() throws Exception {
        Zoo.Entry cnn = Zoo.committed().entries().stream().filter(e -> e.id().equals("cnn-k3")).findFirst().orElseThrow();
        Model model = Keras4j.create().load(cnn.file("keras").orElseThrow());
        List<Tensor> inputs = List.of(Npy.read(cnn.inputs().get(0)));
        float[] keras = Npy.read(cnn.outputs().get(0)).toFloatArray();

        List<Tensor> values = model.getWeights();
        assertThat(values).hasSameSizeAs(model.weights()).isNotEmpty();
        float[] same = CompiledModel.compile(model.withWeights(values)).predictTensors(inputs).get(0).toFloatArray();
        for (int i = 0; i < keras.length; i++) assertThat((double) same[i]).isCloseTo(keras[i], org.assertj.core.api.Assertions.within(1e-5));

        List<Tensor> changed = new ArrayList<>(values);
        float[] kernel = values.get(0).toFloatArray();
        for (int i = 0; i < kernel.length; i++) kernel[i] += 0.5f;
        changed.set(0, Tensor.ofFloats(kernel, values.get(0).shape()));
        float[] other = CompiledModel.compile(model.withWeights(changed)).predictTensors(inputs).get(0).toFloatArray();
        assertThat(other).as("a changed kernel changes the predictions").isNotEqualTo(same);
        assertThat(model.getWeights().get(0).toFloatArray()).as("the original model is unchanged").isEqualTo(values.get(0).toFloatArray());

        assertThatThrownBy(() -> model.withWeights(values.subList(1, values.size())))
                .isInstanceOf(Keras4jException.class).hasMessageContaining(values.size() + " weights").hasMessageContaining((values.size() - 1) + " values");
        List<Tensor> wrongShape = new ArrayList<>(values);
        wrongShape.set(0, Tensor.ofFloats(new float[] {1, 2, 3}, 3));
        String firstLayer = model.layers().stream().filter(l -> !l.weights().isEmpty()).findFirst().orElseThrow().name();
        assertThatThrownBy(() -> model.withWeights(wrongShape))
                .isInstanceOf(Keras4jException.class).hasMessageContaining("layer '" + firstLayer + "'").hasMessageContaining("[3]");
    }
}
