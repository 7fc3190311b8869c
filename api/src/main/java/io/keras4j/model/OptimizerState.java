package io.keras4j.model;

import io.keras4j.json.JsonObject;
import java.util.List;
import java.util.Objects;

/**
 * An optimizer's config ({@code {"class_name": "Adam", "config": {...}}} as the source spelled it) and its
 * variables in the source's order, named as stored ({@code adam/iteration}, {@code Adam/dense/kernel/m:0}, …).
 */
public record OptimizerState(JsonObject config, List<Weight> variables) {
    public OptimizerState {
        config = Objects.requireNonNullElse(config, JsonObject.EMPTY);
        variables = List.copyOf(variables);
    }
}
