package io.keras4j.export.tf;

import static io.keras4j.export.tf.TfFunction.bool;
import static io.keras4j.export.tf.TfFunction.str;
import static io.keras4j.export.tf.TfFunction.type;

import io.keras4j.export.tf.TfFunction.Tensor;
import io.keras4j.tf.proto.AttrValue;
import io.keras4j.tf.proto.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Typed helpers over the TensorFlow ops the emitters use: each sets the attrs its op requires ({@code T},
 * {@code Tidx}, {@code num}, ...) and the static shape of its result (-1 = unknown), so that emitters read as the
 * math they translate. Node names are the caller's; {@link TfFunction} makes them unique.
 */
final class TfOps {
    private static final AttrValue INT32 = type(DataType.DT_INT32);

    private final TfFunction f;

    TfOps(TfFunction f) { this.f = f; }

    TfFunction function() { return f; }

    Tensor scalar(String n, float value) { return f.scalarFloat(n, value); }

    /** A scalar of {@code like}'s dtype. */
    Tensor scalarLike(String n, Tensor like, double value) { return f.scalar(n, like.dtype(), value); }

    Tensor unary(String op, String n, Tensor x) {
        return f.op(op, n, x.shape(), List.of(x.ref()), Map.of("T", type(x.dtype())), x.dtype());
    }

    /** An elementwise binary op with broadcasting, of {@code a}'s dtype. */
    Tensor binary(String op, String n, Tensor a, Tensor b) {
        return f.op(op, n, broadcast(a.shape(), b.shape()), List.of(a.ref(), b.ref()), Map.of("T", type(a.dtype())), a.dtype());
    }

    Tensor add(String n, Tensor a, Tensor b) { return binary("AddV2", n, a, b); }

    Tensor sub(String n, Tensor a, Tensor b) { return binary("Sub", n, a, b); }

    Tensor mul(String n, Tensor a, Tensor b) { return binary("Mul", n, a, b); }

    Tensor div(String n, Tensor a, Tensor b) { return binary("RealDiv", n, a, b); }

    /** A comparison ({@code Equal}, {@code NotEqual}, {@code Greater}, ...): a DT_BOOL result. */
    Tensor compare(String op, String n, Tensor a, Tensor b) {
        return f.op(op, n, broadcast(a.shape(), b.shape()), List.of(a.ref(), b.ref()), Map.of("T", type(a.dtype())), DataType.DT_BOOL);
    }

    /** {@code LogicalAnd} / {@code LogicalOr} of two DT_BOOL tensors. */
    Tensor logical(String op, String n, Tensor a, Tensor b) {
        return f.op(op, n, broadcast(a.shape(), b.shape()), List.of(a.ref(), b.ref()), Map.of(), DataType.DT_BOOL);
    }

    Tensor logicalNot(String n, Tensor x) { return f.op("LogicalNot", n, x.shape(), List.of(x.ref()), Map.of(), DataType.DT_BOOL); }

    Tensor cast(String n, Tensor x, DataType to) {
        if (x.dtype() == to) return x;
        return f.op("Cast", n, x.shape(), List.of(x.ref()),
                Map.of("SrcT", type(x.dtype()), "DstT", type(to), "Truncate", bool(false)), to);
    }

    /** {@code a[m, k] @ b[k, n]}. */
    Tensor matMul(String n, Tensor a, Tensor b) {
        return f.op("MatMul", n, new long[] {a.dim(0), b.dim(1)}, List.of(a.ref(), b.ref()),
                Map.of("T", type(a.dtype()), "transpose_a", bool(false), "transpose_b", bool(false)), a.dtype());
    }

