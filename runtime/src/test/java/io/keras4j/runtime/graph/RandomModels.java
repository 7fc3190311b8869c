package io.keras4j.runtime.graph;

import io.keras4j.core.Dialects;
import io.keras4j.core.KerasJson;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small Sequential models written as Keras JSON, with seeded random weights of the shapes the ops ask for. */
final class RandomModels {
    private RandomModels() {}

    static String layer(String className, String name, String args) {
        return "{\"class_name\": \"" + className + "\", \"config\": {\"name\": \"" + name + "\"" + (args.isEmpty() ? "" : ", " + args) + "}}";
    }

    /** A Sequential of {@code layers} over inputs of {@code [batch, 6, 6, 3]}. */
    static String sequential(String... layers) {
        return "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"random\", \"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_shape\": [null, 6, 6, 3]}}, "
                + String.join(", ", layers) + "]}}";
    }

    /** Seeded random weights; BatchNormalization variances positive. */
    static Model withRandomWeights(String json) {
        Model model = KerasJson.readModel(json, Path.of("random.json"));
        if (model.dialect() != Dialect.KERAS3) model = Dialects.convert(model, Dialect.KERAS3);
        Graph shapes = new GraphCompiler(factory(model), false).build(model);
        Random rnd = new Random(11);
        List<Layer> layers = new ArrayList<>();
        for (Layer layer : model.layers()) {
            List<long[]> wanted = shapes.layerWeightShapes().getOrDefault(layer.name(), List.of());
            List<Weight> weights = new ArrayList<>();
            for (int i = 0; i < wanted.size(); i++) {
                long[] shape = wanted.get(i);
                float[] v = new float[(int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
                boolean variance = layer.className().equals("BatchNormalization") && i == 3;
                for (int j = 0; j < v.length; j++) v[j] = variance ? 0.2f + rnd.nextFloat() : rnd.nextFloat() * 2 - 1;
                weights.add(Weight.of(layer.name() + "/" + i, Tensor.ofFloats(v, shape)));
            }
            layers.add(weights.isEmpty() ? layer : layer.toBuilder().weights(weights).build());
        }
        return model.withLayers(layers);
    }

    static LayerFactory factory(Model model) {
        Map<String, Layer> byName = new HashMap<>();
        for (Layer l : model.layers()) byName.put(l.name(), l);
        return new LayerFactory(List.of(), model.dialect(), byName);
    }

    static float[] randomInput(int seed, int length) {
        Random rnd = new Random(seed);
        float[] x = new float[length];
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 4 - 2;
        return x;
    }
}
