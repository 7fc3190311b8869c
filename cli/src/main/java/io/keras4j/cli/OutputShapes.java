package io.keras4j.cli;

import io.keras4j.Keras4jException;
import io.keras4j.model.Model;
import io.keras4j.runtime.ModelShapes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Per-layer output and weight shapes for the summary, from the runtime's shape inference when it knows every layer. */
record OutputShapes(Map<String, long[]> outputs, Map<String, List<long[]>> weights) {
    private static final Logger LOG = LoggerFactory.getLogger(OutputShapes.class);
    static final OutputShapes NONE = new OutputShapes(Map.of(), Map.of());

    static OutputShapes of(Model model) {
        if (model == null) return NONE;
        try {
            ModelShapes shapes = ModelShapes.of(model);
            Map<String, long[]> outputs = new HashMap<>();
            shapes.layerOutputShapes().forEach((layer, calls) -> {
                if (!calls.isEmpty() && !calls.get(0).isEmpty()) outputs.put(layer, calls.get(0).get(0));
            });
            return new OutputShapes(outputs, shapes.layerWeightShapes());
        } catch (Keras4jException | IllegalArgumentException | IllegalStateException e) {
            // A layer the runtime does not know: the summary shows "?" rather than failing.
            LOG.info("no shape inference for {}: {}", model.name(), e.getMessage());
            return NONE;
        }
    }

    /** Parameters of a layer from its inferred weight shapes (inference covered every layer, so absent means none). */
    long inferredParams(String layer) {
        List<long[]> shapes = weights.getOrDefault(layer, List.of());
        long n = 0;
        for (long[] s : shapes) {
            long c = 1;
            for (long d : s) c *= d;
            n += c;
        }
        return n;
    }
}
