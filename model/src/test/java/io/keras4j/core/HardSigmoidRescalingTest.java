package io.keras4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.UnsupportedModelException;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * tf.keras's hard_sigmoid(z) = clip(0.2 z + 0.5) is Keras 3's hard_sigmoid(1.2 z): a layer whose z is linear in its own
 * weights keeps its meaning across the generations when exactly those weights are rescaled. These tests pin which
 * weights (and which gate blocks) are scaled; that the result predicts as the source does is judged by real Keras 3 in
 * it-tests' PublicKerasMigrationTest (DL4J's recorded LSTM predictions) and the conformance table (ConvLSTM cases).
 */
class HardSigmoidRescalingTest {
    private static final Path MODEL = Path.of("src/test/resources/dialects/hard_sigmoids.json");

    /** The fixture (LSTM(2, recurrent hard_sigmoid), TimeDistributed(Dense(2, hard_sigmoid)), Activation, Dense) with weights. */
    private static Model withWeights() throws Exception {
        Model m = KerasJson.readModel(Files.readString(MODEL), MODEL);
        List<Layer> layers = new ArrayList<>();
        for (Layer l : m.layers()) {
            List<Weight> w = switch (l.name()) {
                case "lstm" -> List.of(Weight.of("lstm/kernel:0", ramp(4, 8)), Weight.of("lstm/recurrent_kernel:0", ramp(2, 8)),
                        Weight.of("lstm/bias:0", ramp(8)));
                case "per_step" -> List.of(Weight.of("per_step/kernel:0", ramp(2, 2)), Weight.of("per_step/bias:0", ramp(2)));
                case "out" -> List.of(Weight.of("out/kernel:0", ramp(2, 1)), Weight.of("out/bias:0", ramp(1)));
                default -> l.weights();
            };
            layers.add(l.toBuilder().weights(w).build());
        }
        return m.withLayers(layers);
    }

    private static Tensor ramp(long... shape) {
        float[] v = new float[(int) Tensor.elementCount(shape)];
        for (int i = 0; i < v.length; i++) v[i] = 0.25f + i;
        return Tensor.ofFloats(v, shape);
    }

    @Test
    void lstmGatesAndDenseAreRescaledOnlyTheActivationLayerIsStillRefused() throws Exception {
        Model tfKeras = withWeights();
        assertThatThrownBy(() -> Dialects.convertForWriting(tfKeras, Dialect.KERAS3))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("Activation layer 'squash': activation hard_sigmoid")
                .hasMessageNotContaining("LSTM layer").hasMessageNotContaining("Dense layer 'gate'");

        Model k3 = Dialects.convertForWriting(tfKeras, Dialect.KERAS3, true);
        float[] kernel = k3.layer("lstm").orElseThrow().weight("kernel").orElseThrow().value().toFloatArray();
        float[] source = tfKeras.layer("lstm").orElseThrow().weight("kernel").orElseThrow().value().toFloatArray();
        for (int i = 0; i < kernel.length; i++) {
            int gate = (i % 8) / 2; // units 2: blocks i, f, c, o of the last axis
            float expected = gate == 2 ? source[i] : (float) (source[i] * 1.2);
            assertThat(kernel[i]).as("kernel[%d], gate %d", i, gate).isEqualTo(expected);
        }
        float[] dense = k3.layer("per_step").orElseThrow().weight("kernel").orElseThrow().value().toFloatArray();
        assertThat(dense[3]).isEqualTo((float) (3.25 * 1.2));
        assertThat(k3.layer("out").orElseThrow().weight("kernel").orElseThrow().value())
                .as("sigmoid Dense untouched").isSameAs(tfKeras.layer("out").orElseThrow().weight("kernel").orElseThrow().value());

        // Writers lay weights out from the source model: the rescaled values are carried back under the source's names.
        Model carried = Dialects.withCarriedWeights(tfKeras, k3);
        assertThat(carried.layer("lstm").orElseThrow().weights().get(0).name()).isEqualTo("lstm/kernel:0");
        assertThat(carried.layer("lstm").orElseThrow().weights().get(0).value().toFloatArray()).containsExactly(kernel);
        assertThat(Dialects.withCarriedWeights(tfKeras, Dialects.convert(tfKeras, Dialect.KERAS3)))
                .as("nothing rewritten: the source itself").isSameAs(tfKeras);
    }

    @Test
    void backToTfKerasScalesByFiveSixths() throws Exception {
        Model tfKeras = withWeights();
        Model k3 = Dialects.convertForWriting(tfKeras, Dialect.KERAS3, true);
        Model back = Dialects.convertForWriting(k3, Dialect.KERAS2, true);
        float[] before = tfKeras.layer("lstm").orElseThrow().weight("bias").orElseThrow().value().toFloatArray();
        float[] after = back.layer("lstm").orElseThrow().weight("bias").orElseThrow().value().toFloatArray();
        for (int i = 0; i < before.length; i++) assertThat(after[i]).isCloseTo(before[i], org.assertj.core.data.Offset.offset(1e-5f));
    }

    @Test
    void anArchitectureAloneCannotCarryTheRescaling() throws Exception {
        Model tfKeras = withWeights();
        assertThatThrownBy(() -> KerasJson.toTree(tfKeras, Dialect.KERAS3))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContainingAll("LSTM layer 'lstm': recurrent_activation hard_sigmoid", "this form cannot carry the rescaled weights");
    }

    @Test
    void lstmActivationAppliedToTheCellStateIsRefused() throws Exception {
        Model tfKeras = withWeights();
        List<Layer> layers = new ArrayList<>();
        for (Layer l : tfKeras.layers()) {
            layers.add(l.name().equals("lstm") ? l.toBuilder().config(l.config().with("activation", "hard_sigmoid")).build() : l);
        }
        Model m = tfKeras.withLayers(layers);
        assertThatThrownBy(() -> Dialects.convertForWriting(m, Dialect.KERAS3))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContainingAll("LSTM layer 'lstm': activation hard_sigmoid", "applied to the cell state");
    }
}
