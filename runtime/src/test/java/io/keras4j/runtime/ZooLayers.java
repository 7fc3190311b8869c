package io.keras4j.runtime;

import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerProvider;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.List;
import java.util.Optional;

/**
 * A third party's provider, as a user would write one: the zoo's custom layer {@code keras4j_zoo>Scale}
 * (multiplies each feature by its own weight) and its Lambda layer {@code affine} ({@code x * 2 + 1}).
 * Registered in {@code META-INF/services/io.keras4j.runtime.spi.LayerProvider} of the test resources.
 */
public final class ZooLayers implements LayerProvider {
    @Override
    public Optional<LayerOp> create(LayerSpec spec) {
        // Keras 3 names the class Scale with a registered name; tf.keras writes the registered name as the class.
        if (spec.registeredName().map("keras4j_zoo>Scale"::equals)
                .orElse(spec.className().equals("Scale") || spec.className().equals("keras4j_zoo>Scale"))) {
            return Optional.of(new Elementwise(spec.floats(0), 0f, true));
        }
        if (spec.className().equals("Lambda") && spec.name().equals("affine")) {
            return Optional.of(new Elementwise(new float[] {2f}, 1f, false));
        }
        return Optional.empty();
    }

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
