package io.keras4j.tfgraph;

import io.keras4j.runtime.math.FarmHash;
import io.keras4j.tensor.HalfFloat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Ops of preprocessing layers: bucketizing, counting, hashing, strings, top-k and the like. */
final class MiscOps {
    private MiscOps() {}

    static void register(Map<String, Op> m) {
        OpTable.put(m, "Bitcast", (Op.Simple) (n, in) -> bitcast(in[0], n.type("type")));
        OpTable.put(m, "Bucketize", (Op.Simple) (n, in) -> bucketize(in[0], n.attr("boundaries").getList().getFList()));
        OpTable.put(m, "DenseBincount", (Op.Simple) (n, in) -> denseBincount(in[0], in[1], in[2], n.b("binary_output", false)));
        OpTable.put(m, "AsString", (Op.Simple) MiscOps::asString);
        OpTable.put(m, "StringToHashBucketFast", (Op.Simple) (n, in) -> {
            long buckets = n.i("num_buckets");
            if (buckets < 1) throw new GraphException("num_buckets must be at least 1, not " + buckets);
            byte[][] s = strings(in[0], "StringToHashBucketFast");
            long[] out = new long[s.length];
            for (int k = 0; k < s.length; k++) out[k] = Long.remainderUnsigned(FarmHash.fingerprint64(s[k]), buckets);
            return new Val(DTypes.INT64, in[0].shape, out);
        });
        OpTable.put(m, "TopKV2", Op.named((n, in, e) -> topK(in[0], in[1], n.type("index_type", DTypes.INT32)), "values", "indices"));
        OpTable.put(m, "Unique", Op.named((n, in, e) -> unique(in[0], n.type("out_idx", DTypes.INT32)), "y", "idx"));
        LookupOps.register(m);
        TextOps.register(m);
    }

    private static byte[][] strings(Val v, String op) {
        if (v.dtype != DTypes.STRING) throw new GraphException(op + " takes strings, not " + DTypes.name(v.dtype));
        return v.s();
    }

