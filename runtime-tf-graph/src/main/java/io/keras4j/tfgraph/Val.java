package io.keras4j.tfgraph;

import java.util.Arrays;

/**
 * One value flowing through the interpreted graph: a TensorFlow dtype, a shape and the elements in the Java array
 * that holds that dtype's values (float[] for float/half/bfloat16, double[], int[] for the 8-32 bit integers, long[]
 * for int64 and the unsigned 32/64 bit types, boolean[], byte[][] for strings, Object[] for resource handles and
 * variants such as tensor lists). Immutable by convention: kernels never write into an input's array.
 */
final class Val {
    final int dtype;
    final int[] shape;
    final Object data;

    Val(int dtype, int[] shape, Object data) {
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
    }

    static Val floats(float[] v, int... shape) { return new Val(DTypes.FLOAT, shape, v); }
    static Val doubles(double[] v, int... shape) { return new Val(DTypes.DOUBLE, shape, v); }
    static Val ints(int[] v, int... shape) { return new Val(DTypes.INT32, shape, v); }
    static Val longs(long[] v, int... shape) { return new Val(DTypes.INT64, shape, v); }
    static Val bools(boolean[] v, int... shape) { return new Val(DTypes.BOOL, shape, v); }
    static Val scalar(float v) { return floats(new float[] {v}); }
    static Val scalarInt(int v) { return ints(new int[] {v}); }
    static Val scalarBool(boolean v) { return bools(new boolean[] {v}); }
    static Val object(int dtype, Object o) { return new Val(dtype, new int[0], new Object[] {o}); }

    /** A new value of {@code dtype} and {@code shape}, all zeros. */
    static Val zeros(int dtype, int[] shape) { return new Val(dtype, shape, DTypes.newArray(dtype, Shapes.size(shape))); }

    int size() { return Shapes.size(shape); }
    int rank() { return shape.length; }
    float[] f() { return (float[]) data; }
    double[] d() { return (double[]) data; }
    int[] i() { return (int[]) data; }
    long[] l() { return (long[]) data; }
    boolean[] b() { return (boolean[]) data; }
    byte[][] s() { return (byte[][]) data; }
    Object[] o() { return (Object[]) data; }

    /** The single element of a scalar (or one-element) value, as an object of the storage's element type. */
    Object only() { return ((Object[]) data)[0]; }

    /** Element {@code k} as a double, whatever the numeric storage. */
    double getDouble(int k) {
        if (data instanceof float[] a) return a[k];
        if (data instanceof double[] a) return a[k];
        if (data instanceof int[] a) return a[k];
        if (data instanceof long[] a) return a[k];
        if (data instanceof boolean[] a) return a[k] ? 1 : 0;
        throw new IllegalStateException("not numeric: " + DTypes.name(dtype));
    }

    /** Element {@code k} as a long, whatever the numeric storage (floats truncated toward zero). */
    long getLong(int k) {
        if (data instanceof int[] a) return a[k];
        if (data instanceof long[] a) return a[k];
        if (data instanceof float[] a) return (long) a[k];
        if (data instanceof double[] a) return (long) a[k];
        if (data instanceof boolean[] a) return a[k] ? 1 : 0;
        throw new IllegalStateException("not numeric: " + DTypes.name(dtype));
    }

    /** The elements of an integer vector (a shape, axes, sizes) as ints. */
    int[] toInts() {
        int n = size();
        int[] out = new int[n];
        for (int k = 0; k < n; k++) out[k] = Math.toIntExact(getLong(k));
        return out;
    }

    Val reshape(int[] newShape) { return new Val(dtype, newShape, data); }

    @Override public String toString() { return DTypes.name(dtype) + Arrays.toString(shape); }
}
