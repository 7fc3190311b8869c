package io.keras4j.runtime.graph;

import io.keras4j.runtime.spi.LayerOp;

import java.util.ArrayList;
import java.util.List;

/**
 * One layer call in a compiled graph: which slots it reads and which it fills. {@code maskSlots}, when not null,
 * gives for each input the slot holding its explicit Keras 3 mask tensor, or -1 for no mask. {@code fused} names
 * the other layers {@link Fusion} folded into this step, in graph order.
 */
record Step(String layer, int node, LayerOp op, int[] inputs, int[] maskSlots, int[] outputs, List<String> fused) {
    Step(String layer, int node, LayerOp op, int[] inputs, int[] maskSlots, int[] outputs) {
        this(layer, node, op, inputs, maskSlots, outputs, List.of());
    }

    /** The layers of {@code first} then {@code second}, less {@code kept}: what a step fusing both absorbed. */
    static List<String> absorbed(Step first, Step second, String kept) {
        List<String> all = new ArrayList<>();
        all.add(first.layer);
        all.addAll(first.fused);
        all.add(second.layer);
        all.addAll(second.fused);
        all.remove(kept);
        return List.copyOf(all);
    }
}
