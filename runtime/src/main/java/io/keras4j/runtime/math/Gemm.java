package io.keras4j.runtime.math;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single-precision matrix multiply-accumulate {@code C[m, n] += A[m, k] * B[k, n]} on row-major arrays with
 * explicit offsets and leading dimensions, so callers can multiply sub-blocks (conv groups, attention heads)
 * without copying.
 *
 * <p>Two kernels compute it: a register-blocked one on the JDK's incubating Vector API ({@code VectorGemm}), chosen
 * when the JVM runs with {@code --add-modules jdk.incubator.vector} (the CLI launcher and the benchmarks do), and the
 * scalar {@link ScalarGemm} otherwise, so a library user who does not add the module still gets correct results.
 * The choice is made once, as Lucene chooses its vectorization provider, and logged; {@code -Dkeras4j.vector=false}
 * forces the scalar kernel.
 */
public final class Gemm {
    private static final Logger LOG = LoggerFactory.getLogger(Gemm.class);

    /** One implementation of the multiply-accumulate. */
    interface Kernel {
        void multiplyAdd(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                         float[] c, int cOff, int ldc);

        PackedMatrix pack(float[] b, int k, int n);

        /** {@code C = clamp(A * B + bias)} over column blocks {@code [blockFrom, blockTo)} of {@code b}. */
        void multiply(int m, float[] a, int aOff, int lda, PackedMatrix b, float[] bias, float lower, float upper,
                      float[] c, int cOff, int ldc, int blockFrom, int blockTo);

        /** See {@link Depthwise#pixel}. */
        void depthwisePixel(float[] x, int[] xAt, float[] k, int[] kAt, int taps, float[] bias, float lower, float upper,
                            float[] out, int o, int c);

        /** See {@link Depthwise#interiorRow3x3}. */
        void depthwiseRow3x3(float[] x, int[] rowAt, int xAt, int step, int count, float[] k, float[] bias,
                             float lower, float upper, float[] out, int o, int c);

        /** See {@link Pool#pixel}. */
        void poolPixel(float[] x, int[] xAt, int taps, boolean max, float[] out, int o, int c);

        /** See {@link Gemm#copyShort}. */
        void copyShort(float[] src, int from, float[] dst, int to, int length);

        /** See {@link Winograd#inputScalar}, for all channels. */
        void winogradInput(float[] src, int r0, int r1, int r2, int r3, int c, float[] v, int vOff, int stride);

        /** See {@link Winograd#outputScalar}, for all channels. */
        void winogradOutput(float[] m, int mOff, int stride, int c, float[] bias, float lower, float upper,
                            float[] out, int o00, int o01, int o10, int o11);

        /** See {@link Recurrent#lstmCell}. */
        void lstmCell(float[] x, int xAt, float[] r, int rAt, float[] c, float[] h, int o, int units);
    }

    static final Kernel SCALAR = new ScalarGemm();
    static final Kernel KERNEL = choose();

    private Gemm() {}

    public static void multiplyAdd(int m, int n, int k,
                                   float[] a, int aOff, int lda,
                                   float[] b, int bOff, int ldb,
                                   float[] c, int cOff, int ldc) {
        KERNEL.multiplyAdd(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    }

    static PackedMatrix pack(float[] b, int k, int n) { return KERNEL.pack(b, k, n); }

    /** Floats past the end of what {@link #copyShort} is asked to write that it may overwrite. */
    public static final int COPY_SLACK = 64;

    /**
     * Copies {@code length} floats in increasing order for writes that follow each other (im2col rows): a short copy
     * may also overwrite up to {@link #COPY_SLACK} floats after {@code to + length}, which the caller writes next or
     * leaves as slack at the end of {@code dst}. A first layer's patch row is 9 floats (three RGB pixels), where
     * {@code System.arraycopy}'s call cost most of the first convolution of the benchmark CNN; the Vector API kernel
     * copies it as one vector.
     */
    public static void copyShort(float[] src, int from, float[] dst, int to, int length) {
        KERNEL.copyShort(src, from, dst, to, length);
    }

    /**
     * {@code C[m, n] = min(max(A[m, k] * B + bias, lower), upper)} with {@code B} packed by {@link PackedMatrix#of}:
     * bias and clamp (ReLU, ReLU6; pass infinities for none) are applied while the block of C is still in registers.
     * {@code bias} may be null. Only columns of blocks {@code [blockFrom, blockTo)} of {@code b} are written, so
     * threads can split the columns.
     */
    public static void multiply(int m, float[] a, int aOff, int lda, PackedMatrix b, float[] bias, float lower, float upper,
                                float[] c, int cOff, int ldc, int blockFrom, int blockTo) {
        if (m == 0 || blockFrom >= blockTo) return;
        KERNEL.multiply(m, a, aOff, lda, b, bias, lower, upper, c, cOff, ldc, blockFrom, blockTo);
    }

    /** {@link #multiply} over all columns. */
    public static void multiply(int m, float[] a, int aOff, int lda, PackedMatrix b, float[] bias, float lower, float upper,
                                float[] c, int cOff, int ldc) {
        multiply(m, a, aOff, lda, b, bias, lower, upper, c, cOff, ldc, 0, b.columnBlocks);
    }

    /** The kernel in use: {@code "vector (N floats)"} or {@code "scalar"}, for diagnostics and tests. */
    public static String kernel() { return KERNEL == SCALAR ? "scalar" : KERNEL.toString(); }

    /** The Vector API kernel, or empty when the JVM lacks the module (or the CPU gives it fewer than 4 lanes). */
    static java.util.Optional<Kernel> vector() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return java.util.Optional.empty();
        try {
            // Loaded by name: on a JVM without the module, linking VectorGemm would fail.
            Kernel k = (Kernel) Class.forName("io.keras4j.runtime.math.VectorGemm").getDeclaredConstructor().newInstance();
            return k.toString().startsWith("vector") ? java.util.Optional.of(k) : java.util.Optional.empty();
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.debug("Vector API kernel unavailable", e);
            return java.util.Optional.empty();
        }
    }

    private static Kernel choose() {
        if (!Boolean.parseBoolean(System.getProperty("keras4j.vector", "true"))) {
            LOG.info("matrix kernel: scalar (keras4j.vector=false)");
            return SCALAR;
        }
        Kernel k = vector().orElse(SCALAR);
        if (k == SCALAR) {
            LOG.info("matrix kernel: scalar (run with --add-modules jdk.incubator.vector for the Vector API kernel)");
        } else {
            LOG.info("matrix kernel: {}", k);
        }
        return k;
    }
}
