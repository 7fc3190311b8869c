package io.keras4j.export.tf.spi;

import io.keras4j.tensor.DType;

/** A value inside the graph being written: an op's output, an input, a read weight. */
public interface GraphTensor {

    /** The static shape, -1 where unknown. */
    long[] shape();

    DType dtype();
}
