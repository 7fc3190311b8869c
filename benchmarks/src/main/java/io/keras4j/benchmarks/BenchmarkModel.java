package io.keras4j.benchmarks;

import io.keras4j.core.KerasJson;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.runtime.CompiledModel;
import io.keras4j.runtime.RuntimeOptions;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A model written by {@code make_models.py}: {@code model.json}, {@code weights.npz} ("layer/i" keys in Keras
 * order) and {@code input.npy} (a batch of samples), compiled for prediction.
 */
final class BenchmarkModel {
    private final CompiledModel model;
    private final Tensor samples;

    private BenchmarkModel(CompiledModel model, Tensor samples) {
        this.model = model;
        this.samples = samples;
    }

    static BenchmarkModel load(Path dir, RuntimeOptions options) {
        try {
            Model architecture = KerasJson.readModel(Files.readString(dir.resolve("model.json")), dir.resolve("model.json"));
            Map<String, Tensor> stored = Npy.readNpz(dir.resolve("weights.npz"));
            List<Layer> layers = new ArrayList<>();
            for (Layer layer : architecture.layers()) {
                List<Weight> weights = new ArrayList<>();
                for (int i = 0; stored.containsKey(layer.name() + "/" + i); i++) {
                    weights.add(Weight.of(layer.name() + "/" + i, stored.get(layer.name() + "/" + i)));
                }
                layers.add(weights.isEmpty() ? layer : layer.toBuilder().weights(weights).build());
            }
            return new BenchmarkModel(CompiledModel.compile(architecture.withLayers(layers), options), Npy.read(dir.resolve("input.npy")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first {@code batch} samples (repeated when the file holds fewer). */
    NdArray batch(int batch) {
        float[] all = samples.toFloatArray();
        int[] shape = Arrays.stream(samples.shape()).mapToInt(Math::toIntExact).toArray();
        int sample = all.length / shape[0];
        float[] out = new float[batch * sample];
        for (int i = 0; i < batch; i++) System.arraycopy(all, (i % shape[0]) * sample, out, i * sample, sample);
        shape[0] = batch;
        return NdArray.wrap(out, shape);
    }

    List<NdArray> predict(NdArray input) { return model.predict(input); }
}
