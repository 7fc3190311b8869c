package io.keras4j.runtime.layers;

import io.keras4j.json.JsonObject;
import io.keras4j.model.Weight;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code SeparableConv1D/2D}: a depthwise convolution (strides, dilation, padding) followed by a 1x1 convolution
 * with bias and activation. Weights: depthwise kernel, pointwise kernel, bias.
 */
final class SeparableConvOp extends UnaryArrayOp {
    private final ConvOp depthwise;
    private final ConvOp pointwise;

    SeparableConvOp(LayerSpec spec, int rank) {
        super(spec);
        List<Weight> w = spec.weights();
        JsonObject config = spec.config();
        JsonObject depthConfig = config.with("use_bias", false).with("activation", "linear");
        JsonObject pointConfig = config.with("kernel_size", 1).with("strides", 1).with("dilation_rate", 1)
                .with("padding", "valid").with("groups", 1);
        this.depthwise = ConvOp.depthwise(spec.derived("DepthwiseConv" + rank + "D", depthConfig, w.isEmpty() ? w : w.subList(0, 1)), rank);
        this.pointwise = ConvOp.conv(spec.derived("Conv" + rank + "D", pointConfig, w.isEmpty() ? w : w.subList(1, w.size())), rank);
    }

    @Override long[] outputShape(long[] in) { return pointwise.outputShape(depthwise.outputShape(in)); }

    @Override
    public List<long[]> weightShapes(List<long[]> inputShapes) {
        List<long[]> shapes = new ArrayList<>(depthwise.weightShapes(inputShapes));
        shapes.addAll(pointwise.weightShapes(List.of(depthwise.outputShape(single(inputShapes)))));
        return shapes;
    }

    @Override NdArray forward(NdArray in, CallContext ctx) { return pointwise.forward(depthwise.forward(in, ctx), ctx); }

    @Override Mask outputMask(Value in) { return null; }
}
