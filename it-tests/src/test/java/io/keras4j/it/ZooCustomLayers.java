package io.keras4j.it;

import io.keras4j.format.savedmodel.spi.GraphLayer;
import io.keras4j.format.savedmodel.spi.GraphLayerProvider;
import io.keras4j.model.Layer;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerProvider;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import io.keras4j.tensor.DType;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a user with custom layers writes, in both of keras4j's extension points: the zoo's custom layer
 * {@code keras4j_zoo>Scale} (each feature times its own weight) and its Lambda layer {@code affine}
 * ({@code x * 2 + 1}) as Java code for the runtime (which also gives their shapes) and as TensorFlow ops for
 * SavedModels. Registered in this module's {@code META-INF/services}.
 */
public final class ZooCustomLayers implements LayerProvider, GraphLayerProvider {
    @Override
    public Optional<LayerOp> create(LayerSpec spec) {
        if (isScale(spec.className(), spec.registeredName())) return Optional.of(new Elementwise(spec.floats(0), 0f, true));
        if (isAffine(spec.className(), spec.name())) return Optional.of(new Elementwise(new float[] {2f}, 1f, false));
        return Optional.empty();
    }

    @Override
    public Optional<GraphLayer> create(Layer layer) {
        Optional<String> registered = layer.entry().optString("registered_name");
        if (isScale(layer.className(), registered)) {
            return Optional.of((g, in, weights, shapes) -> List.of(
                    g.op("Mul", "z", List.of(in.get(0), weights.get(0)), Map.of("T", DType.FLOAT32), DType.FLOAT32, in.get(0).shape())));
        }
        if (isAffine(layer.className(), layer.name())) {
            return Optional.of((g, in, weights, shapes) -> {
                var doubled = g.op("Mul", "z", List.of(in.get(0), g.constant(2f)), Map.of("T", DType.FLOAT32), DType.FLOAT32, in.get(0).shape());
                return List.of(g.op("AddV2", "z", List.of(doubled, g.constant(1f)), Map.of("T", DType.FLOAT32), DType.FLOAT32, in.get(0).shape()));
            });
        }
        return Optional.empty();
    }

    /** Keras 3 names the class {@code Scale} with a registered name; tf.keras writes the registered name as the class. */
    private static boolean isScale(String className, Optional<String> registeredName) {
        return registeredName.map("keras4j_zoo>Scale"::equals).orElse(className.equals("Scale") || className.equals("keras4j_zoo>Scale"));
    }

    private static boolean isAffine(String className, String name) { return className.equals("Lambda") && name.equals("affine"); }

    /** {@code x * factor + offset}, the factor per feature or one scalar. */
    private record Elementwise(float[] factor, float offset, boolean perFeature) implements LayerOp {
        @Override
        public List<long[]> outputShapes(List<long[]> in) { return in; }

        @Override
        public List<long[]> weightShapes(List<long[]> in) {
            return perFeature ? List.of(new long[] {in.get(0)[in.get(0).length - 1]}) : List.of();
        }

        @Override
        public List<Value> call(List<Value> inputs, CallContext ctx) {
            NdArray x = inputs.get(0).array();
            float[] y = x.data().clone();
            int n = perFeature ? factor.length : 1;
            for (int i = 0; i < y.length; i++) y[i] = y[i] * factor[i % n] + offset;
            return List.of(Value.of(NdArray.wrap(y, x.shape())));
        }
    }
}
