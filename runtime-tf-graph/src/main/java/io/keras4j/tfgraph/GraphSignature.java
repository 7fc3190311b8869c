package io.keras4j.tfgraph;

import io.keras4j.tensor.DType;
import java.util.Arrays;
import java.util.List;

/**
 * One signature of a SavedModel: its name ({@code serving_default}) and its named inputs and outputs, each with the
 * dtype and shape TensorFlow declares (-1 for a dimension of any size; null shape when the rank is unknown).
 */
public record GraphSignature(String name, List<Spec> inputs, List<Spec> outputs) {
    public GraphSignature {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** A named tensor of a signature. */
    public record Spec(String name, DType dtype, long[] shape) {
        public Spec {
            shape = shape == null ? null : shape.clone();
        }

        @Override public long[] shape() { return shape == null ? null : shape.clone(); }

        @Override public String toString() {
            return name + ": " + (dtype == null ? "?" : dtype.kerasName()) + (shape == null ? "[?]" : Arrays.toString(shape));
        }

        @Override public boolean equals(Object o) {
            return o instanceof Spec s && s.name.equals(name) && s.dtype == dtype && Arrays.equals(s.shape, shape);
        }

        @Override public int hashCode() { return name.hashCode() * 31 + Arrays.hashCode(shape); }
    }
}
