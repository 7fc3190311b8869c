package io.keras4j.tensor;

import java.util.Locale;
import java.util.Optional;

/** Element types Keras and TensorFlow store. Sizes are in bytes; {@link #STRING} has no fixed size. */
public enum DType {
    FLOAT16("float16", 2, "<f2"),
    BFLOAT16("bfloat16", 2, null),
    FLOAT32("float32", 4, "<f4"),
    FLOAT64("float64", 8, "<f8"),
    INT8("int8", 1, "|i1"),
    INT16("int16", 2, "<i2"),
    INT32("int32", 4, "<i4"),
    INT64("int64", 8, "<i8"),
    UINT8("uint8", 1, "|u1"),
    UINT16("uint16", 2, "<u2"),
    UINT32("uint32", 4, "<u4"),
    UINT64("uint64", 8, "<u8"),
    BOOL("bool", 1, "|b1"),
    STRING("string", -1, null);

    private final String kerasName;
    private final int byteSize;
    private final String npyDescr;

    DType(String kerasName, int byteSize, String npyDescr) {
        this.kerasName = kerasName;
        this.byteSize = byteSize;
        this.npyDescr = npyDescr;
    }

    /** The name Keras and NumPy use, e.g. {@code float32}. */
    public String kerasName() { return kerasName; }

    /** Bytes per element, or -1 for variable-length strings. */
    public int byteSize() { return byteSize; }

    public boolean isFloating() { return this == FLOAT16 || this == BFLOAT16 || this == FLOAT32 || this == FLOAT64; }

    public boolean isInteger() { return !isFloating() && this != BOOL && this != STRING; }

    /** The little-endian NumPy descriptor, empty when NumPy has none (bfloat16, strings). */
    public Optional<String> npyDescr() { return Optional.ofNullable(npyDescr); }

    public static Optional<DType> fromKerasName(String name) {
        if (name == null) return Optional.empty();
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("half")) n = "float16";
        if (n.equals("float") || n.equals("single")) n = "float32";
        if (n.equals("double")) n = "float64";
        for (DType t : values()) if (t.kerasName.equals(n)) return Optional.of(t);
        return Optional.empty();
    }

    @Override public String toString() { return kerasName; }
}