    /** Batched {@code a[..., m, k] @ b[..., k, n]} ({@code b[..., n, k]} transposed when {@code adjointB}). */
    Tensor batchMatMul(String n, Tensor a, Tensor b, boolean adjointB) {
        long[] out = a.shape().clone();
        out[out.length - 1] = adjointB ? b.dim(-2) : b.dim(-1);
        return f.op("BatchMatMulV2", n, out, List.of(a.ref(), b.ref()),
                Map.of("T", type(a.dtype()), "adj_x", bool(false), "adj_y", bool(adjointB)), a.dtype());
    }

    Tensor biasAdd(String n, Tensor x, Tensor bias) {
        return f.op("BiasAdd", n, x.shape(), List.of(x.ref(), bias.ref()), Map.of("T", type(x.dtype()), "data_format", str("NHWC")), x.dtype());
    }

    /** Reshape to a static shape with at most one dimension unknown (written -1). */
    Tensor reshape(String n, Tensor x, long[] shape) {
        if (Arrays.stream(shape).filter(d -> d < 0).count() > 1) {
            throw new IllegalArgumentException(n + ": reshape to " + Arrays.toString(shape) + " has several unknown dimensions");
        }
        Tensor target = f.constInt32(n + "/shape", Arrays.stream(shape).mapToInt(Math::toIntExact).toArray());
        return f.op("Reshape", n, shape, List.of(x.ref(), target.ref()), Map.of("T", type(x.dtype()), "Tshape", INT32), x.dtype());
    }

    /**
     * Reshape to {@code source}'s first {@code leading} dimensions (taken at run time) followed by {@code tail}:
     * how a shape with several unknown dimensions (batch and steps) is restored.
     */
    Tensor reshapeLeading(String n, Tensor x, Tensor source, int leading, long[] tail) {
        long[] shape = new long[leading + tail.length];
        System.arraycopy(source.shape(), 0, shape, 0, leading);
        System.arraycopy(tail, 0, shape, leading, tail.length);
        if (Arrays.stream(shape).filter(d -> d < 0).count() <= 1) return reshape(n, x, shape);
        Tensor head = leadingDims(n + "/leading", source, leading);
        Tensor rest = f.constInt32(n + "/tail", Arrays.stream(tail).mapToInt(Math::toIntExact).toArray());
        Tensor target = concat(n + "/shape", List.of(head, rest), 0);
        return f.op("Reshape", n, shape, List.of(x.ref(), target.ref()), Map.of("T", type(x.dtype()), "Tshape", INT32), x.dtype());
    }

    /** The first {@code count} dimensions of {@code x}'s run-time shape, as an int32 vector. */
    private Tensor leadingDims(String n, Tensor x, int count) {
        Tensor shape = f.op("Shape", n + "/Shape", new long[] {x.rank()}, List.of(x.ref()),
                Map.of("T", type(x.dtype()), "out_type", INT32), DataType.DT_INT32);
        return f.op("StridedSlice", n, new long[] {count}, List.of(shape.ref(), f.constInt32(n + "/begin", 0).ref(),
                        f.constInt32(n + "/end", count).ref(), f.constInt32(n + "/strides", 1).ref()),
                Map.of("T", INT32, "Index", INT32), DataType.DT_INT32);
    }

    /** {@code x}'s run-time size along {@code axis}, an int32 scalar. */
    Tensor dimension(String n, Tensor x, int axis) {
        Tensor shape = f.op("Shape", n + "/Shape", new long[] {x.rank()}, List.of(x.ref()),
                Map.of("T", type(x.dtype()), "out_type", INT32), DataType.DT_INT32);
        return f.op("StridedSlice", n, new long[0], List.of(shape.ref(), f.constInt32(n + "/begin", axis).ref(),
                        f.constInt32(n + "/end", axis + 1).ref(), f.constInt32(n + "/strides", 1).ref()),
                Map.of("T", INT32, "Index", INT32, "shrink_axis_mask", AttrValue.newBuilder().setI(1).build()), DataType.DT_INT32);
    }

