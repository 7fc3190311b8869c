package io.keras4j.runtime.layers;

import java.util.Arrays;

/** Small helpers over shapes: {@code long[]} with {@code -1} for unknown dims during inference. */
final class Shapes {
    private Shapes() {}

    static long[] of(long... dims) { return dims; }

    static long[] withLast(long[] shape, long last) {
        long[] out = shape.clone();
        out[out.length - 1] = last;
        return out;
    }

    static long product(long[] shape, int from, int to) {
        long n = 1;
        for (int i = from; i < to; i++) {
            if (shape[i] < 0) return -1;
            n *= shape[i];
        }
        return n;
    }

    static int axis(int axis, int rank) { return axis < 0 ? axis + rank : axis; }

    /** The shape after reducing one (non-negative) axis: kept as size 1, or dropped. */
    static long[] reduced(long[] shape, int axis, boolean keepDims) {
        if (keepDims) {
            long[] out = shape.clone();
            out[axis] = 1;
            return out;
        }
        long[] out = new long[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != axis) out[j++] = shape[i];
        return out;
    }

    static String str(long[] shape) {
        return Arrays.toString(Arrays.stream(shape).mapToObj(d -> d < 0 ? "None" : Long.toString(d)).toArray());
    }
}
