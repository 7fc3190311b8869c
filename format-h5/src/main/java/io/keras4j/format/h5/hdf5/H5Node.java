package io.keras4j.format.h5.hdf5;

import java.util.Map;
import java.util.Optional;

/** A node of an HDF5 file held in memory: a group or a dataset, each with attributes in file order. */
public sealed interface H5Node permits H5Group, H5Dataset {

    Map<String, H5Attribute> attributes();

    default Optional<H5Attribute> attribute(String name) { return Optional.ofNullable(attributes().get(name)); }
}
