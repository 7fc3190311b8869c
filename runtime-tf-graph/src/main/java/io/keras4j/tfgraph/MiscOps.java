package io.keras4j.tfgraph;

import io.keras4j.tensor.HalfFloat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;

/** Ops of preprocessing layers: bucketizing, counting, hashing, strings, top-k and the like. */
final class MiscOps {
    private MiscOps() {}

    static void register(Map<String, Op> m) {
        OpTable.put(m, "Bitcast", (Op.Simple) (n, in) -> bitcast(in[0], n.type("type")));
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
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(n, inSize)).order(ByteOrder.LITTLE_ENDIAN);
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
