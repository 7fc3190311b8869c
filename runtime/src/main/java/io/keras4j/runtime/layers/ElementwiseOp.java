package io.keras4j.runtime.layers;

import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;

/**
 * Weightless layers that map each value (or each last-axis row) on its own: activation layers, {@code Rescaling},
 * and the dropout and noise family, which are the identity at inference.
 */
final class ElementwiseOp extends UnaryArrayOp implements io.keras4j.runtime.graph.FusibleOp {
    private final ActivationFunctions.Fn fn;
    /** The same function as a clamp (ReLU, ReLU6), or {@code null}: lets a producer fuse it. */
    private final Clamp clamp;

    private ElementwiseOp(LayerSpec spec, ActivationFunctions.Fn fn) { this(spec, fn, null); }

    private ElementwiseOp(LayerSpec spec, ActivationFunctions.Fn fn, Clamp clamp) {
        super(spec);
        this.fn = fn;
        this.clamp = clamp;
    }

    @Override
    public boolean isIdentity() { return fn == null; }

    @Override
    public float[] asClamp() { return clamp == null || clamp.isNone() ? null : new float[] {clamp.lower(), clamp.upper()}; }

    /** Dropout, SpatialDropout*, GaussianNoise, GaussianDropout, AlphaDropout, ActivityRegularization, Identity. */
    static ElementwiseOp identity(LayerSpec spec) { return new ElementwiseOp(spec, null); }

    static UnaryOp activation(LayerSpec spec) {
        String name = LayerActivation.name(spec);
        return "glu".equals(name) ? new GluOp(spec)
                : new ElementwiseOp(spec, ActivationFunctions.of(name, spec.sourceDialect()), Clamp.ofActivation(name));
    }

    /** {@code ReLU(max_value, negative_slope, threshold)}. */
    static ElementwiseOp relu(LayerSpec spec) {
        Double maxValue = Configs.optionalReal(spec, "max_value");
        double slope = Configs.real(spec, "negative_slope", 0);
        double threshold = Configs.real(spec, "threshold", 0);
        double max = maxValue == null ? Double.POSITIVE_INFINITY : maxValue;
        // Without slope and threshold it is a clamp to [0, max] (a float max_value like 6.0 is exact in float).
        Clamp clamp = slope == 0 && threshold == 0 && (float) max == max ? new Clamp(0f, (float) max) : null;
        return new ElementwiseOp(spec, ActivationFunctions.elementwise(x ->
                x >= max ? max : x >= threshold ? x : slope * (x - threshold)), clamp);
    }

    /** {@code LeakyReLU}: Keras 3 names the slope {@code negative_slope}, Keras 1 and 2 {@code alpha}. */
    static ElementwiseOp leakyRelu(LayerSpec spec) {
        double slope = Configs.real(spec, "negative_slope", spec.sourceConfig().getDouble("alpha", 0.3));
        return new ElementwiseOp(spec, ActivationFunctions.elementwise(x -> x >= 0 ? x : slope * x));
    }

    static ElementwiseOp elu(LayerSpec spec) {
        double alpha = Configs.real(spec, "alpha", 1.0);
        return new ElementwiseOp(spec, ActivationFunctions.elementwise(x -> x > 0 ? x : alpha * Math.expm1(x)));
    }

    static ElementwiseOp thresholdedRelu(LayerSpec spec) {
        double theta = Configs.real(spec, "theta", 1.0);
        return new ElementwiseOp(spec, ActivationFunctions.elementwise(x -> x > theta ? x : 0));
    }

    static ElementwiseOp softmax(LayerSpec spec) {
        int[] axes = Configs.axes(spec, "axis", -1);
        if (axes.length != 1 || axes[0] != -1) throw Configs.unsupported(spec, "softmax over axis " + java.util.Arrays.toString(axes));
        return new ElementwiseOp(spec, ActivationFunctions::softmax);
    }

    /** {@code Rescaling}: {@code x * scale + offset} with scalar factors. */
    static ElementwiseOp rescaling(LayerSpec spec) {
        double scale = Configs.real(spec, "scale", 1.0);
        double offset = Configs.real(spec, "offset", 0.0);
        return new ElementwiseOp(spec, ActivationFunctions.elementwise(x -> x * (float) scale + (float) offset));
    }

    @Override long[] outputShape(long[] in) { return in; }

    @Override
    NdArray forward(NdArray in, CallContext ctx) {
        if (fn == null) return in;
        float[] out = in.data().clone();
        fn.applyInPlace(out, in.rank() == 0 ? 1 : in.dim(-1));
        return NdArray.wrap(out, in.shape());
    }
}
