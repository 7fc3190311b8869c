package io.keras4j.format.h5.hdf5;

import io.keras4j.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** A dataset: its value (often a lazy region of the file) and attributes. */
public record H5Dataset(Tensor value, Map<String, H5Attribute> attributes) implements H5Node {
    public H5Dataset {
        Objects.requireNonNull(value, "value");
        attributes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    public static H5Dataset of(Tensor value) { return new H5Dataset(value, Map.of()); }
}
