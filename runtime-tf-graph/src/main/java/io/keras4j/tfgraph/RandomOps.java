package io.keras4j.tfgraph;

import java.util.Map;

/**
 * Stateless random number ops, bit for bit TensorFlow's CPU kernels: Philox4x32-10 ({@link Philox}), the seed to
 * key/counter scramble of stateless_random_ops.cc and the distributions of tsl/lib/random/random_distributions.h.
 * Only the Philox algorithm exists here; ThreeFry is refused. Every op but RngReadAndSkip is pure: the same inputs
 * give the same numbers, so constant seeds fold at load.
 */
final class RandomOps {
    static final int ALG_PHILOX = 1, ALG_THREEFRY = 2, ALG_AUTO_SELECT = 3;

    /** TensorFlow reserves 256 Philox calls per output group for distributions that use a variable number. */
    private static final int RESERVED_SAMPLES_PER_OUTPUT = 256;

    private RandomOps() {}

    private enum Dist { UNIFORM, NORMAL, TRUNCATED_NORMAL, FULL_INT }

    static void register(Map<String, Op> m) {
        OpTable.put(m, "StatelessRandomGetKeyCounter", Op.named((n, in, e) -> keyCounter(fromSeed(in[0])), "key", "counter"));
        OpTable.put(m, "StatelessRandomGetKeyCounterAlg", Op.named((n, in, e) -> {
            Val[] kc = keyCounter(fromSeed(in[0]));
            return new Val[] {kc[0], kc[1], Val.scalarInt(ALG_PHILOX)};
        }, "key", "counter", "alg"));
        OpTable.put(m, "StatelessRandomGetAlg", (Op.Simple) (n, in) -> Val.scalarInt(ALG_PHILOX));

        OpTable.put(m, "StatelessRandomUniform", (Op.Simple) (n, in) -> fill(Dist.UNIFORM, n, in[0], fromSeed(in[1])));
        OpTable.put(m, "StatelessRandomNormal", (Op.Simple) (n, in) -> fill(Dist.NORMAL, n, in[0], fromSeed(in[1])));
        OpTable.put(m, "StatelessTruncatedNormal", (Op.Simple) (n, in) -> fill(Dist.TRUNCATED_NORMAL, n, in[0], fromSeed(in[1])));
        OpTable.put(m, "StatelessRandomUniformFullInt", (Op.Simple) (n, in) -> fill(Dist.FULL_INT, n, in[0], fromSeed(in[1])));
        OpTable.put(m, "StatelessRandomUniformInt", (Op.Simple) (n, in) -> uniformInt(n, in[0], fromSeed(in[1]), in[2], in[3]));

        OpTable.put(m, "StatelessRandomUniformV2", (Op.Simple) (n, in) -> fill(Dist.UNIFORM, n, in[0], fromKeyCounter(in[1], in[2], in[3])));
        OpTable.put(m, "StatelessRandomNormalV2", (Op.Simple) (n, in) -> fill(Dist.NORMAL, n, in[0], fromKeyCounter(in[1], in[2], in[3])));
        OpTable.put(m, "StatelessTruncatedNormalV2", (Op.Simple) (n, in) -> fill(Dist.TRUNCATED_NORMAL, n, in[0], fromKeyCounter(in[1], in[2], in[3])));
        OpTable.put(m, "StatelessRandomUniformFullIntV2", (Op.Simple) (n, in) -> fill(Dist.FULL_INT, n, in[0], fromKeyCounter(in[1], in[2], in[3])));
        OpTable.put(m, "StatelessRandomUniformIntV2", (Op.Simple) (n, in) -> uniformInt(n, in[0], fromKeyCounter(in[1], in[2], in[3]), in[4], in[5]));

        OpTable.put(m, "StatelessRandomGammaV2", (Op.Simple) (n, in) -> gamma(n, in[0], fromSeed(in[1]), in[2]));
        OpTable.put(m, "StatelessRandomGammaV3", (Op.Simple) (n, in) -> gamma(n, in[0], fromKeyCounter(in[1], in[2], in[3]), in[4]));

        OpTable.put(m, "RngReadAndSkip", Op.stateful((n, in, e) -> new Val[] {readAndSkip(in[0], in[1], in[2], true)}));
        OpTable.put(m, "RngSkip", Op.stateful((n, in, e) -> {
            readAndSkip(in[0], in[1], in[2], false);
            return new Val[0];
        }));
    }

    // ---- seeds, keys and counters

