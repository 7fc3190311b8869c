package io.keras4j.tfgraph;

import java.util.Map;

/** Ops of preprocessing layers: bucketizing, counting, hashing, strings, top-k and the like. */
final class MiscOps {
    private MiscOps() {}

    static void register(Map<String, Op> m) {}
}
