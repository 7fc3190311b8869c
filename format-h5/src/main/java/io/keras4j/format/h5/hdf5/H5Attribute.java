package io.keras4j.format.h5.hdf5;

import io.keras4j.tensor.DType;
import io.keras4j.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An HDF5 attribute value: a numeric tensor, or a string tensor (scalar or 1-D) stored either as variable-length
 * UTF-8 strings (what h5py writes for Python {@code str}) or as fixed-length byte strings (NumPy {@code |S}, what
 * Keras 2 wrote for {@code layer_names}).
 */
public record H5Attribute(Tensor value, boolean fixedLengthStrings) {
    public H5Attribute { Objects.requireNonNull(value, "value"); }

    public static H5Attribute of(Tensor value) { return new H5Attribute(value, false); }

    public static H5Attribute string(String s) { return new H5Attribute(Tensor.ofString(s), false); }

    /** A 1-D string array; {@code fixedLength} picks NumPy {@code |S} storage over variable-length strings. */
    public static H5Attribute strings(List<String> values, boolean fixedLength) {
        List<byte[]> bytes = new ArrayList<>(values.size());
        for (String v : values) bytes.add(v.getBytes(StandardCharsets.UTF_8));
        return new H5Attribute(Tensor.ofStrings(bytes, values.size()), fixedLength);
    }

    public boolean isString() { return value.dtype() == DType.STRING; }

    /** The strings of a string attribute, decoded as UTF-8; a numeric attribute gives an empty list when empty. */
    public List<String> asStrings() {
        if (!isString()) {
            if (value.elementCount() == 0) return List.of();
            throw new IllegalStateException("a numeric attribute holds no strings: " + value);
        }
        List<String> out = new ArrayList<>();
        for (byte[] b : value.strings()) out.add(new String(b, StandardCharsets.UTF_8));
        return out;
    }

    /** The single string of a scalar (or one-element) string attribute. */
    public String asString() {
        List<String> all = asStrings();
        if (all.size() != 1) throw new IllegalStateException("expected one string, found " + all.size());
        return all.get(0);
    }
}
