package io.keras4j.format.h5;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.core.KerasJson;
import io.keras4j.model.Dialect;
import io.keras4j.model.Model;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.spi.ReadOptions;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keras 1 mnist_mlp: config + save_weights reproduce Keras's predictions through a plain Dense forward pass. */
class Keras1Test {
    @Test
    void mnistMlpKeras1WeightsReproduceKerasPredictions() throws Exception {
        Path base = Fixtures.publicFixtures().resolve("dl4j-test-resources-2018/src/main/resources/modelimport/keras/examples/mnist_mlp");
        Model architecture = KerasJson.readModel(Files.readString(base.resolve("mnist_mlp_tf_keras_1_config.json")), base);
        assertThat(architecture.dialect()).isEqualTo(Dialect.KERAS1);
        Model model = new H5Codec().loadWeights(architecture, base.resolve("mnist_mlp_tf_keras_1_weights.h5"), LoadWeightsOptions.DEFAULT);
        var reference = new H5Codec();
        io.keras4j.format.h5.hdf5.H5Group ref = io.keras4j.format.h5.hdf5.H5Reader.read(base.resolve("mnist_mlp_tf_keras_1_inputs_and_outputs.h5"), "h5");
        Tensor inputs = ((io.keras4j.format.h5.hdf5.H5Dataset) ref.find("inputs").map(n -> ((io.keras4j.format.h5.hdf5.H5Group) n).children().values().iterator().next()).orElseThrow()).value();
        Tensor predictions = ((io.keras4j.format.h5.hdf5.H5Dataset) ref.find("predictions").map(n -> ((io.keras4j.format.h5.hdf5.H5Group) n).children().values().iterator().next()).orElseThrow()).value();
        assertThat(reference.info().name()).isEqualTo("h5");
        float[] x = inputs.toFloatArray();
        int rows = (int) inputs.dim(0);
        float[] h = x;
        int width = (int) inputs.dim(1);
        List<String> dense = List.of("dense_1", "dense_2", "dense_3");
        for (int d = 0; d < 3; d++) {
            var layer = model.layer(dense.get(d)).orElseThrow();
            assertThat(layer.weights()).extracting(w -> w.name()).containsExactly("kernel", "bias");
            float[] k = layer.weights().get(0).value().toFloatArray();
            float[] b = layer.weights().get(1).value().toFloatArray();
            int out = b.length;
            float[] next = new float[rows * out];
            for (int r = 0; r < rows; r++) {
                for (int o = 0; o < out; o++) {
                    double s = b[o];
                    for (int i = 0; i < width; i++) s += h[r * width + i] * k[i * out + o];
                    next[r * out + o] = (float) (d < 2 ? Math.max(0, s) : s);
                }
            }
            h = next;
            width = out;
        }
        float[] expected = predictions.toFloatArray();
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int o = 0; o < width; o++) max = Math.max(max, h[r * width + o]);
            for (int o = 0; o < width; o++) sum += Math.exp(h[r * width + o] - max);
            for (int o = 0; o < width; o++) {
                double p = Math.exp(h[r * width + o] - max) / sum;
                assertThat(p).as("row %d class %d", r, o).isCloseTo(expected[r * width + o], org.assertj.core.data.Offset.offset(1e-5));
            }
        }
        assertThat(new H5Codec().read(base.resolve("mnist_mlp_tf_keras_1_weights.h5"), ReadOptions.DEFAULT).storedWeights()).hasSize(8);
    }
}
