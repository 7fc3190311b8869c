/** Keras HDF5 files (legacy .h5, save_weights .h5, Keras 3 .weights.h5, sharded .weights.json). */
module io.keras4j.format.h5 {
    requires transitive io.keras4j.api;
    requires io.keras4j.core;
    requires io.jhdf;
    // jhdf is an automatic module, whose own dependencies are not resolved on the module path: name what it loads.
    requires org.apache.commons.lang3;
    requires org.slf4j;

    exports io.keras4j.format.h5;

    provides io.keras4j.spi.Codec with io.keras4j.format.h5.H5Codec, io.keras4j.format.h5.ShardedWeightsCodec;
}
