package io.keras4j.format.checkpoint.bundle;

import io.keras4j.tensor.DType;
import java.util.Map;
import java.util.Optional;

/** TensorFlow's {@code DataType} numbers (tensorflow/core/framework/types.proto) and their keras4j dtypes. */
public final class TfDataTypes {
    private static final Map<Integer, DType> BY_CODE = Map.ofEntries(
            Map.entry(1, DType.FLOAT32), Map.entry(2, DType.FLOAT64), Map.entry(3, DType.INT32),
            Map.entry(4, DType.UINT8), Map.entry(5, DType.INT16), Map.entry(6, DType.INT8),
            Map.entry(7, DType.STRING), Map.entry(9, DType.INT64), Map.entry(10, DType.BOOL),
            Map.entry(14, DType.BFLOAT16), Map.entry(17, DType.UINT16), Map.entry(19, DType.FLOAT16),
            Map.entry(22, DType.UINT32), Map.entry(23, DType.UINT64));
    private static final Map<Integer, String> OTHER_NAMES = Map.of(8, "complex64", 11, "qint8", 12, "quint8",
            13, "qint32", 15, "qint16", 16, "quint16", 18, "complex128", 20, "resource", 21, "variant");

    private TfDataTypes() {}

    public static Optional<DType> toDType(int code) { return Optional.ofNullable(BY_CODE.get(code)); }

    public static int toCode(DType dtype) {
        for (Map.Entry<Integer, DType> e : BY_CODE.entrySet()) if (e.getValue() == dtype) return e.getKey();
        throw new IllegalArgumentException("no TensorFlow DataType for " + dtype);
    }

    /** A readable name for any code: {@code float32}, {@code variant}, or {@code DataType 25}. */
    public static String name(int code) {
        DType d = BY_CODE.get(code);
        if (d != null) return d.kerasName();
        return OTHER_NAMES.getOrDefault(code, "DataType " + code);
    }
}
