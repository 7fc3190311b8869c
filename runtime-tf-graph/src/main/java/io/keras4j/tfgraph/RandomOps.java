package io.keras4j.tfgraph;

import java.util.Map;

/** Stateless random number ops (TensorFlow's Philox, bit for bit). */
final class RandomOps {
    private RandomOps() {}

    static void register(Map<String, Op> m) {}
}
