package io.keras4j.export.tf;

import io.keras4j.export.tf.TfFunction.Tensor;
import java.util.Objects;

/**
 * A layer output inside the function with its Keras mask: a DT_BOOL tensor over the leading axes of the value
 * (usually {@code [batch, steps]}, {@code true} keeps the step), or {@code null} when unmasked.
 */
record KerasTensor(Tensor value, Tensor mask) {
    KerasTensor {
        Objects.requireNonNull(value, "value");
    }

    static KerasTensor of(Tensor value) { return new KerasTensor(value, null); }

    KerasTensor withMask(Tensor newMask) { return new KerasTensor(value, newMask); }

    KerasTensor withValue(Tensor newValue) { return new KerasTensor(newValue, mask); }
}
