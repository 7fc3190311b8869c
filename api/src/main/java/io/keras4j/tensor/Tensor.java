package io.keras4j.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An immutable n-dimensional array: a {@link DType}, a shape and little-endian data. String tensors hold a list
 * of byte strings instead. The data is shared, never copied, by the methods that return new tensors of the same data.
 */
public final class Tensor {
    private final DType dtype;
    private final long[] shape;
    private final TensorData data;
    private final List<byte[]> strings;

    private Tensor(DType dtype, long[] shape, TensorData data, List<byte[]> strings) {
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.shape = shape.clone();
        for (long d : this.shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
        }
        this.data = data;
        this.strings = strings;
    }

    /** A numeric or boolean tensor over existing little-endian data, checked against the shape. */
    public static Tensor of(DType dtype, long[] shape, TensorData data) {
        if (dtype == DType.STRING) throw new IllegalArgumentException("use ofStrings for string tensors");
        long expected = Math.multiplyExact(elementCount(shape), dtype.byteSize());
        if (data.size() != expected) {
            throw new IllegalArgumentException("a " + dtype + " tensor of shape " + Arrays.toString(shape) + " needs "
                    + expected + " bytes, got " + data.size());
        }
        return new Tensor(dtype, shape, data, null);
    }

    public static Tensor of(DType dtype, long[] shape, ByteBuffer littleEndian) {
        return of(dtype, shape, TensorData.of(littleEndian));
    }

    public static Tensor ofFloats(float[] values, long... shape) {
        return packed(DType.FLOAT32, shape, values.length, b -> b.asFloatBuffer().put(values));
    }

    public static Tensor ofDoubles(double[] values, long... shape) {
        return packed(DType.FLOAT64, shape, values.length, b -> b.asDoubleBuffer().put(values));
    }

    public static Tensor ofInts(int[] values, long... shape) {
        return packed(DType.INT32, shape, values.length, b -> b.asIntBuffer().put(values));
    }

    public static Tensor ofLongs(long[] values, long... shape) {
        return packed(DType.INT64, shape, values.length, b -> b.asLongBuffer().put(values));
    }

