package io.keras4j.runtime.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.keras4j.model.Model;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Compile-time fusion changes how many steps run, never what they compute: the fused graph predicts what the same
 * graph without fusion predicts (float rounding apart), and keeps every layer's shapes. Agreement of fused models
 * with Keras itself is ZooTest's (MobileNetV2: every convolution followed by BatchNormalization and ReLU6).
 */
class FusionTest {
    private static final String CHAIN = layers(
            conv("conv", "\"filters\": 5, \"kernel_size\": [3, 3], \"padding\": \"same\", \"activation\": \"linear\""),
            "{\"class_name\": \"BatchNormalization\", \"config\": {\"name\": \"bn\", \"axis\": -1}}",
            "{\"class_name\": \"ReLU\", \"config\": {\"name\": \"relu6\", \"max_value\": 6.0}}",
            conv("dw", "\"kernel_size\": [3, 3], \"strides\": [2, 2], \"padding\": \"same\", \"depth_multiplier\": 1",
                    "DepthwiseConv2D"),
            "{\"class_name\": \"BatchNormalization\", \"config\": {\"name\": \"dw_bn\", \"axis\": 3}}",
            "{\"class_name\": \"Flatten\", \"config\": {\"name\": \"flat\"}}",
            "{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 7, \"activation\": \"linear\"}}",
            "{\"class_name\": \"BatchNormalization\", \"config\": {\"name\": \"dense_bn\"}}",
            "{\"class_name\": \"Activation\", \"config\": {\"name\": \"act\", \"activation\": \"relu\"}}");

    /** BatchNormalization over the height axis is no per-channel map of the convolution: nothing to fold. */
    private static final String WRONG_AXIS = layers(
            conv("conv", "\"filters\": 5, \"kernel_size\": [3, 3], \"padding\": \"same\", \"activation\": \"linear\""),
            "{\"class_name\": \"BatchNormalization\", \"config\": {\"name\": \"bn\", \"axis\": 1}}");

    @Test
    void batchNormalizationAndReluFoldIntoTheConvolutionOrDenseBeforeThem() {
        Model model = withRandomWeights(CHAIN);
        Graph fused = new GraphCompiler(factory(model), true).build(model);
        Graph plain = new GraphCompiler(factory(model), true, false).build(model);
        assertThat(plain.stepsRun()).isEqualTo(9);
        assertThat(fused.stepsRun()).as("conv+bn+relu6, dw+bn, flatten, dense+bn+relu").isEqualTo(4);
        assertThat(fused.layerOutputShapes().keySet()).containsExactlyElementsOf(plain.layerOutputShapes().keySet());
        assertSamePredictions(fused, plain, true);
    }

    /** MobileNetV2's strided step: an uneven ZeroPadding2D before a "valid" depthwise convolution; then a plain one. */
    private static final String PADDED = layers(
            "{\"class_name\": \"ZeroPadding2D\", \"config\": {\"name\": \"pad\", \"padding\": [[0, 1], [0, 1]]}}",
            conv("dw", "\"kernel_size\": [3, 3], \"strides\": [2, 2], \"padding\": \"valid\", \"depth_multiplier\": 1",
                    "DepthwiseConv2D"),
            "{\"class_name\": \"BatchNormalization\", \"config\": {\"name\": \"dw_bn\", \"axis\": -1}}",
            "{\"class_name\": \"ZeroPadding2D\", \"config\": {\"name\": \"pad2\", \"padding\": [[2, 1], [1, 0]]}}",
            conv("conv", "\"filters\": 4, \"kernel_size\": [3, 2], \"padding\": \"valid\", \"activation\": \"relu\""));

    @Test
    void aZeroPaddingFoldsIntoTheValidConvolutionAfterIt() {
        Model model = withRandomWeights(PADDED);
        Graph fused = new GraphCompiler(factory(model), true).build(model);
        Graph plain = new GraphCompiler(factory(model), true, false).build(model);
        assertThat(plain.stepsRun()).isEqualTo(5);
        assertThat(fused.stepsRun()).as("dw reading through pad, with bn; conv reading through pad2").isEqualTo(2);
        assertThat(fused.outputShapes().get(0)).containsExactly(plain.outputShapes().get(0));
        assertSamePredictions(fused, plain, true);
    }

    @Test
    void batchNormalizationOverAnotherAxisStaysALayer() {
        Model model = withRandomWeights(WRONG_AXIS);
        Graph fused = new GraphCompiler(factory(model), true).build(model);
        assertThat(fused.stepsRun()).isEqualTo(2);
        assertSamePredictions(fused, new GraphCompiler(factory(model), true, false).build(model), false);
    }

    private static void assertSamePredictions(Graph fused, Graph plain, boolean endsInRelu) {
        Random rnd = new Random(3);
        float[] x = new float[2 * 6 * 6 * 3];
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 4 - 2;
        List<Value> in = List.of(Value.of(NdArray.wrap(x, 2, 6, 6, 3)));
        float[] expected = plain.call(in, CallContext.serial()).get(0).array().data();
        float[] actual = fused.call(in, CallContext.serial()).get(0).array().data();
        assertThat(actual).hasSameSizeAs(expected);
        boolean clamped = false;
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("output %d", i).isCloseTo(expected[i], within(1e-5f * Math.max(1, Math.abs(expected[i]))));
            clamped |= expected[i] == 0;
        }
        if (endsInRelu) assertThat(clamped).as("the ReLU cuts some outputs, so the clamp is exercised").isTrue();
    }

    private static String conv(String name, String args) { return conv(name, args, "Conv2D"); }

    private static String conv(String name, String args, String className) { return RandomModels.layer(className, name, args); }

    private static String layers(String... layers) { return RandomModels.sequential(layers); }

    private static Model withRandomWeights(String json) { return RandomModels.withRandomWeights(json); }

    private static LayerFactory factory(Model model) { return RandomModels.factory(model); }
}