    static Philox fromSeed(Val seed) {
        if (seed.rank() != 1 || seed.shape[0] != 2) throw new GraphException("seed must have shape [2], not " + Shapes.str(seed.shape));
        if (seed.dtype != DTypes.INT32 && seed.dtype != DTypes.INT64) throw new GraphException("seed must be int32 or int64, not " + DTypes.name(seed.dtype));
        // An int32 seed is sign-extended to 64 bits, as C++'s conversion to uint64 does.
        return Philox.fromSeed(seed.getLong(0), seed.getLong(1));
    }

    private static Val[] keyCounter(Philox p) {
        return new Val[] {new Val(DTypes.UINT64, new int[] {1}, new long[] {p.key()}),
                new Val(DTypes.UINT64, new int[] {2}, new long[] {p.counterLo(), p.counterHi()})};
    }

    static Philox fromKeyCounter(Val key, Val counter, Val alg) {
        checkAlg(alg);
        if (key.dtype != DTypes.UINT64 || counter.dtype != DTypes.UINT64) {
            throw new GraphException("key and counter must be uint64, not " + DTypes.name(key.dtype) + " and " + DTypes.name(counter.dtype));
        }
        if (key.rank() != 1 || key.shape[0] != 1) throw new GraphException("key must have shape [1], not " + Shapes.str(key.shape));
        if (counter.rank() != 1 || counter.shape[0] < 2) throw new GraphException("counter must have shape [2] for Philox, not " + Shapes.str(counter.shape));
        return new Philox(key.getLong(0), counter.getLong(0), counter.getLong(1));
    }

    private static void checkAlg(Val alg) {
        if (alg.size() != 1) throw new GraphException("alg must be a scalar, not " + Shapes.str(alg.shape));
        long a = alg.getLong(0);
        if (a == ALG_THREEFRY) throw new GraphException("the ThreeFry random algorithm is not supported (only Philox)");
        if (a != ALG_PHILOX && a != ALG_AUTO_SELECT) throw new GraphException("unsupported random algorithm id " + a);
    }

    /**
     * RngReadAndSkip: returns the Philox state variable as it is (counter low, counter high, key) and moves its
     * counter on by 256 calls per unit of {@code delta}, as stateful_random_ops_cpu_gpu.h does.
     */
    private static Val readAndSkip(Val handle, Val alg, Val delta, boolean read) {
        checkAlg(alg);
        Exec.Variable v = CoreOps.variable(handle);
        synchronized (v) {
            Val state = v.value;
            if (state == null) throw new GraphException("RNG state variable '" + v.name + "' is read before any value was restored into it");
            if (state.dtype != DTypes.INT64 || state.rank() != 1 || state.shape[0] < 3) {
                throw new GraphException("RNG state of Philox must be an int64 vector of at least 3 elements, not " + state);
            }
            long[] s = state.l();
            Philox p = new Philox(s[2], s[0], s[1]);
            p.skip(delta.getLong(0) * RESERVED_SAMPLES_PER_OUTPUT);
            long[] next = s.clone();
            next[0] = p.counterLo();
            next[1] = p.counterHi();
            v.value = new Val(DTypes.INT64, state.shape, next);
            return read ? Val.longs(new long[] {s[0], s[1], s[2]}, 3) : null;
        }
    }

    // ---- distributions

    private static int[] outputShape(Val shape) {
        if (shape.rank() > 1) throw new GraphException("shape must be a vector, not " + Shapes.str(shape.shape));
        if (!DTypes.isInt(shape.dtype) && !DTypes.isLong(shape.dtype)) throw new GraphException("shape must be integers, not " + DTypes.name(shape.dtype));
        int[] s = new int[shape.size()];
        for (int k = 0; k < s.length; k++) {
            long d = shape.getLong(k);
            if (d < 0 || d > Integer.MAX_VALUE) throw new GraphException("dimension " + d + " in random shape");
            s[k] = (int) d;
        }
        Shapes.size(s);
        return s;
    }

