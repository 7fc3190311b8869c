package io.keras4j.runtime.layers;

import io.keras4j.model.Dialect;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerOp;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.List;

/**
 * {@code Softmax} over the last axis. Keras 3's {@code Softmax()(x, mask)} given the mask as a second tensor keeps
 * the entries where the mask is true (or above 0.5 when it is a float tensor; it broadcasts from the right),
 * replaces the others by -1e9 before the softmax and zeroes them after it. tf.keras's {@code Softmax()(x, mask=m)}
 * (the runtime passes m as the second tensor) adds {@code (1 - m) * -1e9} to x, m's own values counting, or with
 * {@code robust_masking} replaces the entries where m is not above 0.5 by -1e9; it zeroes nothing after.
 */
final class SoftmaxOp implements LayerOp {
    private static final float LARGE_NEGATIVE = -1e9f;
    private final LayerSpec spec;
    private final UnaryOp plain;

    SoftmaxOp(LayerSpec spec) {
        this.spec = spec;
        this.plain = ElementwiseOp.softmax(spec);
    }

    @Override
    public List<long[]> outputShapes(List<long[]> inputShapes) {
        checkArity(inputShapes.size());
        return plain.outputShapes(inputShapes.subList(0, 1));
    }

    private void checkArity(int inputs) {
        if (inputs == 1) return;
        if (inputs == 2) return;
        throw new io.keras4j.UnsupportedModelException("layer '" + spec.name() + "' (Softmax) takes one input and an "
                + "optional mask, got " + inputs);
    }

    @Override
    public List<Value> call(List<Value> inputs, CallContext ctx) {
        checkArity(inputs.size());
        if (inputs.size() == 1) return plain.call(inputs, ctx);
        NdArray x = inputs.get(0).array(), m = inputs.get(1).array();
        int[] shape = x.shape();
        int[] maskShape = m.shape();
        if (maskShape.length > shape.length) {
            throw Configs.bad(spec, "mask", "of shape " + java.util.Arrays.toString(maskShape) + " has more axes than the input "
                    + java.util.Arrays.toString(shape));
        }
        int offset = shape.length - maskShape.length;
        for (int i = 0; i < maskShape.length; i++) {
            if (maskShape[i] != 1 && maskShape[i] != shape[offset + i]) {
                throw Configs.bad(spec, "mask", "of shape " + java.util.Arrays.toString(maskShape)
                        + " does not broadcast to the input " + java.util.Arrays.toString(shape));
            }
        }
        boolean keras3 = spec.sourceDialect() == Dialect.KERAS3;
        boolean additive = !keras3 && !Configs.flag(spec, "robust_masking", false);
        float[] src = x.data(), mask = m.data(), values = new float[src.length];
        boolean[] keep = new boolean[src.length];
        int[] index = new int[shape.length];
        for (int i = 0; i < src.length; i++) {
            int at = 0;
            for (int a = 0; a < maskShape.length; a++) at = at * maskShape[a] + (maskShape[a] == 1 ? 0 : index[offset + a]);
            keep[i] = mask[at] > 0.5f;
            if (additive) values[i] = src[i] + (1.0f - mask[at]) * LARGE_NEGATIVE;
            else values[i] = keep[i] ? src[i] : LARGE_NEGATIVE;
            for (int a = shape.length - 1; a >= 0 && ++index[a] == shape[a]; a--) index[a] = 0;
        }
        ActivationFunctions.softmax(values, 0, values.length, shape[shape.length - 1]);
        if (keras3) for (int i = 0; i < values.length; i++) if (!keep[i]) values[i] = 0f;
        return List.of(Value.of(NdArray.wrap(values, shape)));
    }
}
