package io.keras4j.tfgraph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Shape ops: reshape, transpose, slicing, gathering, concatenation, padding, tiling. Most compute, for each output
 * element, the flat index of the input element it copies ({@link #take}), which works for every dtype alike.
 */
final class ArrayOps {
    private ArrayOps() {}

    static void register(Map<String, Op> m) {
        OpTable.put(m, "Shape", (Op.Simple) (n, in) -> shapeVal(in[0].shape, n.type("out_type", DTypes.INT32)));
        OpTable.put(m, "ShapeN", (n, in, e) -> {
            Val[] out = new Val[in.length];
            for (int k = 0; k < in.length; k++) out[k] = shapeVal(in[k].shape, n.type("out_type", DTypes.INT32));
            return out;
        });
        OpTable.put(m, "Size", (Op.Simple) (n, in) -> n.type("out_type", DTypes.INT32) == DTypes.INT64
                ? Val.longs(new long[] {in[0].size()}) : Val.scalarInt(in[0].size()));
        OpTable.put(m, "Rank", (Op.Simple) (n, in) -> Val.scalarInt(in[0].rank()));
        OpTable.put(m, "Reshape", (Op.Simple) (n, in) -> in[0].reshape(reshapeTarget(in[0], in[1].toInts())));
        OpTable.put(m, "ExpandDims", (Op.Simple) (n, in) -> {
            int rank = in[0].rank();
            int axis = (int) in[1].getLong(0);
            if (axis < 0) axis += rank + 1;
            if (axis < 0 || axis > rank) throw new GraphException("ExpandDims axis " + in[1].getLong(0) + " for rank " + rank);
            int[] s = new int[rank + 1];
            for (int k = 0, j = 0; k <= rank; k++) s[k] = k == axis ? 1 : in[0].shape[j++];
            return in[0].reshape(s);
        });
        OpTable.put(m, "Squeeze", (Op.Simple) (n, in) -> {
            int[] dims = n.ints("squeeze_dims");
            if (dims == null) dims = n.ints("axis");
            int rank = in[0].rank();
            boolean[] drop = new boolean[rank];
            if (dims == null || dims.length == 0) for (int k = 0; k < rank; k++) drop[k] = in[0].shape[k] == 1;
            else for (int d : dims) {
                int a = Shapes.axis(d, rank);
                if (in[0].shape[a] != 1) throw new GraphException("Squeeze of dimension " + a + " of size " + in[0].shape[a]);
                drop[a] = true;
            }
            List<Integer> s = new ArrayList<>();
            for (int k = 0; k < rank; k++) if (!drop[k]) s.add(in[0].shape[k]);
            return in[0].reshape(s.stream().mapToInt(Integer::intValue).toArray());
        });
        OpTable.put(m, "ConcatV2", (Op.Simple) (n, in) -> concat(Arrays.copyOf(in, in.length - 1), (int) in[in.length - 1].getLong(0)));
        OpTable.put(m, "Concat", (Op.Simple) (n, in) -> concat(Arrays.copyOfRange(in, 1, in.length), (int) in[0].getLong(0)));
        OpTable.put(m, "Pack", (Op.Simple) (n, in) -> {
            int axis = (int) n.i("axis", 0);
            int rank = in[0].rank();
            if (axis < 0) axis += rank + 1;
            for (Val v : in) if (!Arrays.equals(v.shape, in[0].shape)) throw new GraphException("Pack of shapes " + Shapes.str(in[0].shape) + " and " + Shapes.str(v.shape));
            return stack(in, axis, in[0].dtype, in[0].shape);
        });
        OpTable.put(m, "Unpack", (n, in, e) -> unstack(in[0], Shapes.axis((int) n.i("axis", 0), in[0].rank())));
        OpTable.put(m, "Transpose", (Op.Simple) (n, in) -> transpose(in[0], in[1].toInts()));
        OpTable.put(m, "StridedSlice", (Op.Simple) ArrayOps::stridedSlice);
        OpTable.put(m, "Slice", (Op.Simple) (n, in) -> {
            Val x = in[0];
            int[] begin = in[1].toInts();
            int[] size = in[2].toInts();
            int rank = x.rank();
            if (begin.length != rank || size.length != rank) throw new GraphException("Slice begin/size do not match rank " + rank);
            int[] steps = new int[rank];
            for (int k = 0; k < rank; k++) {
                if (size[k] == -1) size[k] = x.shape[k] - begin[k];
                if (begin[k] < 0 || size[k] < 0 || begin[k] + size[k] > x.shape[k]) {
                    throw new GraphException("Slice begin " + Arrays.toString(begin) + " size " + Arrays.toString(in[2].toInts()) + " of " + Shapes.str(x.shape));
                }
                steps[k] = 1;
            }
            return take(x, strided(x.shape, begin, steps, size), size);
        });
        OpTable.put(m, "GatherV2", (Op.Simple) (n, in) -> {
            if (n.i("batch_dims", 0) != 0) throw new GraphException("GatherV2 with batch_dims " + n.i("batch_dims", 0) + " is not supported");
            return gather(in[0], in[1], Shapes.axis((int) in[2].getLong(0), in[0].rank()));
        });
        OpTable.put(m, "Gather", (Op.Simple) (n, in) -> gather(in[0], in[1], 0));
        OpTable.put(m, "Fill", (Op.Simple) (n, in) -> {
            int[] shape = in[0].toInts();
            int size = Shapes.size(shape);
            return take(in[1], new int[size], shape);
        });
        OpTable.put(m, "ZerosLike", (Op.Simple) (n, in) -> Val.zeros(in[0].dtype, in[0].shape));
        OpTable.put(m, "OnesLike", (Op.Simple) (n, in) -> take(DTypes.cast(Val.scalar(1), in[0].dtype), new int[in[0].size()], in[0].shape));
        OpTable.put(m, "Tile", (Op.Simple) (n, in) -> {
            Val x = in[0];
            int[] mult = in[1].toInts();
            if (mult.length != x.rank()) throw new GraphException("Tile multiples " + Arrays.toString(mult) + " for rank " + x.rank());
            int[] out = new int[x.rank()];
            for (int k = 0; k < out.length; k++) out[k] = x.shape[k] * mult[k];
            return take(x, mapped(x.shape, out, (dim, o) -> o % x.shape[dim]), out);
        });
        OpTable.put(m, "Split", (n, in, e) -> {
            Val x = in[1];
            int axis = Shapes.axis((int) in[0].getLong(0), x.rank());
            int parts = (int) n.i("num_split");
            if (parts <= 0 || x.shape[axis] % parts != 0) throw new GraphException("Split of " + x.shape[axis] + " into " + parts);
            int[] sizes = new int[parts];
            Arrays.fill(sizes, x.shape[axis] / parts);
            return split(x, axis, sizes);
        });
        OpTable.put(m, "SplitV", (n, in, e) -> {
            Val x = in[0];
            int axis = Shapes.axis((int) in[2].getLong(0), x.rank());
            int[] sizes = in[1].toInts();
            int known = 0, unknown = -1;
            for (int k = 0; k < sizes.length; k++) if (sizes[k] == -1) unknown = k; else known += sizes[k];
            if (unknown >= 0) sizes[unknown] = x.shape[axis] - known;
            return split(x, axis, sizes);
        });
        Op pad = (Op.Simple) (n, in) -> pad(in[0], in[1], in.length > 2 ? in[2] : null, null);
        OpTable.put(m, "Pad", pad);
        OpTable.put(m, "PadV2", pad);
        OpTable.put(m, "MirrorPad", (Op.Simple) (n, in) -> pad(in[0], in[1], null, n.s("mode", "REFLECT")));
        OpTable.put(m, "ReverseV2", (Op.Simple) (n, in) -> {
            Val x = in[0];
            boolean[] rev = new boolean[x.rank()];
            for (int a : in[1].toInts()) rev[Shapes.axis(a, x.rank())] = true;
            return take(x, mapped(x.shape, x.shape, (dim, o) -> rev[dim] ? x.shape[dim] - 1 - o : o), x.shape);
        });
        OpTable.put(m, "BroadcastTo", (Op.Simple) (n, in) -> broadcastTo(in[0], in[1].toInts()));
        OpTable.put(m, "BroadcastArgs", (Op.Simple) (n, in) -> {
            int[] s = Shapes.broadcast(in[0].toInts(), in[1].toInts());
            return in[0].dtype == DTypes.INT64 ? Val.longs(Arrays.stream(s).asLongStream().toArray(), s.length) : Val.ints(s, s.length);
        });
        OpTable.put(m, "Where", (Op.Simple) (n, in) -> {
            Val x = in[0];
            int rank = x.rank();
            int[] strides = Shapes.strides(x.shape);
            List<Integer> hits = new ArrayList<>();
            for (int k = 0; k < x.size(); k++) if (x.data instanceof boolean[] b ? b[k] : x.getDouble(k) != 0) hits.add(k);
            long[] out = new long[hits.size() * rank];
            for (int h = 0; h < hits.size(); h++) {
                int flat = hits.get(h);
                for (int d = 0; d < rank; d++) out[h * rank + d] = (flat / strides[d]) % x.shape[d];
            }
            return Val.longs(out, hits.size(), rank);
        });
        OpTable.put(m, "OneHot", (Op.Simple) (n, in) -> {
            Val idx = in[0];
            int depth = (int) in[1].getLong(0);
            int axis = (int) n.i("axis", -1);
            int rank = idx.rank();
            if (axis == -1) axis = rank;
            int[] shape = new int[rank + 1];
            for (int k = 0, j = 0; k <= rank; k++) shape[k] = k == axis ? depth : idx.shape[j++];
            int size = Shapes.size(shape);
            // Index 0 of the source is "off", 1 is "on".
            Val onOff = concat(new Val[] {in[3].reshape(new int[] {1}), in[2].reshape(new int[] {1})}, 0);
            int[] map = new int[size];
            int[] strides = Shapes.strides(shape);
            for (int o = 0; o < size; o++) {
                int depthAt = (o / strides[axis]) % depth;
                int outer = o / (strides[axis] * depth);
                int inner = o % strides[axis];
                int src = outer * strides[axis] + inner;
                map[o] = idx.getLong(src) == depthAt ? 1 : 0;
            }
            return take(onOff, map, shape);
        });
        OpTable.put(m, "Range", (Op.Simple) (n, in) -> {
            int dtype = in[0].dtype;
            double start = in[0].getDouble(0), limit = in[1].getDouble(0), delta = in[2].getDouble(0);
            if (delta == 0) throw new GraphException("Range with delta 0");
            long count = (long) Math.max(0, Math.ceil((limit - start) / delta));
            if (count > Integer.MAX_VALUE - 16) throw new GraphException("Range of " + count + " elements");
            int c = (int) count;
            if (DTypes.isFloat(dtype) || dtype == DTypes.DOUBLE) {
                double[] v = new double[c];
                for (int k = 0; k < c; k++) v[k] = start + k * delta;
                return DTypes.cast(Val.doubles(v, c), dtype);
            }
            long[] v = new long[c];
            long s = in[0].getLong(0), d = in[2].getLong(0);
            for (int k = 0; k < c; k++) v[k] = s + k * d;
            return DTypes.cast(Val.longs(v, c), dtype);
        });
    }

    static Val shapeVal(int[] shape, int dtype) {
        if (dtype == DTypes.INT64) return Val.longs(Arrays.stream(shape).asLongStream().toArray(), shape.length);
        return Val.ints(shape.clone(), shape.length);
    }

    static int[] reshapeTarget(Val x, int[] shape) {
        int known = 1, unknown = -1;
        for (int k = 0; k < shape.length; k++) {
            if (shape[k] == -1) {
                if (unknown >= 0) throw new GraphException("Reshape to " + Arrays.toString(shape) + " has two -1");
                unknown = k;
            } else if (shape[k] < 0) {
                throw new GraphException("Reshape to " + Arrays.toString(shape));
            } else known = Math.multiplyExact(known, shape[k]);
        }
        int[] out = shape.clone();
        int size = x.size();
        if (unknown >= 0) {
            if (known == 0 || size % known != 0) throw new GraphException("Reshape of " + Shapes.str(x.shape) + " to " + Arrays.toString(shape));
            out[unknown] = size / known;
        } else if (known != size) {
            throw new GraphException("Reshape of " + Shapes.str(x.shape) + " (" + size + " elements) to " + Arrays.toString(shape));
        }
        return out;
    }

    /** A new value of {@code shape} whose element {@code k} is {@code src}'s element {@code idx[k]}. */
    static Val take(Val src, int[] idx, int[] shape) {
        int n = idx.length;
        Object out = DTypes.newArray(src.dtype, n);
        Object s = src.data;
        if (s instanceof float[] a) { float[] o = (float[]) out; for (int k = 0; k < n; k++) o[k] = a[idx[k]]; }
        else if (s instanceof double[] a) { double[] o = (double[]) out; for (int k = 0; k < n; k++) o[k] = a[idx[k]]; }
        else if (s instanceof int[] a) { int[] o = (int[]) out; for (int k = 0; k < n; k++) o[k] = a[idx[k]]; }
        else if (s instanceof long[] a) { long[] o = (long[]) out; for (int k = 0; k < n; k++) o[k] = a[idx[k]]; }
        else if (s instanceof boolean[] a) { boolean[] o = (boolean[]) out; for (int k = 0; k < n; k++) o[k] = a[idx[k]]; }
        else { Object[] a = (Object[]) s; Object[] o = (Object[]) out; for (int k = 0; k < n; k++) o[k] = a[idx[k]]; }
        return new Val(src.dtype, shape, out);
    }

    interface DimMap { int map(int dim, int outIndex); }

    /** For each element of {@code out}, the flat index in {@code in} whose coordinate d is {@code f(d, out coordinate d)}. */
    static int[] mapped(int[] in, int[] out, DimMap f) {
        int rank = out.length;
        int n = Shapes.size(out);
        int[] inStrides = Shapes.strides(in);
        int[][] table = new int[rank][];
        for (int d = 0; d < rank; d++) {
            table[d] = new int[out[d]];
            for (int o = 0; o < out[d]; o++) table[d][o] = f.map(d, o) * inStrides[d];
        }
        return combine(table, out, n);
    }

    private static int[] combine(int[][] table, int[] out, int n) {
        int rank = out.length;
        int[] idx = new int[n];
        if (n == 0) return idx;
        int[] c = new int[rank];
        int flat = 0;
        for (int d = 0; d < rank; d++) flat += table[d][0];
        for (int e = 0; e < n; e++) {
            idx[e] = flat;
            for (int d = rank - 1; d >= 0; d--) {
                flat -= table[d][c[d]];
                c[d]++;
                if (c[d] < out[d]) {
                    flat += table[d][c[d]];
                    break;
                }
                c[d] = 0;
                flat += table[d][0];
            }
        }
        return idx;
    }

    static int[] strided(int[] in, int[] begin, int[] step, int[] size) {
        return mapped(in, size, (d, o) -> begin[d] + o * step[d]);
    }

    static Val transpose(Val x, int[] perm) {
        int rank = x.rank();
        if (perm.length != rank) throw new GraphException("Transpose perm " + Arrays.toString(perm) + " for rank " + rank);
        int[] out = new int[rank];
        int[] inStrides = Shapes.strides(x.shape);
        int[][] table = new int[rank][];
        boolean[] seen = new boolean[rank];
        for (int d = 0; d < rank; d++) {
            int p = Shapes.axis(perm[d], rank);
            if (seen[p]) throw new GraphException("Transpose perm " + Arrays.toString(perm) + " repeats an axis");
            seen[p] = true;
            out[d] = x.shape[p];
            table[d] = new int[out[d]];
            for (int o = 0; o < out[d]; o++) table[d][o] = o * inStrides[p];
        }
        return take(x, combine(table, out, Shapes.size(out)), out);
    }

    static Val concat(Val[] parts, int axisArg) {
        if (parts.length == 0) throw new GraphException("Concat of nothing");
        int rank = parts[0].rank();
        int axis = Shapes.axis(axisArg, rank);
        int[] shape = parts[0].shape.clone();
        shape[axis] = 0;
        for (Val p : parts) {
            if (p.rank() != rank || p.dtype != parts[0].dtype) throw new GraphException("Concat of " + parts[0] + " and " + p);
            for (int d = 0; d < rank; d++) if (d != axis && p.shape[d] != parts[0].shape[d]) throw new GraphException("Concat of " + parts[0] + " and " + p);
            shape[axis] += p.shape[axis];
        }
        int outer = 1;
        for (int d = 0; d < axis; d++) outer *= shape[d];
        int inner = 1;
        for (int d = axis + 1; d < rank; d++) inner *= shape[d];
        Object out = DTypes.newArray(parts[0].dtype, Shapes.size(shape));
        int row = shape[axis] * inner;
        int at = 0;
        for (Val p : parts) {
            int chunk = p.shape[axis] * inner;
            for (int o = 0; o < outer; o++) System.arraycopy(p.data, o * chunk, out, o * row + at, chunk);
            at += chunk;
        }
        return new Val(parts[0].dtype, shape, out);
    }

    static Val stack(Val[] items, int axis, int dtype, int[] elem) {
        int[] expanded = new int[elem.length + 1];
        for (int k = 0, j = 0; k < expanded.length; k++) expanded[k] = k == axis ? 1 : elem[j++];
        if (items.length == 0) {
            expanded[axis] = 0;
            return Val.zeros(dtype, expanded);
        }
        Val[] parts = new Val[items.length];
        for (int k = 0; k < items.length; k++) parts[k] = items[k].reshape(expanded);
        return concat(parts, axis);
    }

    static Val[] unstack(Val x, int axis) {
        int count = x.shape[axis];
        int[] sizes = new int[count];
        Arrays.fill(sizes, 1);
        Val[] parts = split(x, axis, sizes);
        int[] elem = new int[x.rank() - 1];
        for (int k = 0, j = 0; k < x.rank(); k++) if (k != axis) elem[j++] = x.shape[k];
        for (int k = 0; k < count; k++) parts[k] = parts[k].reshape(elem);
        return parts;
    }

    static Val[] split(Val x, int axis, int[] sizes) {
        int total = 0;
        for (int s : sizes) {
            if (s < 0) throw new GraphException("split sizes " + Arrays.toString(sizes));
            total += s;
        }
        if (total != x.shape[axis]) throw new GraphException("split sizes " + Arrays.toString(sizes) + " of dimension " + x.shape[axis]);
        int outer = 1;
        for (int d = 0; d < axis; d++) outer *= x.shape[d];
        int inner = 1;
        for (int d = axis + 1; d < x.rank(); d++) inner *= x.shape[d];
        int row = x.shape[axis] * inner;
        Val[] out = new Val[sizes.length];
        int at = 0;
        for (int p = 0; p < sizes.length; p++) {
            int[] shape = x.shape.clone();
            shape[axis] = sizes[p];
            int chunk = sizes[p] * inner;
            Object data = DTypes.newArray(x.dtype, outer * chunk);
            for (int o = 0; o < outer; o++) System.arraycopy(x.data, o * row + at, data, o * chunk, chunk);
            out[p] = new Val(x.dtype, shape, data);
            at += chunk;
        }
        return out;
    }

    static Val gather(Val params, Val indices, int axis) {
        int[] ps = params.shape;
        int outer = 1;
        for (int d = 0; d < axis; d++) outer *= ps[d];
        int inner = 1;
        for (int d = axis + 1; d < ps.length; d++) inner *= ps[d];
        int ni = indices.size();
        int[] shape = new int[ps.length - 1 + indices.rank()];
        int j = 0;
        for (int d = 0; d < axis; d++) shape[j++] = ps[d];
        for (int d : indices.shape) shape[j++] = d;
        for (int d = axis + 1; d < ps.length; d++) shape[j++] = ps[d];
        int[] idx = new int[Shapes.size(shape)];
        int at = 0;
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < ni; i++) {
                long g = indices.getLong(i);
                if (g < 0 || g >= ps[axis]) throw new GraphException("gather index " + g + " outside [0, " + ps[axis] + ")");
                int base = (o * ps[axis] + (int) g) * inner;
                for (int r = 0; r < inner; r++) idx[at++] = base + r;
            }
        }
        return take(params, idx, shape);
    }

    static Val broadcastTo(Val x, int[] shape) {
        int[] out = Shapes.broadcast(x.shape, shape);
        if (!Arrays.equals(out, shape)) throw new GraphException("BroadcastTo " + Arrays.toString(shape) + " of " + Shapes.str(x.shape));
        return take(x, Shapes.broadcastIndex(x.shape, out), out);
    }

    private static Val pad(Val x, Val paddings, Val constant, String mirror) {
        int rank = x.rank();
        int[] p = paddings.toInts();
        if (p.length != 2 * rank) throw new GraphException("paddings of shape " + Shapes.str(paddings.shape) + " for rank " + rank);
        int[] out = new int[rank];
        for (int d = 0; d < rank; d++) {
            if (p[2 * d] < 0 || p[2 * d + 1] < 0) throw new GraphException("negative padding " + Arrays.toString(p));
            out[d] = x.shape[d] + p[2 * d] + p[2 * d + 1];
        }
        if (mirror != null) {
            int offset = "SYMMETRIC".equals(mirror) ? 0 : 1;
            for (int d = 0; d < rank; d++) {
                if (p[2 * d] > x.shape[d] - offset || p[2 * d + 1] > x.shape[d] - offset) {
                    throw new GraphException("MirrorPad " + mirror + " of " + Arrays.toString(p) + " on " + Shapes.str(x.shape));
                }
            }
            return take(x, mapped(x.shape, out, (d, o) -> {
                int i = o - p[2 * d];
                int len = x.shape[d];
                if (i < 0) return -i - 1 + offset;
                if (i >= len) return 2 * len - i - 1 - offset;
                return i;
            }), out);
        }
        if (rank > 0 && x.size() > 0) return padRows(x, p, constant, out);
        // Padding reads from a source with one extra element (the constant) at the end.
        Val fill = constant != null ? DTypes.cast(constant, x.dtype) : Val.zeros(x.dtype, new int[0]);
        Val source = concat(new Val[] {x.reshape(new int[] {x.size()}), fill.reshape(new int[] {1})}, 0);
        int outside = x.size();
        int[] inStrides = Shapes.strides(x.shape);
        int n = Shapes.size(out);
        int[] idx = new int[n];
        int[] c = new int[rank];
        for (int e = 0; e < n; e++) {
            int flat = 0;
            boolean in = true;
            for (int d = 0; d < rank && in; d++) {
                int i = c[d] - p[2 * d];
                if (i < 0 || i >= x.shape[d]) in = false;
                else flat += i * inStrides[d];
            }
            idx[e] = in ? flat : outside;
            for (int d = rank - 1; d >= 0; d--) {
                if (++c[d] < out[d]) break;
                c[d] = 0;
            }
        }
        return take(source, idx, out);
    }

    /** Constant padding by rows: the output filled with the constant, each input row copied to its place. */
    private static Val padRows(Val x, int[] p, Val constant, int[] out) {
        int rank = x.rank();
        Val fill = constant != null ? DTypes.cast(constant, x.dtype) : Val.zeros(x.dtype, new int[0]);
        Object data = DTypes.newArray(x.dtype, Shapes.size(out));
        int n = Shapes.size(out);
        if (constant != null && fill.getDouble(0) != 0 || fill.data instanceof Object[] || fill.data instanceof boolean[] && fill.b()[0]) {
            Val filled = take(fill, new int[n], out);
            System.arraycopy(filled.data, 0, data, 0, n);
        }
        int row = x.shape[rank - 1];
        int rows = x.size() / row;
        int[] outStrides = Shapes.strides(out);
        int[] c = new int[rank - 1];
        for (int r = 0; r < rows; r++) {
            int at = p[2 * (rank - 1)];
            for (int d = 0; d < rank - 1; d++) at += (c[d] + p[2 * d]) * outStrides[d];
            System.arraycopy(x.data, r * row, data, at, row);
            for (int d = rank - 2; d >= 0; d--) {
                if (++c[d] < x.shape[d]) break;
                c[d] = 0;
            }
        }
        return new Val(x.dtype, out, data);
    }

    private static Val stridedSlice(Node n, Val[] in) {
        Val x = in[0];
        int[] begin = in[1].toInts(), end = in[2].toInts(), strides = in[3].toInts();
        int beginMask = (int) n.i("begin_mask", 0), endMask = (int) n.i("end_mask", 0);
        int ellipsisMask = (int) n.i("ellipsis_mask", 0), newAxisMask = (int) n.i("new_axis_mask", 0);
        int shrinkMask = (int) n.i("shrink_axis_mask", 0);
        int sparse = begin.length;
        if (end.length != sparse || strides.length != sparse) throw new GraphException("StridedSlice begin/end/strides lengths differ");
        int rank = x.rank();
        boolean hasEllipsis = ellipsisMask != 0;
        // Map each sparse entry to dense dimensions.
        int[] dBegin = new int[rank], dEnd = new int[rank], dStride = new int[rank];
        boolean[] dBeginAll = new boolean[rank], dEndAll = new boolean[rank], dShrink = new boolean[rank];
        Arrays.fill(dStride, 1);
        Arrays.fill(dBeginAll, true);
        Arrays.fill(dEndAll, true);
        List<int[]> finalDims = new ArrayList<>(); // {kind, dense}: kind 0 dense, 1 new axis
        int full = 0;
        for (int i = 0; i < sparse; i++) {
            if ((ellipsisMask & (1 << i)) != 0) {
                int newAfter = 0;
                for (int j = i + 1; j < sparse; j++) if ((newAxisMask & (1 << j)) != 0) newAfter++;
                int next = Math.min(rank - (sparse - i) + 1 + newAfter, rank);
                for (; full < next; full++) finalDims.add(new int[] {0, full});
            } else if ((newAxisMask & (1 << i)) != 0) {
                finalDims.add(new int[] {1, -1});
            } else {
                if (full >= rank) throw new GraphException("StridedSlice indexes more dimensions than rank " + rank);
                dBegin[full] = begin[i];
                dEnd[full] = end[i];
                dStride[full] = strides[i];
                dBeginAll[full] = (beginMask & (1 << i)) != 0;
                dEndAll[full] = (endMask & (1 << i)) != 0;
                dShrink[full] = (shrinkMask & (1 << i)) != 0;
                finalDims.add(new int[] {0, full});
                full++;
            }
        }
        if (!hasEllipsis) for (; full < rank; full++) finalDims.add(new int[] {0, full});
        int[] b = new int[rank], size = new int[rank];
        for (int d = 0; d < rank; d++) {
            int dim = x.shape[d];
            int s = dStride[d];
            if (s == 0) throw new GraphException("StridedSlice stride 0");
            if (dShrink[d]) {
                int i = dBegin[d] < 0 ? dBegin[d] + dim : dBegin[d];
                if (i < 0 || i >= dim) throw new GraphException("StridedSlice index " + dBegin[d] + " of dimension " + dim);
                b[d] = i;
                size[d] = 1;
                dStride[d] = 1;
                continue;
            }
            int lo, hi;
            if (s > 0) {
                lo = dBeginAll[d] ? 0 : clamp(dBegin[d] < 0 ? dBegin[d] + dim : dBegin[d], 0, dim);
                hi = dEndAll[d] ? dim : clamp(dEnd[d] < 0 ? dEnd[d] + dim : dEnd[d], 0, dim);
                size[d] = Math.max(0, (hi - lo + s - 1) / s);
            } else {
                lo = dBeginAll[d] ? dim - 1 : clamp(dBegin[d] < 0 ? dBegin[d] + dim : dBegin[d], -1, dim - 1);
                hi = dEndAll[d] ? -1 : clamp(dEnd[d] < 0 ? dEnd[d] + dim : dEnd[d], -1, dim - 1);
                size[d] = Math.max(0, (lo - hi + (-s) - 1) / (-s));
            }
            b[d] = lo;
        }
        Val dense = take(x, strided(x.shape, b, dStride, size), size);
        List<Integer> shape = new ArrayList<>();
        for (int[] fd : finalDims) {
            if (fd[0] == 1) shape.add(1);
            else if (!dShrink[fd[1]]) shape.add(size[fd[1]]);
        }
        return dense.reshape(shape.stream().mapToInt(Integer::intValue).toArray());
    }

    private static int clamp(int v, int lo, int hi) { return Math.max(lo, Math.min(hi, v)); }
}
