package io.keras4j.tfgraph;

import java.util.Map;

/** Convolutions, pooling, normalization and image resizing. */
final class NnOps {
    private NnOps() {}

    static void register(Map<String, Op> m) {}
}
