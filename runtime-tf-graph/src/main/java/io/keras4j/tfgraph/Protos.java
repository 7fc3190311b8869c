package io.keras4j.tfgraph;

import io.keras4j.tensor.HalfFloat;
import io.keras4j.tf.proto.TensorProto;
import io.keras4j.tf.proto.TensorShapeProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** TensorProto (constants, signature defaults) to values, checking claimed sizes against the bytes present. */
final class Protos {
    private Protos() {}

    static int[] shape(TensorShapeProto p) {
        if (p.getUnknownRank()) throw new GraphException("a constant of unknown rank");
        int[] out = new int[p.getDimCount()];
        for (int k = 0; k < out.length; k++) {
            long d = p.getDim(k).getSize();
            if (d < 0 || d > Integer.MAX_VALUE) throw new GraphException("a constant's dimension " + d);
            out[k] = (int) d;
        }
        return out;
    }

    static Val toVal(TensorProto t) {
        int dtype = t.getDtypeValue();
        int[] shape = shape(t.getTensorShape());
        int n = Shapes.size(shape);
        if (!t.getTensorContent().isEmpty()) return fromBytes(dtype, shape, n, t.getTensorContent().asReadOnlyByteBuffer());
        // Typed repeated fields: fewer values than elements means the last one repeats (TensorFlow's convention).
        Object out = DTypes.newArray(dtype, n);
        if (dtype == DTypes.STRING) {
            byte[][] o = (byte[][]) out;
            int c = t.getStringValCount();
            for (int k = 0; k < n; k++) o[k] = c == 0 ? new byte[0] : t.getStringVal(Math.min(k, c - 1)).toByteArray();
            return new Val(dtype, shape, out);
        }
        int count;
        if (dtype == DTypes.FLOAT) count = t.getFloatValCount();
        else if (dtype == DTypes.DOUBLE) count = t.getDoubleValCount();
        else if (dtype == DTypes.HALF || dtype == DTypes.BFLOAT16) count = t.getHalfValCount();
        else if (DTypes.isInt(dtype)) count = t.getIntValCount();
        else if (dtype == DTypes.INT64) count = t.getInt64ValCount();
        else if (dtype == DTypes.UINT32) count = t.getUint32ValCount();
        else if (dtype == DTypes.UINT64) count = t.getUint64ValCount();
        else if (dtype == DTypes.BOOL) count = t.getBoolValCount();
        else throw new GraphException("constants of type " + DTypes.name(dtype) + " are not supported");
        if (count > n) throw new GraphException("a constant of shape " + Shapes.str(shape) + " lists " + count + " values");
        for (int k = 0; k < n && count > 0; k++) {
            int at = Math.min(k, count - 1);
            switch (dtype) {
                case DTypes.FLOAT -> ((float[]) out)[k] = t.getFloatVal(at);
                case DTypes.DOUBLE -> ((double[]) out)[k] = t.getDoubleVal(at);
                case DTypes.HALF -> ((float[]) out)[k] = HalfFloat.toFloat((short) t.getHalfVal(at));
                case DTypes.BFLOAT16 -> ((float[]) out)[k] = Float.intBitsToFloat(t.getHalfVal(at) << 16);
                case DTypes.INT64 -> ((long[]) out)[k] = t.getInt64Val(at);
                case DTypes.UINT32 -> ((long[]) out)[k] = t.getUint32Val(at) & 0xFFFFFFFFL;
                case DTypes.UINT64 -> ((long[]) out)[k] = t.getUint64Val(at);
                case DTypes.BOOL -> ((boolean[]) out)[k] = t.getBoolVal(at);
                default -> ((int[]) out)[k] = (int) DTypes.wrap(dtype, t.getIntVal(at));
            }
        }
        return new Val(dtype, shape, out);
    }

    static Val fromBytes(int dtype, int[] shape, int n, ByteBuffer bytes) {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int width = switch (dtype) {
            case DTypes.FLOAT, DTypes.INT32, DTypes.UINT32 -> 4;
            case DTypes.DOUBLE, DTypes.INT64, DTypes.UINT64 -> 8;
            case DTypes.HALF, DTypes.BFLOAT16, DTypes.INT16, DTypes.UINT16 -> 2;
            case DTypes.INT8, DTypes.UINT8, DTypes.BOOL -> 1;
            default -> throw new GraphException("constants of type " + DTypes.name(dtype) + " are not supported");
        };
        if ((long) n * width != b.remaining()) {
            throw new GraphException("a " + DTypes.name(dtype) + " constant of shape " + Shapes.str(shape) + " holds "
                    + b.remaining() + " bytes, not " + (long) n * width);
        }
        Object out = DTypes.newArray(dtype, n);
        for (int k = 0; k < n; k++) {
            switch (dtype) {
                case DTypes.FLOAT -> ((float[]) out)[k] = b.getFloat();
                case DTypes.DOUBLE -> ((double[]) out)[k] = b.getDouble();
                case DTypes.HALF -> ((float[]) out)[k] = HalfFloat.toFloat(b.getShort());
                case DTypes.BFLOAT16 -> ((float[]) out)[k] = Float.intBitsToFloat((b.getShort() & 0xFFFF) << 16);
                case DTypes.INT32 -> ((int[]) out)[k] = b.getInt();
                case DTypes.UINT32 -> ((long[]) out)[k] = b.getInt() & 0xFFFFFFFFL;
                case DTypes.INT64, DTypes.UINT64 -> ((long[]) out)[k] = b.getLong();
                case DTypes.INT16 -> ((int[]) out)[k] = b.getShort();
                case DTypes.UINT16 -> ((int[]) out)[k] = b.getShort() & 0xFFFF;
                case DTypes.INT8 -> ((int[]) out)[k] = b.get();
                case DTypes.UINT8 -> ((int[]) out)[k] = b.get() & 0xFF;
                default -> ((boolean[]) out)[k] = b.get() != 0;
            }
        }
        return new Val(dtype, shape, out);
    }
}
