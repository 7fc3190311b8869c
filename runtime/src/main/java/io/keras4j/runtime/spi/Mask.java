package io.keras4j.runtime.spi;

import java.util.Arrays;

/**
 * A Keras mask: one boolean per step, shaped like the leading axes of the value it travels with (usually
 * {@code [batch, steps]}). {@code true} keeps the step.
 */
public record Mask(boolean[] keep, int[] shape) {
    public Mask {
        if (NdArray.sizeOf(shape) != keep.length) throw new IllegalArgumentException("mask shape " + Arrays.toString(shape));
        shape = shape.clone();
    }

    public boolean get(int flatIndex) { return keep[flatIndex]; }

    /** Whether the step holding element {@code i} of a value with {@code size} elements is kept. */
    public boolean keepsElement(int i, int size) { return keep[i / (size / keep.length)]; }

    /** Elementwise AND; either side may be null (meaning "keep all"). */
    public static Mask and(Mask a, Mask b) {
        if (a == null) return b;
        if (b == null) return a;
        if (!Arrays.equals(a.shape, b.shape)) return a;
        boolean[] out = new boolean[a.keep.length];
        for (int i = 0; i < out.length; i++) out[i] = a.keep[i] && b.keep[i];
        return new Mask(out, a.shape);
    }

    /** Elementwise OR of two masks of one shape. */
    public static Mask or(Mask a, Mask b) {
        if (!Arrays.equals(a.shape, b.shape)) {
            throw new IllegalArgumentException("masks " + Arrays.toString(a.shape) + " and " + Arrays.toString(b.shape));
        }
        boolean[] out = new boolean[a.keep.length];
        for (int i = 0; i < out.length; i++) out[i] = a.keep[i] || b.keep[i];
        return new Mask(out, a.shape);
    }
}