    private static Val fill(Dist dist, Node n, Val shapeVal, Philox gen) {
        int dtype = n.type("dtype", dist == Dist.FULL_INT ? DTypes.UINT64 : DTypes.FLOAT);
        int[] shape = outputShape(shapeVal);
        int size = Shapes.size(shape);
        if (dist == Dist.FULL_INT) return new Val(dtype, shape, fullInt(dtype, size, gen));
        if (DTypes.isFloat(dtype)) {
            float[] out = switch (dist) {
                case UNIFORM -> uniformFloat(dtype, size, gen);
                case NORMAL -> normalFloat(size, gen);
                default -> truncatedNormalFloat(size, gen);
            };
            if (dtype != DTypes.FLOAT) for (int k = 0; k < size; k++) out[k] = DTypes.round(dtype, out[k]);
            return new Val(dtype, shape, out);
        }
        if (dtype == DTypes.DOUBLE) {
            double[] out = switch (dist) {
                case UNIFORM -> uniformDouble(size, gen);
                case NORMAL -> normalDouble(size, gen);
                default -> truncatedNormalDouble(size, gen);
            };
            return new Val(dtype, shape, out);
        }
        throw new GraphException(dist.name().toLowerCase() + " random numbers of " + DTypes.name(dtype) + " are not supported");
    }

    /** 23 random mantissa bits under exponent 0, minus one: [0, 1) in steps of 2^-23 (Uint32ToFloat). */
    static float uint32ToFloat(int x) { return Float.intBitsToFloat(0x3F800000 | (x & 0x7FFFFF)) - 1f; }

    /** 52 random mantissa bits (20 of {@code x0}, all of {@code x1}) under exponent 0, minus one (Uint64ToDouble). */
    static double uint64ToDouble(int x0, int x1) {
        long man = ((long) (x0 & 0xFFFFF) << 32) | (x1 & 0xFFFFFFFFL);
        return Double.longBitsToDouble(0x3FF0000000000000L | man) - 1.0;
    }

    private static float[] uniformFloat(int dtype, int size, Philox gen) {
        float[] out = new float[size];
        for (int k = 0; k < size; k += 4) {
            int[] s = gen.next();
            for (int j = 0; j < 4 && k + j < size; j++) {
                // Half and bfloat16 take the low 10 and 7 bits of each word as their mantissa (Uint16ToHalf/Gfloat16).
                out[k + j] = switch (dtype) {
                    case DTypes.HALF -> (s[j] & 0x3FF) / 1024f;
                    case DTypes.BFLOAT16 -> (s[j] & 0x7F) / 128f;
                    default -> uint32ToFloat(s[j]);
                };
            }
        }
        return out;
    }

    private static double[] uniformDouble(int size, Philox gen) {
        double[] out = new double[size];
        for (int k = 0; k < size; k += 2) {
            int[] s = gen.next();
            out[k] = uint64ToDouble(s[0], s[1]);
            if (k + 1 < size) out[k + 1] = uint64ToDouble(s[2], s[3]);
        }
        return out;
    }

    /**
     * BoxMullerFloat: two uniform words to two standard normal floats, the first uniform clamped to 1e-7 so that
     * the logarithm stays finite; in float through glibc's logf and sincosf, as TensorFlow's Linux build computes.
     */
    static void boxMullerFloat(int x0, int x1, float[] out, int at) {
        float u1 = uint32ToFloat(x0);
        if (u1 < 1.0e-7f) u1 = 1.0e-7f;
        float v1 = (float) (2.0f * Math.PI * uint32ToFloat(x1));
        float u2 = (float) Math.sqrt(-2.0f * FloatLibm.logf(u1));
        float[] sc = FloatLibm.sincosf(v1);
        out[at] = sc[0] * u2;
        out[at + 1] = sc[1] * u2;
    }

    /**
     * BoxMullerDouble, with Java's sin, cos and log where TensorFlow has glibc's: those differ in the last bit now
     * and then, so float64 normals agree with TensorFlow's to one ulp, not always bit for bit.
     */
    static void boxMullerDouble(int x0, int x1, int x2, int x3, double[] out, int at) {
        double u1 = uint64ToDouble(x0, x1);
        if (u1 < 1.0e-7) u1 = 1.0e-7;
        double v1 = 2 * Math.PI * uint64ToDouble(x2, x3);
        double u2 = Math.sqrt(-2.0 * Math.log(u1));
        out[at] = Math.sin(v1) * u2;
        out[at + 1] = Math.cos(v1) * u2;
    }

    private static float[] normalFloat(int size, Philox gen) {
        float[] out = new float[size];
        float[] pair = new float[4];
        for (int k = 0; k < size; k += 4) {
            int[] s = gen.next();
            boxMullerFloat(s[0], s[1], pair, 0);
            boxMullerFloat(s[2], s[3], pair, 2);
            System.arraycopy(pair, 0, out, k, Math.min(4, size - k));
        }
        return out;
    }

