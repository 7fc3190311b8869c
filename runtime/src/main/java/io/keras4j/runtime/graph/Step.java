package io.keras4j.runtime.graph;

import io.keras4j.runtime.spi.LayerOp;

/**
 * One layer call in a compiled graph: which slots it reads and which it fills. {@code maskSlots}, when not null,
 * gives for each input the slot holding its explicit Keras 3 mask tensor, or -1 for no mask.
 */
record Step(String layer, int node, LayerOp op, int[] inputs, int[] maskSlots, int[] outputs) {}
