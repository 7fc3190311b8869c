package io.keras4j.benchmarks;

import io.keras4j.Keras4j;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time to load a model from one saved format until every weight is readable (each weight's bytes touched), the
 * way {@code make_models.py --time load} times Keras. Sample time, so the median is reported as Keras's is.
 * Models come from {@code make_models.py}: {@code -p models=DIR}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class LoadBenchmark {
    @Param("target/bench-models")
    public String models;

    @Param({"mlp", "cnn", "mobilenetv2", "lstm"})
    public String model;

    @Param({"keras", "h5", "weights-h5", "h5-k2", "checkpoint-k2", "savedmodel-k2"})
    public String format;

    private final Keras4j keras4j = Keras4j.create();

    @Benchmark
    public long load() {
        return WeightTouch.touchAll(SavedFormat.of(format).load(keras4j, Path.of(models, model)));
    }
}