    /** {@code count} values of {@code dtype} that {@code put} writes into a little-endian buffer of their size. */
    private static Tensor packed(DType dtype, long[] shape, int count, Consumer<ByteBuffer> put) {
        ByteBuffer b = ByteBuffer.allocate(count * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        put.accept(b);
        return of(dtype, shape, b);
    }

    public static Tensor scalar(float value) { return ofFloats(new float[] {value}); }

    public static Tensor ofStrings(List<byte[]> values, long... shape) {
        if (elementCount(shape) != values.size()) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + elementCount(shape)
                    + " strings, got " + values.size());
        }
        List<byte[]> copy = new ArrayList<>(values.size());
        for (byte[] v : values) copy.add(v.clone());
        return new Tensor(DType.STRING, shape, null, List.copyOf(copy));
    }

    public static Tensor ofString(String value) {
        return ofStrings(List.of(value.getBytes(StandardCharsets.UTF_8)));
    }

    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    public DType dtype() { return dtype; }

    public long[] shape() { return shape.clone(); }

    public int rank() { return shape.length; }

    public long dim(int axis) { return shape[axis < 0 ? shape.length + axis : axis]; }

    public long elementCount() { return elementCount(shape); }

    /** Bytes of data; for strings, the sum of their lengths. */
    public long byteSize() {
        if (dtype != DType.STRING) return data.size();
        long n = 0;
        for (byte[] s : strings) n += s.length;
        return n;
    }

    /** The raw little-endian data; fails for string tensors. */
    public TensorData data() {
        if (data == null) throw new IllegalStateException("a string tensor has no fixed-size data");
        return data;
    }

    public List<byte[]> strings() {
        if (strings == null) throw new IllegalStateException("not a string tensor: " + dtype);
        List<byte[]> out = new ArrayList<>(strings.size());
        for (byte[] s : strings) out.add(s.clone());
        return out;
    }

    /** The same data seen with another shape of the same element count. */
    public Tensor reshape(long... newShape) {
        if (elementCount(newShape) != elementCount()) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return new Tensor(dtype, newShape, data, strings);
    }

    /** Element {@code i} (row-major) as a double, for any numeric or boolean dtype. */
    public double getDouble(long i) {
        Objects.checkIndex(i, elementCount());
        int size = dtype.byteSize();
        ByteBuffer b = data.slice(i * size, size);
        return switch (dtype) {
            case FLOAT16 -> HalfFloat.toFloat(b.getShort(0));
            case BFLOAT16 -> Float.intBitsToFloat((b.getShort(0) & 0xffff) << 16);
            case FLOAT32 -> b.getFloat(0);
            case FLOAT64 -> b.getDouble(0);
            case INT8 -> b.get(0);
            case INT16 -> b.getShort(0);
            case INT32 -> b.getInt(0);
            case INT64 -> b.getLong(0);
            case UINT8, BOOL -> b.get(0) & 0xff;
            case UINT16 -> b.getShort(0) & 0xffff;
            case UINT32 -> b.getInt(0) & 0xffffffffL;
            case UINT64 -> unsignedToDouble(b.getLong(0));
            case STRING -> throw new IllegalStateException("string tensor has no numeric value");
        };
    }

    /** All elements converted to float; the tensor must fit one Java array. */
    public float[] toFloatArray() {
        int n = arrayLength();
        float[] out = new float[n];
        if (dtype == DType.FLOAT32) {
            data.buffer().asFloatBuffer().get(out);
            return out;
        }
        double[] d = toDoubleArray();
        for (int i = 0; i < n; i++) out[i] = (float) d[i];
        return out;
    }

    /** All elements converted to double; the tensor must fit one Java array. */
    public double[] toDoubleArray() {
        int n = arrayLength();
        double[] out = new double[n];
        ByteBuffer b = data.buffer();
        switch (dtype) {
            case FLOAT16 -> { for (int i = 0; i < n; i++) out[i] = HalfFloat.toFloat(b.getShort(2 * i)); }
            case BFLOAT16 -> { for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16); }
            case FLOAT32 -> { for (int i = 0; i < n; i++) out[i] = b.getFloat(4 * i); }
            case FLOAT64 -> b.asDoubleBuffer().get(out);
            case INT8 -> { for (int i = 0; i < n; i++) out[i] = b.get(i); }
            case INT16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(2 * i); }
            case INT32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(4 * i); }
            case INT64 -> { for (int i = 0; i < n; i++) out[i] = b.getLong(8 * i); }
            case UINT8, BOOL -> { for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff; }
            case UINT16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(2 * i) & 0xffff; }
            case UINT32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(4 * i) & 0xffffffffL; }
            case UINT64 -> { for (int i = 0; i < n; i++) out[i] = unsignedToDouble(b.getLong(8 * i)); }
            case STRING -> throw new IllegalStateException("string tensor has no numeric value");
        }
        return out;
    }

    /** All elements as longs (integer and boolean dtypes only). */
    public long[] toLongArray() {
        if (dtype.isFloating() || dtype == DType.STRING) throw new IllegalStateException("not an integer tensor: " + dtype);
        int n = arrayLength();
        long[] out = new long[n];
        ByteBuffer b = data.buffer();
        int size = dtype.byteSize();
        for (int i = 0; i < n; i++) {
            out[i] = switch (size) {
                case 1 -> dtype == DType.INT8 ? b.get(i) : b.get(i) & 0xff;
                case 2 -> dtype == DType.INT16 ? b.getShort(2 * i) : b.getShort(2 * i) & 0xffff;
                case 4 -> dtype == DType.INT32 ? b.getInt(4 * i) : b.getInt(4 * i) & 0xffffffffL;
                default -> b.getLong(8 * i);
            };
        }
        return out;
    }

    /** This tensor converted to float32 (shares the data when it already is). */
    public Tensor toFloat32() {
        return dtype == DType.FLOAT32 ? this : ofFloats(toFloatArray(), shape);
    }

    /** The element count of a numeric conversion; a string tensor has none (it used to fail with a NullPointerException). */
    private int arrayLength() {
        if (dtype == DType.STRING) throw new IllegalStateException("a string tensor has no numeric value; read it with strings()");
        long n = elementCount();
        if (n > Integer.MAX_VALUE - 8) throw new IllegalStateException("tensor of " + n + " elements does not fit a Java array");
        return (int) n;
    }

    private static double unsignedToDouble(long v) {
        double d = (double) (v >>> 1) * 2.0;
        return d + (v & 1);
    }

    /** Same dtype, shape and bytes. */
    public boolean contentEquals(Tensor other) {
        if (other == null || dtype != other.dtype || !Arrays.equals(shape, other.shape)) return false;
        if (dtype == DType.STRING) {
            if (strings.size() != other.strings.size()) return false;
            for (int i = 0; i < strings.size(); i++) if (!Arrays.equals(strings.get(i), other.strings.get(i))) return false;
            return true;
        }
        long size = data.size();
        for (long off = 0; off < size; off += 1 << 24) {
            int n = (int) Math.min(1 << 24, size - off);
            if (!data.slice(off, n).equals(other.data.slice(off, n))) return false;
        }
        return true;
    }

    @Override
    public String toString() { return "Tensor[" + dtype + " " + Arrays.toString(shape) + "]"; }
}
