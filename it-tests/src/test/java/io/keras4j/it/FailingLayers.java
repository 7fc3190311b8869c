package io.keras4j.it;

import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerProvider;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Value;
import java.util.List;
import java.util.Optional;

/**
 * A user's provider with a bug: the Lambda layer named {@code explode} fails when called. Lets CliTest reach the
 * exit status of an unexpected failure (1), which keras4j's own errors never produce.
 */
public final class FailingLayers implements LayerProvider {
    static final String MESSAGE = "FailingLayers: the user's explode layer failed";

    @Override
    public Optional<LayerOp> create(LayerSpec spec) {
        if (!spec.className().equals("Lambda") || !spec.name().equals("explode")) return Optional.empty();
        return Optional.of(new LayerOp() {
            @Override public List<long[]> outputShapes(List<long[]> in) { return in; }

            @Override public List<Value> call(List<Value> inputs, CallContext ctx) { throw new IllegalStateException(MESSAGE); }
        });
    }
}
