package io.keras4j.tfgraph;

import java.util.Arrays;

/** Shape arithmetic: element counts with overflow checks, row-major strides and NumPy broadcasting. */
final class Shapes {
    private Shapes() {}

    static int size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new GraphException("dimension " + d + " in shape " + Arrays.toString(shape));
            n *= d;
            if (n > Integer.MAX_VALUE - 16) throw new GraphException("shape " + Arrays.toString(shape) + " has more than 2^31 elements");
        }
        return (int) n;
    }

    static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int k = shape.length - 1; k >= 0; k--) {
            s[k] = acc;
            acc *= shape[k];
        }
        return s;
    }

    static int axis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= Math.max(rank, 1)) throw new GraphException("axis " + axis + " out of range for rank " + rank);
        return a;
    }

    static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int k = 0; k < rank; k++) {
            int da = k < rank - a.length ? 1 : a[k - (rank - a.length)];
            int db = k < rank - b.length ? 1 : b[k - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new GraphException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            }
            out[k] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * For each output element of {@code out}, the flat index into a value of shape {@code in} broadcast to it
     * (strides of broadcast dimensions are 0).
     */
    static int[] broadcastIndex(int[] in, int[] out) {
        int n = size(out);
        int rank = out.length;
        int[] inStrides = new int[rank];
        int[] s = strides(in);
        for (int k = 0; k < in.length; k++) {
            int o = k + rank - in.length;
            inStrides[o] = in[k] == 1 ? 0 : s[k];
        }
        int[] idx = new int[n];
        int[] counter = new int[rank];
        int flat = 0;
        for (int e = 0; e < n; e++) {
            idx[e] = flat;
            for (int k = rank - 1; k >= 0; k--) {
                counter[k]++;
                flat += inStrides[k];
                if (counter[k] < out[k]) break;
                flat -= inStrides[k] * counter[k];
                counter[k] = 0;
            }
        }
        return idx;
    }

    static String str(int[] shape) { return Arrays.toString(shape); }
}
