package io.keras4j.core;

import io.keras4j.UnsupportedModelException;
import io.keras4j.json.JsonNull;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Layer;

/** Layers a later Keras removed, rewritten as the layer that replaced them. */
final class LegacyLayers {
    private LegacyLayers() {}

    static Layer replace(Layer l) {
        return switch (l.className()) {
            case "Merge" -> merge(l);
            case "ThresholdedReLU" -> thresholdedRelu(l);
            default -> l;
        };
    }

    /** Keras 1 and 2.0's {@code Merge(mode=...)} became one layer class per mode. */
    private static Layer merge(Layer l) {
        JsonObject c = l.config();
        String mode = c.getString("mode", "sum");
        String cls = switch (mode) {
            case "sum" -> "Add";
            case "mul" -> "Multiply";
            case "concat" -> "Concatenate";
            case "ave" -> "Average";
            case "max" -> "Maximum";
            case "dot" -> "Dot";
            default -> throw new UnsupportedModelException("Merge layer '" + l.name() + "' uses mode '" + mode
                    + "', which no later Keras layer replaces");
        };
        JsonObject out = JsonObject.builder().put("name", l.name()).put("trainable", c.getBoolean("trainable", true)).build();
        if (cls.equals("Concatenate")) out = out.with("axis", c.getLong("concat_axis", -1));
        if (cls.equals("Dot")) out = out.with("axes", c.get("dot_axes")).with("normalize", false);
        return l.toBuilder().className(cls).config(out).build();
    }

    /** ThresholdedReLU(theta) keeps x > theta; ReLU(threshold=theta) keeps x >= theta: equal except at x == theta. */
    private static Layer thresholdedRelu(Layer l) {
        JsonObject cfg = JsonObject.builder().put("name", l.name()).put("trainable", l.trainable())
                .put("dtype", l.config().get("dtype")).put("max_value", JsonNull.INSTANCE).put("negative_slope", 0.0)
                .put("threshold", l.config().getDouble("theta", 1.0)).build();
        return l.toBuilder().className("ReLU").config(cfg).build();
    }
}
