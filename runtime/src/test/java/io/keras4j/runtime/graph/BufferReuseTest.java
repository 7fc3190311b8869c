package io.keras4j.runtime.graph;

import static io.keras4j.runtime.graph.RandomModels.layer;
import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.model.Model;
import io.keras4j.runtime.spi.BufferArena;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Layer outputs taken from a {@link BufferArena} give the same predictions as fresh arrays, call after call, with
 * the arena poisoning every array it lends (a layer that left part of its output unwritten would show NaN), and an
 * array the caller received is never lent again. The layers are those that take arena buffers, chained so that
 * equal lengths recur within a call, with reshaped views (Flatten, Reshape) sharing arrays with their sources.
 */
class BufferReuseTest {
    private static final String CHAIN = RandomModels.sequential(
            layer("Conv2D", "c1", "\"filters\": 3, \"kernel_size\": [3, 3], \"padding\": \"same\", \"activation\": \"relu\""),
            layer("Conv2D", "c2", "\"filters\": 3, \"kernel_size\": [3, 3], \"padding\": \"same\", \"activation\": \"tanh\""),
            layer("BatchNormalization", "bn", "\"axis\": -1"),
            layer("Conv2D", "c3", "\"filters\": 3, \"kernel_size\": [1, 1], \"activation\": \"linear\""),
            layer("ZeroPadding2D", "pad", "\"padding\": [[1, 1], [1, 1]]"),
            layer("DepthwiseConv2D", "dw", "\"kernel_size\": [3, 3], \"depth_multiplier\": 1"),
            layer("DepthwiseConv2D", "dw2", "\"kernel_size\": [3, 3], \"padding\": \"same\", \"depth_multiplier\": 2"),
            layer("Conv2D", "grouped", "\"filters\": 6, \"kernel_size\": [3, 3], \"padding\": \"same\", \"groups\": 2"),
            layer("MaxPooling2D", "pool", "\"pool_size\": [2, 2]"),
            layer("Flatten", "flat", ""),
            layer("Dense", "d1", "\"units\": 9, \"activation\": \"relu\""),
            layer("Reshape", "out", "\"target_shape\": [3, 3]"));

    /** Channels-first layers run channels-last between two transposes. */
    private static final String CHANNELS_FIRST = RandomModels.sequential(
            layer("Conv2D", "c1", "\"filters\": 4, \"kernel_size\": [3, 3], \"data_format\": \"channels_first\""),
            layer("Conv2D", "c2", "\"filters\": 4, \"kernel_size\": [2, 2], \"data_format\": \"channels_first\""),
            layer("Flatten", "flat", ""));

    @Test
    void arenaBuffersPredictWhatFreshArraysPredictAndNeverRecycleAnOutput() { check(CHAIN, true); }

    @Test
    void channelsFirstLayersToo() { check(CHANNELS_FIRST, false); }

    /** {@code recycles}: whether intermediate arrays come back (a channels-first output is a fresh transposed array). */
    private static void check(String json, boolean recycles) {
        Model model = RandomModels.withRandomWeights(json);
        Graph graph = new GraphCompiler(RandomModels.factory(model), true).build(model);
        List<Value> a = input(1), b = input(2);
        float[] expectedA = graph.call(a, CallContext.serial()).get(0).array().data();
        float[] expectedB = graph.call(b, CallContext.serial()).get(0).array().data();

        BufferArena arena = BufferArena.poisoning();
        CallContext ctx = CallContext.serial().withArena(arena);
        float[] first = call(graph, a, ctx, arena);
        int createdByFirstCall = arena.arraysCreated();
        if (recycles) assertThat(arena.freeArrays()).as("intermediate arrays are back in the arena").isPositive();
        float[] firstCopy = first.clone();
        float[] second = call(graph, b, ctx, arena);
        float[] third = call(graph, a, ctx, arena);

        assertThat(first).containsExactly(expectedA);
        assertThat(second).containsExactly(expectedB);
        assertThat(third).containsExactly(expectedA);
        assertThat(first).as("the first call's output, after two more calls").containsExactly(firstCopy);
        assertThat(second).isNotSameAs(first);
        if (recycles) {
            assertThat(arena.arraysCreated() - createdByFirstCall)
                    .as("later calls reuse the intermediates and allocate only what they return")
                    .isLessThan(createdByFirstCall);
        }
    }

    private static float[] call(Graph graph, List<Value> in, CallContext ctx, BufferArena arena) {
        try {
            return graph.call(in, ctx).get(0).array().data();
        } finally {
            arena.finishCall();
        }
    }

    private static List<Value> input(int seed) {
        return List.of(Value.of(NdArray.wrap(RandomModels.randomInput(seed, 2 * 6 * 6 * 3), 2, 6, 6, 3)));
    }
}
