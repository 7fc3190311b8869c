package io.keras4j.it;

import io.keras4j.export.tf.spi.GraphLayer;
import io.keras4j.export.tf.spi.GraphLayerProvider;
import io.keras4j.model.Layer;
import io.keras4j.tensor.DType;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a user with custom layers writes for SavedModels: the zoo's custom layer {@code keras4j_zoo>Scale} (each
 * feature times its own weight) and its Lambda layer {@code affine} ({@code x * 2 + 1}) as TensorFlow ops. Their
 * Java implementation for the runtime, which writing needs for the shapes, is the runtime tests' {@code ZooLayers}
 * (on the class path through the runtime's test jar). Registered in this module's {@code META-INF/services}.
 */
public final class ZooCustomLayers implements GraphLayerProvider {
    @Override
    public Optional<GraphLayer> create(Layer layer) {
        if (isScale(layer)) {
            return Optional.of((g, in, weights, shapes) -> List.of(
                    g.op("Mul", "z", List.of(in.get(0), weights.get(0)), Map.of("T", DType.FLOAT32), DType.FLOAT32, in.get(0).shape())));
        }
        if (layer.className().equals("Lambda") && layer.name().equals("affine")) {
            return Optional.of((g, in, weights, shapes) -> {
                var doubled = g.op("Mul", "z", List.of(in.get(0), g.constant(2f)), Map.of("T", DType.FLOAT32), DType.FLOAT32, in.get(0).shape());
                return List.of(g.op("AddV2", "z", List.of(doubled, g.constant(1f)), Map.of("T", DType.FLOAT32), DType.FLOAT32, in.get(0).shape()));
            });
        }
        return Optional.empty();
    }

    /** Keras 3 names the class {@code Scale} with a registered name; tf.keras writes the registered name as the class. */
    private static boolean isScale(Layer layer) {
        return layer.entry().optString("registered_name").map("keras4j_zoo>Scale"::equals)
                .orElse(layer.className().equals("Scale") || layer.className().equals("keras4j_zoo>Scale"));
    }
}
