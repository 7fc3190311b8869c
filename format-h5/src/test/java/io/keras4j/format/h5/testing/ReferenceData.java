package io.keras4j.format.h5.testing;

import io.keras4j.format.h5.hdf5.H5Dataset;
import io.keras4j.format.h5.hdf5.H5Group;
import io.keras4j.format.h5.hdf5.H5Node;
import io.keras4j.format.h5.hdf5.H5Reader;
import io.keras4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** DL4J's {@code *_inputs_and_outputs.h5} reference files: groups {@code inputs/}, {@code predictions/}, … of datasets. */
public final class ReferenceData {
    private final H5Group root;

    private ReferenceData(H5Group root) { this.root = root; }

    public static ReferenceData read(Path file) { return new ReferenceData(H5Reader.read(file, "reference")); }

    /** The datasets of a group by name, in file order; empty when the group is absent. */
    public Map<String, Tensor> group(String name) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, H5Node> e : root.group(name).map(H5Group::children).orElse(Map.of()).entrySet()) {
            if (e.getValue() instanceof H5Dataset d) out.put(e.getKey(), d.value());
        }
        return out;
    }
}
