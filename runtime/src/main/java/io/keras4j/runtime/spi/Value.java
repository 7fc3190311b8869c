package io.keras4j.runtime.spi;

import java.util.Objects;

/** A tensor flowing through the graph with its optional Keras mask ({@code null} when unmasked). */
public record Value(NdArray array, Mask mask) {
    public Value { Objects.requireNonNull(array, "array"); }

    public static Value of(NdArray array) { return new Value(array, null); }

    public Value withArray(NdArray a) { return new Value(a, mask); }
}
