package io.keras4j.runtime.spi;

import java.util.Arrays;

/**
 * A dense float32 array in row-major order, the runtime's working value. Treated as immutable once a layer has
 * returned it: layers read their inputs and always write into fresh arrays, which is what makes one compiled model
 * safe to call from many threads.
 */
public final class NdArray {
    private final float[] data;
    private final int[] shape;

    private NdArray(float[] data, int[] shape) {
        this.data = data;
        this.shape = shape;
    }

    /** Wraps {@code data} without copying; the caller hands over ownership. */
    public static NdArray wrap(float[] data, int... shape) {
        if (sizeOf(shape) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + sizeOf(shape)
                    + " values, got " + data.length);
        }
        return new NdArray(data, shape.clone());
    }

    public static NdArray zeros(int... shape) { return new NdArray(new float[sizeOf(shape)], shape.clone()); }

    public static int sizeOf(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("array too large: " + Arrays.toString(shape));
        return (int) n;
    }

    /** The backing array, shared: read it, and write only into arrays you have just created. */
    public float[] data() { return data; }

    public int[] shape() { return shape.clone(); }

    public int rank() { return shape.length; }

    /** Size of an axis; negative axes count from the end. */
    public int dim(int axis) { return shape[axis < 0 ? shape.length + axis : axis]; }

    public int size() { return data.length; }

    /** The product of the dims from {@code axis} (inclusive) to the end. */
    public int stride(int axis) {
        int n = 1;
        for (int i = axis; i < shape.length; i++) n *= shape[i];
        return n;
    }

    /** The same values under another shape of the same size; shares the data. */
    public NdArray reshape(int... newShape) { return wrap(data, newShape); }

    @Override public String toString() { return "NdArray" + Arrays.toString(shape); }
}