    /** The int32 shape {@code [batch of x, tail...]}, the batch taken at run time. */
    Tensor batchShape(String n, Tensor batchOf, long... tail) {
        return concat(n, List.of(leadingDims(n + "/batch", batchOf, 1),
                f.constInt32(n + "/tail", Arrays.stream(tail).mapToInt(Math::toIntExact).toArray())), 0);
    }

    /** Zeros shaped {@code [batch of x, tail...]}: initial recurrent states. */
    Tensor zeros(String n, Tensor batchOf, long... tail) {
        long[] shape = new long[tail.length + 1];
        shape[0] = batchOf.dim(0);
        System.arraycopy(tail, 0, shape, 1, tail.length);
        return f.op("Fill", n, shape, List.of(batchShape(n + "/dims", batchOf, tail).ref(), scalar(n + "/zero", 0f).ref()),
                Map.of("T", type(DataType.DT_FLOAT), "index_type", INT32), DataType.DT_FLOAT);
    }

    Tensor transpose(String n, Tensor x, int... perm) {
        long[] shape = new long[perm.length];
        for (int i = 0; i < perm.length; i++) shape[i] = x.dim(perm[i]);
        return f.op("Transpose", n, shape, List.of(x.ref(), f.constInt32(n + "/perm", perm).ref()),
                Map.of("T", type(x.dtype()), "Tperm", INT32), x.dtype());
    }

    Tensor tile(String n, Tensor x, long[] outShape, int... multiples) {
        return f.op("Tile", n, outShape, List.of(x.ref(), f.constInt32(n + "/multiples", multiples).ref()),
                Map.of("T", type(x.dtype()), "Tmultiples", INT32), x.dtype());
    }

    /** Zeros before and after each axis: {@code pads[axis] = {before, after}}. */
    Tensor pad(String n, Tensor x, long[][] pads, long[] outShape) {
        int[] flat = Arrays.stream(pads).flatMapToLong(Arrays::stream).mapToInt(Math::toIntExact).toArray();
        return f.op("Pad", n, outShape, List.of(x.ref(), f.constInt32(n + "/paddings", new long[] {pads.length, 2}, flat).ref()),
                Map.of("T", type(x.dtype()), "Tpaddings", INT32), x.dtype());
    }

    /**
     * {@code x[begin:end]} with unit strides; a set bit {@code i} of {@code beginMask} / {@code endMask} takes axis
     * {@code i} from its start / to its end.
     */
    Tensor stridedSlice(String n, Tensor x, int[] begin, int[] end, int beginMask, int endMask, long[] outShape) {
        int[] strides = new int[begin.length];
        Arrays.fill(strides, 1);
        return f.op("StridedSlice", n, outShape, List.of(x.ref(), f.constInt32(n + "/begin", begin).ref(),
                        f.constInt32(n + "/end", end).ref(), f.constInt32(n + "/strides", strides).ref()),
                Map.of("T", type(x.dtype()), "Index", INT32, "begin_mask", AttrValue.newBuilder().setI(beginMask).build(),
                        "end_mask", AttrValue.newBuilder().setI(endMask).build()), x.dtype());
    }

    /** {@code x} with the order of {@code axis} reversed. */
    Tensor reverse(String n, Tensor x, int axis) {
        return f.op("ReverseV2", n, x.shape(), List.of(x.ref(), f.constInt32(n + "/axis", axis).ref()),
                Map.of("T", type(x.dtype()), "Tidx", INT32), x.dtype());
    }

    /** {@code num} equal slices along {@code axis}. */
    List<Tensor> split(String n, Tensor x, int axis, int num) {
        long[] part = x.shape().clone();
        int a = axis < 0 ? x.rank() + axis : axis;
        part[a] = part[a] < 0 ? -1 : part[a] / num;
        return f.ops("Split", n, Collections.nCopies(num, part), List.of(f.scalarInt32(n + "/axis", axis).ref(), x.ref()),
                Map.of("T", type(x.dtype()), "num_split", AttrValue.newBuilder().setI(num).build()), x.dtype());
    }

