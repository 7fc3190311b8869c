package io.keras4j.cli;

import io.keras4j.model.Model;
import java.util.Map;

/** Per-layer output shapes for the summary, when shape inference knows them. */
final class OutputShapes {
    private OutputShapes() {}

    static Map<String, long[]> of(Model model) {
        return Map.of();
    }
}