    private static double[] normalDouble(int size, Philox gen) {
        double[] out = new double[size];
        double[] pair = new double[2];
        for (int k = 0; k < size; k += 2) {
            int[] s = gen.next();
            boxMullerDouble(s[0], s[1], s[2], s[3], pair, 0);
            System.arraycopy(pair, 0, out, k, Math.min(2, size - k));
        }
        return out;
    }

    /** Philox words one at a time (SingleSampleAdapter). */
    private static final class Words {
        private final Philox gen;
        private int[] buf;
        private int used = 4;

        Words(Philox gen) { this.gen = gen; }

        int next() {
            if (used == 4) {
                buf = gen.next();
                used = 0;
            }
            return buf[used++];
        }
    }

    /**
     * Normals with |x| < 2, by rejection. Each group of four outputs starts its own generator 256 calls after the
     * previous group's (FillPhiloxRandomTask for variable samples), so the numbers do not depend on rejections
     * elsewhere.
     */
    private static float[] truncatedNormalFloat(int size, Philox base) {
        float[] out = new float[size];
        float[] f = new float[2];
        for (int group = 0; group * 4 < size; group++) {
            Philox gen = base.copy();
            gen.skip((long) group * RESERVED_SAMPLES_PER_OUTPUT);
            Words words = new Words(gen);
            int k = group * 4, end = Math.min(size, k + 4);
            while (k < end) {
                boxMullerFloat(words.next(), words.next(), f, 0);
                if (Math.abs(f[0]) < 2.0f) out[k++] = f[0];
                if (k < end && Math.abs(f[1]) < 2.0f) out[k++] = f[1];
            }
        }
        return out;
    }

    private static double[] truncatedNormalDouble(int size, Philox base) {
        double[] out = new double[size];
        double[] d = new double[2];
        // Groups of two doubles, each reserving 2 * 256 words = 128 Philox calls.
        for (int group = 0; group * 2 < size; group++) {
            Philox gen = base.copy();
            gen.skip((long) group * (2 * RESERVED_SAMPLES_PER_OUTPUT / 4));
            Words words = new Words(gen);
            int k = group * 2, end = Math.min(size, k + 2);
            while (k < end) {
                boxMullerDouble(words.next(), words.next(), words.next(), words.next(), d, 0);
                if (Math.abs(d[0]) < 2.0) out[k++] = d[0];
                if (k < end && Math.abs(d[1]) < 2.0) out[k++] = d[1];
            }
        }
        return out;
    }

    private static Object fullInt(int dtype, int size, Philox gen) {
        if (dtype == DTypes.INT32 || dtype == DTypes.UINT32) {
            int[] words = words(size, gen);
            if (dtype == DTypes.INT32) return words;
            long[] out = new long[size];
            for (int k = 0; k < size; k++) out[k] = words[k] & 0xFFFFFFFFL;
            return out;
        }
        if (dtype == DTypes.INT64 || dtype == DTypes.UINT64) {
            long[] out = new long[size];
            for (int k = 0; k < size; k += 2) {
                int[] s = gen.next();
                out[k] = join(s[0], s[1]);
                if (k + 1 < size) out[k + 1] = join(s[2], s[3]);
            }
            return out;
        }
        throw new GraphException("full-range random integers of " + DTypes.name(dtype) + " are not supported");
    }

    private static int[] words(int size, Philox gen) {
        int[] out = new int[size];
        for (int k = 0; k < size; k += 4) {
            int[] s = gen.next();
            System.arraycopy(s, 0, out, k, Math.min(4, size - k));
        }
        return out;
    }

    private static long join(int lo, int hi) { return (lo & 0xFFFFFFFFL) | (long) hi << 32; }

    /** Integers in [minval, maxval): lo + (random bits mod (hi - lo)), the modulo's slight bias included, as TF. */
    private static Val uniformInt(Node n, Val shapeVal, Philox gen, Val minval, Val maxval) {
        int dtype = n.type("dtype");
        int[] shape = outputShape(shapeVal);
        int size = Shapes.size(shape);
        // Like TensorFlow, an empty output is returned before the bounds are looked at.
        if (size == 0) return new Val(dtype, shape, DTypes.newArray(dtype, 0));
        if (minval.rank() != 0) throw new GraphException("minval must be 0-D, got shape " + Shapes.str(minval.shape));
        if (maxval.rank() != 0) throw new GraphException("maxval must be 0-D, got shape " + Shapes.str(maxval.shape));
        long lo = minval.getLong(0), hi = maxval.getLong(0);
        if (lo >= hi) throw new GraphException("Need minval < maxval, got " + lo + " >= " + hi);
        if (dtype == DTypes.INT32) {
            int range = (int) hi - (int) lo;
            int[] words = words(size, gen);
            for (int k = 0; k < size; k++) words[k] = (int) lo + Integer.remainderUnsigned(words[k], range);
            return new Val(dtype, shape, words);
        }
        if (dtype == DTypes.INT64) {
            long range = hi - lo;
            long[] out = (long[]) fullInt(DTypes.INT64, size, gen);
            for (int k = 0; k < size; k++) out[k] = lo + Long.remainderUnsigned(out[k], range);
            return new Val(dtype, shape, out);
        }
        throw new GraphException("uniform random integers of " + DTypes.name(dtype) + " are not supported (int32 or int64)");
    }

