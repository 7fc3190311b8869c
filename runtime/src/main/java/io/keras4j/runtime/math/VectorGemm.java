package io.keras4j.runtime.math;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@link Gemm} kernel on the incubating Vector API. A micro-kernel keeps a block of C of four rows by two vectors
 * in registers over a whole panel of k, so each step loads two vectors of one row of B and four values of A for
 * eight fused multiply-adds, and C is read and written once per panel instead of once per step. Panels of k are
 * bounded so the slice of B a column block reads stays in cache while every row block of A passes over it.
 * Remaining columns use masked vectors; remaining rows a one-row kernel.
 *
 * <p>Loaded only by name from {@link Gemm}, so the class never links on a JVM without {@code jdk.incubator.vector}.
 */
final class VectorGemm implements Gemm.Kernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int K_PANEL = 256;

    @Override
    public String toString() { return L >= 4 ? "vector (" + L + " floats)" : "scalar-width vector"; }

    @Override
    public void multiplyAdd(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc) {
        for (int p0 = 0; p0 < k; p0 += K_PANEL) {
            int p1 = Math.min(k, p0 + K_PANEL);
            int j = 0;
            for (; j + 2 * L <= n; j += 2 * L) {
                int i = 0;
                for (; i + 4 <= m; i += 4) block4x2(i, j, p0, p1, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
                for (; i < m; i++) block1x2(i, j, p0, p1, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            }
            for (; j < n; j += L) {
                VectorMask<Float> mask = S.indexInRange(j, n);
                for (int i = 0; i < m; i++) block1x1(i, j, mask, p0, p1, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            }
        }
    }

    private static void block4x2(int i, int j, int p0, int p1, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float[] c, int cOff, int ldc) {
        int r0 = aOff + i * lda, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
        int c0 = cOff + i * ldc + j, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        FloatVector x00 = FloatVector.fromArray(S, c, c0), x01 = FloatVector.fromArray(S, c, c0 + L);
        FloatVector x10 = FloatVector.fromArray(S, c, c1), x11 = FloatVector.fromArray(S, c, c1 + L);
        FloatVector x20 = FloatVector.fromArray(S, c, c2), x21 = FloatVector.fromArray(S, c, c2 + L);
        FloatVector x30 = FloatVector.fromArray(S, c, c3), x31 = FloatVector.fromArray(S, c, c3 + L);
        for (int p = p0; p < p1; p++) {
            int bRow = bOff + p * ldb + j;
            FloatVector b0 = FloatVector.fromArray(S, b, bRow), b1 = FloatVector.fromArray(S, b, bRow + L);
            FloatVector v = FloatVector.broadcast(S, a[r0 + p]);
            x00 = v.fma(b0, x00);
            x01 = v.fma(b1, x01);
            v = FloatVector.broadcast(S, a[r1 + p]);
            x10 = v.fma(b0, x10);
            x11 = v.fma(b1, x11);
            v = FloatVector.broadcast(S, a[r2 + p]);
            x20 = v.fma(b0, x20);
            x21 = v.fma(b1, x21);
            v = FloatVector.broadcast(S, a[r3 + p]);
            x30 = v.fma(b0, x30);
            x31 = v.fma(b1, x31);
        }
        x00.intoArray(c, c0);
        x01.intoArray(c, c0 + L);
        x10.intoArray(c, c1);
        x11.intoArray(c, c1 + L);
        x20.intoArray(c, c2);
        x21.intoArray(c, c2 + L);
        x30.intoArray(c, c3);
        x31.intoArray(c, c3 + L);
    }

    private static void block1x2(int i, int j, int p0, int p1, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float[] c, int cOff, int ldc) {
        int r = aOff + i * lda, ci = cOff + i * ldc + j;
        FloatVector x0 = FloatVector.fromArray(S, c, ci), x1 = FloatVector.fromArray(S, c, ci + L);
        for (int p = p0; p < p1; p++) {
            int bRow = bOff + p * ldb + j;
            FloatVector v = FloatVector.broadcast(S, a[r + p]);
            x0 = v.fma(FloatVector.fromArray(S, b, bRow), x0);
            x1 = v.fma(FloatVector.fromArray(S, b, bRow + L), x1);
        }
        x0.intoArray(c, ci);
        x1.intoArray(c, ci + L);
    }

    private static void block1x1(int i, int j, VectorMask<Float> mask, int p0, int p1, float[] a, int aOff, int lda,
                                 float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        int r = aOff + i * lda, ci = cOff + i * ldc + j;
        FloatVector x = FloatVector.fromArray(S, c, ci, mask);
        for (int p = p0; p < p1; p++) {
            x = FloatVector.broadcast(S, a[r + p]).fma(FloatVector.fromArray(S, b, bOff + p * ldb + j, mask), x);
        }
        x.intoArray(c, ci, mask);
    }

    @Override
    public void depthwisePixel(float[] x, int[] xAt, float[] k, int[] kAt, int taps, float[] bias, float lower, float upper,
                               float[] out, int o, int c) {
        boolean clamp = lower != Float.NEGATIVE_INFINITY || upper != Float.POSITIVE_INFINITY;
        int ch = 0;
        for (; ch + L <= c; ch += L) {
            FloatVector acc = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, ch);
            for (int t = 0; t < taps; t++) {
                acc = FloatVector.fromArray(S, x, xAt[t] + ch).fma(FloatVector.fromArray(S, k, kAt[t] + ch), acc);
            }
            if (clamp) acc = acc.max(lower).min(upper);
            acc.intoArray(out, o + ch);
        }
        if (ch < c) Depthwise.pixelScalar(x, xAt, k, kAt, taps, bias, lower, upper, out, o, ch, c);
    }

    @Override
    public void depthwiseRow3x3(float[] x, int[] rowAt, int xAt, int step, int count, float[] k, float[] bias,
                                float lower, float upper, float[] out, int o, int c) {
        boolean clamp = lower != Float.NEGATIVE_INFINITY || upper != Float.POSITIVE_INFINITY;
        int r0 = rowAt[0] + xAt, r1 = rowAt[1] + xAt, r2 = rowAt[2] + xAt, c2 = 2 * c;
        int ch = 0;
        for (; ch + L <= c; ch += L) {
            FloatVector k00 = FloatVector.fromArray(S, k, ch), k01 = FloatVector.fromArray(S, k, c + ch);
            FloatVector k02 = FloatVector.fromArray(S, k, c2 + ch), k10 = FloatVector.fromArray(S, k, 3 * c + ch);
            FloatVector k11 = FloatVector.fromArray(S, k, 4 * c + ch), k12 = FloatVector.fromArray(S, k, 5 * c + ch);
            FloatVector k20 = FloatVector.fromArray(S, k, 6 * c + ch), k21 = FloatVector.fromArray(S, k, 7 * c + ch);
            FloatVector k22 = FloatVector.fromArray(S, k, 8 * c + ch);
            FloatVector b = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, ch);
            int p = 0, at = ch, dst = o + ch;
            if (step == c) {
                // Stride 1: four neighbouring pixels share six input vectors per row (18 loads for 36 FMAs, not 36).
                for (; p + 4 <= count; p += 4, at += 4 * c, dst += 4 * c) {
                    FloatVector a0 = b, a1 = b, a2 = b, a3 = b;
                    for (int ky = 0; ky < 3; ky++) {
                        int r = (ky == 0 ? r0 : ky == 1 ? r1 : r2) + at;
                        FloatVector q0 = ky == 0 ? k00 : ky == 1 ? k10 : k20;
                        FloatVector q1 = ky == 0 ? k01 : ky == 1 ? k11 : k21;
                        FloatVector q2 = ky == 0 ? k02 : ky == 1 ? k12 : k22;
                        FloatVector v0 = FloatVector.fromArray(S, x, r), v1 = FloatVector.fromArray(S, x, r + c);
                        FloatVector v2 = FloatVector.fromArray(S, x, r + c2), v3 = FloatVector.fromArray(S, x, r + 3 * c);
                        FloatVector v4 = FloatVector.fromArray(S, x, r + 4 * c), v5 = FloatVector.fromArray(S, x, r + 5 * c);
                        a0 = v2.fma(q2, v1.fma(q1, v0.fma(q0, a0)));
                        a1 = v3.fma(q2, v2.fma(q1, v1.fma(q0, a1)));
                        a2 = v4.fma(q2, v3.fma(q1, v2.fma(q0, a2)));
                        a3 = v5.fma(q2, v4.fma(q1, v3.fma(q0, a3)));
                    }
                    if (clamp) {
                        a0 = a0.max(lower).min(upper);
                        a1 = a1.max(lower).min(upper);
                        a2 = a2.max(lower).min(upper);
                        a3 = a3.max(lower).min(upper);
                    }
                    a0.intoArray(out, dst);
                    a1.intoArray(out, dst + c);
                    a2.intoArray(out, dst + c2);
                    a3.intoArray(out, dst + 3 * c);
                }
            }
            for (; p < count; p++, at += step, dst += c) {
                // Tap order (ky, kx) as depthwisePixel adds them: the same result to the bit.
                FloatVector acc = FloatVector.fromArray(S, x, r0 + at).fma(k00, b);
                acc = FloatVector.fromArray(S, x, r0 + at + c).fma(k01, acc);
                acc = FloatVector.fromArray(S, x, r0 + at + c2).fma(k02, acc);
                acc = FloatVector.fromArray(S, x, r1 + at).fma(k10, acc);
                acc = FloatVector.fromArray(S, x, r1 + at + c).fma(k11, acc);
                acc = FloatVector.fromArray(S, x, r1 + at + c2).fma(k12, acc);
                acc = FloatVector.fromArray(S, x, r2 + at).fma(k20, acc);
                acc = FloatVector.fromArray(S, x, r2 + at + c).fma(k21, acc);
                acc = FloatVector.fromArray(S, x, r2 + at + c2).fma(k22, acc);
                if (clamp) acc = acc.max(lower).min(upper);
                acc.intoArray(out, dst);
            }
        }
        if (ch < c) Depthwise.interiorRow3x3Scalar(x, rowAt, xAt, step, count, k, bias, lower, upper, out, o, ch, c);
    }

    @Override
    public void poolPixel(float[] x, int[] xAt, int taps, boolean max, float[] out, int o, int c) {
        int ch = 0;
        if (taps > 0) {
            for (; ch + L <= c; ch += L) {
                FloatVector acc = FloatVector.fromArray(S, x, xAt[0] + ch);
                if (max) {
                    for (int t = 1; t < taps; t++) acc = acc.max(FloatVector.fromArray(S, x, xAt[t] + ch));
                } else {
                    // 0 + the first tap, as the scalar sum starts: the same additions in the same order.
                    for (int t = 1; t < taps; t++) acc = acc.add(FloatVector.fromArray(S, x, xAt[t] + ch));
                    acc = acc.div(taps);
                }
                acc.intoArray(out, o + ch);
            }
        }
        if (ch < c) Pool.pixelScalar(x, xAt, taps, max, out, o, ch, c);
    }

    @Override
    public void copyShort(float[] src, int from, float[] dst, int to, int length) {
        if (length <= L && from + L <= src.length && to + L <= dst.length) {
            FloatVector.fromArray(S, src, from).intoArray(dst, to);
        } else {
            System.arraycopy(src, from, dst, to, length);
        }
    }

    // ---- Winograd F(2x2, 3x3) transforms, a vector of channels at a time ----

    @Override
    public void winogradInput(float[] src, int r0, int r1, int r2, int r3, int c, float[] v, int vOff, int stride) {
        FloatVector NEG = FloatVector.broadcast(S, -1f);
        int c2 = 2 * c, c3 = 3 * c, ch = 0;
        for (; ch + L <= c; ch += L) {
            FloatVector x0 = FloatVector.fromArray(S, src, r0 + ch), x1 = FloatVector.fromArray(S, src, r0 + c + ch);
            FloatVector x2 = FloatVector.fromArray(S, src, r0 + c2 + ch), x3 = FloatVector.fromArray(S, src, r0 + c3 + ch);
            FloatVector a0 = x2.fma(NEG, x0), a1 = x1.add(x2), a2 = x1.fma(NEG, x2), a3 = x3.fma(NEG, x1);
            x0 = FloatVector.fromArray(S, src, r1 + ch);
            x1 = FloatVector.fromArray(S, src, r1 + c + ch);
            x2 = FloatVector.fromArray(S, src, r1 + c2 + ch);
            x3 = FloatVector.fromArray(S, src, r1 + c3 + ch);
            FloatVector b0 = x2.fma(NEG, x0), b1 = x1.add(x2), b2 = x1.fma(NEG, x2), b3 = x3.fma(NEG, x1);
            x0 = FloatVector.fromArray(S, src, r2 + ch);
            x1 = FloatVector.fromArray(S, src, r2 + c + ch);
            x2 = FloatVector.fromArray(S, src, r2 + c2 + ch);
            x3 = FloatVector.fromArray(S, src, r2 + c3 + ch);
            FloatVector d0 = x2.fma(NEG, x0), d1 = x1.add(x2), d2 = x1.fma(NEG, x2), d3 = x3.fma(NEG, x1);
            x0 = FloatVector.fromArray(S, src, r3 + ch);
            x1 = FloatVector.fromArray(S, src, r3 + c + ch);
            x2 = FloatVector.fromArray(S, src, r3 + c2 + ch);
            x3 = FloatVector.fromArray(S, src, r3 + c3 + ch);
            FloatVector f0 = x2.fma(NEG, x0), f1 = x1.add(x2), f2 = x1.fma(NEG, x2), f3 = x3.fma(NEG, x1);
            int o = vOff + ch;
            d0.fma(NEG, a0).intoArray(v, o);
            d1.fma(NEG, a1).intoArray(v, o + stride);
            d2.fma(NEG, a2).intoArray(v, o + 2 * stride);
            d3.fma(NEG, a3).intoArray(v, o + 3 * stride);
            b0.add(d0).intoArray(v, o + 4 * stride);
            b1.add(d1).intoArray(v, o + 5 * stride);
            b2.add(d2).intoArray(v, o + 6 * stride);
            b3.add(d3).intoArray(v, o + 7 * stride);
            b0.fma(NEG, d0).intoArray(v, o + 8 * stride);
            b1.fma(NEG, d1).intoArray(v, o + 9 * stride);
            b2.fma(NEG, d2).intoArray(v, o + 10 * stride);
            b3.fma(NEG, d3).intoArray(v, o + 11 * stride);
            f0.fma(NEG, b0).intoArray(v, o + 12 * stride);
            f1.fma(NEG, b1).intoArray(v, o + 13 * stride);
            f2.fma(NEG, b2).intoArray(v, o + 14 * stride);
            f3.fma(NEG, b3).intoArray(v, o + 15 * stride);
        }
        if (ch < c) Winograd.inputScalar(src, r0, r1, r2, r3, c, v, vOff, stride, ch);
    }

    @Override
    public void winogradOutput(float[] m, int mOff, int stride, int c, float[] bias, float lower, float upper,
                               float[] out, int o00, int o01, int o10, int o11) {
        boolean clamp = lower != Float.NEGATIVE_INFINITY || upper != Float.POSITIVE_INFINITY;
        FloatVector NEG = FloatVector.broadcast(S, -1f);
        int ch = 0;
        for (; ch + L <= c; ch += L) {
            int at = mOff + ch;
            FloatVector m0 = FloatVector.fromArray(S, m, at), m1 = FloatVector.fromArray(S, m, at + stride);
            FloatVector m2 = FloatVector.fromArray(S, m, at + 2 * stride), m3 = FloatVector.fromArray(S, m, at + 3 * stride);
            FloatVector p0 = m0.add(m1).add(m2), p1 = m3.fma(NEG, m2.fma(NEG, m1));
            at += 4 * stride;
            m0 = FloatVector.fromArray(S, m, at);
            m1 = FloatVector.fromArray(S, m, at + stride);
            m2 = FloatVector.fromArray(S, m, at + 2 * stride);
            m3 = FloatVector.fromArray(S, m, at + 3 * stride);
            FloatVector q0 = m0.add(m1).add(m2), q1 = m3.fma(NEG, m2.fma(NEG, m1));
            at += 4 * stride;
            m0 = FloatVector.fromArray(S, m, at);
            m1 = FloatVector.fromArray(S, m, at + stride);
            m2 = FloatVector.fromArray(S, m, at + 2 * stride);
            m3 = FloatVector.fromArray(S, m, at + 3 * stride);
            FloatVector r0 = m0.add(m1).add(m2), r1 = m3.fma(NEG, m2.fma(NEG, m1));
            at += 4 * stride;
            m0 = FloatVector.fromArray(S, m, at);
            m1 = FloatVector.fromArray(S, m, at + stride);
            m2 = FloatVector.fromArray(S, m, at + 2 * stride);
            m3 = FloatVector.fromArray(S, m, at + 3 * stride);
            FloatVector s0 = m0.add(m1).add(m2), s1 = m3.fma(NEG, m2.fma(NEG, m1));
            FloatVector base = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, ch);
            FloatVector y00 = base.add(p0.add(q0).add(r0)), y01 = base.add(p1.add(q1).add(r1));
            FloatVector y10 = base.add(s0.fma(NEG, r0.fma(NEG, q0))), y11 = base.add(s1.fma(NEG, r1.fma(NEG, q1)));
            if (clamp) {
                y00 = y00.max(lower).min(upper);
                y01 = y01.max(lower).min(upper);
                y10 = y10.max(lower).min(upper);
                y11 = y11.max(lower).min(upper);
            }
            y00.intoArray(out, o00 + ch);
            if (o01 >= 0) y01.intoArray(out, o01 + ch);
            if (o10 >= 0) y10.intoArray(out, o10 + ch);
            if (o11 >= 0) y11.intoArray(out, o11 + ch);
        }
        if (ch < c) Winograd.outputScalar(m, mOff, stride, c, bias, lower, upper, out, o00, o01, o10, o11, ch);
    }

    // ---- Recurrent cells: sigmoid and tanh on vectors ----

    @Override
    public void lstmCell(float[] x, int xAt, float[] r, int rAt, float[] c, float[] h, int o, int units) {
        int u = 0;
        for (; u + L <= units; u += L) {
            FloatVector in = sigmoid(FloatVector.fromArray(S, x, xAt + u).add(FloatVector.fromArray(S, r, rAt + u)));
            FloatVector forget = sigmoid(FloatVector.fromArray(S, x, xAt + units + u)
                    .add(FloatVector.fromArray(S, r, rAt + units + u)));
            FloatVector candidate = tanh(FloatVector.fromArray(S, x, xAt + 2 * units + u)
                    .add(FloatVector.fromArray(S, r, rAt + 2 * units + u)));
            FloatVector out = sigmoid(FloatVector.fromArray(S, x, xAt + 3 * units + u)
                    .add(FloatVector.fromArray(S, r, rAt + 3 * units + u)));
            FloatVector state = forget.fma(FloatVector.fromArray(S, c, o + u), in.mul(candidate));
            state.intoArray(c, o + u);
            out.mul(tanh(state)).intoArray(h, o + u);
        }
        if (u < units) Recurrent.lstmCellScalar(x, xAt, r, rAt, c, h, o, u, units);
    }

    /*
     * sigmoid and tanh through the Vector API's EXP and TANH, which JDK 17 on x86-64 compiles to Intel SVML stubs
     * (a few ulp; RecurrentTest holds them to 1e-6 relative of Math.exp and Math.tanh). A hand-written expf on
     * vectors was slower here: its float/int reinterpretations stopped being inlined once the five functions of an
     * LSTM cell met in one method, and JDK 17 runs AVX-512 masked blends element by element.
     */

    /** 1 / (1 + e^-x): e^-x's relative error, since the sum and the division round once each. */
    static FloatVector sigmoid(FloatVector x) {
        return ONE.div(x.neg().lanewise(VectorOperators.EXP).add(1f));
    }

    static FloatVector tanh(FloatVector x) { return x.lanewise(VectorOperators.TANH); }

    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);

    // ---- Packed B: C = clamp(A * B + bias) ----
    // B is stored as column panels of NR = 2L columns (the last one L wide when at most L columns remain), each
    // panel k rows deep and zero-padded past n, so every load of B is a full vector at a running offset. The panel
    // whose columns pass n computes into a small scratch block, TAIL_ROWS rows at a time, and copies the valid
    // columns out: no masked vector ops (JDK 17 runs masked stores element by element).

    private static final int NR = 2 * L;
    /**
     * With 16-float vectors (AVX-512, which has 32 vector registers) a block of eight rows fits in registers: 16
     * accumulators take 16 FMAs per two loads of B and eight broadcasts, against 8 per 2 + 4 for four rows.
     */
    private static final boolean EIGHT_ROWS = L >= 16;
    /** Rows of the scratch block the last, partial panel is computed in (its B panel stays in cache meanwhile). */
    private static final int TAIL_ROWS = 64;
    /** Rows of A and C one pass over all column panels works on: a 256-deep panel of A's rows is 256 KiB. */
    private static final int ROW_BLOCK = 256;

    private static int panels(int n) { return (n + NR - 1) / NR; }

    private static int panelWidth(int n, int panel) { return n - panel * NR <= L ? L : NR; }

    @Override
    public PackedMatrix pack(float[] b, int k, int n) {
        int panels = panels(n);
        float[] data = new float[Math.max(0, panels * NR * k)];
        for (int j = 0; j < panels; j++) {
            int j0 = j * NR, w = panelWidth(n, j), cols = Math.min(w, n - j0), base = j0 * k;
            for (int p = 0; p < k; p++) System.arraycopy(b, p * n + j0, data, base + p * w, cols);
        }
        return new PackedMatrix(k, n, data, panels);
    }

    @Override
    public void multiply(int m, float[] a, int aOff, int lda, PackedMatrix b, float[] bias, float lower, float upper,
                         float[] c, int cOff, int ldc, int blockFrom, int blockTo) {
        int n = b.n, k = b.k;
        boolean clamp = lower != Float.NEGATIVE_INFINITY || upper != Float.POSITIVE_INFINITY;
        FloatVector lo = FloatVector.broadcast(S, lower), hi = FloatVector.broadcast(S, upper);
        float[] paddedBias = new float[(blockTo - blockFrom) * NR];
        if (bias != null) {
            int n0 = blockFrom * NR;
            System.arraycopy(bias, n0, paddedBias, 0, Math.min(n, blockTo * NR) - n0);
        }
        // Only the last panel can pass n: it is computed apart, a few rows at a time into a small scratch block.
        int full = blockTo - 1 >= blockFrom && (blockTo - 1) * NR + panelWidth(n, blockTo - 1) > n ? blockTo - 1 : blockTo;
        float[] scratch = full == blockTo ? null : new float[TAIL_ROWS * panelWidth(n, full)];
        // Rows a block at a time, so that the block's A (for one panel of k) and C stay in L2 while every column
        // panel passes over them, instead of streaming all of A from memory once per column panel.
        for (int i0 = 0; i0 < m; i0 += ROW_BLOCK) {
            int rows = Math.min(ROW_BLOCK, m - i0), aRow = aOff + i0 * lda, cRow = cOff + i0 * ldc;
            for (int p0 = 0; p0 < k || p0 == 0; p0 += K_PANEL) {
                int kc = Math.min(k - p0, K_PANEL);
                boolean first = p0 == 0, last = p0 + kc >= k;
                for (int j = blockFrom; j < full; j++) {
                    int j0 = j * NR, w = panelWidth(n, j);
                    panel(rows, kc, a, aRow + p0, lda, b.data, j0 * k + p0 * w, w, c, cRow + j0, ldc,
                            first, paddedBias, (j - blockFrom) * NR, last && clamp, lo, hi);
                }
            }
            if (full == blockTo) continue;
            int j0 = full * NR, w = panelWidth(n, full);
            for (int t0 = 0; t0 < rows; t0 += TAIL_ROWS) {
                int tail = Math.min(TAIL_ROWS, rows - t0);
                for (int p0 = 0; p0 < k || p0 == 0; p0 += K_PANEL) {
                    int kc = Math.min(k - p0, K_PANEL);
                    panel(tail, kc, a, aRow + t0 * lda + p0, lda, b.data, j0 * k + p0 * w, w, scratch, 0, w,
                            p0 == 0, paddedBias, (full - blockFrom) * NR, p0 + kc >= k && clamp, lo, hi);
                }
                for (int i = 0; i < tail; i++) System.arraycopy(scratch, i * w, c, cRow + (t0 + i) * ldc + j0, n - j0);
            }
        }
    }

    /** Rows {@code [0, rows)} of one panel of width {@code w} over one panel of k; {@code aAt}: row 0 at that k. */
    private static void panel(int rows, int kc, float[] a, int aAt, int lda, float[] b, int bAt, int w, float[] dst,
                              int dOff, int ld, boolean first, float[] bias, int biasAt, boolean clamp,
                              FloatVector lo, FloatVector hi) {
        int i = 0;
        if (w == NR) {
            if (EIGHT_ROWS) {
                for (; i + 8 <= rows; i += 8) {
                    packed8x2(kc, a, aAt + i * lda, lda, b, bAt, dst, dOff + i * ld, ld, first, bias, biasAt);
                    if (clamp) clampBlock(8, NR, dst, dOff + i * ld, ld, lo, hi);
                }
            }
            for (; i + 4 <= rows; i += 4) {
                packed4x2(kc, a, aAt + i * lda, lda, b, bAt, dst, dOff + i * ld, ld, first, bias, biasAt);
                if (clamp) clampBlock(4, NR, dst, dOff + i * ld, ld, lo, hi);
            }
            for (; i < rows; i++) {
                packed1x2(kc, a, aAt + i * lda, b, bAt, dst, dOff + i * ld, first, bias, biasAt);
                if (clamp) clampBlock(1, NR, dst, dOff + i * ld, ld, lo, hi);
            }
        } else {
            if (EIGHT_ROWS) {
                for (; i + 8 <= rows; i += 8) {
                    packed8x1(kc, a, aAt + i * lda, lda, b, bAt, dst, dOff + i * ld, ld, first, bias, biasAt);
                    if (clamp) clampBlock(8, L, dst, dOff + i * ld, ld, lo, hi);
                }
            }
            for (; i + 4 <= rows; i += 4) {
                packed4x1(kc, a, aAt + i * lda, lda, b, bAt, dst, dOff + i * ld, ld, first, bias, biasAt);
                if (clamp) clampBlock(4, L, dst, dOff + i * ld, ld, lo, hi);
            }
            for (; i < rows; i++) {
                packed1x1(kc, a, aAt + i * lda, b, bAt, dst, dOff + i * ld, first, bias, biasAt);
                if (clamp) clampBlock(1, L, dst, dOff + i * ld, ld, lo, hi);
            }
        }
    }

    /**
     * Clamps the block a register kernel just stored, while it is still in L1. The register kernels used to clamp before
     * their stores, once per block, yet with that code in them a 32x784 by 784x256 product with ReLU (the benchmark
     * MLP's first Dense) took 120 us against 95 us without a clamp, and 92 us with this separate pass. Why C2 compiles
     * the kernel slower was not traced (two more live vectors across the loop is a guess).
     */
    private static void clampBlock(int rows, int w, float[] dst, int dOff, int ld, FloatVector lo, FloatVector hi) {
        for (int i = 0, at = dOff; i < rows; i++, at += ld) {
            for (int j = 0; j < w; j += L) FloatVector.fromArray(S, dst, at + j).max(lo).min(hi).intoArray(dst, at + j);
        }
    }

    /*
     * packed8x2, packed4x2, packed1x2, packed8x1, packed4x1 and packed1x1 repeat one pattern on purpose: each
     * accumulator is its own local so that C2 keeps the whole block in vector registers (an array of accumulators or
     * a loop over rows spills them to memory and loses most of the throughput). The shapes differ only in how many
     * rows and panels they hold; GemmTest reaches each (row counts 1 to 130, partial panels) against a
     * double-precision product. packed8x1 exists for the one-vector last panel (16, 48, 80... columns): four rows
     * give four independent FMA chains, too few to fill two FMA units of 4-cycle latency.
     */
    private static void packed8x2(int kc, float[] a, int r0, int lda, float[] b, int bAt, float[] c, int c0, int ldc,
                                  boolean first, float[] bias, int biasAt) {
        int r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda, r6 = r5 + lda, r7 = r6 + lda;
        int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc, c6 = c5 + ldc, c7 = c6 + ldc;
        FloatVector x00, x01, x10, x11, x20, x21, x30, x31, x40, x41, x50, x51, x60, x61, x70, x71;
        if (first) {
            x00 = x10 = x20 = x30 = x40 = x50 = x60 = x70 = FloatVector.fromArray(S, bias, biasAt);
            x01 = x11 = x21 = x31 = x41 = x51 = x61 = x71 = FloatVector.fromArray(S, bias, biasAt + L);
        } else {
            x00 = FloatVector.fromArray(S, c, c0);
            x01 = FloatVector.fromArray(S, c, c0 + L);
            x10 = FloatVector.fromArray(S, c, c1);
            x11 = FloatVector.fromArray(S, c, c1 + L);
            x20 = FloatVector.fromArray(S, c, c2);
            x21 = FloatVector.fromArray(S, c, c2 + L);
            x30 = FloatVector.fromArray(S, c, c3);
            x31 = FloatVector.fromArray(S, c, c3 + L);
            x40 = FloatVector.fromArray(S, c, c4);
            x41 = FloatVector.fromArray(S, c, c4 + L);
            x50 = FloatVector.fromArray(S, c, c5);
            x51 = FloatVector.fromArray(S, c, c5 + L);
            x60 = FloatVector.fromArray(S, c, c6);
            x61 = FloatVector.fromArray(S, c, c6 + L);
            x70 = FloatVector.fromArray(S, c, c7);
            x71 = FloatVector.fromArray(S, c, c7 + L);
        }
        for (int p = 0; p < kc; p++, bAt += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bAt), b1 = FloatVector.fromArray(S, b, bAt + L);
            FloatVector v = FloatVector.broadcast(S, a[r0 + p]);
            x00 = v.fma(b0, x00);
            x01 = v.fma(b1, x01);
            v = FloatVector.broadcast(S, a[r1 + p]);
            x10 = v.fma(b0, x10);
            x11 = v.fma(b1, x11);
            v = FloatVector.broadcast(S, a[r2 + p]);
            x20 = v.fma(b0, x20);
            x21 = v.fma(b1, x21);
            v = FloatVector.broadcast(S, a[r3 + p]);
            x30 = v.fma(b0, x30);
            x31 = v.fma(b1, x31);
            v = FloatVector.broadcast(S, a[r4 + p]);
            x40 = v.fma(b0, x40);
            x41 = v.fma(b1, x41);
            v = FloatVector.broadcast(S, a[r5 + p]);
            x50 = v.fma(b0, x50);
            x51 = v.fma(b1, x51);
            v = FloatVector.broadcast(S, a[r6 + p]);
            x60 = v.fma(b0, x60);
            x61 = v.fma(b1, x61);
            v = FloatVector.broadcast(S, a[r7 + p]);
            x70 = v.fma(b0, x70);
            x71 = v.fma(b1, x71);
        }
        x00.intoArray(c, c0);
        x01.intoArray(c, c0 + L);
        x10.intoArray(c, c1);
        x11.intoArray(c, c1 + L);
        x20.intoArray(c, c2);
        x21.intoArray(c, c2 + L);
        x30.intoArray(c, c3);
        x31.intoArray(c, c3 + L);
        x40.intoArray(c, c4);
        x41.intoArray(c, c4 + L);
        x50.intoArray(c, c5);
        x51.intoArray(c, c5 + L);
        x60.intoArray(c, c6);
        x61.intoArray(c, c6 + L);
        x70.intoArray(c, c7);
        x71.intoArray(c, c7 + L);
    }

    private static void packed4x2(int kc, float[] a, int r0, int lda, float[] b, int bAt, float[] c, int c0, int ldc,
                                  boolean first, float[] bias, int biasAt) {
        int r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
        int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        FloatVector x00, x01, x10, x11, x20, x21, x30, x31;
        if (first) {
            x00 = x10 = x20 = x30 = FloatVector.fromArray(S, bias, biasAt);
            x01 = x11 = x21 = x31 = FloatVector.fromArray(S, bias, biasAt + L);
        } else {
            x00 = FloatVector.fromArray(S, c, c0);
            x01 = FloatVector.fromArray(S, c, c0 + L);
            x10 = FloatVector.fromArray(S, c, c1);
            x11 = FloatVector.fromArray(S, c, c1 + L);
            x20 = FloatVector.fromArray(S, c, c2);
            x21 = FloatVector.fromArray(S, c, c2 + L);
            x30 = FloatVector.fromArray(S, c, c3);
            x31 = FloatVector.fromArray(S, c, c3 + L);
        }
        for (int p = 0; p < kc; p++, bAt += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bAt), b1 = FloatVector.fromArray(S, b, bAt + L);
            FloatVector v = FloatVector.broadcast(S, a[r0 + p]);
            x00 = v.fma(b0, x00);
            x01 = v.fma(b1, x01);
            v = FloatVector.broadcast(S, a[r1 + p]);
            x10 = v.fma(b0, x10);
            x11 = v.fma(b1, x11);
            v = FloatVector.broadcast(S, a[r2 + p]);
            x20 = v.fma(b0, x20);
            x21 = v.fma(b1, x21);
            v = FloatVector.broadcast(S, a[r3 + p]);
            x30 = v.fma(b0, x30);
            x31 = v.fma(b1, x31);
        }
        x00.intoArray(c, c0);
        x01.intoArray(c, c0 + L);
        x10.intoArray(c, c1);
        x11.intoArray(c, c1 + L);
        x20.intoArray(c, c2);
        x21.intoArray(c, c2 + L);
        x30.intoArray(c, c3);
        x31.intoArray(c, c3 + L);
    }

    private static void packed1x2(int kc, float[] a, int r, float[] b, int bAt, float[] c, int c0,
                                  boolean first, float[] bias, int biasAt) {
        FloatVector x0 = FloatVector.fromArray(S, first ? bias : c, first ? biasAt : c0);
        FloatVector x1 = FloatVector.fromArray(S, first ? bias : c, (first ? biasAt : c0) + L);
        for (int p = 0; p < kc; p++, bAt += NR) {
            FloatVector v = FloatVector.broadcast(S, a[r + p]);
            x0 = v.fma(FloatVector.fromArray(S, b, bAt), x0);
            x1 = v.fma(FloatVector.fromArray(S, b, bAt + L), x1);
        }
        x0.intoArray(c, c0);
        x1.intoArray(c, c0 + L);
    }

    private static void packed8x1(int kc, float[] a, int r0, int lda, float[] b, int bAt, float[] c, int c0, int ldc,
                                  boolean first, float[] bias, int biasAt) {
        int r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda, r6 = r5 + lda, r7 = r6 + lda;
        int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc, c6 = c5 + ldc, c7 = c6 + ldc;
        FloatVector x0, x1, x2, x3, x4, x5, x6, x7;
        if (first) {
            x0 = x1 = x2 = x3 = x4 = x5 = x6 = x7 = FloatVector.fromArray(S, bias, biasAt);
        } else {
            x0 = FloatVector.fromArray(S, c, c0);
            x1 = FloatVector.fromArray(S, c, c1);
            x2 = FloatVector.fromArray(S, c, c2);
            x3 = FloatVector.fromArray(S, c, c3);
            x4 = FloatVector.fromArray(S, c, c4);
            x5 = FloatVector.fromArray(S, c, c5);
            x6 = FloatVector.fromArray(S, c, c6);
            x7 = FloatVector.fromArray(S, c, c7);
        }
        for (int p = 0; p < kc; p++, bAt += L) {
            FloatVector q = FloatVector.fromArray(S, b, bAt);
            x0 = FloatVector.broadcast(S, a[r0 + p]).fma(q, x0);
            x1 = FloatVector.broadcast(S, a[r1 + p]).fma(q, x1);
            x2 = FloatVector.broadcast(S, a[r2 + p]).fma(q, x2);
            x3 = FloatVector.broadcast(S, a[r3 + p]).fma(q, x3);
            x4 = FloatVector.broadcast(S, a[r4 + p]).fma(q, x4);
            x5 = FloatVector.broadcast(S, a[r5 + p]).fma(q, x5);
            x6 = FloatVector.broadcast(S, a[r6 + p]).fma(q, x6);
            x7 = FloatVector.broadcast(S, a[r7 + p]).fma(q, x7);
        }
        x0.intoArray(c, c0);
        x1.intoArray(c, c1);
        x2.intoArray(c, c2);
        x3.intoArray(c, c3);
        x4.intoArray(c, c4);
        x5.intoArray(c, c5);
        x6.intoArray(c, c6);
        x7.intoArray(c, c7);
    }

    private static void packed4x1(int kc, float[] a, int r0, int lda, float[] b, int bAt, float[] c, int c0, int ldc,
                                  boolean first, float[] bias, int biasAt) {
        int r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
        int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        FloatVector x0, x1, x2, x3;
        if (first) {
            x0 = x1 = x2 = x3 = FloatVector.fromArray(S, bias, biasAt);
        } else {
            x0 = FloatVector.fromArray(S, c, c0);
            x1 = FloatVector.fromArray(S, c, c1);
            x2 = FloatVector.fromArray(S, c, c2);
            x3 = FloatVector.fromArray(S, c, c3);
        }
        for (int p = 0; p < kc; p++, bAt += L) {
            FloatVector q = FloatVector.fromArray(S, b, bAt);
            x0 = FloatVector.broadcast(S, a[r0 + p]).fma(q, x0);
            x1 = FloatVector.broadcast(S, a[r1 + p]).fma(q, x1);
            x2 = FloatVector.broadcast(S, a[r2 + p]).fma(q, x2);
            x3 = FloatVector.broadcast(S, a[r3 + p]).fma(q, x3);
        }
        x0.intoArray(c, c0);
        x1.intoArray(c, c1);
        x2.intoArray(c, c2);
        x3.intoArray(c, c3);
    }

    private static void packed1x1(int kc, float[] a, int r, float[] b, int bAt, float[] c, int c0,
                                  boolean first, float[] bias, int biasAt) {
        FloatVector x = FloatVector.fromArray(S, first ? bias : c, first ? biasAt : c0);
        for (int p = 0; p < kc; p++, bAt += L) x = FloatVector.broadcast(S, a[r + p]).fma(FloatVector.fromArray(S, b, bAt), x);
        x.intoArray(c, c0);
    }
}
