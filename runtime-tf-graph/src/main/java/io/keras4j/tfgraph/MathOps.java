package io.keras4j.tfgraph;

import io.keras4j.runtime.math.FastMath;
import io.keras4j.runtime.math.Gemm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * Elementwise math with NumPy broadcasting, comparisons and logic, reductions, matrix products (MatMul,
 * BatchMatMulV2, Einsum through the runtime's GEMM), softmax, casts. Float32 is computed in float (transcendental
 * functions in double, rounded once), half and bfloat16 in float rounded to their precision.
 */
final class MathOps {
    private MathOps() {}

    interface FloatFn { float apply(float a, float b); }
    interface DoubleFn { double apply(double a, double b); }
    interface LongFn { long apply(long a, long b); }
    interface CompareFn { boolean apply(double a, double b); }

    private record Binary(FloatFn f, DoubleFn d, LongFn l) {}

    private static final Map<String, Binary> BINARY = new HashMap<>();
    private static final Map<String, CompareFn> COMPARE = new HashMap<>();

    static {
        BINARY.put("AddV2", new Binary((a, b) -> a + b, (a, b) -> a + b, (a, b) -> a + b));
        BINARY.put("Add", BINARY.get("AddV2"));
        BINARY.put("Sub", new Binary((a, b) -> a - b, (a, b) -> a - b, (a, b) -> a - b));
        BINARY.put("Mul", new Binary((a, b) -> a * b, (a, b) -> a * b, (a, b) -> a * b));
        BINARY.put("RealDiv", new Binary((a, b) -> a / b, (a, b) -> a / b, MathOps::truncDiv));
        BINARY.put("Div", new Binary((a, b) -> a / b, (a, b) -> a / b, MathOps::floorDiv));
        BINARY.put("TruncateDiv", new Binary((a, b) -> a / b, (a, b) -> a / b, MathOps::truncDiv));
        BINARY.put("FloorDiv", new Binary((a, b) -> (float) Math.floor(a / b), (a, b) -> Math.floor(a / b), MathOps::floorDiv));
        BINARY.put("FloorMod", new Binary(MathOps::floorMod, MathOps::floorMod, (a, b) -> {
            if (b == 0) throw new GraphException("integer FloorMod by zero");
            return Math.floorMod(a, b);
        }));
        BINARY.put("Mod", new Binary((a, b) -> a % b, (a, b) -> a % b, (a, b) -> {
            if (b == 0) throw new GraphException("integer Mod by zero");
            return a % b;
        }));
        BINARY.put("Maximum", new Binary(MathOps::max, (a, b) -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b), Math::max));
        BINARY.put("Minimum", new Binary(MathOps::min, (a, b) -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b), Math::min));
        BINARY.put("Pow", new Binary((a, b) -> (float) Math.pow(a, b), Math::pow, MathOps::intPow));
        BINARY.put("SquaredDifference", new Binary((a, b) -> (a - b) * (a - b), (a, b) -> (a - b) * (a - b), (a, b) -> (a - b) * (a - b)));
        BINARY.put("DivNoNan", new Binary((a, b) -> b == 0 ? 0 : a / b, (a, b) -> b == 0 ? 0 : a / b, (a, b) -> b == 0 ? 0 : truncDiv(a, b)));
        BINARY.put("MulNoNan", new Binary((a, b) -> b == 0 ? 0 : a * b, (a, b) -> b == 0 ? 0 : a * b, (a, b) -> a * b));
        BINARY.put("Atan2", new Binary((a, b) -> (float) Math.atan2(a, b), Math::atan2, null));
        BINARY.put("Xdivy", new Binary((a, b) -> a == 0 ? 0 : a / b, (a, b) -> a == 0 ? 0 : a / b, null));
        BINARY.put("Xlogy", new Binary((a, b) -> a == 0 ? 0 : (float) (a * Math.log(b)), (a, b) -> a == 0 ? 0 : a * Math.log(b), null));
        BINARY.put("LeftShift", new Binary(null, null, (a, b) -> a << b));
        BINARY.put("RightShift", new Binary(null, null, (a, b) -> a >> b));
        BINARY.put("BitwiseAnd", new Binary(null, null, (a, b) -> a & b));
        BINARY.put("BitwiseOr", new Binary(null, null, (a, b) -> a | b));
        BINARY.put("BitwiseXor", new Binary(null, null, (a, b) -> a ^ b));
        COMPARE.put("Equal", (a, b) -> a == b);
        COMPARE.put("NotEqual", (a, b) -> a != b);
        COMPARE.put("Less", (a, b) -> a < b);
        COMPARE.put("LessEqual", (a, b) -> a <= b);
        COMPARE.put("Greater", (a, b) -> a > b);
        COMPARE.put("GreaterEqual", (a, b) -> a >= b);
    }

    static void register(Map<String, Op> m) {
        for (String name : BINARY.keySet()) {
            OpTable.put(m, name, Op.inPlace((n, in) -> binary(name, in[0], in[1]), (n, in) -> binary(name, in[0], in[1], true)));
        }
        for (Map.Entry<String, CompareFn> c : COMPARE.entrySet()) {
            OpTable.put(m, c.getKey(), (Op.Simple) (n, in) -> compare(c.getKey(), c.getValue(), in[0], in[1]));
        }
        OpTable.put(m, "LogicalAnd", (Op.Simple) (n, in) -> logical(in[0], in[1], true));
        OpTable.put(m, "LogicalOr", (Op.Simple) (n, in) -> logical(in[0], in[1], false));
        OpTable.put(m, "LogicalNot", (Op.Simple) (n, in) -> {
            boolean[] a = in[0].b(), o = new boolean[a.length];
            for (int k = 0; k < a.length; k++) o[k] = !a[k];
            return Val.bools(o, in[0].shape);
        });
        OpTable.put(m, "BiasAdd", Op.inPlace((n, in) -> biasAdd(in[0], in[1], n.s("data_format", "NHWC"), false),
                (n, in) -> biasAdd(in[0], in[1], n.s("data_format", "NHWC"), true)));
        OpTable.put(m, "BiasAddV1", (Op.Simple) (n, in) -> biasAdd(in[0], in[1], "NHWC", false));

        unary(m, "Neg", x -> -x, a -> -a);
        unary(m, "Abs", Math::abs, Math::abs);
        unary(m, "Sign", Math::signum, Long::signum);
        unary(m, "Square", x -> x * x, a -> a * a);
        unary(m, "Floor", Math::floor, a -> a);
        unary(m, "Ceil", Math::ceil, a -> a);
        unary(m, "Round", Math::rint, a -> a);
        unary(m, "Rint", Math::rint, a -> a);
        unary(m, "Exp", Math::exp, null);
        unary(m, "Expm1", Math::expm1, null);
        unary(m, "Log", Math::log, null);
        unary(m, "Log1p", Math::log1p, null);
        unary(m, "Sqrt", Math::sqrt, null);
        unary(m, "Rsqrt", x -> 1 / Math.sqrt(x), null);
        unary(m, "Reciprocal", x -> 1 / x, null);
        unary(m, "Inv", x -> 1 / x, null);
        unary(m, "Sin", Math::sin, null);
        unary(m, "Cos", Math::cos, null);
        unary(m, "Tan", Math::tan, null);
        unary(m, "Asin", Math::asin, null);
        unary(m, "Acos", Math::acos, null);
        unary(m, "Atan", Math::atan, null);
        unary(m, "Sinh", Math::sinh, null);
        unary(m, "Cosh", Math::cosh, null);
        unary(m, "Tanh", FastMath::tanh, null);
        unary(m, "Asinh", x -> Math.log(x + Math.sqrt(x * x + 1)), null);
        unary(m, "Acosh", x -> Math.log(x + Math.sqrt(x * x - 1)), null);
        unary(m, "Atanh", x -> 0.5 * Math.log((1 + x) / (1 - x)), null);
        unary(m, "Sigmoid", FastMath::sigmoid, null);
        unary(m, "Relu", x -> x > 0 ? x : 0, a -> Math.max(a, 0));
        unary(m, "Relu6", x -> Math.min(Math.max(x, 0), 6), a -> Math.min(Math.max(a, 0), 6));
        unary(m, "Elu", x -> x > 0 ? x : Math.expm1(x), null);
        unary(m, "Selu", x -> 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * Math.expm1(x)), null);
        unary(m, "Softplus", x -> x > 20 ? x : x < -20 ? Math.exp(x) : Math.log1p(Math.exp(x)), null);
        unary(m, "Softsign", x -> x / (1 + Math.abs(x)), null);
        unary(m, "Erf", Erf::erf, null);
        unary(m, "Erfc", x -> 1 - Erf.erf(x), null);
        OpTable.put(m, "LeakyRelu", (Op.Simple) (n, in) -> {
            double alpha = n.f("alpha", 0.2f);
            return mapFloat(in[0], x -> x > 0 ? x : alpha * x);
        });
        OpTable.put(m, "IsNan", (Op.Simple) (n, in) -> predicate(in[0], Double::isNaN));
        OpTable.put(m, "IsInf", (Op.Simple) (n, in) -> predicate(in[0], Double::isInfinite));
        OpTable.put(m, "IsFinite", (Op.Simple) (n, in) -> predicate(in[0], Double::isFinite));

        OpTable.put(m, "Cast", (Op.Simple) (n, in) -> DTypes.cast(in[0], n.type("DstT")));
        OpTable.put(m, "AddN", (Op.Simple) (n, in) -> {
            Val acc = in[0];
            for (int k = 1; k < in.length; k++) acc = binary("AddV2", acc, in[k]);
            return acc;
        });
        OpTable.put(m, "ClipByValue", (Op.Simple) (n, in) -> binary("Minimum", binary("Maximum", in[0], in[1]), in[2]));
        OpTable.put(m, "SelectV2", (Op.Simple) (n, in) -> select(in[0], in[1], in[2]));
        OpTable.put(m, "Select", (Op.Simple) (n, in) -> {
            Val c = in[0];
            if (c.rank() == 1 && in[1].rank() > 1) {
                int[] s = new int[in[1].rank()];
                Arrays.fill(s, 1);
                s[0] = c.shape[0];
                c = c.reshape(s);
            }
            return select(c, in[1], in[2]);
        });

        for (String r : new String[] {"Sum", "Mean", "Max", "Min", "Prod", "All", "Any", "EuclideanNorm"}) {
            OpTable.put(m, r, (Op.Simple) (n, in) -> reduce(r, in[0], in[1].toInts(), n.b("keep_dims", false)));
        }
        OpTable.put(m, "ArgMax", (Op.Simple) (n, in) -> argReduce(in[0], (int) in[1].getLong(0), true, n.type("output_type", DTypes.INT64)));
        OpTable.put(m, "ArgMin", (Op.Simple) (n, in) -> argReduce(in[0], (int) in[1].getLong(0), false, n.type("output_type", DTypes.INT64)));
        OpTable.put(m, "Cumsum", (Op.Simple) (n, in) -> cumulative(in[0], (int) in[1].getLong(0), n.b("exclusive", false), n.b("reverse", false), true));
        OpTable.put(m, "Cumprod", (Op.Simple) (n, in) -> cumulative(in[0], (int) in[1].getLong(0), n.b("exclusive", false), n.b("reverse", false), false));
        OpTable.put(m, "Softmax", (Op.Simple) (n, in) -> softmax(in[0], false));
        OpTable.put(m, "LogSoftmax", (Op.Simple) (n, in) -> softmax(in[0], true));
        OpTable.put(m, "MatMul", (Op.Simple) (n, in) -> batchMatMul(in[0], in[1], n.b("transpose_a", false), n.b("transpose_b", false)));
        Op bmm = (Op.Simple) (n, in) -> batchMatMul(in[0], in[1], n.b("adj_x", false), n.b("adj_y", false));
        OpTable.put(m, "BatchMatMulV2", bmm);
        OpTable.put(m, "BatchMatMulV3", bmm);
        OpTable.put(m, "BatchMatMul", bmm);
        OpTable.put(m, "Einsum", (Op.Simple) (n, in) -> {
            if (in.length != 2) throw new GraphException("Einsum of " + in.length + " operands is not supported");
            return einsum(n.s("equation", ""), in[0], in[1]);
        });
    }

    // ---- elementwise -----------------------------------------------------------------------------------------------

    private static long truncDiv(long a, long b) {
        if (b == 0) throw new GraphException("integer division by zero");
        return a / b;
    }

    private static long floorDiv(long a, long b) {
        if (b == 0) throw new GraphException("integer division by zero");
        return Math.floorDiv(a, b);
    }

    private static float floorMod(float a, float b) {
        float r = a % b;
        return r != 0 && (r < 0) != (b < 0) ? r + b : r;
    }

    private static double floorMod(double a, double b) {
        double r = a % b;
        return r != 0 && (r < 0) != (b < 0) ? r + b : r;
    }

    private static float max(float a, float b) { return Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.max(a, b); }

    private static float min(float a, float b) { return Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.min(a, b); }

    private static long intPow(long a, long b) {
        if (b < 0) throw new GraphException("integers to negative powers are not allowed");
        long r = 1;
        for (long k = 0; k < b; k++) r *= a;
        return r;
    }

    static Val binary(String op, Val a, Val b) { return binary(op, a, b, false); }

    /** {@code a op b}; with {@code reuse}, into {@code a}'s array when the result has its shape (a float32 fast path). */
    static Val binary(String op, Val a, Val b, boolean reuse) {
        Binary fn = BINARY.get(op);
        if (a.dtype != b.dtype) throw new GraphException(op + " of " + DTypes.name(a.dtype) + " and " + DTypes.name(b.dtype));
        int dtype = a.dtype;
        int[] shape = Shapes.broadcast(a.shape, b.shape);
        int n = Shapes.size(shape);
        if (a.data instanceof float[] x && b.data instanceof float[] y) {
            if (fn.f() == null) throw new GraphException(op + " is not defined for " + DTypes.name(dtype));
            if (dtype == DTypes.FLOAT) {
                float[] into = reuse && x.length == n && java.util.Arrays.equals(a.shape, shape) ? x : null;
                float[] fast = FastBinary.apply(op, x, a.shape, y, b.shape, shape, n, into);
                if (fast != null) return new Val(dtype, shape, fast);
            }
            float[] o = new float[n];
            FloatFn f = fn.f();
            if (a.size() == n && b.size() == n) for (int k = 0; k < n; k++) o[k] = f.apply(x[k], y[k]);
            else if (b.size() == 1) { float s = y[0]; for (int k = 0; k < n; k++) o[k] = f.apply(x[k], s); }
            else if (a.size() == 1) { float s = x[0]; for (int k = 0; k < n; k++) o[k] = f.apply(s, y[k]); }
            else if (a.size() == n && isTrailing(b.shape, shape)) {
                int len = b.size();
                for (int k = 0; k < n; k++) o[k] = f.apply(x[k], y[k % len]);
            } else {
                int[] ia = Shapes.broadcastIndex(a.shape, shape), ib = Shapes.broadcastIndex(b.shape, shape);
                for (int k = 0; k < n; k++) o[k] = f.apply(x[ia[k]], y[ib[k]]);
            }
            if (dtype != DTypes.FLOAT) for (int k = 0; k < n; k++) o[k] = DTypes.round(dtype, o[k]);
            return new Val(dtype, shape, o);
        }
        int[] ia = Shapes.broadcastIndex(a.shape, shape), ib = Shapes.broadcastIndex(b.shape, shape);
        if (a.data instanceof double[] x) {
            if (fn.d() == null) throw new GraphException(op + " is not defined for " + DTypes.name(dtype));
            double[] y = b.d(), o = new double[n];
            for (int k = 0; k < n; k++) o[k] = fn.d().apply(x[ia[k]], y[ib[k]]);
            return new Val(dtype, shape, o);
        }
        if (a.data instanceof int[] || a.data instanceof long[]) {
            if (fn.l() == null) throw new GraphException(op + " is not defined for " + DTypes.name(dtype));
            Object o = DTypes.newArray(dtype, n);
            for (int k = 0; k < n; k++) {
                long r = DTypes.wrap(dtype, fn.l().apply(a.getLong(ia[k]), b.getLong(ib[k])));
                if (o instanceof int[] oi) oi[k] = (int) r; else ((long[]) o)[k] = r;
            }
            return new Val(dtype, shape, o);
        }
        throw new GraphException(op + " is not defined for " + DTypes.name(dtype));
    }

    /** Whether {@code small} broadcasts to {@code full} by repeating along leading dimensions only. */
    private static boolean isTrailing(int[] small, int[] full) {
        int off = full.length - small.length;
        boolean leading = true;
        for (int k = 0; k < small.length; k++) {
            if (small[k] == 1 && leading && full[k + off] != 1) continue;
            leading = false;
            if (small[k] != full[k + off]) return false;
        }
        return true;
    }

    private static Val compare(String op, CompareFn fn, Val a, Val b) {
        if (a.dtype != b.dtype) throw new GraphException(op + " of " + DTypes.name(a.dtype) + " and " + DTypes.name(b.dtype));
        int[] shape = Shapes.broadcast(a.shape, b.shape);
        int n = Shapes.size(shape);
        int[] ia = Shapes.broadcastIndex(a.shape, shape), ib = Shapes.broadcastIndex(b.shape, shape);
        boolean[] o = new boolean[n];
        if (a.data instanceof byte[][] x) {
            byte[][] y = b.s();
            boolean eq = op.equals("Equal");
            if (!eq && !op.equals("NotEqual")) throw new GraphException(op + " of strings");
            for (int k = 0; k < n; k++) o[k] = Arrays.equals(x[ia[k]], y[ib[k]]) == eq;
        } else if (a.data instanceof long[] x) {
            long[] y = b.l();
            for (int k = 0; k < n; k++) o[k] = fn.apply(Long.compare(x[ia[k]], y[ib[k]]), 0);
        } else {
            for (int k = 0; k < n; k++) o[k] = fn.apply(a.getDouble(ia[k]), b.getDouble(ib[k]));
        }
        return Val.bools(o, shape);
    }

    private static Val logical(Val a, Val b, boolean and) {
        int[] shape = Shapes.broadcast(a.shape, b.shape);
        int n = Shapes.size(shape);
        int[] ia = Shapes.broadcastIndex(a.shape, shape), ib = Shapes.broadcastIndex(b.shape, shape);
        boolean[] x = a.b(), y = b.b(), o = new boolean[n];
        for (int k = 0; k < n; k++) o[k] = and ? x[ia[k]] && y[ib[k]] : x[ia[k]] || y[ib[k]];
        return Val.bools(o, shape);
    }

    private static Val select(Val c, Val x, Val y) {
        int[] shape = Shapes.broadcast(Shapes.broadcast(c.shape, x.shape), y.shape);
        if (x.dtype != y.dtype) throw new GraphException("Select of " + x + " and " + y);
        int n = Shapes.size(shape);
        int[] ic = Shapes.broadcastIndex(c.shape, shape), ix = Shapes.broadcastIndex(x.shape, shape), iy = Shapes.broadcastIndex(y.shape, shape);
        boolean[] cb = c.b();
        // Sources: x's elements, then y's; take() copies whichever each position selects.
        Val both = ArrayOps.concat(new Val[] {x.reshape(new int[] {x.size()}), y.reshape(new int[] {y.size()})}, 0);
        int[] idx = new int[n];
        for (int k = 0; k < n; k++) idx[k] = cb[ic[k]] ? ix[k] : x.size() + iy[k];
        return ArrayOps.take(both, idx, shape);
    }

    private static Val biasAdd(Val x, Val bias, String format, boolean reuse) {
        int c = bias.size();
        if (format.startsWith("NC") && x.rank() > 2) {
            if (x.shape[1] != c) throw new GraphException("BiasAdd of " + c + " to " + Shapes.str(x.shape) + " (" + format + ")");
            int[] s = new int[x.rank()];
            Arrays.fill(s, 1);
            s[1] = c;
            return binary("AddV2", x, bias.reshape(s), reuse);
        }
        if (x.shape[x.rank() - 1] != c) throw new GraphException("BiasAdd of " + c + " to " + Shapes.str(x.shape));
        return binary("AddV2", x, bias, reuse);
    }

    interface LongUnary { long apply(long a); }

    private static void unary(Map<String, Op> m, String name, DoubleUnaryOperator f, LongUnary integer) {
        OpTable.put(m, name, Op.inPlace((n, in) -> unary(name, in[0], f, integer, false), (n, in) -> unary(name, in[0], f, integer, true)));
    }

    private static Val unary(String name, Val x, DoubleUnaryOperator f, LongUnary integer, boolean reuse) {
        if (x.data instanceof int[] || x.data instanceof long[]) {
            if (integer == null) throw new GraphException(name + " is not defined for " + DTypes.name(x.dtype));
            Object o = DTypes.newArray(x.dtype, x.size());
            for (int k = 0; k < x.size(); k++) {
                long r = DTypes.wrap(x.dtype, integer.apply(x.getLong(k)));
                if (o instanceof int[] oi) oi[k] = (int) r; else ((long[]) o)[k] = r;
            }
            return new Val(x.dtype, x.shape, o);
        }
        if (x.data instanceof float[] a && x.dtype == DTypes.FLOAT) {
            float[] fast = FastUnary.apply(name, a, reuse ? a : null);
            if (fast != null) return new Val(x.dtype, x.shape, fast);
        }
        return mapFloat(x, f);
    }

    static Val mapFloat(Val x, DoubleUnaryOperator f) {
        int n = x.size();
        if (x.data instanceof float[] a) {
            float[] o = new float[n];
            for (int k = 0; k < n; k++) o[k] = DTypes.round(x.dtype, (float) f.applyAsDouble(a[k]));
            return new Val(x.dtype, x.shape, o);
        }
        if (x.data instanceof double[] a) {
            double[] o = new double[n];
            for (int k = 0; k < n; k++) o[k] = f.applyAsDouble(a[k]);
            return new Val(x.dtype, x.shape, o);
        }
        throw new GraphException("expected a floating point tensor, got " + x);
    }

    private static Val predicate(Val x, java.util.function.DoublePredicate p) {
        boolean[] o = new boolean[x.size()];
        for (int k = 0; k < o.length; k++) o[k] = p.test(x.getDouble(k));
        return Val.bools(o, x.shape);
    }

    // ---- reductions ------------------------------------------------------------------------------------------------

    /** {@code x} with the reduced axes moved last: [outer..., reduced...] and the sizes of both parts. */
    private static Val reduceLayout(Val x, boolean[] reduced, int[] sizes) {
        int rank = x.rank();
        int[] perm = new int[rank];
        int j = 0;
        int outer = 1, inner = 1;
        for (int d = 0; d < rank; d++) if (!reduced[d]) { perm[j++] = d; outer *= x.shape[d]; }
        for (int d = 0; d < rank; d++) if (reduced[d]) { perm[j++] = d; inner *= x.shape[d]; }
        sizes[0] = outer;
        sizes[1] = inner;
        boolean identity = true;
        for (int d = 0; d < rank; d++) identity &= perm[d] == d;
        return identity ? x : ArrayOps.transpose(x, perm);
    }

    private static Val reduce(String op, Val x, int[] axes, boolean keep) {
        int rank = x.rank();
        boolean[] reduced = new boolean[rank];
        for (int a : axes) reduced[Shapes.axis(a, Math.max(rank, 1)) % Math.max(rank, 1)] = rank > 0;
        List<Integer> outShape = new ArrayList<>();
        for (int d = 0; d < rank; d++) if (!reduced[d]) outShape.add(x.shape[d]); else if (keep) outShape.add(1);
        int[] shape = outShape.stream().mapToInt(Integer::intValue).toArray();
        int[] sizes = new int[2];
        Val t = reduceLayout(x, reduced, sizes);
        int outer = sizes[0], inner = sizes[1];
        if (x.data instanceof boolean[] b) {
            boolean[] tb = t.b(), o = new boolean[outer];
            boolean all = op.equals("All");
            if (!all && !op.equals("Any")) throw new GraphException(op + " of booleans");
            for (int i = 0; i < outer; i++) {
                boolean acc = all;
                for (int r = 0; r < inner; r++) acc = all ? acc && tb[i * inner + r] : acc || tb[i * inner + r];
                o[i] = acc;
            }
            return Val.bools(o, shape);
        }
        if (x.data instanceof float[]) {
            float[] a = t.f(), o = new float[outer];
            for (int i = 0; i < outer; i++) {
                int base = i * inner;
                switch (op) {
                    case "Sum", "Mean", "EuclideanNorm" -> {
                        float acc = 0;
                        if (op.equals("EuclideanNorm")) for (int r = 0; r < inner; r++) acc += a[base + r] * a[base + r];
                        else for (int r = 0; r < inner; r++) acc += a[base + r];
                        o[i] = op.equals("Mean") ? acc / inner : op.equals("Sum") ? acc : (float) Math.sqrt(acc);
                    }
                    case "Max" -> { float acc = Float.NEGATIVE_INFINITY; for (int r = 0; r < inner; r++) acc = max(acc, a[base + r]); o[i] = acc; }
                    case "Min" -> { float acc = Float.POSITIVE_INFINITY; for (int r = 0; r < inner; r++) acc = min(acc, a[base + r]); o[i] = acc; }
                    case "Prod" -> { float acc = 1; for (int r = 0; r < inner; r++) acc *= a[base + r]; o[i] = acc; }
                    default -> throw new GraphException(op + " of " + DTypes.name(x.dtype));
                }
                o[i] = DTypes.round(x.dtype, o[i]);
            }
            return new Val(x.dtype, shape, o);
        }
        if (x.data instanceof double[]) {
            double[] a = t.d(), o = new double[outer];
            for (int i = 0; i < outer; i++) {
                int base = i * inner;
                double acc = switch (op) { case "Max" -> Double.NEGATIVE_INFINITY; case "Min" -> Double.POSITIVE_INFINITY; case "Prod" -> 1; default -> 0; };
                for (int r = 0; r < inner; r++) {
                    double v = a[base + r];
                    acc = switch (op) { case "Max" -> Math.max(acc, v); case "Min" -> Math.min(acc, v); case "Prod" -> acc * v;
                        case "EuclideanNorm" -> acc + v * v; default -> acc + v; };
                }
                o[i] = op.equals("Mean") ? acc / inner : op.equals("EuclideanNorm") ? Math.sqrt(acc) : acc;
            }
            return new Val(x.dtype, shape, o);
        }
        Object o = DTypes.newArray(x.dtype, outer);
        for (int i = 0; i < outer; i++) {
            int base = i * inner;
            long acc = switch (op) { case "Max" -> Long.MIN_VALUE; case "Min" -> Long.MAX_VALUE; case "Prod" -> 1; default -> 0; };
            for (int r = 0; r < inner; r++) {
                long v = t.getLong(base + r);
                acc = switch (op) { case "Max" -> Math.max(acc, v); case "Min" -> Math.min(acc, v); case "Prod" -> acc * v; default -> acc + v; };
            }
            if (op.equals("Mean") && inner > 0) acc /= inner;
            acc = DTypes.wrap(x.dtype, acc);
            if (o instanceof int[] oi) oi[i] = (int) acc; else ((long[]) o)[i] = acc;
        }
        return new Val(x.dtype, shape, o);
    }

    private static Val argReduce(Val x, int axisArg, boolean max, int outType) {
        int rank = x.rank();
        int axis = Shapes.axis(axisArg, rank);
        boolean[] reduced = new boolean[rank];
        reduced[axis] = true;
        int[] sizes = new int[2];
        Val t = reduceLayout(x, reduced, sizes);
        int outer = sizes[0], inner = sizes[1];
        long[] o = new long[outer];
        for (int i = 0; i < outer; i++) {
            int best = 0;
            double bv = t.getDouble(i * inner);
            for (int r = 1; r < inner; r++) {
                double v = t.getDouble(i * inner + r);
                if (max ? v > bv : v < bv) { bv = v; best = r; }
            }
            o[i] = best;
        }
        int[] shape = new int[rank - 1];
        for (int d = 0, j = 0; d < rank; d++) if (d != axis) shape[j++] = x.shape[d];
        return DTypes.cast(Val.longs(o, shape), outType);
    }

    private static Val cumulative(Val x, int axisArg, boolean exclusive, boolean reverse, boolean sum) {
        int axis = Shapes.axis(axisArg, x.rank());
        int len = x.shape[axis];
        int inner = 1;
        for (int d = axis + 1; d < x.rank(); d++) inner *= x.shape[d];
        int outer = x.size() / Math.max(1, len * inner);
        if (x.data instanceof float[] || x.data instanceof double[]) {
            double[] o = new double[x.size()];
            for (int a = 0; a < outer; a++) for (int i = 0; i < inner; i++) {
                double acc = sum ? 0 : 1;
                for (int s = 0; s < len; s++) {
                    int pos = reverse ? len - 1 - s : s;
                    int k = (a * len + pos) * inner + i;
                    double v = x.getDouble(k);
                    if (exclusive) { o[k] = acc; acc = sum ? acc + v : acc * v; }
                    else { acc = sum ? acc + v : acc * v; o[k] = acc; }
                }
            }
            return DTypes.cast(Val.doubles(o, x.shape), x.dtype);
        }
        long[] o = new long[x.size()];
        for (int a = 0; a < outer; a++) for (int i = 0; i < inner; i++) {
            long acc = sum ? 0 : 1;
            for (int s = 0; s < len; s++) {
                int pos = reverse ? len - 1 - s : s;
                int k = (a * len + pos) * inner + i;
                long v = x.getLong(k);
                if (exclusive) { o[k] = acc; acc = sum ? acc + v : acc * v; }
                else { acc = sum ? acc + v : acc * v; o[k] = acc; }
            }
        }
        return DTypes.cast(Val.longs(o, x.shape), x.dtype);
    }

    private static Val softmax(Val x, boolean log) {
        if (!(x.data instanceof float[] a)) throw new GraphException("Softmax of " + x);
        int c = x.shape[x.rank() - 1];
        int rows = c == 0 ? 0 : x.size() / c;
        float[] o = new float[x.size()];
        for (int r = 0; r < rows; r++) {
            int base = r * c;
            float mx = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < c; k++) mx = Math.max(mx, a[base + k]);
            double sum = 0;
            for (int k = 0; k < c; k++) sum += Math.exp(a[base + k] - mx);
            for (int k = 0; k < c; k++) {
                o[base + k] = log ? (float) (a[base + k] - mx - Math.log(sum)) : (float) (Math.exp(a[base + k] - mx) / sum);
            }
        }
        return new Val(x.dtype, x.shape, o);
    }

    // ---- matrix products -------------------------------------------------------------------------------------------

    static Val batchMatMul(Val a, Val b, boolean ta, boolean tb) {
        if (a.rank() < 2 || b.rank() < 2) throw new GraphException("matrix product of " + a + " and " + b);
        if (ta) a = swapLast(a);
        if (tb) b = swapLast(b);
        int m = a.shape[a.rank() - 2], k = a.shape[a.rank() - 1];
        int k2 = b.shape[b.rank() - 2], n = b.shape[b.rank() - 1];
        if (k != k2) throw new GraphException("matrix product of " + Shapes.str(a.shape) + " and " + Shapes.str(b.shape));
        int[] batchA = Arrays.copyOf(a.shape, a.rank() - 2), batchB = Arrays.copyOf(b.shape, b.rank() - 2);
        int[] batch = Shapes.broadcast(batchA, batchB);
        int count = Shapes.size(batch);
        int[] ia = Shapes.broadcastIndex(batchA, batch), ib = Shapes.broadcastIndex(batchB, batch);
        int[] shape = Arrays.copyOf(batch, batch.length + 2);
        shape[batch.length] = m;
        shape[batch.length + 1] = n;
        if (a.data instanceof float[] fa && b.data instanceof float[] fb) {
            float[] c = new float[Shapes.size(shape)];
            if (Shapes.size(batchB) == 1 && a.dtype == DTypes.FLOAT) {
                // One right matrix for every batch (a weight, usually): the batches of A are rows of one product, and
                // the weight is packed once and reused while its array lives.
                Gemm.multiply(count * m, fa, 0, k, Packed.of(fb, k, n), null,
                        Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, c, 0, n);
                return new Val(a.dtype, shape, c);
            }
            for (int t = 0; t < count; t++) {
                Gemm.multiplyAdd(m, n, k, fa, ia[t] * m * k, k, fb, ib[t] * k * n, n, c, t * m * n, n);
            }
            if (a.dtype != DTypes.FLOAT) for (int q = 0; q < c.length; q++) c[q] = DTypes.round(a.dtype, c[q]);
            return new Val(a.dtype, shape, c);
        }
        if (a.dtype != b.dtype) throw new GraphException("matrix product of " + a + " and " + b);
        double[] c = new double[Shapes.size(shape)];
        for (int t = 0; t < count; t++) {
            for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int q = 0; q < k; q++) acc += a.getDouble(ia[t] * m * k + i * k + q) * b.getDouble(ib[t] * k * n + q * n + j);
                c[t * m * n + i * n + j] = acc;
            }
        }
        return DTypes.cast(Val.doubles(c, shape), a.dtype);
    }

    private static Val swapLast(Val x) {
        int r = x.rank();
        int[] perm = new int[r];
        for (int d = 0; d < r; d++) perm[d] = d;
        perm[r - 2] = r - 1;
        perm[r - 1] = r - 2;
        return ArrayOps.transpose(x, perm);
    }

    /**
     * Two-operand einsum as one batched matrix product: letters in both inputs and the output are batch, in both
     * inputs only are contracted, in one input and the output are that side's free letters; a letter in one input
     * only is summed out first.
     */
    static Val einsum(String equation, Val a, Val b) {
        String eq = equation.replace(" ", "");
        int arrow = eq.indexOf("->");
        if (arrow < 0) throw new GraphException("Einsum equation '" + equation + "' has no output");
        String[] ins = eq.substring(0, arrow).split(",");
        if (ins.length != 2) throw new GraphException("Einsum equation '" + equation + "' does not have two inputs");
        String out = eq.substring(arrow + 2);
        // Expand "..." into letters not used elsewhere.
        int ellA = ins[0].contains("...") ? a.rank() - (ins[0].length() - 3) : 0;
        int ellB = ins[1].contains("...") ? b.rank() - (ins[1].length() - 3) : 0;
        int ell = Math.max(ellA, ellB);
        StringBuilder spare = new StringBuilder();
        for (char c = 'A'; c <= 'Z' && spare.length() < ell; c++) if (eq.indexOf(c) < 0) spare.append(c);
        String sa = ins[0].replace("...", spare.substring(ell - ellA));
        String sb = ins[1].replace("...", spare.substring(ell - ellB));
        String so = out.replace("...", spare.toString());
        if (sa.length() != a.rank() || sb.length() != b.rank()) {
            throw new GraphException("Einsum '" + equation + "' of ranks " + a.rank() + " and " + b.rank());
        }
        Map<Character, Integer> dims = new HashMap<>();
        for (int k = 0; k < sa.length(); k++) dims.merge(sa.charAt(k), a.shape[k], (x, y) -> checkDim(x, y, equation));
        for (int k = 0; k < sb.length(); k++) dims.merge(sb.charAt(k), b.shape[k], (x, y) -> checkDim(x, y, equation));
        a = sumOut(a, sa, sb + so);
        sa = keepLetters(sa, sb + so);
        b = sumOut(b, sb, sa + so);
        sb = keepLetters(sb, sa + so);
        StringBuilder batch = new StringBuilder(), contract = new StringBuilder(), freeA = new StringBuilder(), freeB = new StringBuilder();
        for (char c : sa.toCharArray()) {
            boolean inB = sb.indexOf(c) >= 0, inO = so.indexOf(c) >= 0;
            if (inB && inO) batch.append(c); else if (inB) contract.append(c); else freeA.append(c);
        }
        for (char c : sb.toCharArray()) if (sa.indexOf(c) < 0) freeB.append(c);
        Val ta = arrange(a, sa, batch + "" + freeA + contract);
        Val tb = arrange(b, sb, batch + "" + contract + freeB);
        int nb = product(dims, batch), m = product(dims, freeA), k = product(dims, contract), n = product(dims, freeB);
        Val prod = batchMatMul(ta.reshape(new int[] {nb, m, k}), tb.reshape(new int[] {nb, k, n}), false, false);
        String have = batch + "" + freeA + freeB;
        int[] haveShape = new int[have.length()];
        for (int q = 0; q < have.length(); q++) haveShape[q] = dims.get(have.charAt(q));
        if (so.length() != have.length()) throw new GraphException("Einsum '" + equation + "': output letters " + so + " vs " + have);
        return arrange(prod.reshape(haveShape), have, so);
    }

    private static Integer checkDim(int x, int y, String eq) {
        if (x != y) throw new GraphException("Einsum '" + eq + "': one letter has sizes " + x + " and " + y);
        return x;
    }

    private static int product(Map<Character, Integer> dims, CharSequence letters) {
        int p = 1;
        for (int q = 0; q < letters.length(); q++) p *= dims.get(letters.charAt(q));
        return p;
    }

    private static String keepLetters(String s, String others) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) if (others.indexOf(c) >= 0) out.append(c);
        return out.toString();
    }

    private static Val sumOut(Val x, String letters, String others) {
        List<Integer> axes = new ArrayList<>();
        for (int q = 0; q < letters.length(); q++) if (others.indexOf(letters.charAt(q)) < 0) axes.add(q);
        if (axes.isEmpty()) return x;
        return reduce("Sum", x, axes.stream().mapToInt(Integer::intValue).toArray(), false);
    }

    private static Val arrange(Val x, String from, String to) {
        if (from.equals(to)) return x;
        int[] perm = new int[to.length()];
        for (int q = 0; q < perm.length; q++) {
            perm[q] = from.indexOf(to.charAt(q));
            if (perm[q] < 0) throw new GraphException("Einsum letter '" + to.charAt(q) + "' missing");
        }
        return ArrayOps.transpose(x, perm);
    }
}
