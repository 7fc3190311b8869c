package io.keras4j.benchmarks;

import io.keras4j.core.KerasJson;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.runtime.CompiledModel;
import io.keras4j.runtime.RuntimeOptions;
import io.keras4j.runtime.math.Gemm;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One convolution layer of each kind the runtime computes differently, on a batch of 8 feature maps of 56x56
 * (MobileNet/ResNet-sized), timed through {@code CompiledModel.predict}: {@code conv3x3} (im2col tiles + packed
 * GEMM, 64 -> 64 channels), {@code conv1x1} (one GEMM, 64 -> 128), {@code depthwise3x3} (SIMD over 128 channels).
 * Each prints its flops per op at the start of the fork: GFLOP/s = ops/s x flops / 1e9, to set beside
 * {@code GemmBenchmark.peakFma}. Weights are seeded random; {@code threads} is {@code RuntimeOptions.threads}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class ConvBenchmark {
    private static final int BATCH = 8;
    private static final int SIZE = 56;

    @Param({"conv3x3", "conv1x1", "depthwise3x3"})
    public String layer;

    @Param("1")
    public int threads;

    private CompiledModel model;
    private NdArray input;

    @Setup(Level.Trial)
    public void setUp() {
        int cin, cout, kernel;
        String className, extra;
        switch (layer) {
            case "conv3x3" -> { cin = 64; cout = 64; kernel = 3; className = "Conv2D"; extra = "\"filters\": 64"; }
            case "conv1x1" -> { cin = 64; cout = 128; kernel = 1; className = "Conv2D"; extra = "\"filters\": 128"; }
            case "depthwise3x3" -> { cin = 128; cout = 128; kernel = 3; className = "DepthwiseConv2D"; extra = "\"depth_multiplier\": 1"; }
            default -> throw new IllegalArgumentException("layer " + layer);
        }
        String json = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"bench\", \"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_shape\": [null, " + SIZE + ", " + SIZE + ", " + cin + "]}},"
                + "{\"class_name\": \"" + className + "\", \"config\": {\"name\": \"conv\", " + extra + ", \"kernel_size\": [" + kernel + ", " + kernel
                + "], \"strides\": [1, 1], \"padding\": \"same\", \"activation\": \"relu\", \"use_bias\": true}}]}}";
        Model architecture = KerasJson.readModel(json, Path.of("bench.json"));
        Random rnd = new Random(1);
        long[] kernelShape = className.equals("Conv2D") ? new long[] {kernel, kernel, cin, cout} : new long[] {kernel, kernel, cin, 1};
        List<Layer> layers = new ArrayList<>();
        for (Layer l : architecture.layers()) {
            if (!l.name().equals("conv")) {
                layers.add(l);
                continue;
            }
            layers.add(l.toBuilder().weights(List.of(Weight.of("conv/0", Tensor.ofFloats(random(rnd, kernelShape), kernelShape)),
                    Weight.of("conv/1", Tensor.ofFloats(random(rnd, new long[] {cout}), new long[] {cout})))).build());
        }
        model = CompiledModel.compile(architecture.withLayers(layers), RuntimeOptions.builder().threads(threads).build());
        input = NdArray.wrap(random(rnd, new long[] {BATCH, SIZE, SIZE, cin}), BATCH, SIZE, SIZE, cin);
        double flops = 2.0 * BATCH * SIZE * SIZE * cout * kernel * kernel * (className.equals("Conv2D") ? cin : 1);
        System.out.println("\nkernel: " + Gemm.kernel() + "; " + layer + " flops per op: " + flops);
    }

    private static float[] random(Random rnd, long[] shape) {
        long size = 1;
        for (long d : shape) size *= d;
        float[] x = new float[(int) size];
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 2 - 1;
        return x;
    }

    @Benchmark
    public List<NdArray> predict() { return model.predict(input); }
}
