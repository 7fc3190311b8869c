package io.keras4j.runtime.layers;

import io.keras4j.json.JsonValue;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Keras 3's {@code Pipeline}: its layers applied in order, each to the previous one's output (with that output's
 * mask, as Keras passes it). Layers owning weights are refused: the Pipeline's saved weights are not split among
 * them yet.
 */
final class PipelineOp implements LayerOp {
    private final List<LayerOp> layers;

    PipelineOp(LayerSpec spec) {
        if (spec.hasWeights()) throw Configs.unsupported(spec, "a Pipeline whose layers own weights");
        List<LayerOp> built = new ArrayList<>();
        for (JsonValue entry : spec.config().get("layers").asArray()) built.add(spec.buildInner(entry.asObject(), List.of()));
        if (built.isEmpty()) throw Configs.bad(spec, "layers", "is empty");
        this.layers = List.copyOf(built);
    }

    @Override
    public List<long[]> outputShapes(List<long[]> inputShapes) {
        List<long[]> shapes = inputShapes;
        for (LayerOp layer : layers) shapes = layer.outputShapes(shapes);
        return shapes;
    }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) {
        List<Value> values = inputs;
        for (LayerOp layer : layers) values = layer.call(values, ctx);
        return values;
    }
}
