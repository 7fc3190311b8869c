package io.keras4j.tfgraph;

import io.keras4j.tensor.DType;
import io.keras4j.tensor.HalfFloat;
import io.keras4j.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/** Conversions between the API's {@link Tensor} and the interpreter's values, and the dtype names of both. */
final class Vals {
    private Vals() {}

    static int tfType(DType d) {
        return switch (d) {
            case FLOAT16 -> DTypes.HALF; case BFLOAT16 -> DTypes.BFLOAT16; case FLOAT32 -> DTypes.FLOAT;
            case FLOAT64 -> DTypes.DOUBLE; case INT8 -> DTypes.INT8; case INT16 -> DTypes.INT16; case INT32 -> DTypes.INT32;
            case INT64 -> DTypes.INT64; case UINT8 -> DTypes.UINT8; case UINT16 -> DTypes.UINT16; case UINT32 -> DTypes.UINT32;
            case UINT64 -> DTypes.UINT64; case BOOL -> DTypes.BOOL; case STRING -> DTypes.STRING;
        };
    }

    /** The API dtype of a TensorFlow dtype, or null when the API has none (resource, variant). */
    static DType apiType(int tf) {
        return switch (tf) {
            case DTypes.HALF -> DType.FLOAT16; case DTypes.BFLOAT16 -> DType.BFLOAT16; case DTypes.FLOAT -> DType.FLOAT32;
            case DTypes.DOUBLE -> DType.FLOAT64; case DTypes.INT8 -> DType.INT8; case DTypes.INT16 -> DType.INT16;
            case DTypes.INT32 -> DType.INT32; case DTypes.INT64 -> DType.INT64; case DTypes.UINT8 -> DType.UINT8;
            case DTypes.UINT16 -> DType.UINT16; case DTypes.UINT32 -> DType.UINT32; case DTypes.UINT64 -> DType.UINT64;
            case DTypes.BOOL -> DType.BOOL; case DTypes.STRING -> DType.STRING;
            default -> null;
        };
    }

    static int[] intShape(long[] shape) {
        int[] out = new int[shape.length];
        for (int k = 0; k < shape.length; k++) out[k] = Math.toIntExact(shape[k]);
        return out;
    }

    static Val fromTensor(Tensor t) {
        int dtype = tfType(t.dtype());
        int[] shape = intShape(t.shape());
        int n = Shapes.size(shape);
        if (DTypes.isFloat(dtype)) return new Val(dtype, shape, t.toFloatArray());
        if (dtype == DTypes.DOUBLE) return new Val(dtype, shape, t.toDoubleArray());
        if (dtype == DTypes.STRING) return new Val(dtype, shape, t.strings().toArray(byte[][]::new));
        long[] l = t.toLongArray();
        if (DTypes.isLong(dtype)) return new Val(dtype, shape, l);
        if (dtype == DTypes.BOOL) {
            boolean[] b = new boolean[n];
            for (int k = 0; k < n; k++) b[k] = l[k] != 0;
            return new Val(dtype, shape, b);
        }
        int[] i = new int[n];
        for (int k = 0; k < n; k++) i[k] = (int) l[k];
        return new Val(dtype, shape, i);
    }

    static Tensor toTensor(Val v) {
        DType d = apiType(v.dtype);
        if (d == null) throw new GraphException("a " + DTypes.name(v.dtype) + " value cannot leave the graph");
        long[] shape = Arrays.stream(v.shape).asLongStream().toArray();
        if (d == DType.FLOAT32) return Tensor.ofFloats(v.f().clone(), shape);
        if (d == DType.STRING) return Tensor.ofStrings(List.of(v.s()), shape);
        int n = v.size();
        ByteBuffer b = ByteBuffer.allocate(n * d.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < n; k++) {
            switch (d) {
                case FLOAT16 -> b.putShort(HalfFloat.fromFloat(v.f()[k]));
                case BFLOAT16 -> b.putShort(HalfFloat.toBfloat16(v.f()[k]));
                case FLOAT64 -> b.putDouble(v.d()[k]);
                case INT8, UINT8 -> b.put((byte) v.getLong(k));
                case BOOL -> b.put((byte) (v.b()[k] ? 1 : 0));
                case INT16, UINT16 -> b.putShort((short) v.getLong(k));
                case INT32, UINT32 -> b.putInt((int) v.getLong(k));
                default -> b.putLong(v.getLong(k));
            }
        }
        b.flip();
        return Tensor.of(d, shape, b);
    }
}
