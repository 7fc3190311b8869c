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
        Compiled model = Compiled.of(CHAIN);
        Graph fused = model.fused(), plain = model.plain();
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
        Compiled model = Compiled.of(PADDED);
        Graph fused = model.fused(), plain = model.plain();
        assertThat(plain.stepsRun()).isEqualTo(5);
        assertThat(fused.stepsRun()).as("dw reading through pad, with bn; conv reading through pad2").isEqualTo(2);
        assertThat(fused.outputShapes().get(0)).containsExactly(plain.outputShapes().get(0));
        assertSamePredictions(fused, plain, true);
    }

    @Test
    void batchNormalizationOverAnotherAxisStaysALayer() {
        Compiled model = Compiled.of(WRONG_AXIS);
        assertThat(model.fused().stepsRun()).isEqualTo(2);
        assertSamePredictions(model.fused(), model.plain(), false);
    }

    /**
     * Max poolings whose windows tile a convolution's output, after a ReLU (6x6 -> 3x3) and after a linear
     * convolution whose 3x3 output loses its last row and column to the 2x2 windows.
     */
    private static final String POOLED = layers(
            conv("c1", "\"filters\": 5, \"kernel_size\": [3, 3], \"padding\": \"same\", \"activation\": \"relu\""),
            "{\"class_name\": \"MaxPooling2D\", \"config\": {\"name\": \"pool1\", \"pool_size\": [2, 2]}}",
            conv("c2", "\"filters\": 4, \"kernel_size\": [3, 3], \"padding\": \"same\", \"activation\": \"linear\""),
            "{\"class_name\": \"MaxPooling2D\", \"config\": {\"name\": \"pool2\", \"pool_size\": [2, 2], \"strides\": [2, 2]}}",
            "{\"class_name\": \"Flatten\", \"config\": {\"name\": \"flat\"}}",
            RandomModels.layer("Dense", "d", "\"units\": 3, \"activation\": \"linear\""));

    /** Overlapping windows (stride 1) and an average: both stay layers of their own. */
    private static final String NOT_TILING = layers(
            conv("c1", "\"filters\": 5, \"kernel_size\": [3, 3], \"padding\": \"same\", \"activation\": \"relu\""),
            "{\"class_name\": \"MaxPooling2D\", \"config\": {\"name\": \"pool1\", \"pool_size\": [2, 2], \"strides\": [1, 1]}}",
            conv("c2", "\"filters\": 4, \"kernel_size\": [3, 3], \"padding\": \"same\", \"activation\": \"relu\""),
            "{\"class_name\": \"AveragePooling2D\", \"config\": {\"name\": \"pool2\", \"pool_size\": [2, 2]}}");

    @Test
    void aMaxPoolingWhoseWindowsTileTheOutputFoldsIntoTheConvolutionBeforeIt() {
        Compiled model = Compiled.of(POOLED);
        Graph fused = model.fused(), plain = model.plain();
        assertThat(plain.stepsRun()).isEqualTo(6);
        assertThat(fused.stepsRun()).as("c1+pool1, c2+pool2, flat, d").isEqualTo(4);
        assertThat(fused.stepFusedLayers().get(0)).containsExactly("pool1");
        assertThat(fused.layerOutputShapes().get("pool2").get(0).get(0)).containsExactly(-1, 1, 1, 4);
        assertSamePredictions(fused, plain, false);
        // Two threads, one pooled row per chunk: the same values as the unfused graph on one.
        float[] x = RandomModels.randomInput(9, 5 * 6 * 6 * 3);
        List<Value> in = List.of(Value.of(NdArray.wrap(x, 5, 6, 6, 3)));
        float[] expected = plain.call(in, CallContext.serial()).get(0).array().data();
        CallContext twoThreads = new CallContext(java.util.concurrent.ForkJoinPool.commonPool(), 2, 1)
                .withArena(io.keras4j.runtime.spi.BufferArena.poisoning());
        float[] actual = fused.call(in, twoThreads).get(0).array().data();
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) assertThat(actual[i]).as("output %d", i).isCloseTo(expected[i], within(1e-5f));

        Compiled overlapping = Compiled.of(NOT_TILING);
        assertThat(overlapping.fused().stepsRun()).as("no pooling folds").isEqualTo(4);
        assertSamePredictions(overlapping.fused(), overlapping.plain(), false);
    }

    /**
     * An MLP head: Dense layers each read only by the next, a Dropout (the identity at inference) and a ReLU as layers
     * of their own between them, softmax last.
     */
    private static final String DENSE_STACK = layers(
            "{\"class_name\": \"Flatten\", \"config\": {\"name\": \"flat\"}}",
            RandomModels.layer("Dense", "d1", "\"units\": 24, \"activation\": \"relu\""),
            "{\"class_name\": \"Dropout\", \"config\": {\"name\": \"drop\", \"rate\": 0.5}}",
            RandomModels.layer("Dense", "d2", "\"units\": 16, \"activation\": \"linear\""),
            "{\"class_name\": \"Activation\", \"config\": {\"name\": \"act\", \"activation\": \"relu\"}}",
            RandomModels.layer("Dense", "d3", "\"units\": 10, \"activation\": \"softmax\""));

    @Test
    void consecutiveDenseLayersRunAsOneStepThatSplitsRowsOnceThroughAllOfThem() {
        Compiled model = Compiled.of(DENSE_STACK);
        Graph fused = model.fused(), plain = model.plain();
        assertThat(plain.stepsRun()).isEqualTo(6);
        assertThat(fused.stepsRun()).as("flatten, d1+drop+d2+act+d3").isEqualTo(2);
        assertThat(fused.stepFusedLayers().get(1)).containsExactly("drop", "d2", "act", "d3");
        assertThat(fused.layerOutputShapes().keySet()).containsExactlyElementsOf(plain.layerOutputShapes().keySet());

        java.util.concurrent.atomic.AtomicInteger handOffs = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.Executor counting = task -> {
            handOffs.incrementAndGet();
            java.util.concurrent.ForkJoinPool.commonPool().execute(task);
        };
        for (int batch : new int[] {40, 3}) {
            Random rnd = new Random(batch);
            float[] x = new float[batch * 6 * 6 * 3];
            for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 4 - 2;
            List<Value> in = List.of(Value.of(NdArray.wrap(x, batch, 6, 6, 3)));
            float[] expected = plain.call(in, CallContext.serial()).get(0).array().data();
            io.keras4j.runtime.spi.BufferArena arena = io.keras4j.runtime.spi.BufferArena.poisoning();
            CallContext twoThreads = new CallContext(counting, 2, 1).withArena(arena);
            handOffs.set(0);
            plain.call(in, new CallContext(counting, 2, 1));
            int unfusedHandOffs = handOffs.get();
            for (int call = 0; call < 3; call++) {
                handOffs.set(0);
                float[] actual = fused.call(in, twoThreads).get(0).array().data();
                arena.finishCall();
                assertThat(actual).hasSameSizeAs(expected);
                for (int i = 0; i < expected.length; i++) {
                    assertThat(actual[i]).as("batch %d, output %d", batch, i).isCloseTo(expected[i], within(1e-6f));
                }
                // 40 rows: one split through the three layers; 3 rows, too few to share out: each layer splits as
                // it would unfused (by columns where the kernel has enough column blocks).
                if (batch == 40) assertThat(handOffs.get()).as("hand-offs in one call of 40 rows").isEqualTo(1);
                else assertThat(handOffs.get()).as("hand-offs in one call of 3 rows").isEqualTo(unfusedHandOffs);
            }
            // Three layer outputs in the first call; later calls reuse the two inner ones (9 if they were never given
            // back) and allocate only the output they return.
            assertThat(arena.arraysCreated()).as("arrays the arena allocated over three calls").isEqualTo(5);
            float[] serial = fused.call(in, CallContext.serial()).get(0).array().data();
            for (int i = 0; i < expected.length; i++) assertThat(serial[i]).isCloseTo(expected[i], within(1e-6f));
        }
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

    /** One model with seeded random weights, compiled with and without fusion. */
    private record Compiled(Graph fused, Graph plain) {
        static Compiled of(String json) {
            Model model = RandomModels.withRandomWeights(json);
            return new Compiled(new GraphCompiler(RandomModels.factory(model), true).build(model),
                    new GraphCompiler(RandomModels.factory(model), true, false).build(model));
        }
    }

}
