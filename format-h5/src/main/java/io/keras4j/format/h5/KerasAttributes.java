package io.keras4j.format.h5;

import io.keras4j.format.h5.hdf5.H5Attribute;
import io.keras4j.format.h5.hdf5.H5Group;
import io.keras4j.format.h5.hdf5.H5Node;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Keras's string attributes: {@code layer_names}, {@code weight_names}, {@code model_config}. Keras splits an
 * attribute whose NumPy array exceeds {@link #HDF5_OBJECT_HEADER_LIMIT} bytes into {@code name0}, {@code name1}, …
 * (legacy_h5_format.save_attributes_to_hdf5_group); readers join the chunks back.
 */
final class KerasAttributes {
    /** Keras's own limit, a little under HDF5's 64 KiB object header message. */
    static final int HDF5_OBJECT_HEADER_LIMIT = 64512;

    private KerasAttributes() {}

    /** The strings of {@code name}, joined from {@code name0}, {@code name1}, … when chunked; empty when absent. */
    static List<String> strings(H5Node node, String name) {
        Optional<H5Attribute> whole = node.attribute(name);
        if (whole.isPresent()) return stringsOf(whole.get(), name);
        List<String> out = new ArrayList<>();
        for (int i = 0; node.attribute(name + i).isPresent(); i++) out.addAll(stringsOf(node.attribute(name + i).get(), name + i));
        return out;
    }

    /** A list attribute's strings; numbers where Keras writes names are a damaged file (Jazzer's finding), not a bug. */
    private static List<String> stringsOf(H5Attribute attribute, String name) {
        if (!attribute.isString() && attribute.value().elementCount() > 0) {
            throw new io.keras4j.CorruptModelException("attribute '" + name + "' should list names but holds numbers ("
                    + attribute.value() + ")", "h5", null, "@" + name, -1, null);
        }
        return attribute.asStrings();
    }

    static boolean has(H5Node node, String name) { return node.attribute(name).isPresent() || node.attribute(name + "0").isPresent(); }

    /** A scalar string attribute (bytes or str, scalar or one-element array). */
    static Optional<String> string(H5Node node, String name) {
        return node.attribute(name).filter(H5Attribute::isString).map(a -> String.join("", a.asStrings()));
    }

    /**
     * Stores a string list as Keras does: an empty list becomes an empty float64 array (what {@code np.asarray([])}
     * gives), a list too large for one header message is split into {@code name0}, {@code name1}, … with NumPy's
     * {@code array_split} sizes.
     */
    static void putStrings(H5Group.Builder target, String name, List<String> values, boolean fixedLength) {
        if (values.isEmpty()) {
            target.attribute(name, H5Attribute.of(io.keras4j.tensor.Tensor.ofDoubles(new double[0], 0)));
            return;
        }
        for (String v : values) {
            if (v.getBytes(StandardCharsets.UTF_8).length > HDF5_OBJECT_HEADER_LIMIT) {
                throw new IllegalArgumentException("the attribute " + name + " holds an item longer than "
                        + HDF5_OBJECT_HEADER_LIMIT + " bytes, which Keras cannot store either");
            }
        }
        int chunks = 1;
        while (maxChunkBytes(values, chunks, fixedLength) > HDF5_OBJECT_HEADER_LIMIT) chunks++;
        if (chunks == 1) {
            target.attribute(name, H5Attribute.strings(values, fixedLength));
            return;
        }
        int from = 0;
        for (int c = 0; c < chunks; c++) {
            int size = values.size() / chunks + (c < values.size() % chunks ? 1 : 0);
            target.attribute(name + c, H5Attribute.strings(values.subList(from, from + size), fixedLength));
            from += size;
        }
    }

    /** NumPy's nbytes of the largest chunk: n * itemsize, itemsize 8 (object pointers) for variable-length strings. */
    private static long maxChunkBytes(List<String> values, int chunks, boolean fixedLength) {
        long max = 0;
        int from = 0;
        for (int c = 0; c < chunks; c++) {
            int size = values.size() / chunks + (c < values.size() % chunks ? 1 : 0);
            long itemSize = 8;
            if (fixedLength) {
                itemSize = 1;
                for (String v : values.subList(from, from + size)) itemSize = Math.max(itemSize, v.getBytes(StandardCharsets.UTF_8).length);
            }
            max = Math.max(max, size * itemSize);
            from += size;
        }
        return max;
    }

    /**
     * A scalar text attribute such as {@code model_config}: a fixed-length byte string as Keras 2 wrote it
     * ({@code json.dumps(...).encode()}), unless it would not fit one header message; then variable-length.
     */
    static void putText(H5Group.Builder target, String name, String value, boolean fixedLength) {
        boolean fits = value.getBytes(StandardCharsets.UTF_8).length <= HDF5_OBJECT_HEADER_LIMIT;
        H5Attribute a = H5Attribute.string(value);
        target.attribute(name, fixedLength && fits ? new H5Attribute(a.value(), true) : a);
    }
}