    /** The slices of {@code x} along {@code axis}, whose size must be static. */
    List<Tensor> unpack(String n, Tensor x, int axis) {
        int a = axis < 0 ? x.rank() + axis : axis;
        long[] part = new long[x.rank() - 1];
        for (int i = 0, j = 0; i < x.rank(); i++) if (i != a) part[j++] = x.dim(i);
        int num = Math.toIntExact(x.dim(a));
        return f.ops("Unpack", n, Collections.nCopies(num, part), List.of(x.ref()),
                Map.of("T", type(x.dtype()), "num", AttrValue.newBuilder().setI(num).build(),
                        "axis", AttrValue.newBuilder().setI(a).build()), x.dtype());
    }

    /** Stacks same-shaped tensors along a new {@code axis}. */
    Tensor pack(String n, List<Tensor> xs, int axis) {
        Tensor first = xs.get(0);
        long[] shape = new long[first.rank() + 1];
        for (int i = 0, j = 0; i < shape.length; i++) shape[i] = i == axis ? xs.size() : first.dim(j++);
        return f.op("Pack", n, shape, xs.stream().map(Tensor::ref).toList(),
                Map.of("T", type(first.dtype()), "N", AttrValue.newBuilder().setI(xs.size()).build(),
                        "axis", AttrValue.newBuilder().setI(axis).build()), first.dtype());
    }

    Tensor concat(String n, List<Tensor> xs, int axis) {
        Tensor first = xs.get(0);
        int a = axis < 0 ? first.rank() + axis : axis;
        long[] shape = first.shape().clone();
        for (int i = 1; i < xs.size(); i++) shape[a] = shape[a] < 0 || xs.get(i).dim(a) < 0 ? -1 : shape[a] + xs.get(i).dim(a);
        List<String> refs = new ArrayList<>(xs.stream().map(Tensor::ref).toList());
        refs.add(f.scalarInt32(n + "/axis", axis).ref());
        return f.op("ConcatV2", n, shape, refs, Map.of("T", type(first.dtype()),
                "N", AttrValue.newBuilder().setI(xs.size()).build(), "Tidx", INT32), first.dtype());
    }

    /** {@code x[index]} along the first axis, for a scalar int32 {@code index}. */
    Tensor gather(String n, Tensor x, Tensor index) {
        return f.op("GatherV2", n, Arrays.copyOfRange(x.shape(), 1, x.rank()),
                List.of(x.ref(), index.ref(), f.scalarInt32(n + "/axis", 0).ref()),
                Map.of("Tparams", type(x.dtype()), "Tindices", INT32, "Taxis", INT32,
                        "batch_dims", AttrValue.newBuilder().setI(0).build()), x.dtype());
    }

    /** An empty TensorList (a DT_VARIANT scalar) of {@code size} elements of {@code dtype}, filled by {@link #tensorListSetItem}. */
    Tensor tensorListReserve(String n, DataType dtype, Tensor size) {
        Tensor anyShape = f.scalarInt32(n + "/element_shape", -1);
        return f.op("TensorListReserve", n, new long[0], List.of(anyShape.ref(), size.ref()),
                Map.of("element_dtype", type(dtype), "shape_type", INT32), DataType.DT_VARIANT);
    }

    /** {@code list} with element {@code index} set to {@code item}. */
    Tensor tensorListSetItem(String n, Tensor list, Tensor index, Tensor item) {
        return f.op("TensorListSetItem", n, new long[0], List.of(list.ref(), index.ref(), item.ref()),
                Map.of("element_dtype", type(item.dtype())), DataType.DT_VARIANT);
    }

