package io.keras4j.model;

import java.util.Objects;

/** One output tensor of a layer call: Keras's {@code [layer_name, node_index, tensor_index]}. */
public record TensorRef(String layer, int node, int tensor) {
    public TensorRef {
        Objects.requireNonNull(layer, "layer");
        if (node < 0 || tensor < 0) throw new IllegalArgumentException("negative node or tensor index");
    }

    public static TensorRef of(String layer) { return new TensorRef(layer, 0, 0); }

    @Override public String toString() { return layer + "[" + node + "][" + tensor + "]"; }
}