    /**
     * Gamma(alpha) samples as stateless_random_gamma_op.cc draws them: Marsaglia and Tsang's transformation-rejection
     * from double normals and uniforms (alpha < 1 boosted by one and scaled by u^(1/alpha)), an exponential for
     * alpha == 1. Output {@code i} of alpha {@code a} (alpha-major order) starts its own generator 256 calls per
     * output ahead and lands at {@code [i][a]}. Computed in double and rounded once, so libm's last-bit differences
     * from glibc vanish in float.
     */
    private static Val gamma(Node n, Val shapeVal, Philox base, Val alpha) {
        int dtype = n.type("dtype");
        if (!DTypes.isFloat(dtype) && dtype != DTypes.DOUBLE) throw new GraphException("gamma samples of " + DTypes.name(dtype) + " are not supported");
        int[] shape = outputShape(shapeVal);
        int size = Shapes.size(shape);
        boolean endsWith = alpha.rank() <= shape.length;
        for (int k = 1; endsWith && k <= alpha.rank(); k++) endsWith = alpha.shape[alpha.rank() - k] == shape[shape.length - k];
        if (!endsWith) throw new GraphException("gamma shape " + Shapes.str(shape) + " must end with alpha's shape " + Shapes.str(alpha.shape));
        int alphas = alpha.size();
        if (alphas == 0) throw new GraphException("alpha should have a non-zero element count");
        int perAlpha = size / alphas;
        double[] out = new double[size];
        for (int a = 0; a < alphas; a++) {
            double al = alpha.getDouble(a);
            boolean lessThanOne = al < 1;
            double d = al + (lessThanOne ? 2.0 / 3 : -1.0 / 3);
            double c = 1.0 / 3 / Math.sqrt(d);
            for (int i = 0; i < perAlpha; i++) {
                Philox gen = base.copy();
                gen.skip((long) RESERVED_SAMPLES_PER_OUTPUT * ((long) a * perAlpha + i));
                double res;
                if (al == 1.0) {
                    int[] w = gen.next();
                    res = -Math.log1p(-uint64ToDouble(w[2], w[3]));
                } else {
                    // Two buffers of two samples each, drawn from the same generator and handed out last first.
                    double[] normals = new double[2], uniforms = new double[2];
                    int normalsLeft = 0, uniformsLeft = 0;
                    while (true) {
                        if (normalsLeft == 0) {
                            int[] w = gen.next();
                            boxMullerDouble(w[0], w[1], w[2], w[3], normals, 0);
                            normalsLeft = 2;
                        }
                        double x = normals[--normalsLeft];
                        double v = 1 + c * x;
                        if (v <= 0) continue;
                        v = v * v * v;
                        if (uniformsLeft == 0) {
                            fillUniforms(gen, uniforms);
                            uniformsLeft = 2;
                        }
                        double u = uniforms[--uniformsLeft];
                        if (u < 1 - 0.0331 * (x * x) * (x * x) || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                            res = d * v;
                            if (lessThanOne) {
                                if (uniformsLeft == 0) {
                                    fillUniforms(gen, uniforms);
                                    uniformsLeft = 2;
                                }
                                res *= Math.pow(uniforms[--uniformsLeft], 1 / al);
                            }
                            break;
                        }
                    }
                }
                out[i * alphas + a] = res;
            }
        }
        if (dtype == DTypes.DOUBLE) return new Val(dtype, shape, out);
        float[] f = new float[size];
        for (int k = 0; k < size; k++) f[k] = DTypes.round(dtype, (float) out[k]);
        return new Val(dtype, shape, f);
    }

    private static void fillUniforms(Philox gen, double[] uniforms) {
        int[] w = gen.next();
        uniforms[0] = uint64ToDouble(w[0], w[1]);
        uniforms[1] = uint64ToDouble(w[2], w[3]);
    }
}
