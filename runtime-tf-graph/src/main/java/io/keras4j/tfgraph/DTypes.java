package io.keras4j.tfgraph;

import io.keras4j.tensor.HalfFloat;

/** TensorFlow's {@code DataType} numbers, the Java array each is held in, and casts between them. */
final class DTypes {
    static final int FLOAT = 1, DOUBLE = 2, INT32 = 3, UINT8 = 4, INT16 = 5, INT8 = 6, STRING = 7, INT64 = 9,
            BOOL = 10, BFLOAT16 = 14, UINT16 = 17, HALF = 19, RESOURCE = 20, VARIANT = 21, UINT32 = 22, UINT64 = 23;

    private DTypes() {}

    static String name(int dtype) {
        return switch (dtype) {
            case FLOAT -> "float32"; case DOUBLE -> "float64"; case INT32 -> "int32"; case UINT8 -> "uint8";
            case INT16 -> "int16"; case INT8 -> "int8"; case STRING -> "string"; case INT64 -> "int64";
            case BOOL -> "bool"; case BFLOAT16 -> "bfloat16"; case UINT16 -> "uint16"; case HALF -> "float16";
            case RESOURCE -> "resource"; case VARIANT -> "variant"; case UINT32 -> "uint32"; case UINT64 -> "uint64";
            default -> "DataType(" + dtype + ")";
        };
    }

    static boolean known(int dtype) { return !name(dtype).startsWith("DataType("); }

    static boolean isFloat(int dtype) { return dtype == FLOAT || dtype == HALF || dtype == BFLOAT16; }

    static boolean isInt(int dtype) {
        return dtype == INT32 || dtype == UINT8 || dtype == INT16 || dtype == INT8 || dtype == UINT16;
    }

    static boolean isLong(int dtype) { return dtype == INT64 || dtype == UINT32 || dtype == UINT64; }

    static boolean isNumeric(int dtype) { return isFloat(dtype) || dtype == DOUBLE || isInt(dtype) || isLong(dtype); }

    static Object newArray(int dtype, int n) {
        if (isFloat(dtype)) return new float[n];
        if (dtype == DOUBLE) return new double[n];
        if (isInt(dtype)) return new int[n];
        if (isLong(dtype)) return new long[n];
        if (dtype == BOOL) return new boolean[n];
        if (dtype == STRING) return new byte[n][];
        return new Object[n];
    }

    /** Rounds a float to what {@code dtype} can hold (half and bfloat16 keep fewer mantissa bits). */
    static float round(int dtype, float v) {
        if (dtype == HALF) return HalfFloat.toFloat(HalfFloat.fromFloat(v));
        if (dtype == BFLOAT16) {
            int bits = Float.floatToRawIntBits(v);
            if (Float.isNaN(v)) return v;
            bits += 0x7FFF + ((bits >>> 16) & 1);
            return Float.intBitsToFloat(bits & 0xFFFF0000);
        }
        return v;
    }

    /** Wraps an integer to the range of {@code dtype}, as C's conversion does. */
    static long wrap(int dtype, long v) {
        return switch (dtype) {
            case INT32 -> (int) v;
            case UINT8 -> v & 0xFF;
            case INT8 -> (byte) v;
            case INT16 -> (short) v;
            case UINT16 -> v & 0xFFFF;
            case UINT32 -> v & 0xFFFFFFFFL;
            default -> v;
        };
    }

    /** {@code v} converted to {@code to} as TensorFlow's Cast does (floats to integers truncate toward zero). */
    static Val cast(Val v, int to) {
        if (v.dtype == to) return v;
        int n = v.size();
        Object out = newArray(to, n);
        if (isFloat(to)) {
            float[] o = (float[]) out;
            if (v.data instanceof float[] a) for (int k = 0; k < n; k++) o[k] = round(to, a[k]);
            else for (int k = 0; k < n; k++) o[k] = round(to, (float) v.getDouble(k));
        } else if (to == DOUBLE) {
            double[] o = (double[]) out;
            for (int k = 0; k < n; k++) o[k] = v.getDouble(k);
        } else if (isInt(to) || isLong(to)) {
            boolean fromFloat = v.data instanceof float[] || v.data instanceof double[];
            for (int k = 0; k < n; k++) {
                long x;
                if (fromFloat) {
                    double d = v.getDouble(k);
                    x = Double.isNaN(d) ? 0 : (long) d;
                } else x = v.getLong(k);
                x = wrap(to, x);
                if (out instanceof int[] o) o[k] = (int) x; else ((long[]) out)[k] = x;
            }
        } else if (to == BOOL) {
            boolean[] o = (boolean[]) out;
            for (int k = 0; k < n; k++) o[k] = v.getDouble(k) != 0;
        } else {
            throw new GraphException("Cast from " + name(v.dtype) + " to " + name(to) + " is not supported");
        }
        return new Val(to, v.shape, out);
    }
}
