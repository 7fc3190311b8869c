package io.keras4j.runtime.math;

/**
 * A constant right-hand matrix {@code B[k, n]} (a layer's kernel) laid out once, at compile time, for the kernel in
 * use: the Vector API kernel reads it as zero-padded column panels of its register-block width, so its inner loop
 * loads B contiguously and never needs masked loads or stores; the scalar kernel keeps it row-major. Immutable.
 */
public final class PackedMatrix {
    final int k;
    final int n;
    /** The packed values (layout owned by the kernel that packed them). */
    final float[] data;
    /** Number of independent column blocks {@link Gemm#multiply} can be asked for, to split the columns over threads. */
    final int columnBlocks;

    PackedMatrix(int k, int n, float[] data, int columnBlocks) {
        this.k = k;
        this.n = n;
        this.data = data;
        this.columnBlocks = columnBlocks;
    }

    /** Packs row-major {@code b[k, n]} (leading dimension {@code n}) for the kernel in use. */
    public static PackedMatrix of(float[] b, int k, int n) { return Gemm.pack(b, k, n); }

    public int rows() { return k; }

    public int columns() { return n; }

    public int columnBlocks() { return columnBlocks; }
}
