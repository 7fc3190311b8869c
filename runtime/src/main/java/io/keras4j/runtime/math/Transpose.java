package io.keras4j.runtime.math;

import io.keras4j.runtime.spi.NdArray;

/** Axis permutation ({@code numpy.transpose}) into a fresh array. */
public final class Transpose {
    private Transpose() {}

    /** {@code out.shape[i] = in.shape[perm[i]]}. */
    public static NdArray permute(NdArray in, int[] perm) {
        int rank = in.rank();
        int[] inShape = in.shape();
        int[] outShape = new int[rank];
        for (int i = 0; i < rank; i++) outShape[i] = inShape[perm[i]];
        int[] inStrides = new int[rank];
        for (int i = rank - 1, s = 1; i >= 0; s *= inShape[i], i--) inStrides[i] = s;
        int[] stepOfOutAxis = new int[rank];
        for (int i = 0; i < rank; i++) stepOfOutAxis[i] = inStrides[perm[i]];
        float[] src = in.data();
        float[] dst = new float[src.length];
        int[] idx = new int[rank];
        int last = rank - 1, lastDim = rank == 0 ? 1 : outShape[last], lastStep = rank == 0 ? 0 : stepOfOutAxis[last];
        int srcBase = 0;
        for (int o = 0; o < dst.length; o += lastDim) {
            for (int j = 0, s = srcBase; j < lastDim; j++, s += lastStep) dst[o + j] = src[s];
            // advance the multi-index over all but the last output axis
            for (int ax = last - 1; ax >= 0; ax--) {
                idx[ax]++;
                srcBase += stepOfOutAxis[ax];
                if (idx[ax] < outShape[ax]) break;
                srcBase -= stepOfOutAxis[ax] * outShape[ax];
                idx[ax] = 0;
            }
        }
        return NdArray.wrap(dst, outShape);
    }

    /** Channels-first {@code [n, c, d1..dk]} to channels-last {@code [n, d1..dk, c]}. */
    public static NdArray toChannelsLast(NdArray in) {
        int r = in.rank();
        int[] perm = new int[r];
        perm[0] = 0;
        for (int i = 1; i < r - 1; i++) perm[i] = i + 1;
        perm[r - 1] = 1;
        return permute(in, perm);
    }

    /** Channels-last {@code [n, d1..dk, c]} to channels-first {@code [n, c, d1..dk]}. */
    public static NdArray toChannelsFirst(NdArray in) {
        int r = in.rank();
        int[] perm = new int[r];
        perm[0] = 0;
        perm[1] = r - 1;
        for (int i = 2; i < r; i++) perm[i] = i - 1;
        return permute(in, perm);
    }
}
