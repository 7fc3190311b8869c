package io.keras4j.export.tf.spi;

import io.keras4j.tensor.DType;
import io.keras4j.tensor.Tensor;
import java.util.List;
import java.util.Map;

/** Adds TensorFlow ops to the function a SavedModel serves; node names are made unique for the caller. */
public interface TfOpBuilder {

    /**
     * Adds one op of TensorFlow's registry and returns its first output.
     *
     * @param type the op, e.g. {@code Mul}
     * @param outputArg the name of the op's first output argument in its OpDef ({@code z} for Mul, {@code y} for
     *     Sigmoid, {@code output} for most others): TensorFlow references outputs by it inside a function
     * @param attrs every attr the op needs without a default: a {@link DType} is a type attr, a Boolean, Integer,
     *     Long, Float, Double or String the scalar attr, a {@code long[]} or {@code int[]} a list of ints
     * @param outType the dtype of the first output
     * @param outShape its static shape, -1 where unknown
     */
    GraphTensor op(String type, String outputArg, List<GraphTensor> inputs, Map<String, Object> attrs, DType outType,
                   long[] outShape);

    /** A constant (float32, int32, int64 or bool). */
    GraphTensor constant(Tensor value);

    /** A float32 scalar constant. */
    default GraphTensor constant(float value) { return constant(Tensor.ofFloats(new float[] {value})); }
}