    /**
     * The index of the first boundary greater than each value (C++'s upper_bound), so a value equal to a boundary
     * falls in the bucket above it. Integers compare as floats, as TensorFlow's comparison with its float
     * boundaries converts them.
     */
    static Val bucketize(Val x, List<Float> boundaryList) {
        if (!DTypes.isNumeric(x.dtype)) throw new GraphException("Bucketize of " + DTypes.name(x.dtype));
        float[] boundaries = new float[boundaryList.size()];
        for (int k = 0; k < boundaries.length; k++) {
            boundaries[k] = boundaryList.get(k);
            if (k > 0 && !(boundaries[k - 1] <= boundaries[k])) throw new GraphException("Bucketize boundaries must be sorted, got " + boundaryList);
        }
        int n = x.size();
        int[] out = new int[n];
        for (int k = 0; k < n; k++) {
            double v = x.dtype == DTypes.DOUBLE ? x.d()[k] : (float) x.getDouble(k);
            int lo = 0, hi = boundaries.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (v < boundaries[mid]) hi = mid; else lo = mid + 1;
            }
            out[k] = lo;
        }
        return new Val(DTypes.INT32, x.shape, out);
    }

    /**
     * Counts of each value below {@code size} per row of a vector or matrix (values at or above size are dropped,
     * negative ones refused): 1 per occurrence, the occurrence's weight, or with binary_output just 1 where present.
     */
    static Val denseBincount(Val x, Val sizeVal, Val weights, boolean binary) {
        if (x.rank() > 2) throw new GraphException("DenseBincount input must be at most rank 2, not rank " + x.rank());
        if (!DTypes.isInt(x.dtype) && !DTypes.isLong(x.dtype)) throw new GraphException("DenseBincount input must be integers, not " + DTypes.name(x.dtype));
        if (sizeVal.rank() != 0) throw new GraphException("DenseBincount size must be a scalar, not " + Shapes.str(sizeVal.shape));
        boolean weighted = weights.size() > 0;
        if (weighted && !Arrays.equals(weights.shape, x.shape)) {
            throw new GraphException("DenseBincount weights " + Shapes.str(weights.shape) + " must have the input's shape " + Shapes.str(x.shape) + " or be empty");
        }
        long size = sizeVal.getLong(0);
        if (size < 0) throw new GraphException("DenseBincount size (" + size + ") must be non-negative");
        if (size > Integer.MAX_VALUE) throw new GraphException("DenseBincount size " + size + " is too large");
        int rows = x.rank() == 2 ? x.shape[0] : 1, cols = x.rank() == 0 ? 1 : x.shape[x.rank() - 1];
        int[] shape = x.rank() == 2 ? new int[] {rows, (int) size} : new int[] {(int) size};
        int dtype = weights.dtype;
        Val out = Val.zeros(dtype, shape);
        double[] acc = new double[Shapes.size(shape)];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int k = r * cols + c;
                long v = x.getLong(k);
                if (v < 0) throw new GraphException("DenseBincount input must be non-negative, found " + v);
                if (v >= size) continue;
                int at = (int) (r * size + v);
                acc[at] = binary ? 1 : acc[at] + (weighted ? weights.getDouble(k) : 1);
            }
        }
        for (int k = 0; k < acc.length; k++) {
            if (out.data instanceof float[] f) f[k] = DTypes.round(dtype, (float) acc[k]);
            else if (out.data instanceof double[] d) d[k] = acc[k];
            else if (out.data instanceof int[] i) i[k] = (int) acc[k];
            else if (out.data instanceof long[] l) l[k] = (long) acc[k];
            else throw new GraphException("DenseBincount of " + DTypes.name(dtype) + " weights");
        }
        return out;
    }

    /** AsString: numbers and booleans printed as TensorFlow's printf-built format prints them. */
    private static Val asString(Node n, Val[] in) {
        Val x = in[0];
        boolean scientific = n.b("scientific", false), shortest = n.b("shortest", false);
        int precision = (int) n.i("precision", -1), width = (int) n.i("width", -1);
        String fill = n.s("fill", "");
        if (scientific && shortest) throw new GraphException("AsString cannot select both scientific and shortest notation");
        // Bounds what a malformed graph can make every element allocate.
        if (width > 4096 || precision > 4096) throw new GraphException("AsString width " + width + " or precision " + precision + " is too large");
        boolean floating = DTypes.isFloat(x.dtype) || x.dtype == DTypes.DOUBLE;
        if (!floating && (precision > -1 || scientific || shortest)) {
            throw new GraphException("AsString precision, scientific and shortest apply to floats, not " + DTypes.name(x.dtype));
        }
        int count = x.size();
        byte[][] out = new byte[count][];
        if (x.dtype == DTypes.BOOL || x.dtype == DTypes.STRING) {
            if (width > -1) throw new GraphException("AsString width of " + DTypes.name(x.dtype) + " is not supported");
            for (int k = 0; k < count; k++) out[k] = x.dtype == DTypes.STRING ? x.s()[k] : (x.b()[k] ? "true" : "false").getBytes(StandardCharsets.UTF_8);
            return new Val(DTypes.STRING, x.shape, out);
        }
        if (!DTypes.isNumeric(x.dtype)) throw new GraphException("AsString of " + DTypes.name(x.dtype));
        AsStringFormat format = new AsStringFormat(floating ? (shortest ? 'g' : scientific ? 'e' : 'f') : 'd', fill, width, precision);
        for (int k = 0; k < count; k++) {
            String s = floating ? format.floating(x.getDouble(k))
                    : x.dtype == DTypes.UINT64 ? format.unsigned(x.getLong(k)) : format.integer(x.getLong(k));
            out[k] = s.getBytes(StandardCharsets.UTF_8);
        }
        return new Val(DTypes.STRING, x.shape, out);
    }

    /**
     * The k largest entries of each last-axis row, largest first, equal values in index order (TensorFlow's stable
     * order), and their indices. Around NaN TensorFlow's order depends on the NaN's position (its comparator is
     * not a total order); here NaN sorts first.
     */
    static Val[] topK(Val x, Val kVal, int indexType) {
        if (x.rank() < 1) throw new GraphException("TopKV2 input must be at least rank 1, not a scalar");
        if (kVal.rank() != 0) throw new GraphException("TopKV2 k must be a scalar, not " + Shapes.str(kVal.shape));
        long k = kVal.getLong(0);
        int n = x.shape[x.rank() - 1];
        if (k < 0) throw new GraphException("TopKV2 k must be non-negative, got " + k);
        if (k > n) throw new GraphException("TopKV2 input must have at least k=" + k + " columns, has " + n);
        int kk = (int) k;
        int rows = n == 0 ? 0 : x.size() / n;
        int[] outShape = x.shape.clone();
        outShape[outShape.length - 1] = kk;
        int[] take = new int[Shapes.size(outShape)];
        long[] indices = new long[take.length];
        Integer[] order = new Integer[n];
        for (int r = 0; r < rows; r++) {
            int base = r * n;
            for (int j = 0; j < n; j++) order[j] = j;
            Arrays.sort(order, (a, b) -> {
                int c = compareDescending(x, base + a, base + b);
                return c != 0 ? c : Integer.compare(a, b);
            });
            for (int j = 0; j < kk; j++) {
                take[r * kk + j] = base + order[j];
                indices[r * kk + j] = order[j];
            }
        }
        Val idx = DTypes.cast(Val.longs(indices, outShape), indexType);
        return new Val[] {ArrayOps.take(x, take, outShape), idx};
    }

    private static int compareDescending(Val x, int a, int b) {
        if (x.data instanceof long[] l) return Long.compare(l[b], l[a]);
        if (x.data instanceof int[] i) return Integer.compare(i[b], i[a]);
        double va = x.getDouble(a), vb = x.getDouble(b);
        if (Double.isNaN(va) || Double.isNaN(vb)) return Double.isNaN(va) == Double.isNaN(vb) ? 0 : Double.isNaN(va) ? -1 : 1;
        return va == vb ? 0 : va > vb ? -1 : 1;
    }

    /** The distinct values of a vector in order of first appearance, and each element's index among them. */
    static Val[] unique(Val x, int indexType) {
        if (x.rank() != 1) throw new GraphException("Unique takes a vector, not shape " + Shapes.str(x.shape));
        int n = x.size();
        Map<Object, Integer> seen = new HashMap<>();
        int[] firsts = new int[n];
        long[] idx = new long[n];
        int count = 0;
        for (int k = 0; k < n; k++) {
            Object key = key(x, k);
            Integer at = seen.get(key);
            if (at == null) {
                at = count;
                seen.put(key, at);
                firsts[count++] = k;
            }
            idx[k] = at;
        }
        return new Val[] {ArrayOps.take(x, Arrays.copyOf(firsts, count), new int[] {count}),
                DTypes.cast(Val.longs(idx, n), indexType)};
    }

    private static Object key(Val x, int k) {
        if (x.data instanceof byte[][] s) return new String(s[k], StandardCharsets.ISO_8859_1);
        if (x.data instanceof float[] f) return f[k] == 0 ? 0f : f[k];
        if (x.data instanceof double[] d) return d[k] == 0 ? 0d : d[k];
        if (x.data instanceof boolean[] b) return b[k];
        return x.getLong(k);
    }

    /** Bytes per element of the numeric dtypes Bitcast reinterprets; 0 for the others. */
    static int byteSize(int dtype) {
        return switch (dtype) {
            case DTypes.UINT8, DTypes.INT8 -> 1;
            case DTypes.HALF, DTypes.BFLOAT16, DTypes.INT16, DTypes.UINT16 -> 2;
            case DTypes.FLOAT, DTypes.INT32, DTypes.UINT32 -> 4;
            case DTypes.DOUBLE, DTypes.INT64, DTypes.UINT64 -> 8;
            default -> 0;
        };
    }

    /**
     * The same bytes (little-endian, as on TensorFlow's CPUs) seen as {@code to}: a wider type eats the last
     * dimension (which must be the width ratio), a narrower one adds it.
     */
    static Val bitcast(Val x, int to) {
        int from = x.dtype, inSize = byteSize(from), outSize = byteSize(to);
        if (inSize == 0 || outSize == 0) throw new GraphException("Bitcast from " + DTypes.name(from) + " to " + DTypes.name(to) + " is not supported");
        int[] shape;
        if (inSize == outSize) shape = x.shape;
        else if (inSize > outSize) {
            shape = Arrays.copyOf(x.shape, x.rank() + 1);
            shape[x.rank()] = inSize / outSize;
        } else {
            if (x.rank() == 0 || x.shape[x.rank() - 1] != outSize / inSize) {
                throw new GraphException("Bitcast of shape " + Shapes.str(x.shape) + " from " + DTypes.name(from) + " to "
                        + DTypes.name(to) + " needs a last dimension of " + outSize / inSize);
            }
            shape = Arrays.copyOf(x.shape, x.rank() - 1);
        }
        int n = x.size();
        if ((long) n * inSize > Integer.MAX_VALUE - 16) throw new GraphException("Bitcast of " + Shapes.str(x.shape) + " has more than 2^31 bytes");
        ByteBuffer b = ByteBuffer.allocate(n * inSize).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < n; k++) {
            switch (from) {
                case DTypes.FLOAT -> b.putFloat(x.f()[k]);
                case DTypes.DOUBLE -> b.putDouble(x.d()[k]);
                case DTypes.HALF -> b.putShort(HalfFloat.fromFloat(x.f()[k]));
                case DTypes.BFLOAT16 -> b.putShort((short) (Float.floatToRawIntBits(x.f()[k]) >>> 16));
                default -> {
                    long v = x.getLong(k);
                    switch (inSize) {
                        case 1 -> b.put((byte) v);
                        case 2 -> b.putShort((short) v);
                        case 4 -> b.putInt((int) v);
                        default -> b.putLong(v);
                    }
                }
            }
        }
        b.flip();
        int count = Shapes.size(shape);
        Object out = DTypes.newArray(to, count);
        for (int k = 0; k < count; k++) {
            switch (to) {
                case DTypes.FLOAT -> ((float[]) out)[k] = b.getFloat();
                case DTypes.DOUBLE -> ((double[]) out)[k] = b.getDouble();
                case DTypes.HALF -> ((float[]) out)[k] = HalfFloat.toFloat(b.getShort());
                case DTypes.BFLOAT16 -> ((float[]) out)[k] = Float.intBitsToFloat((b.getShort() & 0xFFFF) << 16);
                default -> {
                    long v = switch (outSize) {
                        case 1 -> b.get();
                        case 2 -> b.getShort();
                        case 4 -> b.getInt();
                        default -> b.getLong();
                    };
                    v = DTypes.wrap(to, v);
                    if (out instanceof int[] o) o[k] = (int) v; else ((long[]) out)[k] = v;
                }
            }
        }
        return new Val(to, shape, out);
    }
}