    /** The elements of {@code list}, each of {@code elementShape} (-1 = unknown), stacked along a new first axis. */
    Tensor tensorListStack(String n, Tensor list, DataType dtype, long[] elementShape) {
        Tensor shape = f.constInt32(n + "/element_shape", Arrays.stream(elementShape).mapToInt(Math::toIntExact).toArray());
        long[] stacked = new long[elementShape.length + 1];
        stacked[0] = -1;
        System.arraycopy(elementShape, 0, stacked, 1, elementShape.length);
        return f.op("TensorListStack", n, stacked, List.of(list.ref(), shape.ref()), Map.of("element_dtype", type(dtype)), dtype);
    }

    /** {@code condition ? t : e}; a vector condition picks whole rows of {@code t} and {@code e}. */
    Tensor select(String n, Tensor condition, Tensor t, Tensor e) {
        return f.op("Select", n, t.shape(), List.of(condition.ref(), t.ref(), e.ref()), Map.of("T", type(t.dtype())), t.dtype());
    }

    /** {@code condition ? t : e} elementwise, all three broadcast. */
    Tensor selectV2(String n, Tensor condition, Tensor t, Tensor e) {
        return f.op("SelectV2", n, broadcast(condition.shape(), broadcast(t.shape(), e.shape())),
                List.of(condition.ref(), t.ref(), e.ref()), Map.of("T", type(t.dtype())), t.dtype());
    }

    /** A reduction ({@code Mean}, {@code Sum}, {@code Max}; {@code Any}, {@code All} over DT_BOOL) over {@code axes}. */
    Tensor reduce(String op, String n, Tensor x, boolean keepDims, int... axes) {
        List<Integer> reduced = Arrays.stream(axes).map(a -> a < 0 ? x.rank() + a : a).boxed().toList();
        List<Long> shape = new ArrayList<>();
        for (int i = 0; i < x.rank(); i++) {
            if (!reduced.contains(i)) shape.add(x.dim(i));
            else if (keepDims) shape.add(1L);
        }
        boolean logical = op.equals("Any") || op.equals("All");
        Map<String, AttrValue> attrs = logical ? Map.of("Tidx", INT32, "keep_dims", bool(keepDims))
                : Map.of("T", type(x.dtype()), "Tidx", INT32, "keep_dims", bool(keepDims));
        return f.op(op, n, shape.stream().mapToLong(Long::longValue).toArray(),
                List.of(x.ref(), f.constInt32(n + "/axes", axes).ref()), attrs, x.dtype());
    }

    Tensor expandDims(String n, Tensor x, int axis) {
        int a = axis < 0 ? x.rank() + 1 + axis : axis;
        long[] shape = new long[x.rank() + 1];
        for (int i = 0, j = 0; i < shape.length; i++) shape[i] = i == a ? 1 : x.dim(j++);
        return f.op("ExpandDims", n, shape, List.of(x.ref(), f.scalarInt32(n + "/axis", axis).ref()),
                Map.of("T", type(x.dtype()), "Tdim", INT32), x.dtype());
    }

    /** {@code x} without its size-1 {@code axis}. */
    Tensor squeeze(String n, Tensor x, int axis) {
        int a = axis < 0 ? x.rank() + axis : axis;
        long[] shape = new long[x.rank() - 1];
        for (int i = 0, j = 0; i < x.rank(); i++) if (i != a) shape[j++] = x.dim(i);
        return f.op("Squeeze", n, shape, List.of(x.ref()),
                Map.of("T", type(x.dtype()), "squeeze_dims", TfFunction.ints(a)), x.dtype());
    }

    /** NumPy broadcasting of static shapes; an unknown dimension stays unknown unless the other side fixes it. */
    static long[] broadcast(long[] a, long[] b) {
        long[] out = new long[Math.max(a.length, b.length)];
        for (int i = 1; i <= out.length; i++) {
            long da = i <= a.length ? a[a.length - i] : 1, db = i <= b.length ? b[b.length - i] : 1;
            out[out.length - i] = da == 1 ? db : db == 1 ? da : da < 0 ? db : da;
        }
        return out;
    }
}
