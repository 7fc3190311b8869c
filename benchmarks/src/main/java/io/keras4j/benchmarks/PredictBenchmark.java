package io.keras4j.benchmarks;

import io.keras4j.runtime.RuntimeOptions;
import io.keras4j.runtime.spi.NdArray;
import java.nio.file.Path;
import java.util.List;
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
 * Time of one {@code predict} call per model and batch size: batch 1 is the latency, batch 32 gives the
 * throughput (32 / time). {@code threads} is {@code RuntimeOptions.threads}: how many threads of the runtime's shared
 * pool one call splits its work over (1: the calling thread only).
 * Models come from {@code make_models.py}: {@code -p models=DIR}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class PredictBenchmark {
    @Param("target/bench-models")
    public String models;

    @Param({"mlp", "cnn", "mobilenetv2", "lstm"})
    public String model;

    @Param({"1", "32"})
    public int batch;

    @Param("1")
    public int threads;

    /** {@code RuntimeOptions.reuseBuffers}: layer outputs from the buffer arena (true) or fresh arrays. */
    @Param("true")
    public boolean reuse;

    private BenchmarkModel compiled;
    private NdArray input;

    @Setup(Level.Trial)
    public void setUp() {
        compiled = BenchmarkModel.load(Path.of(models, model), RuntimeOptions.builder().threads(threads).reuseBuffers(reuse).build());
        input = compiled.batch(batch);
    }

    @Benchmark
    public List<NdArray> predict() { return compiled.predict(input); }
}
