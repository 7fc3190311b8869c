package io.keras4j.runtime.layers;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.core.JsonTrees;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Dialect;
import io.keras4j.model.Weight;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The row-split Dense chain's own kernels per worker thread: made once per thread, and the same values. */
class DenseChainTest {
    private final ExecutorService worker = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() { worker.shutdownNow(); }

    @Test
    void aWorkerThreadPacksItsOwnKernelsOnceAndComputesTheSameBits() {
        Dense first = dense("a", 20, 24, "relu", 1);
        assertThat(first.withKernelCopy().packed()).as("a copy packs anew").isNotSameAs(first.packed());
        DenseChain chain = new DenseChain(List.of(first, dense("b", 24, 10, "softmax", 2)));
        float[] x = new float[40 * 20];
        Random rnd = new Random(5);
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 4 - 2;
        NdArray in = NdArray.wrap(x, 40, 20);
        float[] serial = chain.forward(in, CallContext.serial()).data();
        assertThat(chain.copiesMade()).as("the calling thread reads the layer's own kernels").isZero();

        // Every task runs to its end on the one worker thread before the caller goes on, so the worker takes each
        // call's every share of rows (the caller finds none left): deterministic, and always through the copy.
        CallContext twoThreads = new CallContext(task -> {
            try {
                worker.submit(task).get();
            } catch (InterruptedException | ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }, 2, 1);
        for (int call = 0; call < 3; call++) {
            assertThat(chain.forward(in, twoThreads).data()).as("call %d on the worker's copy", call).containsExactly(serial);
        }
        assertThat(chain.copiesMade()).as("one worker thread, one copy over three calls").isEqualTo(1);
    }

    private static Dense dense(String name, int in, int units, String activation, long seed) {
        JsonObject config = (JsonObject) JsonTrees.parseJson(
                "{\"name\": \"" + name + "\", \"units\": " + units + ", \"activation\": \"" + activation + "\"}",
                Path.of("dense.json"), "test");
        Random rnd = new Random(seed);
        float[] kernel = new float[in * units], bias = new float[units];
        for (int i = 0; i < kernel.length; i++) kernel[i] = rnd.nextFloat() * 2 - 1;
        for (int i = 0; i < bias.length; i++) bias[i] = rnd.nextFloat() - 0.5f;
        List<Weight> weights = List.of(Weight.of(name + "/kernel", Tensor.ofFloats(kernel, new long[] {in, units})),
                Weight.of(name + "/bias", Tensor.ofFloats(bias, new long[] {units})));
        return new Dense(new LayerSpec(name, "Dense", null, null, config, config, weights, Dialect.KERAS3, (c, w) -> null));
    }
}
